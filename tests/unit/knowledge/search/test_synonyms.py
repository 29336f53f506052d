"""Synonyms: longest match first, whole ASCII words, typed pinyin unless a homophone is in use."""

from __future__ import annotations

import numpy as np

from bot.knowledge.search.analysis import Analyzer
from bot.knowledge.search.pinyin import han_pinyin, syllable_id
from bot.knowledge.search.synonyms import SynonymMap


def test_synonyms_longest_match_first_and_whole_ascii_words() -> None:
    synonyms = SynonymMap([["退款", "退钱", "refund"], ["退货退款", "退货退钱"], ["身份证", "id"]])
    assert synonyms.apply("退货退钱") == "退货退款"
    assert synonyms.apply("想退钱") == "想退款"
    assert synonyms.apply("refund please").strip() == "退款 please"
    assert synonyms.apply("idea") == "idea"
    analyzer = Analyzer([["退款", "退錢"]])  # synonyms are normalised too
    assert analyzer.analyze("顧客想退錢吗").content == "顾客想退款"


def test_typed_pinyin_synonyms_unless_a_homophone_is_used() -> None:
    analyzer = Analyzer([["顾客", "客户"], ["退货", "退件"]])
    assert analyzer.analyze("kehu tuijian").chars == "顾客退货"
    homophone = analyzer.analyze("尺码推荐")
    analyzer.synonyms.block_homophones(homophone.segments)
    assert analyzer.analyze("kehu tuijian").chars == "顾客"  # 'tuijian' stays pinyin (推荐)


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
