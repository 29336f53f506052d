"""The buttons of training, as typed callback data (``bot.buttons``): the admins' panel and ``/learn``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from bot.buttons import PAGE, Button


@dataclass(frozen=True)
class Overview(Button, prefix="trn.list"):
    """A page of ``/training``: everyone in training."""

    page: Annotated[int, PAGE]


@dataclass(frozen=True)
class ShowLearner(Button, prefix="trn.show"):
    """One person's training: progress, lessons, and what an admin can change."""

    enrolment_id: int


@dataclass(frozen=True)
class Pause(Button, prefix="trn.pause"):
    """Pause someone's lessons (``paused``) or resume them."""

    enrolment_id: int
    paused: bool


@dataclass(frozen=True)
class PlanMenu(Button, prefix="trn.plans"):
    """The plans to move someone to."""

    enrolment_id: int


@dataclass(frozen=True)
class ChoosePlan(Button, prefix="trn.plan"):
    """Move someone to a plan (``plan`` is its short key, ``Plan.key``)."""

    enrolment_id: int
    plan: str


@dataclass(frozen=True)
class Remove(Button, prefix="trn.remove"):
    """Ask before taking someone out of training."""

    enrolment_id: int


@dataclass(frozen=True)
class ConfirmRemove(Button, prefix="trn.remove_yes"):
    """Take someone out of training, with their progress."""

    enrolment_id: int


@dataclass(frozen=True)
class EnrolMenu(Button, prefix="trn.enrol_list"):
    """A page of the staff not in training, to enrol."""

    page: Annotated[int, PAGE]


@dataclass(frozen=True)
class Enrol(Button, prefix="trn.enrol"):
    """Enrol one person in the default plan."""

    person_id: int


@dataclass(frozen=True)
class Export(Button, prefix="trn.export"):
    """Everyone's progress as a workbook."""


@dataclass(frozen=True)
class QuizNow(Button, prefix="trn.quiz"):
    """Under ``/learn``: ask the next question due for review (as ``/quiz``)."""
