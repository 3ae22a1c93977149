from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, parse_settings, warn_about


def test_defaults_leave_platforms_off():
    settings = parse_settings({})
    assert settings.db_path == Path("data/newsbot.db")
    assert settings.feeds_file == Path("config/feeds.toml")
    assert settings.poll_interval == 300
    assert settings.allow_private_urls is False
    assert not settings.discord_enabled and not settings.slack_enabled
    assert settings.slack_port == 3000
    assert settings.workers is None  # one worker process per core, decided at start
    assert parse_settings({"NEWSBOT_WORKERS": "  "}).workers is None  # a blank line in .env is unset


def test_values_are_parsed_and_typed():
    settings = parse_settings({
        "NEWSBOT_DB": "/tmp/x.db", "NEWSBOT_POLL_INTERVAL": "45", "NEWSBOT_ALLOW_PRIVATE_URLS": "1",
        "DISCORD_TOKEN": "abc", "DISCORD_API_BASE": "http://127.0.0.1:9999/api/", "SLACK_PORT": "3100",
        "NEWSBOT_WORKERS": "0",
    })
    assert settings.workers == 0
    assert settings.db_path == Path("/tmp/x.db")
    assert settings.poll_interval == 45
    assert settings.allow_private_urls is True
    assert settings.discord_enabled
    assert settings.discord_api_base == "http://127.0.0.1:9999/api"
    assert settings.slack_port == 3100


@pytest.mark.parametrize(
    "env, named",
    [
        ({"NEWSBOT_POLL_INTERVAL": "0"}, "NEWSBOT_POLL_INTERVAL"),
        ({"NEWSBOT_POLL_INTERVAL": "five"}, "NEWSBOT_POLL_INTERVAL"),
        ({"NEWSBOT_ALLOW_PRIVATE_URLS": "maybe"}, "NEWSBOT_ALLOW_PRIVATE_URLS"),
        ({"SLACK_PORT": "70000"}, "SLACK_PORT"),
        ({"DISCORD_API_BASE": "ftp://x"}, "DISCORD_API_BASE"),
        ({"SLACK_API_URL": "not a url"}, "SLACK_API_URL"),
        ({"NEWSBOT_LOG_LEVEL": "loud"}, "NEWSBOT_LOG_LEVEL"),
        ({"NEWSBOT_WORKERS": "-1"}, "NEWSBOT_WORKERS"),
        ({"NEWSBOT_WORKERS": "many"}, "NEWSBOT_WORKERS"),
    ],
)
def test_a_bad_value_names_the_setting(env, named):
    with pytest.raises(SettingsError, match=named):
        parse_settings(env)


def test_short_interval_is_accepted_with_a_politeness_warning():
    settings = parse_settings({"NEWSBOT_POLL_INTERVAL": "5"})
    assert settings.poll_interval == 5
    assert any("NEWSBOT_POLL_INTERVAL" in w for w in warn_about(settings))
    assert warn_about(parse_settings({})) == []


def test_secrets_never_show_in_repr():
    settings = Settings(discord_token="very-secret-token", slack_signing_secret="s3cr3t")
    assert "very-secret-token" not in repr(settings)
    assert "s3cr3t" not in repr(settings)
