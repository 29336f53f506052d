"""Job seekers browse: ``/jobs`` a page at a time, a posting's details, and ``job_`` links that lead nowhere."""

from __future__ import annotations

from bot.app import BotApplication
from bot.jobs.buttons import ViewPosting
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.conftest import buttons, press, reply_to
from tests.e2e.jobs.conftest import refusal, seed


async def test_open_jobs_a_page_at_a_time(
    jobs_bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    for number in range(7):
        await seed(jobs_bot, admin, title=f"岗位{number}")
    draft = await seed(jobs_bot, admin, published=False, title="草稿岗位")
    lan = api.user(7401, "小兰")

    listing = await reply_to(api, lan, "/jobs", expect="正在招聘的岗位：7 个")
    labels = [b["text"] for b in buttons(listing.result)]
    assert labels[:5] == [f"岗位{n} · 120元/天" for n in (6, 5, 4, 3, 2)] and "1/2" in labels
    mark = api.mark()
    await press(api, lan, listing.result, text="▶")
    second = await api.wait_for("editMessageText", since=mark, chat_id=lan.id)
    assert [b["text"] for b in buttons(second.result)][:2] == ["岗位1 · 120元/天", "岗位0 · 120元/天"]

    # A posting's details, with the button to apply, and back to the list.
    mark = api.mark()
    await press(api, lan, second.result, text="岗位0 · 120元/天")
    detail = await api.wait_for("editMessageText", since=mark, chat_id=lan.id)
    assert "招聘：岗位0" in detail.params["text"] and "120元/天" in detail.params["text"]
    assert [b["text"] for b in buttons(detail.result)] == ["✍️ 我要报名", "« 全部在招岗位"]
    mark = api.mark()
    await press(api, lan, detail.result, text="« 全部在招岗位")
    again = await api.wait_for("editMessageText", since=mark, chat_id=lan.id)
    assert "正在招聘的岗位：7 个" in again.params["text"]

    # A draft is not shown to job seekers.
    assert "草稿岗位" not in str([b["text"] for b in buttons(again.result)])
    answer = await refusal(api, lan, ViewPosting(draft.id).pack())
    assert answer["text"] == "抱歉，找不到这个岗位了。" and answer["show_alert"] is True


async def test_links_to_jobs_that_are_not_there(
    jobs_bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    ping = api.user(7402, "阿平")
    for payload in ("job_404", "job_abc", "job_99999999999", "job_²", "job_٣"):
        answer = await reply_to(api, ping, f"/start {payload}", expect="找不到")
        assert answer.params["text"] == "抱歉，找不到这个岗位了。看看正在招聘的岗位：/jobs"
    assert api.reply_keyboard(ping) is None
    # A forged button of an unknown version changes nothing.
    answer = await refusal(api, ping, "job.view.v9:1")
    assert answer["text"] == "这个按钮已经失效了。发送 /start 看看我能做什么。"
