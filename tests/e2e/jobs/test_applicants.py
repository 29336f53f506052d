"""Admins follow up applications: from the alert to the applicant's card, hiring (the staff invite, the
posting filled in every group), telling an applicant, the spreadsheet; and nobody else sees any of it."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from bot.app import BotApplication
from bot.jobs import service
from bot.jobs.buttons import (
    ApplicantCard,
    Applicants,
    Export,
    ExportFormat,
    SetStatus,
    TellApplicant,
    Verdict,
)
from bot.jobs.models import ApplicationStatus, PostingState
from bot.people import service as people
from bot.people.models import Role
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.conftest import ADMIN_ID, buttons, press, reply_to
from tests.e2e.jobs.conftest import apply, open_card, publish, refusal, seed, stored, village_groups

REFUSED = "抱歉，只有管理员可以这样操作。"


async def test_hiring_fills_the_posting_and_makes_her_staff(
    jobs_bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    groups = await village_groups(api, admin)
    posting = await seed(jobs_bot, admin, published=False, title="电商客服", headcount=1)
    mark = await publish(
        api, admin, await open_card(api, admin, "📝 电商客服 · 0"), "📣 发布到全部村群（3 个）"
    )
    await api.wait_for_calls("sendMessage", since=mark, count=3, chat_id=lambda c: c < 0)
    mei = api.user(7001, "小梅")
    mark = api.mark()
    await apply(api, mei, posting.id, "张小梅", "13800138000", "三合村", "随时可以", "跳过")

    # The admin opens the application from the alert and hires her.
    alert = await api.wait_for(
        "sendMessage", lambda c: "新报名" in c.params["text"], since=mark, chat_id=ADMIN_ID
    )
    mark = api.mark()
    await press(api, admin, alert.result, text="👀 查看")
    card = await api.wait_for("editMessageText", since=mark, chat_id=ADMIN_ID)
    assert "张小梅" in card.params["text"] and "13800138000" in card.params["text"]
    mark = api.mark()
    answer = await press(api, admin, card.result, text="🎉 录用")
    assert "员工邀请" in answer.params["text"] and "已招满" in answer.params["text"]

    # The posting is filled and every group copy says so, without the button.
    edits = await api.wait_for_calls("editMessageText", since=mark, count=3, chat_id=lambda c: c < 0)
    assert sorted(c.params["chat_id"] for c in edits) == sorted(g.id for g in groups)
    for group in groups:
        copy = api.sent_messages(group)[-1]
        assert "已招满：电商客服" in copy["text"] and buttons(copy) == []
        # Her phone number never appears in a group.
        assert all("13800138000" not in m.get("text", "") for m in api.chat_history(group))
    assert (await stored(jobs_bot, posting.id)).state == PostingState.FILLED

    # She receives a staff invite and becomes staff in one step.
    invite = await api.wait_for(
        "sendMessage", lambda c: "恭喜你被录用" in c.params["text"], since=mark, chat_id=mei.id
    )
    [join] = buttons(invite.result)
    code = join["url"].rsplit("start=", 1)[1]
    assert code.startswith("inv_")
    await reply_to(api, mei, f"/start {code}", expect="欢迎加入")
    async with jobs_bot.bot_data.db() as session:
        person = await people.get_person(session, mei.id)
        assert person is not None and person.role == Role.STAFF

    # The applicants, exported for the office.
    listing = await reply_to(api, admin, f"/applicants {posting.id}", expect="报名者：1 人")
    mark = api.mark()
    await press(api, admin, listing.result, text="📊 导出 Excel")
    document = await api.wait_for("sendDocument", since=mark, chat_id=ADMIN_ID)
    sheet = load_workbook(io.BytesIO(api.file_content(document.result))).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:9] == ["序号", "报名号", "岗位", "姓名", "手机号", "所在村", "可上班时间", "备注", "状态"]
    assert rows[1][2:9] == ["电商客服", "张小梅", "13800138000", "三合村", "随时可以", None, "已录用"]


async def test_an_applicant_is_told_only_when_the_admin_asks(
    jobs_bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    posting = await seed(jobs_bot, admin)
    zhuoma = api.user(7301, "卓玛")
    await apply(api, zhuoma, posting.id, "卓玛", "15000002222", "三合村", "下个月", "跳过")

    # The admin marks her contacted and tells her.
    alert = await api.wait_for("sendMessage", lambda c: "新报名" in c.params["text"], chat_id=ADMIN_ID)
    mark = api.mark()
    await press(api, admin, alert.result, text="👀 查看")
    card = await api.wait_for("editMessageText", since=mark, chat_id=ADMIN_ID)
    mark = api.mark()
    await press(api, admin, card.result, text="📞 已联系")
    card = await api.wait_for("editMessageText", since=mark, chat_id=ADMIN_ID)
    assert api.calls_to("sendMessage", since=mark, chat_id=zhuoma.id) == []  # only when asked
    mark = api.mark()
    await press(api, admin, card.result, text="📨 通知报名者")
    await api.wait_for(
        "sendMessage", lambda c: "正在联系你" in c.params["text"], since=mark, chat_id=zhuoma.id
    )


async def test_only_admins_see_applicants(
    jobs_bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    posting = await seed(jobs_bot, admin)
    async with jobs_bot.bot_data.db() as session:
        mei = await people.record_person(session, people.Profile(7201, "小梅"))
        mine = await service.submit_application(
            session, posting.id, mei, service.ApplicationForm("张小梅", "13800138000", "三合村", "随时可以")
        )
    application = mine.application
    assert application is not None and application.id is not None

    ming = api.user(7101, "阿明")
    assert (await reply_to(api, ming, f"/applicants {posting.id}")).params["text"] == REFUSED
    for button in (
        ApplicantCard(application.id),
        Applicants(posting.id),
        SetStatus(application.id, Verdict.HIRED),
        TellApplicant(application.id),
        Export(posting.id, ExportFormat.CSV),
    ):
        answer = await refusal(api, ming, button.pack())
        assert answer["text"] == REFUSED and answer["show_alert"] is True
    assert all("13800138000" not in c.params.get("text", "") for c in api.calls_to("*", chat_id=ming.id))
    async with jobs_bot.bot_data.db() as session:
        fresh = await service.get_application(session, application.id)
        assert fresh is not None and fresh.status == ApplicationStatus.NEW


async def test_a_posting_that_does_not_exist(
    jobs_bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    for argument in ("42", "#42", "abc", "99999999999", "²"):
        answer = await reply_to(api, admin, f"/applicants {argument}", expect="没有岗位")
        assert answer.params["text"] == f"没有岗位 {argument}。查看全部岗位：/postings"
