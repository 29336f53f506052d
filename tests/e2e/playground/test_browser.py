"""The playground's page in a real headless Chromium (Debian's ``chromium``, driven by Playwright), from an
empty playground: the admin invites an employee who joins through the link, the employee asks a question, a
job seeker applies to a posting announced in a village group, the clock moves to the check-in window and the
employee checks in from the reminder, the admin sends a notice and sees who acknowledged it — every step
clicked and typed in the page. A screenshot of each step is saved under ``<tmp_path>/screenshots``.

The playground always runs on SQLite (its own file under its data folder): these tests take no database
fixture, so they run once, whatever ``TEST_DATABASE_URL`` says.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import pytest

from bot.playground import Playground
from bot.playground.cast import ADMIN, BY_ID, GROUPS
from tests.e2e.playground.conftest import before_work_tomorrow

DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 360, "height": 740}
WIDE = 760
"""From this width the page shows the chat list and the chat side by side."""
STEP_TIMEOUT_MS = 20_000
LI_NA = next(person for person in BY_ID.values() if person.name == "李娜")
HAN_DONG = next(person for person in BY_ID.values() if person.kind == "seeker")
SANHE = GROUPS[0]


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    folder = tmp_path / "screenshots"
    folder.mkdir()
    print(f"screenshots: {folder}")
    return folder


class Phone:
    """The page in one browser tab, with the moves a person makes in it."""

    def __init__(self, page: Any, folder: Path) -> None:
        self.page = page
        self.folder = folder
        self.shots = 0
        self.errors: list[str] = []
        """Uncaught errors of the page's scripts."""
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    async def shot(self, name: str) -> None:
        self.shots += 1
        await self.page.screenshot(path=self.folder / f"{self.shots:02d}-{name}.png")

    async def be(self, person_id: int) -> None:
        """Switch to a cast member; on a desktop, wait until their private chat has loaded."""
        await self.page.locator(f"#cast button[data-person='{person_id}']").click()
        await self.page.locator(f"#cast button[data-person='{person_id}'][aria-selected='true']").wait_for()
        if (self.page.viewport_size or {}).get("width", 0) >= WIDE:
            await self.page.locator(f"#chat[data-loaded='{person_id}']").wait_for(state="attached")

    async def open(self, chat_id: int) -> None:
        """Open a chat from the list and wait until it has loaded."""
        await self.page.locator(f"#chats button[data-chat='{chat_id}']").click()
        await self.page.locator(f"#chat[data-loaded='{chat_id}']").wait_for()

    async def say(self, text: str) -> None:
        """Type ``text`` and press Enter."""
        box = self.page.locator("#text")
        await box.fill(text)
        await box.press("Enter")

    def bot(self, words: str) -> Any:
        """The open chat's last bot message containing ``words``."""
        return self.page.locator("#thread .message.from-bot", has_text=words).last

    async def bot_says(self, words: str) -> Any:
        message = self.bot(words)
        await message.wait_for()
        return message

    async def answer(self, text: str, then: str) -> Any:
        """Say ``text``; the bot's next new message containing ``then``."""
        return await self.after(self.say(text), then)

    async def tap_key(self, label: str, then: str) -> Any:
        """Tap a button of the reply keyboard; the bot's next new message containing ``then``."""
        return await self.after(self.page.locator("#reply-keyboard button", has_text=label).click(), then)

    async def after(self, action: Awaitable[Any], then: str) -> Any:
        """Do ``action``; the first bot message containing ``then`` that was not in the chat before it."""
        matching = self.page.locator("#thread .message.from-bot", has_text=then)
        before = await matching.count()
        await action
        message = matching.nth(before)
        await message.wait_for()
        return message


async def open_page(browser: Any, playground: Playground, folder: Path, viewport: dict[str, int]) -> Phone:
    context = await browser.new_context(viewport=viewport, locale="zh-CN")
    await context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = await context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    phone = Phone(page, folder)
    await page.goto(playground.url)
    await page.locator("body[data-ready='true']").wait_for()
    return phone


async def test_a_day_at_the_station_in_the_page(
    browser: Any, playground: Playground, screenshots: Path
) -> None:
    before_work_tomorrow(playground)
    phone = await open_page(browser, playground, screenshots, DESKTOP)
    page = phone.page
    assert "不是正式环境" in await page.locator("#banner").inner_text()

    # The admin invites an employee and hands her the link with 发给…: her chat opens with the link opened.
    await phone.be(ADMIN.id)
    await phone.say("/invite 李娜")
    invite = await phone.bot_says("员工邀请链接")
    link = invite.locator("a.deep-link")
    assert re.fullmatch(r"https://t\.me/\w+\?start=\S+", await link.get_attribute("href") or "")
    await phone.shot("invite")
    await invite.locator("button.send-to").click()
    await page.get_by_role("button", name="李娜 · 员工").click()
    await page.locator(f"#cast button[data-person='{LI_NA.id}'][aria-selected='true']").wait_for()
    await phone.bot_says("欢迎加入")
    assert await page.locator(f"#chat[data-chat='{LI_NA.id}']").count() == 1
    await phone.shot("joined")

    # She asks in pinyin and gets the return note with its copy buttons: copying says so.
    note = await phone.answer("tuihuo zenme ban", "顾客要求退货退款")
    copy = note.locator("button[data-copy]").first
    await copy.click()
    await page.locator("#toast", has_text="已复制").wait_for()
    assert (await page.evaluate("navigator.clipboard.readText()")).startswith("亲，")
    await phone.shot("question-copied")

    # The admin writes a job posting step by step and publishes it to the village groups.
    await phone.be(ADMIN.id)
    await phone.answer("/newjob", "岗位名称")
    for text, then in (
        ("电商客服", "介绍这份工作"),
        ("在星站用电脑回复海外买家的售后消息，有培训。", "要招几个人"),
        ("2", "工资待遇"),
        ("3000-4500元/月", "上班时间"),
        ("早班 8:00-16:00", "在哪里上班"),
        ("平安区星站 2楼", "有什么要求"),
    ):
        await phone.answer(text, then)
    await phone.tap_key("跳过", "截止")
    card = await phone.tap_key("不限", "招聘：电商客服")
    await card.get_by_role("button", name=re.compile("发布到全部村群")).click()
    await phone.bot_says("已发布")
    group = page.locator(f"#chats button[data-chat='{SANHE.id}']")
    await group.locator(".dot").wait_for()  # the announcement arrived there: unread, shown live
    assert "招聘：电商客服" in await group.inner_text()
    await phone.shot("job-published")

    # A job seeker sees it in the village group, taps 我要报名 and applies (sharing his number by button).
    await phone.be(HAN_DONG.id)
    await phone.open(SANHE.id)
    announcement = await phone.bot_says("招聘：电商客服")
    await phone.shot("job-in-the-group")
    await announcement.get_by_role("button", name=re.compile("我要报名")).click()
    await page.locator(f"#chat[data-chat='{HAN_DONG.id}']").wait_for()
    await phone.bot_says("你叫什么名字")
    await phone.answer("韩冬", "手机号")
    await page.locator("#reply-keyboard button[data-request='contact']").click()
    await phone.bot_says("哪个村")
    await phone.tap_key("三合村", "什么时候")
    await phone.answer("下周一", "还有什么")
    await phone.answer("跳过", "请核对")
    await phone.tap_key("提交", "报名成功")
    await phone.shot("applied")

    # The admin puts 李娜 on a shift; the clock moves to its check-in window and she checks in from the
    # reminder (which becomes the confirmation). Her first training lesson came too: a quiz answered here.
    await phone.be(ADMIN.id)
    await phone.answer("/newshift 早班 09:00 17:00 每天", "班次已创建")
    await phone.answer(f"/assign 早班 @{LI_NA.username}", "起上 早班")
    before = await page.locator("#clock-now").inner_text()
    await page.locator("#to-checkin").click()
    await page.locator("#toast", has_text="时间已调到").wait_for()
    assert await page.locator("#clock-now").inner_text() != before
    await phone.be(LI_NA.id)
    reminder = await phone.bot_says("现在可以签到")
    await phone.shot("checkin-reminder")
    await reminder.get_by_role("button", name="✅ 签到").click()
    checked_in = page.locator("#thread .message.from-bot[data-edited='true']", has_text="已签到")
    await checked_in.wait_for()
    assert "已编辑" in await checked_in.inner_text()
    quiz = await phone.bot_says("上班到岗后，正确的顺序是")
    await quiz.get_by_role("button", name=re.compile("先在机器人里签到")).click()
    await quiz.locator(".verdict.correct").wait_for()
    await phone.shot("checked-in")

    # The month's workbook downloads; its chart shows.
    await phone.be(ADMIN.id)
    workbook = await phone.answer("/monthreport", "考勤")
    async with page.expect_download() as downloading:
        await workbook.locator("a.document").click()
    download = await downloading.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = await download.path()
    assert (await asyncio.to_thread(Path(saved).read_bytes))[:2] == b"PK"  # a zip: the workbook
    chart = page.locator("#thread .message.from-bot .photo img").last
    await chart.wait_for()
    await page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=await chart.element_handle()
    )
    await phone.shot("month-report")

    # The admin sends a notice; 李娜 confirms it; the admin sees who did.
    panel = await phone.answer("/notice 明天上午10点全员培训，请准时到", "通知 #")
    await panel.get_by_role("button", name=re.compile("发送给")).click()
    report = await phone.bot_says("发送完成")
    await phone.be(LI_NA.id)
    notice = await phone.bot_says("全员培训")
    await notice.get_by_role("button", name="✅ 收到").click()
    await page.locator("#toast", has_text="已记录").wait_for()
    await notice.get_by_role("button", name="✅ 已确认").wait_for()
    await phone.shot("notice-confirmed")
    await phone.be(ADMIN.id)
    report = await phone.bot_says("发送完成")
    await report.get_by_role("button", name="详情与确认情况").click()
    details = await phone.bot_says("已确认：1/1")
    await details.get_by_role("button", name=re.compile("已确认（1）")).click()
    who = await phone.bot_says("已确认通知")
    assert "李娜" in await who.inner_text()
    await phone.shot("who-acknowledged")
    assert phone.errors == []


async def test_on_a_phone_the_list_and_the_chat_take_turns(
    browser: Any, playground: Playground, screenshots: Path
) -> None:
    phone = await open_page(browser, playground, screenshots, PHONE)
    page = phone.page
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await phone.shot("phone-chats")

    # The clock: no next check-in while nobody is on a shift (said so); an hour ahead.
    await page.locator("#to-checkin").click()
    await page.locator("#toast", has_text="还没有人排班").wait_for()
    await page.locator("#plus-hour").click()
    await page.locator("#clock-shift", has_text="快了 1 小时").wait_for()
    await phone.open(ADMIN.id)
    assert not await page.locator("#list").is_visible()
    await page.locator("#menu").click()
    commands = page.locator("#commands button[data-command]")
    await commands.first.wait_for()
    assert "invite" in [await c.get_attribute("data-command") for c in await commands.all()]
    await phone.shot("phone-menu")
    await page.locator("#commands button[data-command='help']").click()
    await phone.bot_says("/")
    await phone.shot("phone-chat")
    await phone.answer("/workplace", "工作地点")
    await page.locator("#reply-keyboard button[data-request='location']").click()
    await phone.bot_says("工作地点已保存")
    await phone.shot("phone-location")
    await page.locator("#back").click()
    await page.locator("#list").wait_for()

    # The guided tour seeds a demo station in one click: its posting is in the village group.
    await page.locator("#tour").click()
    await page.locator("#toast", has_text="演示数据已准备好").wait_for()
    await phone.open(SANHE.id)
    await phone.bot_says("招聘：")
    await phone.shot("phone-tour")
    await page.locator("#back").click()

    # English page strings at a tap; a reset asks first, and then empties the playground.
    await page.locator("#language").click()
    await page.locator("#title", has_text="Playground").wait_for()
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    dialog = page.locator("dialog#dialog")
    await page.locator("#reset").click()
    await dialog.get_by_role("button", name="Cancel").click()
    assert not await dialog.is_visible()
    await phone.open(SANHE.id)
    await phone.bot_says("招聘：")
    await page.locator("#reset").click()
    await dialog.get_by_role("button", name="Clear everything").click()
    await page.locator("#toast", has_text="Reset").wait_for()
    await page.locator("#thread .message", has_text="招聘：").wait_for(state="detached")
    await phone.shot("phone-reset")
    assert phone.errors == []
