"""Looking after the notes (``handlers/admin.py``): ``/reload`` keeps the last good index, ``/kbstats``."""

from __future__ import annotations

from bot.context import BotApplication
from tests.e2e.conftest import reply_to
from tests.fakes.bot_api import FakeBotAPI, FakeUser


async def test_broken_note_keeps_the_last_good_index(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser, admin: FakeUser
) -> None:
    api = fake_bot_api
    folder = kb_bot.bot_data.settings.knowledge_dir
    (folder / "broken.md").write_text("---\ntitle: 坏的\naudience: everyone\n---\n正文\n", "utf-8")
    report = await reply_to(api, admin, "/reload")
    assert "broken.md:3:" in report.params["text"] and "之前的版本" in report.params["text"]
    answer = await reply_to(api, asker, "退货流程")
    assert answer.params["text"].startswith("<b>📘 ")
    (folder / "broken.md").unlink()
    ok = await reply_to(api, admin, "/reload")
    assert "已重新加载" in ok.params["text"]
    stats = await reply_to(api, admin, "/kbstats")
    assert "提问 1 次" in stats.params["text"]
    bad = await reply_to(api, admin, "/kbstats abc")
    assert "1 到 365" in bad.params["text"]


async def test_only_admins_reload_and_see_statistics(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser
) -> None:
    for command in ("/reload", "/kbstats", "/kbstats abc"):
        refused = await reply_to(fake_bot_api, asker, command)
        assert "只有管理员" in refused.params["text"], command
