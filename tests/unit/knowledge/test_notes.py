"""Loading and validating notes: every problem as ``path:line: message``."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge.notes import MAX_BODY_CHARS, Problem, load_notes, load_synonyms, split_scripts_section

from .conftest import write_knowledge

GOOD = """---
title: 顾客要求退货退款
questions:
  - 客户要退货怎么办
tags: [售后, 退款]
audience: staff
---
先核对订单。

## 话术
> 亲，您在订单页点击"申请退货"就可以了。
> 寄回后我们马上处理。

> Please apply for a return on the order page.

## 注意
> 这不是话术
"""


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def lines(folder: str = "kb") -> list[str]:
    return [str(p) for p in load_notes(folder).problems]


def test_good_note_is_parsed(tmp_path: Path) -> None:
    write_knowledge(tmp_path / "kb", {"aftersales/return_refund.md": GOOD, "README.md": "# not a note"})
    result = load_notes("kb")
    assert result.problems == []
    [note] = result.notes
    assert note.id == "aftersales/return_refund"
    assert note.title == "顾客要求退货退款"
    assert note.questions == ["客户要退货怎么办"]
    assert note.tags == ["售后", "退款"]
    assert note.audience == "staff"
    assert note.body.startswith("先核对订单。")
    assert note.scripts == [
        '亲，您在订单页点击"申请退货"就可以了。\n寄回后我们马上处理。',
        "Please apply for a return on the order page.",
    ]
    assert note.path == Path("kb/aftersales/return_refund.md")
    assert hash(note) == hash(note)


def test_skips_readme_hidden_and_underscored(tmp_path: Path) -> None:
    note = "---\ntitle: T\n---\nbody\n"
    write_knowledge(
        tmp_path / "kb",
        {
            "a.md": note,
            "sub/README.md": "no front matter",
            "sub/readme.md": "no front matter",
            ".hidden.md": "junk",
            "_draft.md": "junk",
            "_drafts/x.md": "junk",
            ".git/y.md": "junk",
            "notes.txt": "junk",
            "deep/er/b.md": note.replace("audience", "x"),
        },
    )
    result = load_notes("kb")
    assert result.problems == []
    assert [n.id for n in result.notes] == ["a", "deep/er/b"]
    assert result.notes[0].audience == "staff"


def test_problems_have_exact_lines(tmp_path: Path) -> None:
    write_knowledge(
        tmp_path / "kb",
        {
            "no_title.md": "---\ntags: [a]\n---\nbody\n",
            "empty_title.md": "---\naudience: public\ntitle: '  '\n---\nbody\n",
            "audience.md": "---\ntitle: T\nquestions: [q]\naudience: everyone\n---\nbody\n",
            "yaml.md": "---\ntitle: T\ntags: [a, b\nquestions: []\n---\nbody\n",
            "unterminated.md": "---\ntitle: T\nbody\n",
            "no_front.md": "# Title\nbody\n",
            "list.md": "---\n- a\n- b\n---\nbody\n",
            "empty_body.md": "---\ntitle: T\n---\n\n  \n",
            "questions.md": "---\ntitle: T\n\nquestions: 客户要退货\ntags: [[1], x]\n---\nbody\n",
            "unknown.md": "---\ntitle: T\nquestion: [q]\n---\nbody\n",
            "scripts.md": "---\ntitle: T\n---\nbody\n\n## 话术\n没有引用\n",
        },
    )
    assert sorted(lines()) == sorted(
        [
            "kb/no_title.md:1: missing required field 'title'",
            "kb/empty_title.md:3: 'title' must be a non-empty string",
            "kb/audience.md:4: 'audience' must be 'staff' or 'public', not 'everyone'",
            "kb/yaml.md:4: invalid YAML in front matter: expected ',' or ']', but got ':'",
            "kb/unterminated.md:1: unterminated front matter: no closing '---' line",
            "kb/no_front.md:1: missing front matter: the file must start with a '---' line",
            "kb/list.md:2: front matter must be a YAML mapping of 'field: value' lines",
            "kb/empty_body.md:3: empty body: the note has no answer text after the front matter",
            "kb/questions.md:4: 'questions' must be a list of non-empty strings",
            "kb/questions.md:5: 'tags' must be a list of non-empty strings",
            "kb/unknown.md:3: unknown field 'question' (expected one of: title, questions, tags, audience)",
            "kb/scripts.md:6: '## 话术' section has no '>' reply scripts",
        ]
    )


def test_bad_audience_keeps_note_as_staff(tmp_path: Path) -> None:
    write_knowledge(tmp_path / "kb", {"a.md": "---\ntitle: T\naudience: Public\n---\nbody\n"})
    result = load_notes("kb")
    assert [str(p) for p in result.problems] == [
        "kb/a.md:3: 'audience' must be 'staff' or 'public', not 'Public'"
    ]
    assert [n.audience for n in result.notes] == ["staff"]


def test_a_duplicate_id_is_reported_on_the_file_left_out(tmp_path: Path) -> None:
    note = "---\ntitle: T\n---\nbody\n"
    write_knowledge(tmp_path / "kb", {"a/b.MD": note, "a/b.md": note})
    result = load_notes("kb")
    assert [str(p) for p in result.problems] == [
        "kb/a/b.MD:1: duplicate note id 'a/b' of kb/a/b.md; this file is left out"
    ]
    assert [n.path for n in result.notes] == [Path("kb/a/b.md")]


def test_an_id_differing_only_in_case_does_not_replace_the_real_note(tmp_path: Path) -> None:
    real = "---\ntitle: 顾客要求退货退款\n---\n先核对订单。\n"
    impostor = "---\ntitle: 冒名的笔记\n---\n别的内容。\n"
    write_knowledge(
        tmp_path / "kb",
        {
            "aftersales/return_refund.md": real,
            "aftersales/Return_Refund.md": impostor,
            "Logistics/delay.md": impostor,
            "logistics/delay.md": real,
        },
    )
    result = load_notes("kb")
    assert [str(p) for p in result.problems] == [
        "kb/aftersales/Return_Refund.md:1: note id differs only in letter case from 'aftersales/return_refund'"
        " of kb/aftersales/return_refund.md; this file is left out",
        "kb/Logistics/delay.md:1: note id differs only in letter case from 'logistics/delay'"
        " of kb/logistics/delay.md; this file is left out",
    ]
    assert [(n.id, n.title) for n in result.notes] == [
        ("aftersales/return_refund", "顾客要求退货退款"),
        ("logistics/delay", "顾客要求退货退款"),
    ]


def test_a_note_too_long_to_answer_with_is_left_out(tmp_path: Path) -> None:
    head = "---\ntitle: T\n---\n"
    write_knowledge(
        tmp_path / "kb",
        {
            "longest.md": head + "长" * MAX_BODY_CHARS + "\n",
            "too_long.md": head + "长" * (MAX_BODY_CHARS + 1) + "\n",
            "huge.md": head
            + ("退货流程。" * 100 + "\n") * 2_000,  # about 3 MB, as the 5 MB note that was sent
        },
    )
    result = load_notes("kb")
    assert [str(p) for p in result.problems] == [
        "kb/huge.md:1: file over 256 KB: too long for a note; split it into several notes",
        "kb/too_long.md:4: body of 20,001 characters is over the limit of 20,000: split it into several notes",
    ]
    assert [n.id for n in result.notes] == ["longest"]


def test_saved_notes_load_beside_the_knowledge_folder(tmp_path: Path) -> None:
    note = "---\ntitle: {}\n---\nbody\n"
    write_knowledge(tmp_path / "kb", {"a.md": note.format("A"), "answers/q1.md": note.format("old q1")})
    write_knowledge(
        tmp_path / "saved", {"answers/q1.md": note.format("new q1"), "answers/q2.md": note.format("q2")}
    )
    result = load_notes("kb", "saved")
    assert [str(p) for p in result.problems] == [
        "saved/answers/q1.md:1: duplicate note id 'answers/q1' of kb/answers/q1.md; this file is left out"
    ]
    assert [(n.id, n.title) for n in result.notes] == [
        ("a", "A"),
        ("answers/q1", "old q1"),
        ("answers/q2", "q2"),
    ]

    nothing_saved_yet = load_notes("kb", "no/such/folder")
    assert nothing_saved_yet.problems == [] and len(nothing_saved_yet.notes) == 2
    same_folder = load_notes("kb", tmp_path / "kb")
    assert same_folder.problems == [] and len(same_folder.notes) == 2


def test_non_utf8_and_outside_cwd(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "bad.md").write_bytes("---\ntitle: 退货\n---\n".encode() + "退款".encode("gbk") + b"\n")
    [problem] = load_notes(elsewhere).problems
    assert problem == Problem(str(elsewhere / "bad.md"), 4, "not valid UTF-8 (byte 0xcd)")
    assert str(problem) == f"{elsewhere / 'bad.md'}:4: not valid UTF-8 (byte 0xcd)"


def test_missing_folder_is_a_problem() -> None:
    assert lines("nowhere") == ["nowhere:0: knowledge folder not found"]


def test_synonyms_validation(tmp_path: Path) -> None:
    write_knowledge(
        tmp_path / "kb",
        {"a.md": "---\ntitle: T\n---\nbody\n"},
        synonyms="- [退款, 退钱]\n- 退货\n- [物流]\n- [快递, 退钱]\n- [a, 3]\n",
    )
    result = load_notes("kb")
    assert [str(p) for p in result.problems] == [
        "kb/synonyms.yaml:2: entry 2 must be a list of non-empty strings",
        "kb/synonyms.yaml:3: entry 3 needs a canonical term and a synonym",
        "kb/synonyms.yaml:4: term '退钱' is also in the group on line 1",
        "kb/synonyms.yaml:5: entry 5 must be a list of non-empty strings",
    ]
    assert result.synonyms[0] == ["退款", "退钱"]


def test_synonyms_yaml_error_line(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.yaml"
    path.write_text("- [退款, 退钱]\n- [快递\n", encoding="utf-8")
    groups, problems = load_synonyms(path)
    assert groups == []
    assert len(problems) == 1 and problems[0].line == 3
    assert str(problems[0]).startswith("synonyms.yaml:3: invalid YAML")


def test_scalars_are_read_as_written(tmp_path: Path) -> None:
    write_knowledge(
        tmp_path / "kb",
        {
            "a.md": "---\ntitle: 12315\nquestions:\nquestions2: x\ntags: [投诉, 12315, 0123, yes]\naudience:\n---\nb\n"
        },
    )
    result = load_notes("kb")
    assert [str(p) for p in result.problems] == [
        "kb/a.md:4: unknown field 'questions2' (expected one of: title, questions, tags, audience)"
    ]
    [note] = result.notes
    assert (note.title, note.questions, note.tags, note.audience) == (
        "12315",
        [],
        ["投诉", "12315", "0123", "yes"],
        "staff",
    )


def test_split_scripts_section() -> None:
    body = "先核对订单。\n\n## 话术\n> 亲，稍等。\n\n> Please wait.\n\n## 注意\n不要承诺。\n### 话术\n> 三级标题不算"
    assert split_scripts_section(body) == (
        "先核对订单。\n\n## 注意\n不要承诺。\n### 话术\n> 三级标题不算",
        "> 亲，稍等。\n\n> Please wait.",
    )
    assert split_scripts_section("没有话术。") == ("没有话术。", "")
    fenced = "步骤\n```\n## 话术\n```\n## 话术\n> 真的话术\n# 下一节\n正文"
    assert split_scripts_section(fenced) == ("步骤\n```\n## 话术\n```\n# 下一节\n正文", "> 真的话术")
