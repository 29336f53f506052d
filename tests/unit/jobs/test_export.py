"""The applicants export: an .xlsx that openpyxl opens with Chinese headers, and a CSV Excel reads right."""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import gettext_for
from bot.jobs import export, service
from bot.jobs.models import ApplicationStatus
from tests.unit.jobs.conftest import World, form, open_posting

TZ = ZoneInfo("Asia/Shanghai")
HEADERS = [
    "序号",
    "报名号",
    "岗位",
    "姓名",
    "手机号",
    "所在村",
    "可上班时间",
    "备注",
    "状态",
    "报名时间",
    "更新时间",
]


async def _applicants(session: AsyncSession, world: World):  # type: ignore[no-untyped-def]
    posting = await open_posting(session, world.admin, title="电商客服")
    mei, ming, zhuoma = world.seekers
    first = await service.submit_application(session, posting.id, mei, form(name="小梅", phone="13812345678"))
    await service.submit_application(
        session,
        posting.id,
        ming,
        form(name="阿明", phone="13900001111", village="团结村", note="=1+2 只能白班"),
    )
    await service.submit_application(
        session, posting.id, zhuoma, form(name="卓玛", phone="15000002222", village="红崖村")
    )
    await service.set_status(session, first.application, ApplicationStatus.HIRED)
    found = await service.applicants(session, posting.id)
    found[2].phone = "+85291234567"  # a Hong Kong number, shared as a contact
    session.add(found[2])
    await session.commit()
    return posting, await service.applicants(session, posting.id)


async def test_xlsx_has_chinese_headers_and_one_row_per_applicant(
    session: AsyncSession, world: World
) -> None:
    posting, applicants = await _applicants(session, world)
    data = export.to_xlsx(gettext_for("zh_CN"), posting, applicants, TZ)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "报名名单"
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADERS
    assert [row[:9] for row in rows[1:]] == [
        [1, applicants[0].id, "电商客服", "小梅", "13812345678", "三合村", "下周一", None, "已录用"],
        [
            2,
            applicants[1].id,
            "电商客服",
            "阿明",
            "13900001111",
            "团结村",
            "下周一",
            "=1+2 只能白班",
            "新报名",
        ],
        [3, applicants[2].id, "电商客服", "卓玛", "+85291234567", "红崖村", "下周一", None, "新报名"],
    ]
    # Phone numbers are text (no 1.38E+10) and keep their plus sign; a note that looks like a formula is
    # text as written, not run and not prefixed.
    assert all(isinstance(row[4], str) for row in rows[1:])
    assert sheet["H3"].data_type == "s"
    assert len(rows[1][9]) == len("2026-11-29 10:00")


async def test_csv_is_utf8_with_a_bom_and_the_same_rows(session: AsyncSession, world: World) -> None:
    posting, applicants = await _applicants(session, world)
    data = export.to_csv(gettext_for("zh_CN"), posting, applicants, TZ)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    assert [row[3:5] for row in rows[1:]] == [
        ["小梅", "13812345678"],
        ["阿明", "13900001111"],
        ["卓玛", "'+85291234567"],
    ]
    assert rows[2][7] == "'=1+2 只能白班"  # in a CSV only the apostrophe stops Excel running it
    assert export.file_name(posting, "csv") == f"applicants_{posting.id}.csv"
