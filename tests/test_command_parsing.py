import pytest

from bot.core.commands import Command, parse_command
from bot.core.errors import BadArgument


@pytest.mark.parametrize(
    "line, expected",
    [
        ("/watch Meta", Command("watch", {"entity": "Meta"})),
        ("/watch   Scale   AI ", Command("watch", {"entity": "Scale AI"})),
        ("/WATCH agi", Command("watch", {"entity": "agi"})),
        ("/unwatch Hugging Face", Command("unwatch", {"entity": "Hugging Face"})),
        ("/watchlist", Command("watchlist")),
        ("/deals", Command("deals", {"entity": None, "days": 30})),
        ("/deals 7", Command("deals", {"entity": None, "days": 7})),
        ("/deals Scale AI 90", Command("deals", {"entity": "Scale AI", "days": 90})),
        ("/deals Meta", Command("deals", {"entity": "Meta", "days": 30})),
        ("/feeds", Command("feeds", {"action": "list"})),
        ("/feeds add https://example.com/feed", Command("feeds", {"action": "add", "url": "https://example.com/feed"})),
        ("/feeds remove <https://example.com/feed>", Command("feeds", {"action": "remove", "url": "https://example.com/feed"})),
        ("/digest hourly", Command("digest", {"mode": "hourly", "time": None})),
        ("/digest daily 7:30", Command("digest", {"mode": "daily", "time": "07:30"})),
        ("/digest daily", Command("digest", {"mode": "daily", "time": "08:00"})),
        ("/language fr", Command("language", {"lang": "fr"})),
        ("/help", Command("help")),
    ],
)
def test_commands_parse(line, expected):
    assert parse_command(line) == expected


@pytest.mark.parametrize(
    "line, message",
    [
        ("watch Meta", "start with /"),
        ("/frobnicate", "Unknown command"),
        ("/watch", "Say which"),
        ("/watch \u200b\u202e", "Say which"),
        ("/watch ???", "letter or digit"),
        ("/watch " + "x" * 101, "too long"),
        ("/deals Meta 0", "between 1 and"),
        ("/deals Meta 99999", "between 1 and"),
        ("/feeds add", "feed's address"),
        ("/feeds add http://a b", "single feed address"),
        ("/feeds purge", "Use /feeds"),
        ("/digest weekly", "instant, hourly or daily"),
        ("/digest daily 25:00", "HH:MM"),
        ("/digest hourly 08:00", "only goes with daily"),
        ("/language klingon", "en or fr"),
    ],
)
def test_wrong_arguments_get_one_clear_sentence(line, message):
    with pytest.raises(BadArgument, match=message):
        parse_command(line)
