"""One parser for command arguments, shared by every front end. Pure.

Discord passes options already split; Slack and the console pass one line of text. Both end up
as a `Command` here, and every wrong argument becomes a `BadArgument` whose message is the one
sentence the user sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.core.errors import BadArgument

MAX_ENTITY_CHARS = 100
MAX_URL_CHARS = 2000
DEFAULT_DEAL_DAYS = 30
MAX_DEAL_DAYS = 3650
DIGEST_MODES = ("instant", "hourly", "daily")
LANGUAGES = ("en", "fr")
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
# Control characters and the zero-width/bidi family never belong in a watched name.
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")

COMMANDS = ("watch", "unwatch", "watchlist", "deals", "feeds", "digest", "language", "help")


@dataclass(frozen=True)
class Command:
    name: str
    args: dict = field(default_factory=dict)


def clean_entity(text: str | None) -> str:
    text = " ".join(_INVISIBLE.sub("", text or "").split())
    if not text:
        raise BadArgument("Say which company or topic, for example: /watch Meta")
    if len(text) > MAX_ENTITY_CHARS:
        raise BadArgument(f"That name is too long (at most {MAX_ENTITY_CHARS} characters).")
    if not any(ch.isalnum() for ch in text):
        raise BadArgument("A watched name needs at least one letter or digit.")
    return text


def parse_days(text: str | int | None) -> int:
    if text is None or text == "":
        return DEFAULT_DEAL_DAYS
    try:
        days = int(str(text).strip().removesuffix("d"))
    except ValueError:
        raise BadArgument(f"days must be a whole number of days (got {str(text)[:20]!r}).") from None
    if not 1 <= days <= MAX_DEAL_DAYS:
        raise BadArgument(f"days must be between 1 and {MAX_DEAL_DAYS}.")
    return days


def parse_url_arg(text: str | None) -> str:
    url = (text or "").strip().strip("<>")
    if not url:
        raise BadArgument("Give the feed's address, for example: /feeds add https://example.com/feed.xml")
    if len(url) > MAX_URL_CHARS or any(ch.isspace() for ch in url):
        raise BadArgument("That does not look like a single feed address.")
    return url


def parse_digest(mode: str | None, time: str | None = None) -> tuple[str, str | None]:
    mode = (mode or "").strip().lower()
    if mode not in DIGEST_MODES:
        raise BadArgument("mode must be instant, hourly or daily.")
    if mode != "daily":
        if time:
            raise BadArgument("A time only goes with daily, for example: /digest daily 08:00")
        return mode, None
    match = _HHMM.match((time or "08:00").strip())
    if not match:
        raise BadArgument("time must be HH:MM in UTC, for example 08:00.")
    return mode, f"{int(match.group(1)):02d}:{match.group(2)}"


def parse_language(text: str | None) -> str:
    lang = (text or "").strip().lower()
    if lang not in LANGUAGES:
        raise BadArgument("language must be en or fr.")
    return lang


def parse_command(line: str) -> Command:
    """Parse one line like `/watch Scale AI` or `/deals Meta 7`."""
    text = (line or "").strip()
    if not text.startswith("/"):
        raise BadArgument("Commands start with /, for example /watch Meta. Try /help.")
    name, _, rest = text[1:].partition(" ")
    name, rest = name.lower(), rest.strip()
    if name not in COMMANDS:
        raise BadArgument(f"Unknown command /{name[:30]}. Try /help.")
    if name in ("watch", "unwatch"):
        return Command(name, {"entity": clean_entity(rest)})
    if name in ("watchlist", "help"):
        return Command(name)
    if name == "deals":
        words = rest.split()
        days = None
        if words and re.fullmatch(r"\d+d?", words[-1]):
            days = words.pop()
        entity = clean_entity(" ".join(words)) if words else None
        return Command(name, {"entity": entity, "days": parse_days(days)})
    if name == "feeds":
        action, _, arg = rest.partition(" ")
        action = action.lower() or "list"
        if action == "list":
            return Command(name, {"action": "list"})
        if action in ("add", "remove"):
            return Command(name, {"action": action, "url": parse_url_arg(arg)})
        raise BadArgument("Use /feeds add URL, /feeds remove URL or /feeds list.")
    if name == "digest":
        words = rest.split()
        mode, time = parse_digest(words[0] if words else None, words[1] if len(words) > 1 else None)
        return Command(name, {"mode": mode, "time": time})
    return Command(name, {"lang": parse_language(rest)})
