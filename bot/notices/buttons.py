"""The buttons of notices, as typed callback data (``bot.buttons``): the draft panel, the lists, 收到."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from bot.buttons import PAGE, Button
from bot.i18n import N_

#: The label of the acknowledgement button under every notice that needs one (and its reminders).
ACK_LABEL = N_("✅ Got it")


# --- writing a notice ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CancelWriting(Button, prefix="ntc.cancel_writing"):
    """✖ Cancel under "send me the notice now": stop waiting for its content."""


@dataclass(frozen=True)
class ToggleAudience(Button, prefix="ntc.aud"):
    """Add or remove a whole audience kind (all staff, all village groups, ...)."""

    notice_id: int
    key: str


@dataclass(frozen=True)
class PickAudience(Button, prefix="ntc.pick"):
    """Open (a page of) the values of an audience kind picked one by one."""

    notice_id: int
    key: str
    page: Annotated[int, PAGE]


@dataclass(frozen=True)
class PickValue(Button, prefix="ntc.val"):
    """Choose or unchoose one value (a group, a shift) on a page of the picker."""

    notice_id: int
    key: str
    page: Annotated[int, PAGE]
    value: str


@dataclass(frozen=True)
class BackToDraft(Button, prefix="ntc.back"):
    """From the picker back to the draft panel."""

    notice_id: int


@dataclass(frozen=True)
class NeedsAck(Button, prefix="ntc.needs_ack"):
    """Switch "needs acknowledgement" on or off."""

    notice_id: int


@dataclass(frozen=True)
class Pin(Button, prefix="ntc.pin"):
    """Switch pinning in village groups on or off."""

    notice_id: int


@dataclass(frozen=True)
class Reminders(Button, prefix="ntc.reminders"):
    """The next reminder setting of the cycle."""

    notice_id: int


@dataclass(frozen=True)
class ChooseTime(Button, prefix="ntc.when"):
    """Ask for a send time (the admin then types it)."""

    notice_id: int


@dataclass(frozen=True)
class SendAtOnce(Button, prefix="ntc.at_once"):
    """Forget the chosen send time."""

    notice_id: int


@dataclass(frozen=True)
class Send(Button, prefix="ntc.send"):
    """Confirm the draft: send it (or schedule it)."""

    notice_id: int


@dataclass(frozen=True)
class Discard(Button, prefix="ntc.drop"):
    """Throw the draft away."""

    notice_id: int


# --- sent notices --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StopSending(Button, prefix="ntc.stop_sending"):
    """Stop a notice that is still being sent (its reminders too)."""

    notice_id: int


@dataclass(frozen=True)
class NoticesPage(Button, prefix="ntc.list"):
    """A page of /notices."""

    page: Annotated[int, PAGE]


@dataclass(frozen=True)
class ShowNotice(Button, prefix="ntc.show"):
    """The details of one notice."""

    notice_id: int


@dataclass(frozen=True)
class WhoAcknowledged(Button, prefix="ntc.acked"):
    """Who acknowledged a notice, and when."""

    notice_id: int


@dataclass(frozen=True)
class WhoIsMissing(Button, prefix="ntc.missing"):
    """Who got a notice and has not acknowledged it yet."""

    notice_id: int


@dataclass(frozen=True)
class DeliveryReport(Button, prefix="ntc.report"):
    """The outcome per chat."""

    notice_id: int


@dataclass(frozen=True)
class RemindNow(Button, prefix="ntc.remind"):
    """Remind those who have not acknowledged, now (outside the schedule)."""

    notice_id: int


# --- acknowledgements ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Ack(Button, prefix="ntc.ack"):
    """收到: the person read the notice (under the notice, its reminders and /mynotices)."""

    notice_id: int


@dataclass(frozen=True)
class Acknowledged(Button, prefix="ntc.done"):
    """The ✅ left in place of 收到 once pressed: it only says so."""
