"""Training progress as a workbook (.xlsx, openpyxl) for the office: one sheet per person, one of the questions
most often answered wrong. Headers in the admin's language (Chinese first). No Telegram here."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import tzinfo

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.i18n import N_, Translate
from bot.training.service import FailedQuestion, Learner

PEOPLE_HEADERS = (
    N_("Name"),
    N_("Username"),
    N_("Plan"),
    N_("Days taught"),
    N_("Days in plan"),
    N_("Status"),
    N_("Questions asked"),
    N_("Answered"),
    N_("Right"),
    N_("Accuracy %"),
    N_("Overdue lessons"),
    N_("Reviews due"),
    N_("Weakest notes"),
    N_("Enrolled"),
    N_("Ready since"),
)
PEOPLE_WIDTHS = (12, 14, 20, 9, 9, 10, 9, 9, 9, 10, 10, 10, 36, 17, 17)
QUESTION_HEADERS = (N_("Training note"), N_("Question"), N_("Answered wrong"), N_("Answered"), N_("Wrong %"))
QUESTION_WIDTHS = (28, 60, 12, 10, 10)
FAILED_LIMIT = 100


def status(_: Translate, learner: Learner) -> str:
    """Ready, paused, not delivered (blocked the bot), or learning."""
    if learner.ready:
        return _("ready")
    if learner.paused:
        return _("paused")
    if learner.undelivered:
        return _("not delivered")
    return _("learning")


def people_rows(_: Translate, learners: Sequence[Learner], tz: tzinfo) -> list[list[str | int]]:
    """One row per person, in the order of ``PEOPLE_HEADERS``."""
    rows: list[list[str | int]] = []
    for learner in learners:
        enrolment, quiz = learner.enrolment, learner.quiz
        rows.append(
            [
                learner.person.display_name,
                f"@{learner.person.username}" if learner.person.username else "",
                learner.plan.title if learner.plan is not None else enrolment.plan_id,
                learner.days_done,
                learner.days_total,
                status(_, learner),
                quiz.asked,
                quiz.answered,
                quiz.right,
                quiz.accuracy if quiz.accuracy is not None else "",
                learner.overdue,
                learner.reviews_due,
                "; ".join(f"{w.title} ({w.right}/{w.answered})" for w in learner.weakest),
                enrolment.enrolled_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                enrolment.ready_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if enrolment.ready_at else "",
            ]
        )
    return rows


def question_rows(failed: Sequence[FailedQuestion]) -> list[list[str | int]]:
    return [[f.note_id, f.question, f.wrong, f.answered, round(100 * f.wrong / f.answered)] for f in failed]


def _sheet(sheet: Worksheet, headers: list[str], rows: list[list[str | int]], widths: Sequence[int]) -> None:
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text as written: a name starting with "=" is not a formula
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"


def to_xlsx(_: Translate, learners: Sequence[Learner], failed: Sequence[FailedQuestion], tz: tzinfo) -> bytes:
    """The workbook: progress per person, then the questions most often answered wrong."""
    workbook = Workbook()
    people = workbook.active
    assert people is not None
    people.title = _("Progress")
    _sheet(people, [_(h) for h in PEOPLE_HEADERS], people_rows(_, learners, tz), PEOPLE_WIDTHS)
    questions = workbook.create_sheet(_("Questions missed"))
    _sheet(questions, [_(h) for h in QUESTION_HEADERS], question_rows(failed), QUESTION_WIDTHS)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
