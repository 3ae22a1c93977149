"""Fetch feed bytes over HTTP(S): polite, bounded and refusing private networks.

What a caller gets is always a `FetchResult`; network trouble, HTTP errors and refusals are
data, not exceptions, so one broken feed never takes a poll cycle down with it.

Three layers keep a URL from reaching a non-public address (see bot.core.netsafety for which
addresses count), because any single one can be bypassed:

1. Before each hop (the first request and every redirect), the URL is judged twice: as written
   (urllib's reading) and as yarl/aiohttp will actually use it (after IDNA mapping, which turns
   full-width "１２７.０.０.１" into 127.0.0.1). This catches literal IPs in any spelling -
   aiohttp connects to literals without asking the resolver.
2. The resolver wrapper drops non-public answers for host names, so `evil.example -> 10.0.0.1`
   and DNS names of loopback are refused. Names in `private_hosts` skip this on purpose.
3. The socket factory, which sees the exact address aiohttp is about to connect to, refuses a
   non-public one unless the current hop was allowed private addresses. This is the check on
   "the address actually connected to", so a bug in 1 or 2 still cannot open the socket.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import socket
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any
from urllib.parse import urljoin

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from bot.core.http_policy import parse_max_age, parse_retry_after
from bot.core.netsafety import (
    address_problem,
    check_url,
    normalize_host,
    parse_ip_literal,
    refusal_for_address,
)

log = logging.getLogger(__name__)

DEFAULT_USER_AGENT = "newsbot/0.1 (+https://github.com/newsbot/newsbot)"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_AFTER_STATUSES = frozenset({429, 503})
ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
_READ_CHUNK = 64 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_EMPTY_HEADERS: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True)
class FetchResult:
    url: str  # final URL after redirects (the failing hop's URL on failure)
    status: int | None  # None when no HTTP response (network error, refusal)
    body: bytes | None  # None for 304 and errors
    etag: str | None
    last_modified: str | None
    headers: Mapping[str, str]  # final response headers, lower-case keys
    retry_after: float | None  # seconds, from Retry-After on 429/503
    max_age: int | None  # Cache-Control max-age of the final response
    error: str | None  # one human sentence when the fetch failed
    not_modified: bool = False
    refused: bool = False  # SSRF refusal: a configuration problem, never retried as an outage

    @property
    def ok(self) -> bool:
        """True when there is fresh content or the server confirmed ours is current."""
        return self.error is None


def failed_fetch(url: str, error: str, *, refused: bool = False) -> FetchResult:
    """A FetchResult for a fetch that got no usable answer."""
    return FetchResult(
        url=url,
        status=None,
        body=None,
        etag=None,
        last_modified=None,
        headers=_EMPTY_HEADERS,
        retry_after=None,
        max_age=None,
        error=error,
        refused=refused,
    )


class AddressRefused(OSError):
    """Raised inside aiohttp's connect path when an address is not allowed.

    An OSError so aiohttp wraps it like any connect failure instead of crashing; `fetch`
    digs it back out to report a refusal rather than an outage.
    """


@dataclass
class _HopPermission:
    """Whether the hop running in this task may connect to non-public addresses."""

    allow_private: bool
    refusal: str | None = None


# The socket factory is a plain callback with no request in sight; the hop's permission
# reaches it through the task's context (aiohttp connects inside the requesting task, and
# happy-eyeballs subtasks copy the context).
_current_hop: contextvars.ContextVar[_HopPermission | None] = contextvars.ContextVar(
    "newsbot_fetch_hop", default=None
)


def _guarded_socket(addr_info: tuple[Any, ...]) -> socket.socket:
    """aiohttp socket_factory: open a socket only for an address this hop may reach."""
    family, type_, proto, _canonname, sockaddr = addr_info
    hop = _current_hop.get()
    if hop is None or not hop.allow_private:  # no hop context: fail closed
        address = str(sockaddr[0])
        ip = parse_ip_literal(address)
        problem = "not an IP address" if ip is None else address_problem(ip)
        if problem:
            reason = f"refused: connecting to {address}, {problem}"
            if hop is not None:
                hop.refusal = reason
            raise AddressRefused(reason)
    return socket.socket(family=family, type=type_, proto=proto)


def _host_key(host: str | None) -> str:
    return normalize_host(host or "").rstrip(".")


class PublicOnlyResolver(AbstractResolver):
    """Wraps a resolver and keeps only public answers, except for operator-allowed names."""

    def __init__(
        self, inner: AbstractResolver, *, allow_private: bool, private_hosts: frozenset[str]
    ) -> None:
        self._inner = inner
        self._allow_private = allow_private
        self._private_hosts = private_hosts

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        answers = await self._inner.resolve(host, port, family)
        if self._allow_private or _host_key(host) in self._private_hosts:
            return answers
        public = []
        first_refusal = None
        for answer in answers:
            reason = refusal_for_address(host, answer["host"])
            if reason is None:
                public.append(answer)
            elif first_refusal is None:
                first_refusal = reason
        if not public:
            if first_refusal is None:
                raise OSError(f"{host} has no address")
            raise AddressRefused(first_refusal)
        return public

    async def close(self) -> None:
        await self._inner.close()


class BodyTooLarge(Exception):
    """The body (on the wire or decoded) passed the size cap."""


class _BadEncoding(Exception):
    pass


class CappedBody:
    """Collects a response body, decoding gzip/deflate, and stops the moment it passes the cap.

    The cap applies to the decoded bytes and to the bytes on the wire: a gzip bomb (kilobytes
    that inflate to gigabytes) is inflated at most cap+1 bytes, never fully.
    """

    def __init__(self, content_encoding: str | None, cap: int) -> None:
        encoding = (content_encoding or "identity").strip().lower()
        if encoding in ("gzip", "x-gzip"):
            self._kind = "gzip"
        elif encoding == "deflate":
            self._kind = "deflate"
        elif encoding in ("identity", ""):
            self._kind = "identity"
        else:
            raise _BadEncoding(f"unsupported Content-Encoding {content_encoding!r}")
        self._cap = cap
        self._wire_bytes = 0
        self._size = 0
        self._parts: list[bytes] = []
        self._inflater: Any = None
        self._pending = b""  # deflate: bytes held until the zlib header can be sniffed
        self._stream_open = False  # a compressed stream started and has not reached its end
        self._ended_once = False  # at least one compressed stream reached its end

    def feed(self, chunk: bytes) -> None:
        self._wire_bytes += len(chunk)
        if self._wire_bytes > self._cap:
            raise BodyTooLarge
        if self._kind == "identity":
            self._keep(chunk)
        else:
            self._inflate(chunk)

    @property
    def decoded_size(self) -> int:
        """Decoded bytes produced so far (at most cap + 1)."""
        return self._size

    def finish(self) -> bytes:
        if self._stream_open or (self._pending and not self._ended_once):
            raise _BadEncoding(f"the {self._kind} body was cut short")
        return b"".join(self._parts)

    def _keep(self, data: bytes) -> None:
        self._size += len(data)
        if self._size > self._cap:
            raise BodyTooLarge
        if data:
            self._parts.append(data)

    def _new_inflater(self, data: bytes) -> Any:
        if self._kind == "gzip":
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        # "deflate" should be zlib-wrapped (RFC 9110) but some servers send raw deflate;
        # a zlib stream starts with a header whose first 16 bits are a multiple of 31.
        wrapped = (data[0] & 0x0F) == 8 and ((data[0] << 8) | data[1]) % 31 == 0
        return zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)

    def _inflate(self, data: bytes) -> None:
        if self._pending:
            data, self._pending = self._pending + data, b""
        while data:
            if self._inflater is None:
                if len(data) < 2:  # too short to sniff a zlib header or the gzip magic yet
                    self._pending = data
                    return
                if self._ended_once and (self._kind == "deflate" or not data.startswith(_GZIP_MAGIC)):
                    return  # trailing bytes after the last stream are ignored, as browsers do
                self._inflater = self._new_inflater(data)
                self._stream_open = True
            try:
                # Ask for at most one byte past the cap: enough to know it is too large.
                out = self._inflater.decompress(data, self._cap - self._size + 1)
            except zlib.error as exc:
                raise _BadEncoding(f"could not decode the {self._kind} body ({exc})") from exc
            self._keep(out)
            if self._inflater.eof:
                data = self._inflater.unused_data  # a further gzip member may follow
                self._inflater = None
                self._stream_open = False
                self._ended_once = True
            else:
                tail = self._inflater.unconsumed_tail
                if tail == data and not out:
                    raise _BadEncoding(f"the {self._kind} body does not decode")
                data = tail


@dataclass(frozen=True)
class _Redirect:
    location: str
    status: int


@dataclass
class _Deadline:
    """Time budget for one fetch; time spent queued for a host slot does not count."""

    total: float
    spent: float = 0.0

    @property
    def remaining(self) -> float:
        return max(0.0, self.total - self.spent)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _merged_headers(headers: Any) -> Mapping[str, str]:
    """Lower-case keys; repeated fields joined with ", " as HTTP allows."""
    merged: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        merged[key] = f"{merged[key]}, {value}" if key in merged else value
    return MappingProxyType(merged)


def _refusal_inside(exc: BaseException) -> str | None:
    """The AddressRefused message buried in an aiohttp connector error, if there is one."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, AddressRefused):
            return str(current)
        pending.append(getattr(current, "os_error", None))
        pending.append(current.__cause__)
        pending.append(current.__context__)
        if isinstance(current, ExceptionGroup):
            pending.extend(current.exceptions)
    return None


def _describe_client_error(exc: BaseException, url: str) -> str:
    host = URL(url).host if url else None
    where = host or url
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return f"could not resolve {where}: {exc.os_error}"
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return f"TLS certificate of {where} was not accepted: {exc.certificate_error}"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return f"could not connect to {where}: {exc.os_error.strerror or exc.os_error}"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return f"{where} closed the connection before answering"
    if isinstance(exc, aiohttp.InvalidURL):
        return f"invalid URL {url!r}"
    if isinstance(exc, TimeoutError):
        return f"connecting to {where} timed out"
    return f"request to {where} failed: {exc or type(exc).__name__}"


class Fetcher:
    """One shared HTTP client for all feeds. Use as `async with Fetcher() as f:`.

    `allow_private` lifts the address checks for everything (NEWSBOT_ALLOW_PRIVATE_URLS=1);
    `private_hosts` lifts them only for those host names resolving privately, not for literal
    addresses nor for other names a redirect leads to. `resolver` replaces DNS (tests map
    names to 127.0.0.1); the public-only filter always wraps it. `now` is the wall clock used
    to read HTTP-date Retry-After values.
    """

    def __init__(
        self,
        *,
        allow_private: bool = False,
        private_hosts: frozenset[str] = frozenset(),
        user_agent: str = DEFAULT_USER_AGENT,
        connect_timeout: float = 10.0,
        total_timeout: float = 30.0,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_redirects: int = 5,
        per_host: int = 2,
        max_connections: int = 64,
        resolver: AbstractResolver | None = None,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.allow_private = allow_private
        self.private_hosts = frozenset(_host_key(h) for h in private_hosts)
        self.user_agent = user_agent
        self.connect_timeout = connect_timeout
        self.total_timeout = total_timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.per_host = per_host
        self.max_connections = max_connections
        self._inner_resolver = resolver
        self._now = now
        self._session: aiohttp.ClientSession | None = None
        self._resolver: PublicOnlyResolver | None = None
        self._host_slots: dict[str, asyncio.Semaphore] = {}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._resolver is not None:
            await self._resolver.close()
            self._resolver = None

    def _get_session(self) -> aiohttp.ClientSession:
        # Created lazily: aiohttp sessions must be made inside the running loop.
        if self._session is None:
            self._resolver = PublicOnlyResolver(
                self._inner_resolver or aiohttp.DefaultResolver(),
                allow_private=self.allow_private,
                private_hosts=self.private_hosts,
            )
            connector = aiohttp.TCPConnector(
                limit=self.max_connections,
                limit_per_host=self.per_host,
                resolver=self._resolver,
                socket_factory=_guarded_socket,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),  # feeds must not track us between polls
                auto_decompress=False,  # we inflate ourselves, under the size cap
                trust_env=False,  # no proxy from the environment: it would bypass the checks
                headers={
                    "User-Agent": self.user_agent,
                    "Accept": ACCEPT,
                    "Accept-Encoding": "gzip, deflate",
                },
                timeout=aiohttp.ClientTimeout(
                    total=None, connect=self.connect_timeout, sock_connect=self.connect_timeout
                ),
            )
        return self._session

    def _host_slot(self, host: str) -> asyncio.Semaphore:
        slot = self._host_slots.get(host)
        if slot is None:
            slot = self._host_slots[host] = asyncio.Semaphore(self.per_host)
        return slot

    def _judge_hop(self, url: str) -> tuple[str | None, str, bool]:
        """(refusal or None, host key, may this hop reach private addresses?) for one URL."""
        try:
            parsed = URL(url)
        except (ValueError, TypeError) as exc:
            return f"refused: malformed URL ({exc})", "", False
        host = _host_key(parsed.raw_host)
        private_ok = self.allow_private or (bool(host) and host in self.private_hosts)
        # Judge the URL as written and as aiohttp will use it (after yarl's IDNA mapping).
        for candidate in (url, str(parsed)):
            reason = check_url(candidate, allow_private=private_ok)
            if reason:
                return reason, host, private_ok
        return None, host, private_ok

    async def fetch(
        self, url: str, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET `url` with conditional headers, following up to `max_redirects` redirects."""
        try:
            return await self._fetch(url, etag, last_modified)
        except Exception as exc:  # the contract is "never raises": a bug here must not stop a poll
            log.exception("unexpected error fetching %s", url)
            return failed_fetch(url, f"unexpected error: {exc!r}")

    async def _fetch(self, url: str, etag: str | None, last_modified: str | None) -> FetchResult:
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        deadline = _Deadline(self.total_timeout)
        current = url
        for hop in range(self.max_redirects + 1):
            refusal, host, private_ok = self._judge_hop(current)
            if refusal:
                log.warning("%s (%s)", refusal, current)
                return failed_fetch(current, refusal, refused=True)
            outcome = await self._timed_hop(current, host, headers, private_ok, deadline)
            if isinstance(outcome, FetchResult):
                return self._with_sent_validators(outcome, etag, last_modified)
            current = outcome.location
        return failed_fetch(current, f"too many redirects (more than {self.max_redirects})")

    @staticmethod
    def _with_sent_validators(
        result: FetchResult, etag: str | None, last_modified: str | None
    ) -> FetchResult:
        # A 304 need not repeat the validators; the caller should keep the ones it sent.
        if not result.not_modified:
            return result
        return FetchResult(
            url=result.url,
            status=result.status,
            body=None,
            etag=result.etag or etag,
            last_modified=result.last_modified or last_modified,
            headers=result.headers,
            retry_after=result.retry_after,
            max_age=result.max_age,
            error=None,
            not_modified=True,
        )

    async def _timed_hop(
        self,
        url: str,
        host: str,
        headers: dict[str, str],
        private_ok: bool,
        deadline: _Deadline,
    ) -> FetchResult | _Redirect:
        loop = asyncio.get_running_loop()
        async with self._host_slot(host):
            started = loop.time()
            try:
                async with asyncio.timeout(deadline.remaining):
                    return await self._hop(url, headers, private_ok)
            except TimeoutError:
                # Only the overall deadline lands here: _hop handles aiohttp's connect timeouts.
                return failed_fetch(url, f"timed out after {self.total_timeout:g} s")
            finally:
                deadline.spent += loop.time() - started

    async def _hop(self, url: str, headers: dict[str, str], private_ok: bool) -> FetchResult | _Redirect:
        permission = _HopPermission(allow_private=private_ok)
        token = _current_hop.set(permission)
        try:
            session = self._get_session()
            async with session.get(url, headers=headers, allow_redirects=False) as response:
                return await self._read_response(url, response)
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            refusal = _refusal_inside(exc) or permission.refusal
            if refusal:
                log.warning("%s (%s)", refusal, url)
                return failed_fetch(url, refusal, refused=True)
            return failed_fetch(url, _describe_client_error(exc, url))
        finally:
            _current_hop.reset(token)

    async def _read_response(
        self, url: str, response: aiohttp.ClientResponse
    ) -> FetchResult | _Redirect:
        status = response.status
        location = response.headers.get("Location")
        if status in REDIRECT_STATUSES and location:
            return _Redirect(urljoin(url, location.strip()), status)
        headers = _merged_headers(response.headers)
        max_age = parse_max_age(headers.get("cache-control"))
        etag = headers.get("etag")
        last_modified = headers.get("last-modified")

        def result(body: bytes | None, error: str | None, **extra: Any) -> FetchResult:
            return FetchResult(
                url=url,
                status=status,
                body=body,
                etag=etag,
                last_modified=last_modified,
                headers=headers,
                retry_after=extra.pop("retry_after", None),
                max_age=max_age,
                error=error,
                **extra,
            )

        if status == 304:
            return result(None, None, not_modified=True)
        if 200 <= status < 300:
            try:
                body = await self._read_capped(response)
            except BodyTooLarge:
                return result(None, f"response body is larger than the {self.max_bytes}-byte limit")
            except _BadEncoding as exc:
                return result(None, str(exc))
            return result(body, None)
        reason = f"HTTP {status} {response.reason or ''}".rstrip()
        if status in REDIRECT_STATUSES:
            return result(None, f"{reason} without a Location header")
        retry_after = None
        if status in RETRY_AFTER_STATUSES:
            retry_after = parse_retry_after(headers.get("retry-after"), self._now())
            if retry_after is not None:
                reason += f" (server asks to wait {retry_after:g} s)"
        return result(None, reason, retry_after=retry_after)

    async def _read_capped(self, response: aiohttp.ClientResponse) -> bytes:
        declared = response.content_length
        if declared is not None and declared > self.max_bytes:
            raise BodyTooLarge  # refused before reading a byte
        body = CappedBody(response.headers.get("Content-Encoding"), self.max_bytes)
        async for chunk in response.content.iter_chunked(_READ_CHUNK):
            body.feed(chunk)
        return body.finish()


__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_USER_AGENT",
    "AddressRefused",
    "BodyTooLarge",
    "CappedBody",
    "FetchResult",
    "Fetcher",
    "PublicOnlyResolver",
]
