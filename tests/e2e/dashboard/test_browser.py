"""The dashboard in a real headless Chromium (Debian's ``chromium``, driven by Playwright), as Telegram opens
it: ``window.Telegram.WebApp`` is stubbed with launch data the fixtures sign, in light and dark themes.
Screenshots of each screen are saved under the test's ``tmp_path``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.app import BotApplication
from bot.attendance import service as attendance
from bot.clock import utcnow
from bot.knowledge import service as knowledge
from bot.knowledge.models import Question, QueueState
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.dashboard.conftest import (
    TZ,
    Floor,
    applied,
    in_training,
    leave_request,
    queued_question,
    sent_notice,
    sign_init_data,
    status_of,
)

playwright_api = pytest.importorskip("playwright.async_api", reason="playwright is in the test extra")
CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium chromium-driver)"
)

THEMES = {
    "light": {"bg_color": "#ffffff", "text_color": "#000000", "hint_color": "#707579", "link_color": "#3390ec",
              "button_color": "#3390ec", "button_text_color": "#ffffff", "secondary_bg_color": "#f4f4f5"},
    "dark": {"bg_color": "#212121", "text_color": "#ffffff", "hint_color": "#aaaaaa", "link_color": "#8774e1",
             "button_color": "#8774e1", "button_text_color": "#ffffff", "secondary_bg_color": "#181818"},
}  # fmt: skip


async def open_dashboard(
    browser: Any,
    client: TestClient[Any, Any],
    api: FakeBotAPI,
    user: FakeUser,
    theme: str,
    *,
    fake_clock: bool = False,
) -> Any:
    """A 360 px wide phone opening the dashboard as ``user`` from Telegram, in ``theme``."""
    context = await browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2)
    stub = {
        "initData": sign_init_data(api.token, user, signed_at=utcnow()),
        "themeParams": THEMES[theme],
        "colorScheme": theme,
    }
    await context.add_init_script(
        f"window.Telegram = {{ WebApp: {{ ...{json.dumps(stub)}, ready() {{}}, expand() {{}} }} }};"
    )
    page = await context.new_page()
    if fake_clock:
        await page.clock.install()
    await page.goto(str(client.make_url("/")))
    return page


@pytest.mark.parametrize("theme", ["light", "dark"])
async def test_today_as_the_admin(
    theme: str,
    browser: Any,
    client: TestClient[Any, Any],
    fake_bot_api: FakeBotAPI,
    floor: Floor,
    tmp_path: Path,
) -> None:
    page = await open_dashboard(browser, client, fake_bot_api, floor.admin, theme)
    morning = page.locator("section.card", has_text="早班")
    await morning.wait_for()
    assert await page.locator("#title").inner_text() == "星站 · 管理看板"
    assert await morning.locator("li", has_text="李娜").locator(".mark").inner_text() == "迟到 30 分钟"
    assert await morning.locator("li", has_text="王强").locator(".mark").inner_text() == "待签到"
    evening = page.locator("section.card", has_text="晚班")
    assert await evening.locator("li .mark").all_inner_texts() == ["未到时间"]
    background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == {"light": "rgb(255, 255, 255)", "dark": "rgb(33, 33, 33)"}[theme]
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    await page.screenshot(path=tmp_path / f"today-{theme}.png", full_page=True)

    await morning.locator("li", has_text="王强").click()
    dialog = page.locator("dialog#detail")
    await dialog.wait_for()
    assert "王强 · 近 7 天" in await dialog.inner_text()
    assert await dialog.locator("li", has_text="10-09 晚班").locator(".mark").inner_text() == "未到时间"
    await page.screenshot(path=tmp_path / f"week-{theme}.png", full_page=True)


async def test_staff_see_their_own_page_in_their_language(
    browser: Any, client: TestClient[Any, Any], fake_bot_api: FakeBotAPI, floor: Floor, tmp_path: Path
) -> None:
    page = await open_dashboard(browser, client, fake_bot_api, floor.wang, "dark")
    await page.locator("section.card").first.wait_for()
    assert await page.locator("#title").inner_text() == "Xingzhan · Dashboard"
    people = await page.locator("ul.people li").all_inner_texts()
    assert len(people) == 2 and all("王强" in line for line in people)
    assert await page.locator("text=李娜").count() == 0
    await page.screenshot(path=tmp_path / "today-staff.png", full_page=True)


async def test_training_for_the_admin_and_on_a_staff_members_own_page(
    app: BotApplication,
    browser: Any,
    client: TestClient[Any, Any],
    fake_bot_api: FakeBotAPI,
    floor: Floor,
    tmp_path: Path,
) -> None:
    plan = await in_training(app, floor)
    page = await open_dashboard(browser, client, fake_bot_api, floor.admin, "light")
    await page.get_by_role("tab", name="培训").click()
    screen = page.locator("[data-screen='training']")
    wang = screen.locator(f"li[data-person='{floor.ids['wang']}']")
    await wang.wait_for()
    assert await wang.locator(".mark").inner_text() == "✅ 可以上岗"
    li = screen.locator(f"li[data-person='{floor.ids['li']}']")
    assert await li.locator(".mark").inner_text() == f"第 2/{len(plan.days)} 天"
    assert "正确率 75%（3/4）" in await li.inner_text()
    await page.screenshot(path=tmp_path / "training-admin.png", full_page=True)

    page = await open_dashboard(browser, client, fake_bot_api, floor.li, "dark")
    mine = page.locator(f"section.card[data-training='{floor.ids['li']}']")
    await mine.wait_for()
    assert await page.get_by_role("tab").all_inner_texts() == ["今日", "月度", "通知"]
    text = await mine.inner_text()
    assert f"已学 2/{len(plan.days)} 天" in text and "正确率 75%（3/4）" in text
    assert f"下一课：第 3 天「{plan.days[2].title}」，10-09 07:30" in text
    assert "现在有 1 道题要复习" in text
    await page.screenshot(path=tmp_path / "training-staff.png", full_page=True)


async def test_a_job_seeker_gets_nothing(
    browser: Any, client: TestClient[Any, Any], fake_bot_api: FakeBotAPI, floor: Floor
) -> None:
    page = await open_dashboard(browser, client, fake_bot_api, floor.seeker, "light")
    error = page.locator("p.error")
    await error.wait_for()
    assert await error.inner_text() == "看板只对员工和管理员开放。"
    assert await page.locator("section.card").count() == 0


async def test_approving_a_leave_request_in_the_page(
    app: BotApplication,
    browser: Any,
    client: TestClient[Any, Any],
    fake_bot_api: FakeBotAPI,
    floor: Floor,
    tmp_path: Path,
) -> None:
    api = fake_bot_api
    card = await leave_request(api, floor.li)
    page = await open_dashboard(browser, client, api, floor.admin, "light")
    await page.get_by_role("tab", name="申请").click()
    shown = page.locator("section.card[data-request='1']")
    await shown.wait_for()
    assert "请假 · 李娜" in await shown.locator("h2").inner_text()
    assert "2025-10-10" in await shown.inner_text() and "看病" in await shown.inner_text()
    await page.screenshot(path=tmp_path / "requests-light.png", full_page=True)

    mark = api.mark()
    await shown.get_by_role("button", name="✅ 批准").click()
    await shown.locator("text=已批准，已通知申请人。").wait_for()
    assert await status_of(app, 1) == "approved"
    edit = await api.wait_for("editMessageText", since=mark, chat_id=ADMIN_ID)
    assert int(edit.params["message_id"]) == card.result["message_id"]
    assert edit.params["text"].endswith("✅ 王经理 已批准")
    await api.wait_for("sendMessage", since=mark, chat_id=floor.li.id, text=lambda t: "已被 王经理 批准" in t)
    await page.screenshot(path=tmp_path / "requests-approved.png", full_page=True)


async def test_answering_a_queued_question_in_the_page(
    app: BotApplication,
    browser: Any,
    client: TestClient[Any, Any],
    fake_bot_api: FakeBotAPI,
    floor: Floor,
    tmp_path: Path,
) -> None:
    api = fake_bot_api
    question = await queued_question(app, floor.seeker)
    page = await open_dashboard(browser, client, api, floor.admin, "dark")
    await page.get_by_role("tab", name="问题").click()
    shown = page.locator(f"section.card[data-question='{question.id}']")
    await shown.wait_for()
    assert "公司有没有宿舍" in await shown.locator("h2").inner_text()
    assert "赵求职" in await shown.inner_text()
    await page.screenshot(path=tmp_path / "questions-dark.png", full_page=True)

    mark = api.mark()
    await shown.locator("textarea").fill("本站不提供宿舍，可以申请住房补贴。")
    await shown.get_by_role("button", name="发送回答").click()
    await shown.locator("text=已发给提问的人。").wait_for()
    delivered = await api.wait_for("sendMessage", since=mark, chat_id=floor.seeker.id)
    assert (
        delivered.params["text"]
        == "管理员回答了你的问题“公司有没有宿舍”：\n\n本站不提供宿舍，可以申请住房补贴。"
    )
    async with app.bot_data.db() as session:
        stored = await session.get(Question, question.id)
    assert stored is not None and stored.queue_state == QueueState.ANSWERED
    await shown.get_by_role("button", name="💾 保存为资料").click()
    await shown.locator(f"text=已保存为资料 answers/q{question.id}").wait_for()
    assert app.bot_data.knowledge.note(f"answers/q{question.id}", audience="public") is not None
    await page.screenshot(path=tmp_path / "questions-answered.png", full_page=True)


@pytest.mark.parametrize("theme", ["light", "dark"])
async def test_the_month_as_the_admin(
    theme: str,
    browser: Any,
    client: TestClient[Any, Any],
    fake_bot_api: FakeBotAPI,
    floor: Floor,
    tmp_path: Path,
) -> None:
    page = await open_dashboard(browser, client, fake_bot_api, floor.admin, theme)
    await page.get_by_role("tab", name="月度").click()
    people = page.locator("table").first
    await people.wait_for()
    assert await people.locator("tbody tr").all_inner_texts() == ["李娜\t0\t1 次 / 30 分钟\t0\t0"]
    assert await page.locator("svg.chart rect").count() == 1
    await page.screenshot(path=tmp_path / f"month-{theme}.png", full_page=True)
    async with page.expect_download() as downloading:
        await page.get_by_role("button", name="下载 .xlsx").click()
    download = await downloading.value
    assert download.suggested_filename == "attendance-2025-10.xlsx"
    await download.save_as(tmp_path / download.suggested_filename)
    assert (tmp_path / download.suggested_filename).read_bytes()[:2] == b"PK"  # a zip: the workbook


async def test_hiring_an_applicant_in_the_page(
    app: BotApplication,
    browser: Any,
    client: TestClient[Any, Any],
    fake_bot_api: FakeBotAPI,
    floor: Floor,
    tmp_path: Path,
) -> None:
    application_id = await applied(app, floor)
    page = await open_dashboard(browser, client, fake_bot_api, floor.admin, "light")
    await page.get_by_role("tab", name="报名").click()
    line = page.locator(f"[data-status='new'] li[data-application='{application_id}']")
    await line.wait_for()
    assert "赵求职" in await line.inner_text() and "13800138000" in await line.inner_text()
    await page.screenshot(path=tmp_path / "applicants-light.png", full_page=True)
    mark = fake_bot_api.mark()
    await line.locator("select").select_option("hired")
    await page.locator(f"[data-status='hired'] li[data-application='{application_id}']").wait_for()
    assert "员工邀请已在发送" in await page.locator("p.hint").first.inner_text()
    await fake_bot_api.wait_for("sendMessage", since=mark, chat_id=floor.seeker.id)
    await page.screenshot(path=tmp_path / "applicants-hired.png", full_page=True)


async def test_notices_as_the_admin_and_as_staff(
    app: BotApplication,
    browser: Any,
    client: TestClient[Any, Any],
    fake_bot_api: FakeBotAPI,
    floor: Floor,
    tmp_path: Path,
) -> None:
    notice_id = await sent_notice(app, fake_bot_api, floor)
    page = await open_dashboard(browser, client, fake_bot_api, floor.admin, "dark")
    await page.get_by_role("tab", name="通知").click()
    card = page.locator(f"section.card[data-notice='{notice_id}']")
    await card.wait_for()
    assert await card.locator("[data-rate]").inner_text() == "1/3 人已确认（33%）"
    assert "还没确认：王强、王经理" in await card.inner_text()
    mark = fake_bot_api.mark()
    await card.get_by_role("button", name="🔔 立即提醒").click()
    await card.locator("text=已提醒 2 人。").wait_for()
    await fake_bot_api.wait_for("sendMessage", since=mark, chat_id=floor.wang.id)
    await page.screenshot(path=tmp_path / "notices-dark.png", full_page=True)

    page = await open_dashboard(browser, client, fake_bot_api, floor.wang, "light")
    await page.get_by_role("tab", name="Notices").click()
    await page.locator("text=明天 8 点开安全会").wait_for()
    assert await page.get_by_role("tab").all_inner_texts() == ["Today", "Month", "Notices"]
    await page.screenshot(path=tmp_path / "notices-staff.png", full_page=True)


async def test_today_refreshes_by_itself(
    app: BotApplication, browser: Any, client: TestClient[Any, Any], fake_bot_api: FakeBotAPI, floor: Floor
) -> None:
    page = await open_dashboard(browser, client, fake_bot_api, floor.admin, "light", fake_clock=True)
    wang = page.locator("section.card", has_text="早班").locator("li", has_text="王强").locator(".mark")
    await wang.wait_for()
    assert await wang.inner_text() == "待签到"
    async with app.bot_data.db() as session:
        await attendance.check_in(session, floor.ids["wang"], utcnow(), TZ)
    await page.clock.fast_forward("01:01")
    await (
        page.locator("section.card", has_text="早班")
        .locator("li", has_text="王强", has=page.locator("text=迟到 30 分钟"))
        .wait_for()
    )


async def test_editing_a_note_in_the_page(
    app: BotApplication,
    browser: Any,
    client: TestClient[Any, Any],
    fake_bot_api: FakeBotAPI,
    floor: Floor,
    tmp_path: Path,
) -> None:
    """The note an answer was saved as, edited: a broken version is refused with its problem, a good one saved."""
    question = await queued_question(app, floor.seeker)
    async with app.bot_data.db() as session:
        await knowledge.answer_question(
            session, question, admin_id=floor.ids["admin"], text="有，每月补贴 300 元。"
        )
        note_id = await knowledge.save_answer_as_note(session, question, admin_id=floor.ids["admin"])
    await app.bot_data.knowledge.load()
    page = await open_dashboard(browser, client, fake_bot_api, floor.admin, "light")
    await page.get_by_role("tab", name="问题").click()
    editor = page.locator("section[data-notes]")
    await editor.locator(f"option[value='{note_id}']").wait_for(state="attached")
    await editor.locator("select").select_option(note_id)
    text = editor.locator("textarea")
    await text.wait_for()
    original = await text.input_value()
    assert "300 元" in original

    await text.fill("没有 front matter")
    await editor.get_by_role("button", name="检查并保存").click()
    await editor.locator("text=资料有问题，没有保存").wait_for()
    assert "front matter" in await editor.locator("ul li").first.inner_text()
    await page.screenshot(path=tmp_path / "note-refused.png", full_page=True)

    await text.fill(original.replace("300 元", "400 元"))
    await editor.get_by_role("button", name="检查并保存").click()
    await editor.locator("text=已保存“公司有没有宿舍”").wait_for()
    note = app.bot_data.knowledge.note(note_id, audience="public")
    assert note is not None and "400 元" in note.body
