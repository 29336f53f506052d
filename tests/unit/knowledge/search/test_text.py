"""Normalisation: full-width, Traditional, emoji and punctuation, one text or many at once."""

from __future__ import annotations

from bot.knowledge.search.text import normalize, normalize_many, to_simplified

from .conftest import TRICKY_TEXTS


def test_normalize_folds_width_case_script_and_symbols() -> None:
    assert normalize("ＱＡ扣分！！") == "qa扣分"
    assert normalize("退貨流程") == "退货流程"
    assert normalize("顧客說東西壞了😭😭") == "顾客说东西坏了"
    assert normalize("SKU：１２３，ID?") == "sku 123 id"
    assert to_simplified("發工資") == "发工资"


def test_normalize_many_equals_normalize_one_by_one() -> None:
    assert normalize_many(TRICKY_TEXTS) == [normalize(t) for t in TRICKY_TEXTS]
    assert normalize_many([]) == []
