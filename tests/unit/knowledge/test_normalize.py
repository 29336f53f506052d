"""Normalisation: full-width, Traditional, emoji, fillers, pinyin and synonyms."""

from __future__ import annotations

import numpy as np
from pypinyin import lazy_pinyin

from bot.knowledge.normalize import (
    Analyzer,
    SynonymMap,
    features,
    han_pinyin,
    normalize,
    normalize_many,
    pinyin_syllables,
    split_pinyin,
    strip_fillers,
    syllable_id,
    to_simplified,
)


def test_normalize_folds_width_case_script_and_symbols() -> None:
    assert normalize("ＱＡ扣分！！") == "qa扣分"
    assert normalize("退貨流程") == "退货流程"
    assert normalize("顧客說東西壞了😭😭") == "顾客说东西坏了"
    assert normalize("SKU：１２３，ID?") == "sku 123 id"
    assert to_simplified("發工資") == "发工资"


def test_strip_fillers_keeps_meaning_words() -> None:
    assert strip_fillers(normalize("亲，请问一下物流一直不更新怎么办呀？")) == "物流一直不更新"
    assert strip_fillers("工资能不能预支") == "工资 预支"
    assert strip_fillers("亲自去网吧吧") == "亲自去网吧"
    assert strip_fillers("how do i handle a refund") == "handle refund"
    assert strip_fillers("亲亲 在吗") == ""


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


def test_homophones_and_typed_pinyin_share_the_pinyin_space() -> None:
    analyzer = Analyzer()
    assert analyzer.analyze("推货").pinyin == analyzer.analyze("退货").pinyin == "tuihuo"
    assert analyzer.analyze("退宽").pinyin == analyzer.analyze("tuikuan").pinyin == "tuikuan"
    assert analyzer.analyze("物留").pinyin == analyzer.analyze("wu liu").pinyin == "wuliu"
    typed = analyzer.analyze("tuihuo zenme ban")
    assert typed.pinyin == "tuihuo"  # 'zenme ban' is a filler phrase
    assert [u.py for u in typed.units] == ["tui", "huo"]
    assert all(u.char is None for u in typed.units)


def test_ascii_words_and_known_words_stay_words() -> None:
    analyzer = Analyzer(known_words={"ban"})
    units = analyzer.analyze("QA扣分 SKU ban").units
    assert [u.char or u.word for u in units] == ["qa", "扣", "分", "sku", "ban"]
    assert units[1].py == "kou"


def test_features_are_char_pinyin_ngrams_and_words() -> None:
    feats = features(Analyzer().analyze("QA扣分"))
    assert set(feats) == {"w:qa", "c:扣", "c:分", "c:扣分", "p:kou", "p:fen", "p:kou_fen"}


def test_synonyms_longest_match_first_and_whole_ascii_words() -> None:
    synonyms = SynonymMap([["退款", "退钱", "refund"], ["退货退款", "退货退钱"], ["身份证", "id"]])
    assert synonyms.apply("退货退钱") == "退货退款"
    assert synonyms.apply("想退钱") == "想退款"
    assert synonyms.apply("refund please").strip() == "退款 please"
    assert synonyms.apply("idea") == "idea"
    analyzer = Analyzer([["退款", "退錢"]])  # synonyms are normalised too
    assert analyzer.analyze("顧客想退錢吗").content == "顾客想退款"


def test_han_pinyin_matches_lazy_pinyin() -> None:
    text = "银行卡退货了还没到账长时间重新发货"
    assert list(han_pinyin(text)) == lazy_pinyin(text)


def test_fast_body_features_equal_full_analysis() -> None:
    body = "1. 每月 **15 日** 发工资（示例）；SKU 和 QA 见后台。\n> We're sorry, refunds take 3 days. 亲，请稍等一下哦"
    analyzer = Analyzer([["退款", "refund"], ["系统", "后台"]])
    analyzer.learn_vocabulary([body])
    assert analyzer.features_of(body) == features(analyzer.analyze(body))


def test_typed_pinyin_synonyms_unless_a_homophone_is_used() -> None:
    analyzer = Analyzer([["顾客", "客户"], ["退货", "退件"]])
    assert analyzer.analyze("kehu tuijian").chars == "顾客退货"
    homophone = analyzer.analyze("尺码推荐")
    analyzer.synonyms.block_homophones(homophone.segments)
    assert analyzer.analyze("kehu tuijian").chars == "顾客"  # 'tuijian' stays pinyin (推荐)


def test_english_stemming_meets_synonyms() -> None:
    analyzer = Analyzer([["延迟", "delay"], ["破损", "damaged"]])
    assert analyzer.analyze("Delivery delayed!").chars == "delivery 延迟"
    assert analyzer.analyze("item damage").chars == "item 破损"


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


def test_normalize_many_equals_normalize_one_by_one() -> None:
    assert normalize_many(TRICKY_TEXTS) == [normalize(t) for t in TRICKY_TEXTS]
    assert normalize_many([]) == []


def test_note_contents_equal_one_text_at_a_time() -> None:
    groups = [
        ["退款", "退钱", "refund"],
        ["顾客", "客户", "亲"],
        ["部分退款", "partial refund"],
        ["考勤", "check in"],
    ]
    batch, single = Analyzer(groups), Analyzer(groups)
    contents = batch.note_contents(TRICKY_TEXTS)
    single.learn_vocabulary(TRICKY_TEXTS)
    single.forget_texts()
    assert contents == [strip_fillers(single.canonical_text(t)) for t in TRICKY_TEXTS]
    assert batch.known_words == single.known_words


def test_homophones_blocked_alike_from_units_or_syllable_ids() -> None:
    groups = [["顾客", "客户"], ["退货", "退件"], ["取消订单", "撤单"]]
    runs, ids = Analyzer(groups), Analyzer(groups)
    texts = ["尺码怎么推荐", "顾客要撤单", "扯淡"]
    runs.synonyms.block_homophones(seg for t in texts for seg in runs.analyze(t).segments)
    joined = "  ".join(texts)
    pinyin = np.array(
        [syllable_id(p) if p else -1 for p in (han_pinyin(c)[0] if c.strip() else None for c in joined)]
    )
    ids.synonyms.block_homophone_ids(joined, pinyin)
    assert runs.synonyms.pinyin_mapping == ids.synonyms.pinyin_mapping
    assert ("tui", "jian") not in ids.synonyms.pinyin_mapping  # 推荐 is spelt tuijian too


def test_fast_pinyin_reads_like_pypinyin() -> None:
    for text in ("重复扣款", "银行卡", "还款", "长大了", "不好意思", "行长在银行", "一行行"):
        assert list(han_pinyin(text)) == lazy_pinyin(text), text
