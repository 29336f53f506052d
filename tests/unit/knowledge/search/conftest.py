"""Texts that exercise every corner of normalisation."""

from __future__ import annotations

from bot.knowledge.notes import Note

TRICKY_TEXTS = [
    "ＱＡ扣分！！",
    "SKU：１２３，ID?",
    "顧客說東西壞了😭😭",
    "café é ｅ\u0301 한국어",
    "𝐀𝐁𝐂 ①② ㈱ 👍🏻 𠀀",
    "A_b__c \u3000全角\u3000空格",
    "",
    "亲，请问一下物流一直不更新怎么办呀？",
    "We're sorry, refunds take 3 days. Partial, refund; check in",
    "1. 每月 **15 日** 发工资（示例）；SKU 和 QA 见后台。\n> 亲，请稍等一下哦" * 12,  # a long text
]


def note(note_id: str, title: str, body: str = "按规定处理。", audience: str = "staff") -> Note:
    """A note with a title and a body only."""
    return Note(note_id, title, [], [], audience, body, [], __file__)  # type: ignore[arg-type]
