"""Loading and validating notes: every problem as ``path:line: message``."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge.notes import MAX_BODY_CHARS, Problem, load_notes, load_synonyms, split_scripts_section
from bot.knowledge.render import note_html

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
            "kb/unknown.md:3: unknown field 'question' (expected one of: title, questions, tags, audience, quiz)",
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
        "kb/a.md:4: unknown field 'questions2' (expected one of: title, questions, tags, audience, quiz)"
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


# --- quiz questions and training plans ---------------------------------------------------------------

QUIZ_NOTE = """---
title: 退款多久到账
quiz:
  - question: 退到储蓄卡一般多久到账？
    options:
      - 马上
      - 1–3 个工作日
    answer: 2
    explanation: 一般 1–3 个工作日。
---
退款原路退回。
"""


def test_quiz_questions_are_read_and_kept_out_of_the_body(tmp_path: Path) -> None:
    write_knowledge(tmp_path / "kb", {"refund.md": QUIZ_NOTE})
    result = load_notes("kb")
    assert result.problems == []
    [note] = result.notes
    [question] = note.quiz
    assert (question.question, question.options, question.answer, question.line) == (
        "退到储蓄卡一般多久到账？",
        ("马上", "1–3 个工作日"),
        1,
        4,
    )
    assert question.explanation == "一般 1–3 个工作日。" and len(question.key) == 10
    assert "储蓄卡" not in note.body and "储蓄卡" not in note_html(note)


def test_quiz_problems_have_exact_lines_and_leave_the_rest(tmp_path: Path) -> None:
    text = """---
title: T
quiz:
  - question: 好的题？
    options: [是, 否]
    answer: 1
    explanation: 是。
  - question: ''
    options: [是]
    answer: 3
    explanation: 坏。
    hint: 多余
  - question: 好的题？
    options: [是, 否]
    answer: 1
    explanation: 重复。
  - 不是题
  - question: 太长的解释？
    options: [是, 是]
    answer: 0
    explanation: \"%s\"
---
body
""" % ("长" * 201)
    write_knowledge(tmp_path / "kb", {"t.md": text, "bad.md": "---\ntitle: T\nquiz: 一道题\n---\nbody\n"})
    result = load_notes("kb")
    assert sorted(str(p) for p in result.problems) == sorted(
        [
            "kb/bad.md:3: 'quiz' must be a list of questions (question, options, answer, explanation)",
            "kb/t.md:12: unknown quiz field 'hint' (expected one of: question, options, answer, explanation)",
            "kb/t.md:8: 'question' must be a non-empty text",
            "kb/t.md:9: 'options' must have 2 to 6 options, not 1",
            "kb/t.md:13: the same quiz question is already on line 4",
            "kb/t.md:17: a quiz question must have 'question', 'options', 'answer' and 'explanation'",
            "kb/t.md:21: 'explanation' has 201 characters; Telegram allows 200",
            "kb/t.md:19: 'options' lists the same option twice",
            "kb/t.md:20: 'answer' must be the number of the right option, from 1 to 6",
        ]
    )
    by_id = {note.id: note for note in result.notes}
    assert [q.question for q in by_id["t"].quiz] == ["好的题？"]  # the note and its good question stay
    assert by_id["bad"].quiz == ()


PLAN = """# 新员工
title: 两日课
default: true
lesson_time: "09:00"
minutes_before_shift: 30
days:
  - title: 第一天
    notes: [refund, greeting]
  - notes: [greeting2]
"""


def _plan_folder(tmp_path: Path, plans: dict[str, str]) -> None:
    notes = {f"{name}.md": f"---\ntitle: {name}\n---\nbody\n" for name in ("refund", "greeting", "greeting2")}
    write_knowledge(tmp_path / "kb", {**notes, **{f"training/{name}": text for name, text in plans.items()}})


def test_plans_are_read_next_to_the_notes(tmp_path: Path) -> None:
    _plan_folder(tmp_path, {"新员工.yaml": PLAN, "README.md": "# 说明"})
    result = load_notes("kb")
    assert result.problems == []
    [plan] = result.plans
    assert (plan.id, plan.title, plan.default, plan.lesson_time, plan.minutes_before_shift) == (
        "新员工",
        "两日课",
        True,
        9 * 60,
        30,
    )
    assert [(day.title, day.note_ids) for day in plan.days] == [
        ("第一天", ("refund", "greeting")),
        ("", ("greeting2",)),
    ]
    assert len(plan.key) == 10 and [n.id for n in result.notes] == ["greeting", "greeting2", "refund"]


def test_plan_problems_have_exact_lines(tmp_path: Path) -> None:
    _plan_folder(
        tmp_path,
        {
            "a.yaml": "title: A\ndefault: true\ndays:\n  - notes: [refund]\n",
            "b.yaml": "title: B\ndefault: true\ndays:\n  - notes: [refund]\n",
            "broken.yaml": "title: X\ndays: [\n",
            "empty.yaml": "title: E\ndays:\n  - title: 空\n  - notes: []\n",
            "unknown.yaml": (
                "title: U\ncolour: red\nlesson_time: '25:00'\ndays:\n"
                "  - notes:\n      - refund\n      - nope\n      - refund\n"
            ),
            "list.yaml": "- refund\n",
            "nodays.yaml": "title: N\n",
        },
    )
    problems = sorted(str(p) for p in load_notes("kb").problems)
    assert problems == sorted(
        [
            "kb/training/b.yaml:1: 'default' is already set by kb/training/a.yaml; only one plan can be the default",
            "kb/training/broken.yaml:3: invalid YAML: expected the node content, but found '<stream end>'",
            "kb/training/empty.yaml:3: day 1 is empty: list its notes under 'notes'",
            "kb/training/empty.yaml:4: day 2 is empty: list its notes under 'notes'",
            "kb/training/list.yaml:1: a plan must be a YAML mapping with 'title' and 'days'",
            "kb/training/nodays.yaml:1: missing required field 'days'",
            "kb/training/unknown.yaml:2: unknown field 'colour' (expected one of: title, default, lesson_time, "
            "minutes_before_shift, days)",
            "kb/training/unknown.yaml:3: 'lesson_time' must be a time of day like \"08:30\"",
            "kb/training/unknown.yaml:7: unknown note id 'nope' in day 1",
            "kb/training/unknown.yaml:8: note 'refund' is already taught on day 1",
        ]
    )
    assert [plan.id for plan in load_notes("kb").plans] == ["a", "b"]  # broken plans are left out


def test_the_shipped_notes_and_plan() -> None:
    root = Path(__file__).resolve().parents[3] / "knowledge"
    result = load_notes(root)
    assert result.problems == []
    [plan] = result.plans
    assert plan.default and len(plan.days) == 10
    notes = {note.id: note for note in result.notes}
    questions = [q for day in plan.days for note_id in day.note_ids for q in notes[note_id].quiz]
    assert len(questions) >= 30
    for (
        note
    ) in notes.values():  # the quiz never reaches an answer: the body (and what is shown) is without it
        assert "quiz:" not in note.body and "explanation:" not in note_html(note)
        for question in note.quiz:
            assert question.question not in note_html(note)
