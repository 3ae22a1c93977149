"""Feeds read from local files, for the operator's own feed list, `newsbot scan` and the demo.

Only sources the operator controls reach this fetcher (feeds.toml, the command line): a chat
user's `/feeds add` accepts http(s) URLs only, so nobody can make the bot read its own disk.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bot.adapters.http_fetch import FetchResult, failed_fetch

MAX_FILE_BYTES = 10 * 1024 * 1024


def local_path(source: str) -> Path | None:
    """The file a source names, if it names one: `file:///x.xml` or a plain path."""
    parts = urlsplit(source)
    if parts.scheme == "file":
        return Path(unquote(parts.path))
    if parts.scheme in ("", ) or (len(parts.scheme) == 1 and source[1:3] in (":\\", ":/")):
        return Path(source)
    return None


def _read(path: Path) -> FetchResult:
    url = path.as_uri() if path.is_absolute() else str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return failed_fetch(url, f"{path} is {size} bytes, over the {MAX_FILE_BYTES} byte cap")
        body = path.read_bytes()
    except OSError as exc:
        return failed_fetch(url, f"cannot read {path}: {exc.strerror or exc}")
    return FetchResult(url=url, status=200, body=body, etag=None, last_modified=None,
                       headers={}, retry_after=None, max_age=None, error=None)


class SourceFetcher:
    """Routes local paths to the disk and everything else to the HTTP fetcher."""

    def __init__(self, http) -> None:
        self.http = http

    async def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None):
        path = local_path(url)
        if path is not None:
            return await asyncio.to_thread(_read, path)
        return await self.http.fetch(url, etag, last_modified)

    async def close(self) -> None:
        await self.http.close()
