"""Analysis: units in the pinyin space, words, features, English stemming, notes in bulk."""

from __future__ import annotations

from bot.knowledge.search.analysis import Analyzer, features, normalize_query
from bot.knowledge.search.fillers import strip_fillers

from .conftest import TRICKY_TEXTS


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


def test_fast_body_features_equal_full_analysis() -> None:
    body = "1. 每月 **15 日** 发工资（示例）；SKU 和 QA 见后台。\n> We're sorry, refunds take 3 days. 亲，请稍等一下哦"
    analyzer = Analyzer([["退款", "refund"], ["系统", "后台"]])
    analyzer.learn_vocabulary([body])
    assert analyzer.features_of(body) == features(analyzer.analyze(body))


def test_english_stemming_meets_synonyms() -> None:
    analyzer = Analyzer([["延迟", "delay"], ["破损", "damaged"]])
    assert analyzer.analyze("Delivery delayed!").chars == "delivery 延迟"
    assert analyzer.analyze("item damage").chars == "item 破损"


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


def test_normalize_query_keeps_only_what_a_question_asks() -> None:
    assert normalize_query("亲，請問退貨流程是什麼呀？") == "退货流程是"
    assert normalize_query("退货流程是") == normalize_query("退货 流程 是!!") == "退货流程是"
    assert normalize_query("How do I return an item?") == "return item"
    assert normalize_query("ＱＡ 扣分") == normalize_query("qa扣分") == "qa扣分"
    assert normalize_query("在吗😭") == ""
