"""The operator's feed list (`config/feeds.toml`): one [[feed]] table per feed."""

from __future__ import annotations

import tomllib
from pathlib import Path

from bot.services.records import FeedSpec

LANGS = {"en", "fr", "de", "es", "it", "pt", "nl"}


class FeedListError(ValueError):
    pass


def parse_feed_list(text: str, origin: str = "feeds.toml") -> list[FeedSpec]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FeedListError(f"{origin}: not valid TOML: {exc}") from None
    tables = data.get("feed", [])
    if not isinstance(tables, list):
        raise FeedListError(f"{origin}: expected [[feed]] tables")
    specs, seen = [], set()
    for number, table in enumerate(tables, start=1):
        url = table.get("url") if isinstance(table, dict) else None
        if not isinstance(url, str) or not url.strip():
            raise FeedListError(f"{origin}: feed #{number} has no url")
        url = url.strip()
        lang = table.get("lang")
        if lang is not None and lang not in LANGS:
            raise FeedListError(f"{origin}: feed #{number} ({url}) has an unknown lang {lang!r}")
        if url in seen:
            continue
        seen.add(url)
        specs.append(FeedSpec(url=url, name=table.get("name"), lang=lang))
    return specs


def read_feed_list(path: Path) -> list[FeedSpec]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FeedListError(f"NEWSBOT_FEEDS_FILE: cannot read {path}: {exc.strerror or exc}") from None
    return parse_feed_list(text, str(path))
