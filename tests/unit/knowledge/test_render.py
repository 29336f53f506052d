"""Notes and lists as Telegram messages (``render.py``): a long problem list fits in one message."""

from __future__ import annotations

from bot.knowledge.render import LINE_LIMIT, MESSAGE_LIMIT, fit_lines


def _more(count: int) -> str:
    return f"… and {count} more: python -m bot kb check"


def test_a_long_list_is_cut_to_one_message_with_a_count_of_the_rest() -> None:
    lines = [f"knowledge/broken/{n:03d}_{'x' * 120}.md:1: missing front matter" for n in range(200)]
    text = fit_lines("200 problems:", lines, _more)
    assert len(text) <= MESSAGE_LIMIT
    shown = [line for line in text.splitlines() if line.startswith("knowledge/")]
    assert text.splitlines()[-1] == _more(200 - len(shown)) and 20 <= len(shown) < 200
    assert shown == lines[: len(shown)]


def test_a_short_list_is_shown_whole() -> None:
    assert fit_lines("2 problems:", ["a.md:1: x", "b.md:2: y"], _more) == "2 problems:\na.md:1: x\nb.md:2: y"


def test_an_enormous_line_is_shortened_before_it_is_escaped() -> None:
    line = "a.md:3: 'audience' must be 'staff' or 'public', not '" + "<&>" * 2_000 + "'"
    text = fit_lines("1 problem:", [line], _more, escape=True)
    body = text.splitlines()[1]
    assert body.endswith("…") and "&amp;" in body and "<" not in body
    assert len(body.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")) == LINE_LIMIT


def test_a_list_that_just_fits_is_shown_whole_and_one_line_more_is_counted() -> None:
    lines = ["x" * 99] * 10
    limit = len("h") + 10 * len("\n" + lines[0])
    assert fit_lines("h", lines, _more, limit=limit) == "\n".join(["h", *lines])
    text = fit_lines("h", [*lines, "y"], _more, limit=limit)
    shown = text.count("x" * 99)
    assert len(text) <= limit and text.endswith("\n" + _more(11 - shown)) and shown < 10
