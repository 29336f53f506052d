"""The ``kb`` command: JSON contract, batch mode, check output and exit codes."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
from pathlib import Path

import pytest
import yaml
from sqlalchemy.pool import NullPool

from bot.db import create_engine, create_session_factory
from bot.knowledge import cli, learned, saved
from bot.knowledge.models import LearnedFrom, LearnedPhrasing
from bot.knowledge.notes import load_notes

from .conftest import write_knowledge


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    code = cli.main(list(argv))
    return code, capsys.readouterr().out.splitlines()


def test_search_json_contract(knowledge_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run(
        capsys, "search", "客户要推货怎么办", "--dir", str(knowledge_dir), "--json", "--limit", "2"
    )
    assert code == 0
    [line] = lines
    obj = json.loads(line)
    assert list(obj) == ["query", "answer", "matches"]
    assert obj["query"] == "客户要推货怎么办"
    assert obj["answer"] == "aftersales/return_refund"
    assert len(obj["matches"]) == 2
    first = obj["matches"][0]
    assert list(first) == ["id", "title", "score"]
    assert first == {"id": "aftersales/return_refund", "title": "顾客要求退货退款", "score": first["score"]}
    assert isinstance(first["score"], float) and first["score"] == round(first["score"], 1)
    assert "客户要推货" in line  # ensure_ascii=False


def test_search_json_unknown_is_null(knowledge_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, [line] = run(capsys, "kb", "search", "工资能不能预支", "--dir", str(knowledge_dir), "--json")
    assert code == 0
    assert json.loads(line)["answer"] is None


def test_batch_mode_reads_stdin(
    knowledge_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("退貨流程\n\n  \n你们招人吗\n退货流程\n"))
    code, lines = run(capsys, "search", "--dir", str(knowledge_dir), "--json", "--audience", "public")
    assert code == 0
    objs = [json.loads(line) for line in lines]
    assert [o["query"] for o in objs] == ["退貨流程", "你们招人吗", "退货流程"]
    assert [o["answer"] for o in objs] == [None, "public/jobs", None]


def test_human_readable_output(knowledge_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run(capsys, "search", "差评", "--dir", str(knowledge_dir))
    assert code == 0
    assert lines[0] == "? 差评"
    assert lines[1].startswith("= aftersales/bad_review  顾客给了差评怎么处理  [")


def test_dir_defaults_to_knowledge_dir_env(
    tmp_path: Path, knowledge_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KNOWLEDGE_DIR", str(knowledge_dir))
    monkeypatch.setenv("SAVED_NOTES_DIR", str(tmp_path / "nothing_saved_yet"))
    code, [line] = run(capsys, "search", "差评", "--json")
    assert (code, json.loads(line)["answer"]) == (0, "aftersales/bad_review")
    monkeypatch.setenv("KB_ANSWER_THRESHOLD", "101")
    code, [line] = run(capsys, "search", "差评", "--json")
    assert (code, json.loads(line)["answer"]) == (0, None)


def test_check_ok_and_problems(
    tmp_path: Path, knowledge_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, lines = run(capsys, "check", "--dir", str(knowledge_dir))
    assert (code, lines) == (0, ["10 notes OK, 6 synonym groups"])

    monkeypatch.chdir(tmp_path)
    write_knowledge(tmp_path / "kb", {"a.md": "---\ntitle: T\naudience: all\n---\nbody\n", "b.md": "no"})
    code, lines = run(capsys, "check", "--dir", "kb")
    assert code == 1
    assert lines == [
        "kb/a.md:3: 'audience' must be 'staff' or 'public', not 'all'",
        "kb/b.md:1: missing front matter: the file must start with a '---' line",
    ]


def test_missing_dir(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert cli.main(["check", "--dir", str(tmp_path / "none")]) == 1
    assert cli.main(["search", "x", "--dir", str(tmp_path / "none")]) == 2


def test_register_adds_kb_to_a_parent_parser(knowledge_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="bot")
    subparsers = parser.add_subparsers(dest="command", required=True)
    cli.register(subparsers)
    args = parser.parse_args(["kb", "search", "差评", "--dir", str(knowledge_dir), "--json"])
    assert args.func(args) == 0
    assert json.loads(capsys.readouterr().out)["answer"] == "aftersales/bad_review"
    args = parser.parse_args(["kb", "check", "--dir", str(knowledge_dir)])
    assert args.func(args) == 0


@pytest.mark.parametrize(
    ("limit", "error"),
    [
        ("0", "must be 1 or more, not 0"),
        ("-3", "must be 1 or more, not -3"),
        ("abc", "must be a whole number, 1 or more, not 'abc'"),
    ],
)
def test_limit_must_be_at_least_one(
    knowledge_dir: Path, capsys: pytest.CaptureFixture[str], limit: str, error: str
) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["search", "退货", "--dir", str(knowledge_dir), "--limit", limit])
    assert exit_.value.code == 2
    assert f"argument --limit: {error}" in capsys.readouterr().err.splitlines()[-1]


def test_limit_one_shows_the_answer(knowledge_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run(capsys, "search", "退货流程", "--dir", str(knowledge_dir), "--limit", "1")
    assert code == 0 and lines[1].startswith("= aftersales/return_refund")


def test_saved_notes_are_read_as_the_bot_reads_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    note = "---\ntitle: {}\n---\n{}\n"
    write_knowledge(tmp_path / "kb", {"a.md": note.format("退货流程", "先核对订单。")})
    write_knowledge(
        tmp_path / "data" / "notes", {"answers/q3.md": note.format("公司有没有宿舍", "不提供宿舍。")}
    )
    monkeypatch.setenv("KNOWLEDGE_DIR", "kb")
    monkeypatch.delenv("SAVED_NOTES_DIR", raising=False)

    assert run(capsys, "check") == (0, ["2 notes OK"])
    code, [line] = run(capsys, "search", "公司有没有宿舍", "--json")
    assert json.loads(line)["answer"] == "answers/q3"
    assert run(capsys, "check", "--dir", "kb") == (0, ["1 notes OK"])
    assert run(capsys, "check", "--dir", "kb", "--saved-dir", "data/notes") == (0, ["2 notes OK"])

    # An answer saved in the knowledge folder by an older version, and saved again since.
    write_knowledge(tmp_path / "kb", {"answers/Q3.md": note.format("公司有没有宿舍", "旧的回答。")})
    code, lines = run(capsys, "check")
    assert code == 1
    assert lines == [
        "data/notes/answers/q3.md:1: note id differs only in letter case from 'answers/Q3' of "
        "kb/answers/Q3.md; this file is left out"
    ]


def _phrasing(text: str, note_id: str) -> LearnedPhrasing:
    return LearnedPhrasing(note_id=note_id, normalized=learned.comparable(text) or "", text=text)


def test_export_adds_to_each_note_only_the_questions_it_lacks(knowledge_dir: Path) -> None:
    notes = {note.id: note for note in load_notes(knowledge_dir).notes}
    text = cli.export_blocks(
        [
            _phrasing("退货流程是什么？", "aftersales/return_refund"),  # the note has it already
            _phrasing("东西坏了: 能退吗", "aftersales/return_refund"),
            _phrasing("東西壞了：能退嗎", "aftersales/return_refund"),  # the same question again
            _phrasing("工资几号发", "workplace/payday"),  # nothing new for this note
            _phrasing("wages day", "gone/note"),
        ],
        notes,
    )
    refund = notes["aftersales/return_refund"]
    assert text == (
        f"# aftersales/return_refund — 顾客要求退货退款 ({refund.path})\n"
        "questions:\n"
        "  - 客户要退货怎么办\n"
        "  - 商品坏了能退吗\n"
        "  - 退货流程是什么\n"
        "  - '东西坏了: 能退吗'\n"
        "\n"
        "# gone/note (note missing)\n"
        "questions:\n"
        "  - wages day"
    )
    block = text.split("\n\n")[0].split("\n", 1)[1]
    assert yaml.safe_load(block)["questions"][-1] == "东西坏了: 能退吗"


async def test_learned_export_reads_the_bot_database(
    database_url: str,
    knowledge_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    engine = create_engine(database_url, poolclass=NullPool)
    async with create_session_factory(engine)() as session:
        for text, note_id in [
            ("东西坏了能不能退", "aftersales/return_refund"),
            ("工资啥时候到账", "workplace/payday"),
        ]:
            await learned.learn(
                session, text=text, note_id=note_id, audience="staff", source=LearnedFrom.PICK, person_id=None
            )
    await engine.dispose()
    monkeypatch.setenv("DATABASE_URL", database_url)
    export = ["learned", "export", "--dir", str(knowledge_dir)]

    assert await asyncio.to_thread(cli.main, [*export, "--note", "workplace/payday"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# workplace/payday — 发工资时间") and out.endswith("  - 工资啥时候到账\n")
    assert "东西坏了" not in out
    assert await asyncio.to_thread(cli.main, export) == 0
    assert [line for line in capsys.readouterr().out.splitlines() if line.startswith("#")] == [
        f"# aftersales/return_refund — 顾客要求退货退款 ({knowledge_dir / 'aftersales' / 'return_refund.md'})",
        f"# workplace/payday — 发工资时间 ({knowledge_dir / 'workplace' / 'payday.md'})",
    ]
    assert await asyncio.to_thread(cli.main, [*export, "--note", "workplace/leave"]) == 0
    assert capsys.readouterr().err.startswith("no learned phrasings of workplace/leave")

    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/never_migrated.db")
    assert await asyncio.to_thread(cli.main, export) == 2
    assert capsys.readouterr().err.startswith("error: cannot use the database DATABASE_URL=")


SAVED = "---\ntitle: 公司有没有宿舍\nquestions: [公司有宿舍吗]\n---\n本站不提供宿舍。\n"


async def _save(database_url: str, *notes: tuple[str, str]) -> None:
    engine = create_engine(database_url, poolclass=NullPool)
    async with create_session_factory(engine)() as session:
        for note_id, text in notes:
            await saved.save_note(session, note_id, text, person_id=None)
    await engine.dispose()


async def test_check_and_search_read_the_notes_saved_in_the_database(
    database_url: str,
    knowledge_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await _save(database_url, ("answers/q1", SAVED))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("KNOWLEDGE_DIR", str(knowledge_dir))
    monkeypatch.setenv("SAVED_NOTES_DIR", str(tmp_path / "saved"))

    assert await asyncio.to_thread(cli.main, ["check"]) == 0
    assert capsys.readouterr().out.splitlines() == ["11 notes OK, 6 synonym groups"]
    assert await asyncio.to_thread(cli.main, ["search", "公司有宿舍吗", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["answer"] == "answers/q1"
    assert await asyncio.to_thread(cli.main, ["check", "--dir", str(knowledge_dir)]) == 0
    assert capsys.readouterr().out.splitlines() == ["10 notes OK, 6 synonym groups"], "--dir: no database"

    await _save(database_url, ("answers/q2", "---\ntitle: 请假\n---\n"))
    assert await asyncio.to_thread(cli.main, ["check"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "[database]/answers/q2.md:3: empty body: the note has no answer text after the front matter"
    ]


async def test_check_goes_on_without_a_database_it_cannot_reach(
    knowledge_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://nobody@127.0.0.1:9/nowhere")
    monkeypatch.setenv("KNOWLEDGE_DIR", str(knowledge_dir))
    assert await asyncio.to_thread(cli.main, ["check"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == ["10 notes OK, 6 synonym groups"]
    assert captured.err.startswith("warning: notes saved in the database are left out: cannot read it (")


async def test_export_writes_the_saved_notes_as_files(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await _save(database_url, ("answers/q1", SAVED), ("answers/q2", SAVED.replace("q1", "q2")))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SAVED_NOTES_DIR", str(tmp_path / "saved"))
    assert await asyncio.to_thread(cli.main, ["export"]) == 0
    assert capsys.readouterr().out.strip() == f"exported 2 notes saved from chat to {tmp_path / 'saved'}"
    assert (tmp_path / "saved" / "answers" / "q1.md").read_text("utf-8") == SAVED
    assert await asyncio.to_thread(cli.main, ["export", "--to", str(tmp_path / "elsewhere")]) == 0
    capsys.readouterr()
    loaded = load_notes(tmp_path / "elsewhere")
    assert loaded.problems == [] and sorted(n.id for n in loaded.notes) == ["answers/q1", "answers/q2"]
