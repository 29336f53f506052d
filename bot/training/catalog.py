"""What can be taught: the training plans (``<knowledge>/training/*.yaml``) over the notes the bot has loaded.

The plans are read from their files each time (a few small files), so an edited plan counts from the next
minute on; the notes are the knowledge base's current ones (``/reload`` refreshes them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.knowledge.notes import TRAINING_FOLDER, Note, Plan, Problem, QuizQuestion, load_plans
from bot.knowledge.service import KnowledgeBase


@dataclass(frozen=True)
class Catalog:
    """The usable plans, the notes they teach from, and the problems of the plan files."""

    plans: tuple[Plan, ...] = ()
    notes: Mapping[str, Note] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()

    def plan(self, plan_id: str) -> Plan | None:
        return next((plan for plan in self.plans if plan.id == plan_id), None)

    def by_key(self, key: str) -> Plan | None:
        """The plan whose :attr:`Plan.key` (button data) is ``key``."""
        return next((plan for plan in self.plans if plan.key == key), None)

    @property
    def default(self) -> Plan | None:
        """The plan new staff are enrolled in: the one marked ``default``, else the only one."""
        marked = [plan for plan in self.plans if plan.default]
        if marked:
            return marked[0]
        return self.plans[0] if len(self.plans) == 1 else None

    def question(self, note_id: str, key: str) -> QuizQuestion | None:
        """A quiz question of a note by its key, if the note still has it."""
        note = self.notes.get(note_id)
        return next((q for q in note.quiz if q.key == key), None) if note else None

    def questions(self, plan: Plan, day_index: int) -> list[tuple[Note, QuizQuestion]]:
        """The quiz of one day of a plan, note by note."""
        day = plan.days[day_index]
        return [(self.notes[i], q) for i in day.note_ids if i in self.notes for q in self.notes[i].quiz]

    def day_notes(self, plan: Plan, day_index: int) -> list[Note]:
        return [self.notes[i] for i in plan.days[day_index].note_ids if i in self.notes]


def load_catalog(knowledge: KnowledgeBase) -> Catalog:
    """The plans next to the knowledge base's notes, checked against the notes it has loaded."""
    notes = {note.id: note for note in knowledge.current().notes}
    plans, problems = load_plans(Path(knowledge.folder) / TRAINING_FOLDER, notes)
    return Catalog(tuple(plans), notes, tuple(problems))
