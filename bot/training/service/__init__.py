"""Training's domain logic, no Telegram: ``from bot.training import service; service.enrol(...)``.

Every function that depends on the time takes ``now`` (an aware datetime); the workplace's zone, default
language and configured admins travel as an :class:`Office`. The modules: ``common`` (shared values),
``calendar`` (the days, shifts and leave, from attendance), ``enrolment`` (who learns what), ``lessons``
(due lessons, claimed and moved on message by message), ``polls`` (quiz polls on their way out), ``answers``
(poll answers, review cards), ``reviews`` (``/quiz``), ``readiness`` (ready for the floor, told once),
``progress`` (what ``/learn`` and ``/training`` show).
"""

from bot.training.service.answers import Answer, AnswerOutcome, record_answer, unanswered
from bot.training.service.common import KIND, LESSON_REF, READY_REF, Office
from bot.training.service.enrolment import (
    EnrolOutcome,
    change_plan,
    enrol,
    enrol_person,
    enrolment_of,
    get_enrolment,
    not_enrolled,
    remove,
    set_paused,
)
from bot.training.service.lessons import Advanced, advance_lessons, lesson_parts, start_due_lessons
from bot.training.service.polls import claim, due_polls, mark_failed, mark_retry, mark_sent, recover
from bot.training.service.progress import (
    FailedQuestion,
    Learner,
    LessonLine,
    MyTraining,
    NoteScore,
    QuizStats,
    learners,
    lesson_lines,
    most_failed,
    my_training,
)
from bot.training.service.readiness import is_ready, mark_if_ready
from bot.training.service.reviews import ReviewAsk, ask_review, reviews_due

__all__ = [
    "KIND",
    "LESSON_REF",
    "READY_REF",
    "Advanced",
    "Answer",
    "AnswerOutcome",
    "EnrolOutcome",
    "FailedQuestion",
    "Learner",
    "LessonLine",
    "MyTraining",
    "NoteScore",
    "Office",
    "QuizStats",
    "ReviewAsk",
    "advance_lessons",
    "ask_review",
    "change_plan",
    "claim",
    "due_polls",
    "enrol",
    "enrol_person",
    "enrolment_of",
    "get_enrolment",
    "is_ready",
    "learners",
    "lesson_lines",
    "lesson_parts",
    "mark_failed",
    "mark_if_ready",
    "mark_retry",
    "mark_sent",
    "most_failed",
    "my_training",
    "not_enrolled",
    "record_answer",
    "recover",
    "remove",
    "reviews_due",
    "set_paused",
    "start_due_lessons",
    "unanswered",
]
