"""Generated updates of every kind, from every role, in private and in a group: the bot never fails, never
stays silent in a private chat, and still answers an ordinary question afterwards (``tests/e2e/fuzzing.py``;
``bench/fuzz.py`` runs thousands)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from tests.e2e.fuzzing import Action, BotHarness, actions

UPDATES = 250


def test_the_bot_holds_under_generated_updates(database_url: str) -> None:
    with BotHarness(database_url) as harness:

        @settings(
            max_examples=UPDATES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(actions())
        def play(action: Action) -> None:
            harness.call(harness.play(action))

        play()
        findings = harness.findings
        assert findings.errors == [], "\n".join(findings.errors[:5])
        assert findings.unanswered == [], findings.unanswered[:10]
        assert harness.call(harness.normal_question_is_answered())
