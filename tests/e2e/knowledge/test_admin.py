"""Looking after the notes (``handlers/admin.py``): ``/reload`` and start-up keep every good note and name
the broken ones in one message however many there are, ``/kbstats``."""

from __future__ import annotations

from pathlib import Path

from bot.context import BotApplication
from bot.playground.botapi import MAX_TEXT_LENGTH, FakeBotAPI, FakeUser
from tests.e2e.conftest import ADMIN_ID, bot_settings, reply_to, running_bot

BROKEN_NOTES = 200


def _break_notes(folder: Path) -> None:
    """200 notes without front matter, under names long enough that 20 problem lines overflow a message."""
    for number in range(BROKEN_NOTES):
        path = folder / "broken" / f"{number:03d}_{'procedure_without_front_matter_' * 5}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("没有头信息的笔记\n", "utf-8")


def _listed(text: str) -> tuple[int, int]:
    """How many problems a report lists, and how many more it says there are."""
    shown = sum(1 for line in text.splitlines() if "broken/" in line)
    last = text.splitlines()[-1]
    assert last.startswith("……还有 ") and "python -m bot kb check" in last, last
    return shown, int(last.removeprefix("……还有 ").split(" ", 1)[0])


async def test_reload_keeps_every_good_note_and_names_the_broken_ones(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser, admin: FakeUser
) -> None:
    api = fake_bot_api
    folder = kb_bot.bot_data.settings.knowledge_dir
    size = kb_bot.bot_data.knowledge.size
    (folder / "broken.md").write_text("---\ntitle: 坏的\naudience: everyone\n---\n正文\n", "utf-8")
    (folder / "no_title.md").write_text("---\ntags: [宿舍]\n---\n正文\n", "utf-8")
    (folder / "dormitory.md").write_text("---\ntitle: 公司有没有宿舍\n---\n本站不提供宿舍。\n", "utf-8")
    report = await reply_to(api, admin, "/reload")
    text = report.params["text"]
    assert text.startswith(f"已加载 {size + 2} 条资料。有 2 处错误，出错的资料暂不使用：")
    assert "broken.md:3:" in text and "no_title.md:1:" in text
    answer = await reply_to(api, asker, "公司有没有宿舍")
    assert "本站不提供宿舍" in answer.params["text"]
    (folder / "broken.md").unlink()
    (folder / "no_title.md").unlink()
    ok = await reply_to(api, admin, "/reload")
    assert ok.params["text"] == f"已重新加载 {size + 1} 条资料。"
    stats = await reply_to(api, admin, "/kbstats")
    assert "提问 1 次" in stats.params["text"]
    bad = await reply_to(api, admin, "/kbstats abc")
    assert "1 到 365" in bad.params["text"]


async def test_two_hundred_broken_notes_are_reported_in_one_message(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser, admin: FakeUser
) -> None:
    _break_notes(kb_bot.bot_data.settings.knowledge_dir)
    report = await reply_to(fake_bot_api, admin, "/reload")
    text = report.params["text"]
    assert len(text) <= MAX_TEXT_LENGTH and text.startswith("已加载 ")
    shown, more = _listed(text)
    assert shown >= 10 and shown + more == BROKEN_NOTES
    answer = await reply_to(fake_bot_api, asker, "退货流程")
    assert answer.params["text"].startswith("<b>📘 ")


async def test_admins_hear_of_broken_notes_at_start_up_in_one_message(
    fake_bot_api: FakeBotAPI, database_url: str, tmp_path: Path, admin: FakeUser
) -> None:
    api = fake_bot_api
    folder = tmp_path / "knowledge"
    (folder / "aftersales").mkdir(parents=True)
    (folder / "aftersales" / "return_refund.md").write_text(
        "---\ntitle: 退货流程\n---\n先核对订单。\n", "utf-8"
    )
    _break_notes(folder)
    await api.send_text(admin, "/start")  # the admin's chat with the bot exists before it starts
    mark = api.mark()
    settings = bot_settings(api, database_url, knowledge_dir=folder, saved_notes_dir=tmp_path / "saved")
    async with running_bot(settings) as application:
        notice = await api.wait_for("sendMessage", since=mark, chat_id=ADMIN_ID, text=lambda t: "资料" in t)
        text = notice.params["text"]
        assert text.startswith("已加载 1 条资料。有 200 处错误") and len(text) <= MAX_TEXT_LENGTH
        shown, more = _listed(text)
        assert shown + more == BROKEN_NOTES
        assert application.bot_data.knowledge.size == 1


async def test_only_admins_reload_and_see_statistics(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser
) -> None:
    for command in ("/reload", "/kbstats", "/kbstats abc"):
        refused = await reply_to(fake_bot_api, asker, command)
        assert "只有管理员" in refused.params["text"], command
