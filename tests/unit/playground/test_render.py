"""Telegram entities as the page's HTML: the formatting tags only, the text escaped, offsets in UTF-16."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from bot.playground.botapi import parse_formatted_text
from bot.playground.render import entities_to_html, message, reply_keyboard


def html_of(markup: str) -> str:
    """What the page shows for a message the bot sent with ``parse_mode=HTML``."""
    text, entities = parse_formatted_text(markup, "HTML")
    return entities_to_html(text, entities)


def test_plain_text_is_escaped() -> None:
    assert entities_to_html("<script>alert('x')</script> & \"q\"", []) == (
        "&lt;script&gt;alert('x')&lt;/script&gt; &amp; \"q\""
    )


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<b>粗</b>体", "<b>粗</b>体"),
        ("<i>斜</i> <u>下</u> <s>删</s>", "<i>斜</i> <u>下</u> <s>删</s>"),
        ("<code>/checkin</code>", "<code>/checkin</code>"),
        (
            '<pre><code class="language-python">x &lt; 1</code></pre>',
            '<pre><code class="language-python">x &lt; 1</code></pre>',
        ),
        ("<blockquote>引用</blockquote>", "<blockquote>引用</blockquote>"),
        ("<tg-spoiler>秘密</tg-spoiler>", "<tg-spoiler>秘密</tg-spoiler>"),
        (
            '<a href="https://example.com/?a=1&amp;b=2">链接</a>',
            '<a href="https://example.com/?a=1&amp;b=2">链接</a>',
        ),
    ],
)
def test_each_format_has_its_tag(markup: str, expected: str) -> None:
    assert html_of(markup) == expected


def test_nested_entities_nest() -> None:
    assert html_of("<b>粗<i>又斜</i>的</b>字") == "<b>粗<i>又斜</i>的</b>字"


def test_overlapping_entities_are_closed_and_opened_again() -> None:
    # "abcd": bold over "abc", italic over "bcd".
    entities = [{"type": "bold", "offset": 0, "length": 3}, {"type": "italic", "offset": 1, "length": 3}]
    assert entities_to_html("abcd", entities) == "<b>a<i>bc</i></b><i>d</i>"


def test_offsets_count_utf16_code_units_with_emoji_and_chinese() -> None:
    # 😀 is two UTF-16 units, each Chinese character one.
    text = "😀退货😀<流程>"
    entities = [
        {"type": "bold", "offset": 2, "length": 2},  # 退货
        {"type": "code", "offset": 6, "length": 4},  # <流程>
    ]
    assert entities_to_html(text, entities) == "😀<b>退货</b>😀<code>&lt;流程&gt;</code>"


def test_parsed_html_round_trips_through_the_fake() -> None:
    assert html_of("📢 <b>招聘：客服</b>\n💰 <i>3000元</i>") == "📢 <b>招聘：客服</b>\n💰 <i>3000元</i>"


def test_urls_become_links_and_other_schemes_do_not() -> None:
    text, entities = parse_formatted_text("看 https://t.me/xingzhan_bot?start=job_1 吧")
    assert entities_to_html(text, entities) == (
        '看 <a href="https://t.me/xingzhan_bot?start=job_1">https://t.me/xingzhan_bot?start=job_1</a> 吧'
    )
    forged = [{"type": "text_link", "offset": 0, "length": 2, "url": "javascript:alert(1)"}]
    assert entities_to_html("点我", forged) == "点我"
    quoted = [{"type": "text_link", "offset": 0, "length": 2, "url": 'https://x.example/"><script>'}]
    assert entities_to_html("点我", quoted) == '<a href="https://x.example/&quot;&gt;&lt;script&gt;">点我</a>'


def test_mentions_commands_and_hashtags_stay_plain() -> None:
    text, entities = parse_formatted_text("@someone 用 /checkin #签到")
    assert entities_to_html(text, entities) == "@someone 用 /checkin #签到"


def test_entities_out_of_range_are_ignored() -> None:
    assert entities_to_html("短", [{"type": "bold", "offset": 5, "length": 3}]) == "短"
    assert entities_to_html("短句", [{"type": "bold", "offset": 1, "length": 9}]) == "短<b>句</b>"


def test_a_message_as_the_page_shows_it() -> None:
    msg = {
        "message_id": 7,
        "from": {"id": 42, "is_bot": True, "first_name": "星站"},
        "date": 1_765_000_000,
        "text": "亲，您好",
        "edit_date": 1_765_000_100,
        "reply_markup": {
            "inline_keyboard": [
                [{"text": "📋 复制话术", "copy_text": {"text": "亲，您好"}}],
                [
                    {"text": "👍", "callback_data": "kb.rate.v1:1:1"},
                    {"text": "看看", "url": "https://t.me/x"},
                ],
            ]
        },
    }
    shown = message(msg, bot_id=42, tz=ZoneInfo("Asia/Shanghai"))
    assert shown["from"] == "bot" and shown["sender_name"] == "星站" and shown["edited"] is True
    assert shown["date"] == "2025-12-06T13:46:40+08:00"
    assert shown["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "📋 复制话术", "copy_text": "亲，您好"}],
            [{"text": "👍", "callback_data": "kb.rate.v1:1:1"}, {"text": "看看", "url": "https://t.me/x"}],
        ]
    }
    assert shown["photo"] is None and shown["document"] is None and shown["poll"] is None


def test_a_quiz_shows_its_answer_only_once_answered() -> None:
    msg = {
        "message_id": 3,
        "from": {"id": 42, "is_bot": True, "first_name": "星站"},
        "date": 0,
        "poll": {
            "id": "1",
            "question": "迟到几分钟算迟到？",
            "options": [{"text": "5", "voter_count": 1}, {"text": "10", "voter_count": 0}],
            "type": "quiz",
            "is_closed": False,
            "correct_option_id": 0,
            "explanation": "<规定>第 3 条",
        },
    }
    unanswered = message(msg, bot_id=42, tz=ZoneInfo("UTC"))["poll"]
    assert unanswered["chosen"] == [] and "correct_option_id" not in unanswered
    answered = message(msg, bot_id=42, tz=ZoneInfo("UTC"), chosen=[0])["poll"]
    assert answered["correct_option_id"] == 0 and answered["explanation"] == "&lt;规定&gt;第 3 条"
    assert answered["options"] == [{"text": "5", "voter_count": 1}, {"text": "10", "voter_count": 0}]


def test_reply_keyboard_keeps_contact_and_location_buttons() -> None:
    markup = {
        "keyboard": [
            [{"text": "📱 分享手机号", "request_contact": True}],
            ["取消", {"text": "📍 位置", "request_location": True}],
        ],
        "input_field_placeholder": "点下面的按钮",
    }
    assert reply_keyboard(markup) == {
        "keyboard": [
            [{"text": "📱 分享手机号", "request_contact": True}],
            [{"text": "取消"}, {"text": "📍 位置", "request_location": True}],
        ],
        "placeholder": "点下面的按钮",
    }
    assert reply_keyboard(None) is None
