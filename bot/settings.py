"""Settings, parsed once at the edge into a typed object.

`load_settings()` is the only place in the project that reads the environment; everything else
receives a `Settings`. A bad value raises `SettingsError` whose message names the setting, so
start-up can stop with one clear line.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

POLITE_MIN_INTERVAL = 60  # seconds; below this we still run, but say it is impolite


class SettingsError(ValueError):
    """A setting has a value we cannot use. The message names the setting."""


@dataclass(frozen=True)
class Settings:
    db_path: Path = Path("data/newsbot.db")
    feeds_file: Path = Path("config/feeds.toml")
    entities_file: Path = Path("config/entities.toml")
    poll_interval: int = 300
    allow_private_urls: bool = False
    discord_token: str | None = None
    discord_api_base: str | None = None
    discord_guild_id: int | None = None
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str | None = None
    slack_port: int = 3000
    log_level: str = "INFO"
    workers: int | None = None  # processes for parsing and analysis; None: one per core

    @property
    def discord_enabled(self) -> bool:
        return bool(self.discord_token)

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token)

    def __repr__(self) -> str:  # never print secrets, even in a traceback
        hidden = {"discord_token", "slack_bot_token", "slack_signing_secret", "slack_app_token"}
        parts = []
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if name in hidden and value:
                value = "***"
            parts.append(f"{name}={value!r}")
        return f"Settings({', '.join(parts)})"


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _text(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise SettingsError(f"{name} must be 1 or 0 (got {raw!r})")


def _int(env: Mapping[str, str], name: str, default: int, *, minimum: int, maximum: int) -> int:
    raw = _text(env, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number (got {raw!r})") from None
    if not minimum <= value <= maximum:
        raise SettingsError(f"{name} must be between {minimum} and {maximum} (got {value})")
    return value


def _optional_int(env: Mapping[str, str], name: str, *, minimum: int, maximum: int) -> int | None:
    """Like `_int`, with None when the variable is unset or blank (the caller picks a default)."""
    if _text(env, name) is None:
        return None
    return _int(env, name, 0, minimum=minimum, maximum=maximum)


def _http_url(env: Mapping[str, str], name: str) -> str | None:
    raw = _text(env, name)
    if raw is None:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"{name} must be an http(s) URL (got {raw!r})")
    return raw.rstrip("/")


def _snowflake(env: Mapping[str, str], name: str) -> int | None:
    raw = _text(env, name)
    if raw is None:
        return None
    if not raw.isdigit() or not 0 < int(raw) < 2**64:
        raise SettingsError(f"{name} must be a Discord id, a number like 1234567890123456789 (got {raw!r})")
    return int(raw)


def _path(env: Mapping[str, str], name: str, default: Path) -> Path:
    raw = _text(env, name)
    return Path(raw).expanduser() if raw else default


def parse_settings(env: Mapping[str, str]) -> Settings:
    """Pure: turn an environment mapping into Settings, or raise SettingsError."""
    level = (_text(env, "NEWSBOT_LOG_LEVEL") or "INFO").upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise SettingsError(f"NEWSBOT_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR (got {level!r})")
    return Settings(
        db_path=_path(env, "NEWSBOT_DB", Settings.db_path),
        feeds_file=_path(env, "NEWSBOT_FEEDS_FILE", Settings.feeds_file),
        entities_file=_path(env, "NEWSBOT_ENTITIES_FILE", Settings.entities_file),
        poll_interval=_int(env, "NEWSBOT_POLL_INTERVAL", 300, minimum=1, maximum=7 * 86400),
        allow_private_urls=_flag(env, "NEWSBOT_ALLOW_PRIVATE_URLS"),
        discord_token=_text(env, "DISCORD_TOKEN"),
        discord_api_base=_http_url(env, "DISCORD_API_BASE"),
        discord_guild_id=_snowflake(env, "DISCORD_GUILD_ID"),
        slack_bot_token=_text(env, "SLACK_BOT_TOKEN"),
        slack_signing_secret=_text(env, "SLACK_SIGNING_SECRET"),
        slack_app_token=_text(env, "SLACK_APP_TOKEN"),
        slack_api_url=_http_url(env, "SLACK_API_URL"),
        slack_port=_int(env, "SLACK_PORT", 3000, minimum=1, maximum=65535),
        log_level=level,
        workers=_optional_int(env, "NEWSBOT_WORKERS", minimum=0, maximum=64),
    )


def warn_about(settings: Settings) -> list[str]:
    """Settings that are legal but worth a warning at start-up."""
    warnings = []
    if settings.poll_interval < POLITE_MIN_INTERVAL:
        warnings.append(
            f"NEWSBOT_POLL_INTERVAL={settings.poll_interval}s is below {POLITE_MIN_INTERVAL}s: "
            "feed servers may rate-limit or ban the bot"
        )
    if settings.slack_bot_token and not (settings.slack_signing_secret or settings.slack_app_token):
        warnings.append("SLACK_BOT_TOKEN is set without SLACK_SIGNING_SECRET or SLACK_APP_TOKEN")
    return warnings


def load_settings(env_file: str | Path | None = ".env") -> Settings:
    """Read `.env` (if present) into the process environment, then parse the environment."""
    import os

    from dotenv import load_dotenv

    if env_file is not None and Path(env_file).is_file():
        load_dotenv(env_file, override=False)
    return parse_settings(os.environ)
