from datetime import UTC, datetime, timedelta

import pytest

from bot.core.schedule import PollOutcome, backoff_seconds, next_health

NOW = datetime(2025, 6, 13, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "failures, seconds",
    [(1, 300), (2, 600), (3, 1200), (5, 4800), (9, 76_800), (10, 86_400), (30, 86_400)],
)
def test_backoff_doubles_from_five_minutes_up_to_a_day(failures, seconds):
    assert backoff_seconds(failures) == seconds


def test_success_polls_after_the_interval_and_resets_failures():
    health = next_health(NOW, 300, 4, PollOutcome(ok=True))
    assert health.failures == 0 and not health.paused
    assert health.next_poll_at == NOW + timedelta(seconds=300)


@pytest.mark.parametrize(
    "outcome, delay",
    [
        (PollOutcome(ok=True, ttl_seconds=3600), 3600),  # RSS <ttl> 60 minutes
        (PollOutcome(ok=True, max_age=900), 900),
        (PollOutcome(ok=True, max_age=60), 300),  # a floor, never a speed-up
        (PollOutcome(ok=True, max_age=10 * 86_400), 86_400),  # capped at a day
    ],
)
def test_ttl_and_max_age_are_floors(outcome, delay):
    assert next_health(NOW, 300, 0, outcome).next_poll_at == NOW + timedelta(seconds=delay)


def test_retry_after_is_honoured_when_longer_than_backoff():
    health = next_health(NOW, 300, 0, PollOutcome(ok=False, error="HTTP 429", retry_after=7200))
    assert health.next_poll_at == NOW + timedelta(seconds=7200)
    health = next_health(NOW, 300, 0, PollOutcome(ok=False, error="HTTP 503", retry_after=5))
    assert health.next_poll_at == NOW + timedelta(seconds=300)


def test_tenth_failure_in_a_row_pauses_and_keeps_the_error():
    health = next_health(NOW, 300, 8, PollOutcome(ok=False, error="HTTP 500"))
    assert health.failures == 9 and not health.paused
    health = next_health(NOW, 300, 9, PollOutcome(ok=False, error="HTTP 500"))
    assert health.failures == 10 and health.paused and health.last_error == "HTTP 500"


def test_a_refused_url_pauses_at_once():
    health = next_health(NOW, 300, 0, PollOutcome(ok=False, error="refused", refused=True))
    assert health.paused
