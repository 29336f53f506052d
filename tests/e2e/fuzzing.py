"""Generated updates for the real bot: Hypothesis strategies and a player.

Used by ``tests/e2e/test_fuzz.py`` (a few hundred updates per database in CI) and ``bench/fuzz.py`` (thousands).
An *action* is one thing a person does — a text or command (any Unicode, NUL and 10,000 characters included, with
entities of every type), a button press with data from every registered button kind (and random data), a photo,
voice, document, sticker, location or contact, an edit of an earlier message, an inline query — by a job seeker, a
staff member or the admin, in a private chat or a village group. The player performs actions one after another
through the fake Bot API and checks what the bot must always do:

- no exception reaches the error handler;
- every private message that is not an edit gets an answer in that chat, and every button press is answered.

The bot runs on its own event loop in a thread (:class:`BotHarness`), so that Hypothesis can drive it from a
plain test function.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from hypothesis import strategies as st

from bot.app import BotApplication
from bot.buttons import registered_buttons
from bot.context import BotContext
from bot.playground.botapi import FakeBotAPI, FakeChat, FakeUser
from tests.e2e.conftest import ADMIN_ID, bot_settings, running_bot, staff

T = TypeVar("T")

#: How long a person may wait for an answer before it counts as silence (generous: CI machines are busy).
ANSWER_WITHIN_SECONDS = 10.0

ROLES = ("seeker", "staff", "admin")
KINDS = (
    "text",
    "command",
    "button",
    "photo",
    "voice",
    "document",
    "sticker",
    "location",
    "contact",
    "edit",
    "inline",
)
ENTITY_TYPES = (
    "mention",
    "hashtag",
    "cashtag",
    "bot_command",
    "url",
    "email",
    "phone_number",
    "bold",
    "italic",
    "underline",
    "strikethrough",
    "spoiler",
    "blockquote",
    "expandable_blockquote",
    "code",
    "pre",
    "text_link",
    "text_mention",
    "custom_emoji",
)
COMMANDS = (
    "start",
    "help",
    "lang",
    "ask",
    "cancel",
    "invite",
    "staff",
    "groups",
    "village",
    "promote",
    "demote",
    "removestaff",
    "unanswered",
    "kbstats",
    "reload",
    "notice",
    "notices",
    "mynotices",
    "jobs",
    "myapplications",
    "jobalerts",
    "forgetme",
    "newjob",
    "postings",
    "applicants",
    "checkin",
    "checkout",
    "myshifts",
    "myattendance",
    "leave",
    "swap",
    "correct",
    "myrequests",
    "requests",
    "newshift",
    "shifts",
    "deleteshift",
    "assign",
    "unassign",
    "dayoff",
    "workday",
    "clearday",
    "calendar",
    "workplace",
    "attendance",
    "summary",
    "monthreport",
    "nosuchcommand",
)
WORDS = "退货 退款 怎么办 签到 请假 报名 工作 换班 客户 投诉 物流 快递 差评 工资 夜班 tuihuo qiandao 退貨 怎麼辦 refund"
PAYLOADS = ("", "job_1", "job_99999999999999999999", "inv_abc", "inv_" + "x" * 60, "job_-5", "%00", "job_")


@dataclass(frozen=True)
class Action:
    """One thing a person does."""

    role: str
    in_group: bool
    kind: str
    text: str = ""
    entities: tuple[tuple[str, int, int], ...] = ()
    data: str = ""


def _texts() -> st.SearchStrategy[str]:
    chinese = st.lists(st.sampled_from(WORDS.split()), min_size=1, max_size=8).map("".join)
    return st.one_of(
        st.text(max_size=80),  # any Unicode, NUL and control characters included
        chinese,
        st.builds(lambda a, b: a + "\x00" + b, chinese, chinese),
        st.sampled_from(
            ["", " ", "\n\n", "长" * 10_000, "a" * 4097, "😀" * 3000, "\u202e\u200b", "取消", "算了"]
        ),
    )


def _button_data() -> st.SearchStrategy[str]:
    heads = sorted(registered_buttons())
    field = st.one_of(
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.text(alphabet=st.characters(codec="ascii", exclude_characters=":"), max_size=8),
        st.sampled_from(["", "0", "1", "-1", "2147483648", "99999999999999999999"]),
    )
    typed = st.builds(
        lambda head, fields: ":".join([head, *fields])[:64],
        st.sampled_from(heads),
        st.lists(field, max_size=5),
    )
    return st.one_of(typed, st.text(max_size=64), st.sampled_from(heads))


@st.composite
def _command(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(COMMANDS))
    if name == "start":
        argument = draw(st.sampled_from(PAYLOADS))
    else:
        argument = draw(
            st.one_of(st.just(""), _texts(), st.sampled_from(["2025-13-45", "@nobody", "早班 25:00-99:99"]))
        )
    return f"/{name} {argument}".rstrip()


@st.composite
def _entities(draw: st.DrawFn, text: str) -> tuple[tuple[str, int, int], ...]:
    length = len(text.encode("utf-16-le")) // 2
    if length == 0:
        return ()
    found = []
    for _ in range(draw(st.integers(0, 3))):
        offset = draw(st.integers(0, length - 1))
        size = draw(st.integers(1, length - offset))
        found.append((draw(st.sampled_from(ENTITY_TYPES)), offset, size))
    return tuple(found)


@st.composite
def actions(draw: st.DrawFn) -> Action:
    """One generated action."""
    role = draw(st.sampled_from(ROLES))
    kind = draw(st.sampled_from(KINDS))
    in_group = kind in {"text", "command", "button", "photo", "sticker"} and draw(st.booleans())
    if kind == "command":
        text = draw(_command())
        return Action(role, in_group, kind, text)
    if kind == "inline":
        chat_type = draw(st.sampled_from(["sender", "private", "group", "supergroup", "channel", ""]))
        return Action(role, in_group, kind, draw(_texts()), data=chat_type)
    if kind in {"text", "edit", "photo", "document"}:
        text = draw(_texts())
        entities = draw(_entities(text)) if kind == "text" else ()
        return Action(role, in_group, kind, text, entities)
    if kind == "button":
        return Action(role, in_group, kind, data=draw(_button_data()))
    return Action(role, in_group, kind)


@dataclass
class Findings:
    """What the player saw go wrong, and how much it did."""

    updates: int = 0
    private_messages: int = 0
    errors: list[str] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)


class BotHarness:
    """The real bot on the fake Bot API, running on an event loop of its own thread."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="fuzzed-bot", daemon=True)
        self.findings = Findings()
        self.api: FakeBotAPI
        self.app: BotApplication
        self.cast: dict[str, FakeUser] = {}
        self.group: FakeChat
        self._stack: Any = None

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 120) -> T:
        """Run ``coroutine`` on the bot's loop and wait for it."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def __enter__(self) -> BotHarness:
        self.thread.start()
        self.call(self._start())
        return self

    def __exit__(self, *_exc: object) -> None:
        self.call(self._stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    async def _start(self) -> None:
        import contextlib

        self._stack = contextlib.AsyncExitStack()
        self.api = await self._stack.enter_async_context(FakeBotAPI())
        settings = bot_settings(self.api, self.database_url)
        self.app = await self._stack.enter_async_context(running_bot(settings))
        limiter = self.app.bot.rate_limiter
        if limiter is not None and hasattr(
            limiter, "limiter"
        ):  # one reply a second per chat would be slow here
            import dataclasses

            limiter.limiter.limits = dataclasses.replace(limiter.limiter.limits, private_per_second=0)

        async def record(update: object, context: BotContext) -> None:
            self.findings.errors.append(f"{type(context.error).__name__}: {context.error} — {update}"[:2000])

        self.app.add_error_handler(record)
        self.cast = {
            "seeker": self.api.user(8101, "求职者"),
            "staff": await staff(self.app, self.api, 8102, "员工", username="fuzz_staff"),
            "admin": self.api.user(ADMIN_ID, "王经理", username="manager_wang"),
        }
        self.group = self.api.group(-8100, "三合村")
        for user in self.cast.values():
            await self.api.join_group(user, self.group)

    async def _stop(self) -> None:
        await self._stack.aclose()

    async def play(self, action: Action) -> None:
        """Perform one action and check the bot's answer."""
        api, user = self.api, self.cast[action.role]
        chat = self.group if action.in_group else None
        where = self.group.id if action.in_group else user.id
        mark = api.mark()
        expects_reply = not action.in_group and action.kind not in {"button", "edit", "inline"}
        query_id = None
        if action.kind in {"text", "command"}:
            entities = [{"type": t, "offset": o, "length": n} for t, o, n in action.entities] or None
            if entities:
                for entity in entities:
                    if entity["type"] == "text_link":
                        entity["url"] = "https://example.org"
                    elif entity["type"] == "text_mention":
                        entity["user"] = user.to_dict()
                    elif entity["type"] == "custom_emoji":
                        entity["custom_emoji_id"] = "1"
                    elif entity["type"] == "pre":
                        entity["language"] = "python"
            await api.send_text(user, action.text, chat=chat, entities=entities)
        elif action.kind == "button":
            history = api.sent_messages(where)
            target = history[-1] if history else 1
            update = await api.press_button(user, target, action.data, strict=False)
            query_id = update["callback_query"]["id"]
        elif action.kind == "photo":
            await api.send_photo(user, caption=action.text or None, chat=chat)
        elif action.kind == "voice":
            await api.send_voice(user)
        elif action.kind == "document":
            await api.send_document(user, b"%PDF-1.4 fuzz", file_name="x.pdf", caption=action.text or None)
        elif action.kind == "sticker":
            await api.send_sticker(user, chat=chat)
        elif action.kind == "location":
            await api.share_location(user, 36.5, 102.1)
        elif action.kind == "contact":
            await api.share_contact(user, "13912345678")
        elif action.kind == "edit":
            mine = [
                m for m in api.chat_history(user.id) if m.get("from", {}).get("id") == user.id and "text" in m
            ]
            if not mine:
                return
            await api.edit_text(user, mine[-1], action.text or ".")
        elif action.kind == "inline":
            await api.inline_query(user, action.text[:256], chat_type=action.data or None)
        self.findings.updates += 1

        def pressed_answered() -> bool:
            return bool(api.calls_to("answerCallbackQuery", since=mark, callback_query_id=query_id))

        def message_answered() -> bool:
            return any(
                call.method.startswith(("send", "copy", "forward")) and call.params.get("chat_id") == user.id
                for call in api.calls[mark:]
            )

        # Wait for the answer itself (a search runs in a worker thread: a quiet moment is not an answer yet),
        # then for the bot to settle before the next action.
        if query_id is not None and not await self._within(pressed_answered):
            self.findings.unanswered.append(f"button {action.data!r} by {action.role}")
        if expects_reply:
            self.findings.private_messages += 1
            if not await self._within(message_answered):
                self.findings.unanswered.append(f"{action.kind} {action.text[:60]!r} by {action.role}")
        await api.wait_idle(quiet=0.05, timeout=30)

    async def _within(self, condition: Callable[[], bool], seconds: float = ANSWER_WITHIN_SECONDS) -> bool:
        try:
            await self.api.wait_until(condition, timeout=seconds)
        except AssertionError:
            return False
        return True

    async def normal_question_is_answered(self) -> bool:
        """After all that, a new staff member's ordinary question still gets a note."""
        newcomer = await staff(self.app, self.api, 8199, "新员工")
        mark = self.api.mark()
        await self.api.send_text(newcomer, "客户要退货怎么办")
        call = await self.api.wait_for("sendMessage", since=mark, chat_id=newcomer.id, timeout=20)
        return "退" in str(call.params.get("text"))
