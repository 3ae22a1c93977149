"""Retry-After and Cache-Control max-age as the poller will read them."""

from datetime import datetime, timedelta, timezone

import pytest

from bot.core.http_policy import MAX_DELTA_SECONDS, parse_max_age, parse_retry_after

NOW = datetime(2025, 6, 13, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("120", 120.0),
        ("  0 ", 0.0),
        ("Fri, 13 Jun 2025 12:02:00 GMT", 120.0),
        ("Friday, 13-Jun-25 12:01:00 GMT", 60.0),  # obsolete RFC 850 form
        ("Fri Jun 13 12:00:30 2025", 30.0),  # asctime form, no zone: GMT
        ("Fri, 13 Jun 2025 14:05:00 +0200", 300.0),  # offset honoured
        ("Fri, 13 Jun 2025 11:00:00 GMT", 0.0),  # already past: retry now, never negative
        ("99999999999999", float(MAX_DELTA_SECONDS)),
        (None, None),
        ("", None),
        ("soon", None),
        ("-5", None),
        ("1.5", None),
        ("Fri, 99 Jun 2025 12:00:00 GMT", None),
    ],
)
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value, NOW) == expected


def test_parse_retry_after_reads_naive_now_as_utc():
    naive_now = NOW.replace(tzinfo=None)
    assert parse_retry_after("Fri, 13 Jun 2025 12:00:10 GMT", naive_now) == 10.0


def test_parse_retry_after_follows_the_clock_it_is_given():
    later = NOW + timedelta(seconds=90)
    assert parse_retry_after("Fri, 13 Jun 2025 12:02:00 GMT", later) == 30.0


@pytest.mark.parametrize(
    "header, expected",
    [
        ("max-age=300", 300),
        ("public, max-age=600", 600),
        ("Max-Age=60, must-revalidate", 60),
        ('max-age="90"', 90),
        ("s-maxage=999, max-age=30", 30),  # s-maxage is for shared caches only
        ("s-maxage=999", None),
        ('private="a, max-age=5", max-age=40', 40),  # a comma inside quotes is not a separator
        ("max-age=10, max-age=20", 10),  # first occurrence wins
        ("max-age=99999999999", MAX_DELTA_SECONDS),
        ("max-age=", None),
        ("max-age", None),
        ("max-age=-1", None),
        ("max-age=abc", None),
        ("no-cache", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_max_age(header, expected):
    assert parse_max_age(header) == expected
