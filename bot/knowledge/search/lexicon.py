"""A general lexicon of the work: the same thing said in other words, or in English, for any workplace.

A workplace's own ``synonyms.yaml`` knows its notes; this lexicon knows the trade: after-sales, shipping,
payments, shifts, pay, equipment and hiring, in the words staff type (钱退回来 for 退款) and the English words
of cross-border work (*refund*, *tracking*, *payslip*). Each group's first term is its canonical form.
:func:`with_lexicon` adds it to a workplace's groups; a group sharing a term with one of the workplace's is
merged into it (the workplace's canonical term wins), so that the two never pull a word apart.

Only terms of two or more characters (or whole English words) that mean the same in every context of this
work belong here: a term replaces its group's canonical term in the notes and in the questions alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

GROUPS: tuple[tuple[str, ...], ...] = (
    # after-sales
    ("退款", "退钱", "退费", "返款", "钱退回来", "refund", "money back"),
    ("退货", "退回", "寄回", "退件", "return"),
    ("换货", "调换", "换一个", "exchange", "replacement", "replace"),
    ("补偿", "赔偿", "赔钱", "compensation", "compensate"),
    ("破损", "碎了", "坏了", "摔坏", "压坏", "damaged", "broken"),
    ("发错", "错发", "寄错", "wrong item"),
    ("漏发", "少发", "少件", "缺件", "missing item"),
    ("质量问题", "次品", "瑕疵", "defect", "defective"),
    ("假货", "仿品", "冒牌", "山寨", "高仿", "fake", "counterfeit"),
    ("差评", "中差评", "负面评价", "bad review", "negative review"),
    ("评价", "好评", "review", "rating", "feedback"),
    ("优惠券", "折扣券", "coupon", "voucher"),
    ("折扣", "打折", "discount"),
    ("尺码", "码数", "尺寸", "size"),
    ("发票", "开票", "invoice", "receipt"),
    ("取消订单", "撤单", "cancel order", "cancel"),
    ("订单", "order"),
    ("商品", "产品", "货品", "product", "item", "goods"),
    ("价格", "价钱", "售价", "price"),
    ("差价", "价差", "price difference"),
    ("赠品", "小礼物", "礼品", "小样", "gift", "freebie"),
    ("投诉", "举报", "complaint", "complain"),
    ("售后", "after sales", "aftersales"),
    ("保修", "质保", "warranty", "guarantee"),
    ("预售", "pre sale", "presale", "pre order", "preorder"),
    ("定金", "订金", "deposit"),
    ("尾款", "balance payment"),
    ("抽奖", "lucky draw", "lottery", "giveaway"),
    ("奖品", "prize"),
    ("直播", "直播间", "live stream", "livestream"),
    ("主播", "streamer"),
    ("链接", "link"),
    ("颜色", "color", "colour"),
    ("规格", "款式", "variant", "spec"),
    # shipping
    ("物流", "物流信息", "轨迹", "logistics", "tracking"),
    ("单号", "运单号", "快递单号", "物流单号", "tracking number", "waybill"),
    ("快递", "包裹", "快件", "parcel", "package"),
    ("发货", "寄出", "出库", "ship", "shipping", "dispatch"),
    ("运费", "邮费", "快递费", "shipping fee", "shipping cost", "postage", "freight"),
    ("延迟", "延误", "太慢", "delay", "delayed", "late delivery"),
    ("丢件", "寄丢", "丢失", "lost parcel", "lost package"),
    ("签收", "妥投", "delivered"),
    ("派送", "配送", "送货", "delivery"),
    ("拒收", "不签收", "refuse", "refused", "rejected"),
    ("地址", "收货地址", "收件地址", "address"),
    ("关税", "税费", "进口税", "customs duty", "import tax"),
    ("海关", "清关", "customs"),
    ("仓库", "warehouse"),
    ("海外仓", "overseas warehouse"),
    ("加急", "催发货", "催单", "expedite", "rush", "urgent"),
    ("货到付款", "cash on delivery", "cod"),
    ("自提点", "自提", "取件点", "pickup point", "pick up point", "pickup", "collection point"),
    ("取件码", "取货码", "提货码", "pickup code"),
    ("偏远地区", "偏远", "remote area"),
    ("禁运", "违禁品", "禁寄", "prohibited", "forbidden item"),
    ("跨境", "海外", "cross border", "overseas", "international"),
    # payments and accounts
    ("付款", "支付", "付钱", "payment", "pay"),
    ("扣款", "扣钱", "charge", "charged", "deduct"),
    ("重复扣款", "扣了两次", "扣两次", "double charge", "charged twice"),
    ("银行卡", "bank card"),
    ("信用卡", "credit card"),
    ("账号", "账户", "帐号", "account"),
    ("密码", "口令", "password"),
    ("登录", "登陆", "登入", "login", "log in", "sign in"),
    ("验证码", "短信码", "verification code", "otp"),
    ("盗号", "被盗", "hacked", "stolen account"),
    # customers and conversations
    ("顾客", "客户", "买家", "消费者", "customer", "buyer", "client"),
    ("卖家", "商家", "店家", "seller", "merchant"),
    ("话术", "回复模板", "script", "template"),
    ("道歉", "抱歉", "apology", "apologize", "apologise", "sorry"),
    ("生气", "发火", "骂人", "情绪激动", "angry", "upset"),
    ("升级", "转交", "上报", "escalate", "escalation"),
    ("翻译", "translate", "translation"),
    ("隐私", "个人信息", "privacy", "personal data"),
    ("回复", "答复", "reply", "respond"),
    # shifts and attendance
    ("班次", "shift"),
    ("排班", "班表", "schedule", "roster", "rota"),
    ("换班", "调班", "shift swap", "swap shift"),
    ("交接班", "交接", "handover", "hand over"),
    ("考勤", "打卡", "签到", "attendance", "clock in", "check in"),
    ("迟到", "late", "lateness"),
    ("早退", "leave early"),
    ("旷工", "缺勤", "absent", "absence", "absenteeism"),
    ("请假", "告假", "leave", "day off", "time off"),
    ("病假", "sick leave"),
    ("事假", "personal leave"),
    ("年假", "annual leave", "paid leave"),
    ("调休", "补休", "compensatory leave", "time off in lieu"),
    ("加班", "overtime"),
    ("夜班", "晚班", "night shift"),
    ("早班", "morning shift"),
    ("休息", "rest", "break"),
    ("节假日", "法定节假日", "holiday", "public holiday"),
    # pay and benefits
    ("工资", "薪水", "薪资", "工钱", "薪酬", "salary", "wage", "wages"),
    ("发工资", "发薪", "发薪日", "payday", "pay day"),
    ("工资条", "工资单", "薪资单", "payslip", "pay slip", "salary slip", "pay stub"),
    ("奖金", "bonus"),
    ("绩效", "performance", "kpi"),
    ("全勤", "满勤", "full attendance", "perfect attendance"),
    ("补贴", "津贴", "allowance", "subsidy"),
    ("加班费", "overtime pay"),
    ("社保", "社会保险", "五险", "social insurance", "social security"),
    ("公积金", "住房公积金", "housing fund"),
    ("医保", "医疗保险", "medical insurance", "health insurance"),
    ("个税", "个人所得税", "所得税", "income tax"),
    ("扣除", "deduction"),
    ("离职", "辞职", "辞工", "不干了", "resign", "resignation", "quit"),
    ("入职", "报到", "onboarding"),
    ("试用期", "probation", "trial period"),
    ("转正", "regular employee"),
    ("合同", "劳动合同", "contract"),
    ("申诉", "复核", "appeal", "dispute"),
    # the workplace
    ("宿舍", "住宿", "员工宿舍", "dormitory", "dorm", "accommodation"),
    ("食堂", "饭堂", "canteen", "cafeteria"),
    ("饭卡", "餐卡", "meal card"),
    ("班车", "通勤车", "接送车", "shuttle bus", "shuttle", "bus"),
    ("工牌", "工卡", "胸牌", "门禁卡", "badge", "staff card"),
    ("访客", "来访", "visitor", "guest"),
    ("消防", "火灾", "着火", "fire"),
    ("疏散", "逃生", "evacuate", "evacuation"),
    ("灭火器", "fire extinguisher"),
    ("母婴室", "哺乳室", "nursing room"),
    ("孩子", "小孩", "child", "children", "kid", "kids"),
    ("医务室", "医务箱", "first aid"),
    ("生病", "不舒服", "身体不适", "sick", "ill", "unwell"),
    ("组长", "主管", "班长", "领导", "team leader", "supervisor", "leader", "manager"),
    ("同事", "colleague", "coworker"),
    ("培训", "training"),
    ("质检", "质量检查", "quality check", "qa"),
    ("扣分", "减分", "被扣分", "points deducted"),
    ("禁用语", "敏感词", "违禁词", "banned words", "forbidden words"),
    ("首响", "首次响应", "响应时间", "first response", "response time"),
    # equipment and IT
    ("电脑", "计算机", "主机", "computer", "pc", "laptop"),
    ("耳机", "耳麦", "headset", "headphone", "headphones"),
    ("键盘", "keyboard"),
    ("鼠标", "mouse"),
    ("显示器", "屏幕", "monitor", "screen"),
    ("网络", "网速", "断网", "网络连接", "internet", "network"),
    ("无线网", "无线网络", "wifi", "wi fi"),
    ("死机", "卡死", "没反应", "freeze", "frozen", "crash", "crashed"),
    ("系统", "system"),
    ("软件", "software", "app"),
    ("打印机", "printer"),
    ("病毒", "virus", "malware"),
    # hiring
    ("报名", "应聘", "申请工作", "apply", "application"),
    ("面试", "interview"),
    ("招聘", "招人", "招工", "hiring", "recruit", "recruitment", "job opening"),
    ("兼职", "临时工", "短期工", "part time", "temporary"),
    ("全职", "full time"),
    ("学历", "文凭", "education", "degree"),
    ("年龄", "岁数", "age"),
    ("经验", "experience"),
    ("上班时间", "工作时间", "working hours", "work hours"),
    ("宝妈", "mother", "mom", "mum"),
    ("实习", "实习生", "intern", "internship"),
)


def with_lexicon(groups: Iterable[Sequence[str]]) -> list[list[str]]:
    """A workplace's synonym groups followed by the lexicon's; a lexicon group sharing a term with a
    workplace group (or an earlier lexicon group) is merged into that group rather than added."""
    merged: list[list[str]] = [list(g) for g in groups if g]
    owner: dict[str, int] = {}
    for k, group in enumerate(merged):
        for term in group:
            owner.setdefault(_key(term), k)
    for group in GROUPS:
        into = next((owner[_key(t)] for t in group if _key(t) in owner), None)
        if into is None:
            into = len(merged)
            merged.append([])
        for term in group:
            if _key(term) not in owner:
                merged[into].append(term)
                owner[_key(term)] = into
    return merged


def _key(term: str) -> str:
    return term.strip().lower()
