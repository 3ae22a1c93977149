"""Reading the politeness hints servers send: Retry-After and Cache-Control max-age.

Pure: the clock is an argument, so tests pin `now` instead of sleeping. The poller turns these
numbers into "not before" times for the next poll of a feed.
"""

from __future__ import annotations

from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

# RFC 9111 section 1.2.2: a delta-seconds value too large to represent is read as 2^31.
MAX_DELTA_SECONDS = 2**31


def _as_utc(moment: datetime) -> datetime:
    """Naive datetimes are taken as UTC: HTTP dates are always GMT."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait, from a Retry-After header: delay-seconds or an HTTP-date.

    A date in the past means "now" (0.0). Anything unreadable is None, so the caller falls
    back to its own backoff instead of trusting garbage.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return float(min(int(text), MAX_DELTA_SECONDS))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:  # some Python versions return None instead of raising
        return None
    wait = (_as_utc(when) - _as_utc(now)).total_seconds()
    return max(0.0, wait)


def _split_directives(cache_control: str) -> list[str]:
    """Split on commas that are not inside a quoted string (quoted values may hold commas)."""
    directives: list[str] = []
    current: list[str] = []
    in_quotes = False
    for char in cache_control:
        if char == '"':
            in_quotes = not in_quotes
        if char == "," and not in_quotes:
            directives.append("".join(current))
            current = []
        else:
            current.append(char)
    directives.append("".join(current))
    return [d.strip() for d in directives if d.strip()]


def parse_max_age(cache_control: str | None) -> int | None:
    """The max-age of a Cache-Control header in seconds, or None when absent or invalid.

    Only `max-age` counts: `s-maxage` is for shared caches and we are a private client.
    With several max-age directives the first wins (RFC 9111 section 4.2.1 allows that).
    """
    if not cache_control:
        return None
    for directive in _split_directives(cache_control):
        name, sep, raw = directive.partition("=")
        if name.strip().lower() != "max-age":
            continue
        if not sep:
            return None
        number = raw.strip().strip('"')
        if not (number.isascii() and number.isdigit()):
            return None
        return min(int(number), MAX_DELTA_SECONDS)
    return None


__all__ = ["MAX_DELTA_SECONDS", "parse_max_age", "parse_retry_after"]
