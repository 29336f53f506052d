"""Pinyin: valid syllables, typed pinyin split into them, readings as pypinyin gives them."""

from __future__ import annotations

from pypinyin import lazy_pinyin

from bot.knowledge.search.pinyin import han_pinyin, pinyin_syllables, split_pinyin


def test_pinyin_syllables_and_splitter() -> None:
    syllables = pinyin_syllables()
    assert 400 <= len(syllables) <= 440
    assert {"zhuang", "lv", "nv", "er"} <= syllables
    assert "ng" not in syllables
    assert split_pinyin("tuihuozenmeban") == ["tui", "huo", "zen", "me", "ban"]
    assert split_pinyin("wuliu") == ["wu", "liu"]
    assert split_pinyin("xian") == ["xian"]
    assert split_pinyin("lue") == ["lve"]
    assert split_pinyin("refund") is None
    assert split_pinyin("sku") is None


def test_han_pinyin_matches_lazy_pinyin() -> None:
    text = "银行卡退货了还没到账长时间重新发货"
    assert list(han_pinyin(text)) == lazy_pinyin(text)


def test_fast_pinyin_reads_like_pypinyin() -> None:
    for text in ("重复扣款", "银行卡", "还款", "长大了", "不好意思", "行长在银行", "一行行"):
        assert list(han_pinyin(text)) == lazy_pinyin(text), text
