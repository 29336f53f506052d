"""Applicants of a posting as a spreadsheet (.xlsx, openpyxl) or CSV, for the office. No Telegram here."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import tzinfo

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.i18n import N_, Translate
from bot.jobs.models import JobApplication, JobPosting
from bot.jobs.render import status_label

HEADERS = (
    N_("No."),
    N_("Application"),
    N_("Job"),
    N_("Name"),
    N_("Phone"),
    N_("Village"),
    N_("Can start"),
    N_("Note"),
    N_("Status"),
    N_("Applied at"),
    N_("Updated at"),
)
WIDTHS = (6, 8, 18, 12, 15, 12, 18, 24, 10, 17, 17)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def headers(_: Translate) -> list[str]:
    return [_(h) for h in HEADERS]


def rows(
    _: Translate, posting: JobPosting, applications: Sequence[JobApplication], tz: tzinfo
) -> list[list[str | int]]:
    """One row per application, in the order of ``HEADERS``."""
    return [
        [
            number,
            application.id or 0,
            posting.title,
            application.name,
            application.phone,
            application.village,
            application.availability,
            application.note or "",
            status_label(_, application.status),
            application.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            application.updated_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        ]
        for number, application in enumerate(applications, start=1)
    ]


def _safe(value: str | int) -> str | int:
    """For CSV: text that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` …) is prefixed with
    an apostrophe, which Excel hides. Not for .xlsx, where cells are typed (see ``to_xlsx``)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_xlsx(_: Translate, posting: JobPosting, applications: Sequence[JobApplication], tz: tzinfo) -> bytes:
    """A workbook with one sheet: a header row, then the applicants; phone numbers stay text."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Applicants")
    sheet.append(headers(_))
    for row in rows(_, posting, applications, tz):
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text as written: "=1+2" is not run, "+852…" keeps its plus sign
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_csv(_: Translate, posting: JobPosting, applications: Sequence[JobApplication], tz: tzinfo) -> bytes:
    """UTF-8 with a byte order mark, so that Excel shows the Chinese text right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers(_))
    for row in rows(_, posting, applications, tz):
        writer.writerow([_safe(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def file_name(posting: JobPosting, extension: str) -> str:
    """``applicants_12.xlsx``; ASCII, so every client shows it."""
    return f"applicants_{posting.id}.{extension}"
