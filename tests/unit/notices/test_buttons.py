"""The notices' buttons: every kind round-trips within Telegram's 64 bytes; forged data is refused."""

from __future__ import annotations

import dataclasses

import pytest

from bot.buttons import MAX_ID, Button, ButtonDataError, registered_buttons
from bot.notices import buttons
from bot.notices.buttons import Ack, PickAudience, PickValue, Send

NOTICE_BUTTONS = sorted(
    (kind for kind in registered_buttons().values() if kind.__module__ == buttons.__name__),
    key=lambda kind: kind.prefix,
)


def _largest(kind: type[Button]) -> Button:
    values = {"notice_id": MAX_ID, "page": 9_999, "key": "shift_morning", "value": "-1001234567890"}
    return kind(**{field.name: values[field.name] for field in dataclasses.fields(kind)})


@pytest.mark.parametrize("kind", NOTICE_BUTTONS, ids=lambda kind: kind.__name__)
def test_every_button_round_trips_within_64_bytes(kind: type[Button]) -> None:
    button = _largest(kind)
    data = button.pack()
    assert data.startswith("ntc.") and len(data.encode()) <= 64
    assert kind.unpack(data) == button
    assert kind.pattern().match(data)


def test_the_ack_button_and_the_pickers() -> None:
    assert Ack(7).pack() == "ntc.ack.v1:7"
    assert PickValue.unpack(PickValue(3, "group", 1, "-100").pack()) == PickValue(3, "group", 1, "-100")
    assert not Ack.matches(Send(7).pack()), "each kind only takes its own presses"


@pytest.mark.parametrize(
    "data",
    [
        "ntcack:7",
        "ntc.ack.v1:-1",
        f"ntc.ack.v1:{MAX_ID + 1}",
        "ntc.ack.v1:x",
        "ntc.ack.v1:7:8",
        "ntc.ack.v2:7",
    ],
)
def test_forged_or_old_ack_data_is_refused(data: str) -> None:
    with pytest.raises(ButtonDataError):
        Ack.unpack(data)


def test_forged_pages_are_refused() -> None:
    with pytest.raises(ButtonDataError):
        PickAudience.unpack("ntc.pick.v1:3:group:10000")
