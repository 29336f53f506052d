"""Fixture notes: a small knowledge folder written to a temporary directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge.notes import load_notes
from bot.knowledge.search import KnowledgeIndex

FIXTURE_NOTES: dict[str, str] = {
    "aftersales/return_refund.md": """---
title: 顾客要求退货退款
questions:
  - 客户要退货怎么办
  - 商品坏了能退吗
  - 退货流程是什么
tags: [售后, 退货]
---
## 步骤
1. 核对订单和签收时间，七天无理由内可以退。
2. 让顾客在订单页申请退货退款，寄回后商家验货退款。

## 话术
> 亲，您在订单页点击"申请退货"就可以了。

> Please apply for a return on the order page.
""",
    "aftersales/refund_timing.md": """---
title: 退款多久到账
questions:
  - 退款什么时候到
  - 钱还没退回来
tags: [退款, refund]
---
退款原路返回，一般 1–3 个工作日到账，信用卡可能更久。
""",
    "logistics/delay.md": """---
title: 物流延迟或一直不更新
questions:
  - 快递一直不动
  - 包裹几天没有更新
tags: [物流, 快递]
---
先查物流轨迹；超过 3 天不更新，提交工单请物流核查。
""",
    "quality/qa_score.md": """---
title: QA扣分规则
questions:
  - 质检扣分怎么申诉
tags: [QA, 质检]
---
QA 每周抽查聊天记录；对扣分有异议的，三天内找组长申诉。
""",
    "workplace/payday.md": """---
title: 发工资时间
questions:
  - 工资几号发
  - 什么时候发工资
tags: [工资]
---
每月 15 日发上月工资，遇节假日提前。
""",
    "workplace/leave.md": """---
title: 怎么请假
questions:
  - 请病假要什么材料
tags: [请假, 考勤]
---
提前一天在机器人里申请请假，组长批准后生效；病假需要医院证明。
""",
    "aftersales/bad_review.md": """---
title: 顾客给了差评怎么处理
questions:
  - 怎么回复差评
tags: [差评, bad review]
---
先解决问题再联系顾客，不拿删差评当条件，不用返现换好评。
""",
    "account/password.md": """---
title: 顾客忘记密码登录不了
questions:
  - 账号登不上去
tags: [账号, 密码, password]
---
引导顾客在登录页点"忘记密码"，用手机验证码重置。
""",
    "public/jobs.md": """---
title: 星站招聘哪些岗位
questions:
  - 你们招人吗
  - 有什么工作
tags: [招聘, 岗位]
audience: public
---
我们招聘电商客服，白班和晚班，培训后上岗。
""",
    "public/pay.md": """---
title: 客服岗位工资待遇
questions:
  - 一个月能挣多少钱
tags: [待遇, 工资]
audience: public
---
底薪加绩效，试用期一个月。
""",
}

FIXTURE_SYNONYMS = """\
- [退款, 退钱]
- [顾客, 客户, 买家]
- [商品, 东西]
- [退货, return]
- [物流, logistics, shipping]
- [工资, salary]
"""


def write_knowledge(root: Path, notes: dict[str, str], synonyms: str | None = None) -> Path:
    """Write notes (relative path -> text) and an optional synonyms.yaml under ``root``."""
    for rel, text in notes.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if synonyms is not None:
        (root / "synonyms.yaml").write_text(synonyms, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def knowledge_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_knowledge(tmp_path_factory.mktemp("knowledge"), FIXTURE_NOTES, FIXTURE_SYNONYMS)


@pytest.fixture(scope="module")
def index(knowledge_dir: Path) -> KnowledgeIndex:
    loaded = load_notes(knowledge_dir)
    assert loaded.problems == []
    return KnowledgeIndex.build(loaded.notes, loaded.synonyms)
