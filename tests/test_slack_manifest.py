"""The Slack app manifest declares exactly the commands the app listens to, and the scopes its
calls need. (Read with a regular expression: the project has no YAML parser and needs none.)"""

import re
from pathlib import Path

from bot.adapters.slack.commands import SLASH_COMMANDS

MANIFEST = (Path(__file__).resolve().parents[1] / "config" / "slack-manifest.yml").read_text()


def test_every_command_the_app_handles_is_declared_and_nothing_else():
    declared = re.findall(r"^\s*- command: (/\S+)\s*$", MANIFEST, re.MULTILINE)
    assert sorted(declared) == sorted(SLASH_COMMANDS)
    urls = re.findall(r"^\s*url: (\S+)\s*$", MANIFEST, re.MULTILINE)
    assert len(urls) == len(declared) and all(url.endswith("/slack/events") for url in urls)


def test_the_scopes_cover_every_web_api_call():
    bot_scopes = MANIFEST.split("    bot:\n", 1)[1].split("settings:", 1)[0]
    scopes = set(re.findall(r"^\s*- ([a-z:.]+)", bot_scopes, re.MULTILINE))
    # commands: slash commands; chat:write: chat.postMessage; users:read: users.info;
    # channels:read/groups:read: conversations.info; *:history: conversations.history.
    assert scopes == {"commands", "chat:write", "channels:read", "groups:read", "users:read",
                      "channels:history", "groups:history"}
    assert re.search(r"^\s*socket_mode_enabled: false$", MANIFEST, re.MULTILINE)
