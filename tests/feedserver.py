"""Loopback stand-ins for the network, shared by every test that fetches.

- `FeedServer`: a real aiohttp server on 127.0.0.1 (port 0) whose routes each test programs
  with `Reply` objects: status, headers, body, delay, trickle, redirect, gzip/deflate,
  ETag/Last-Modified handling, a gate to hold responses, a dropped connection. It keeps a log
  of requests and the peak number of requests in flight.
- `ConnectionRecorder`: a raw TCP listener on 127.0.0.1 and ::1 (same port) that only counts
  accepted sockets, to prove a refused URL never opened a connection.
- `StaticResolver`: an aiohttp resolver mapping made-up names ("feeds.test") to addresses, so
  no test ever asks real DNS.
- `NetworkGuard`: patches the running loop so any connect or DNS lookup to something that is
  not loopback fails the test instead of leaving the machine.

Fixtures (import them into a test module to use them): `feed_server`, `connection_recorder`,
`network_guard`, `loopback_resolver`.

    from tests.feedserver import Reply, feed_server, network_guard  # noqa: F401 (fixtures)

    async def test_something(feed_server, network_guard):
        feed_server.route("/feed.xml", Reply(body=RSS, etag='"v1"'))
        url = feed_server.url("/feed.xml")
"""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import socket
import zlib
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

LOOPBACK = "127.0.0.1"
REDIRECT_STATUSES = (301, 302, 303, 307, 308)


@dataclass
class Reply:
    """How the server answers one request on a route."""

    status: int = 200
    body: bytes | str = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str = "application/rss+xml"
    delay: float = 0.0  # seconds to wait before answering
    trickle: float | None = None  # seconds between body chunks (streams the body, chunked)
    chunk_size: int = 1024
    chunked: bool = False  # stream without Content-Length
    gzip: bool = False  # gzip the body and say so in Content-Encoding
    deflate: bool = False  # zlib-deflate the body and say so in Content-Encoding
    redirect: str | None = None  # Location (absolute or relative); status becomes 302 if 200
    etag: str | None = None  # sent as ETag; a matching If-None-Match gets 304
    last_modified: str | None = None  # sent as Last-Modified; an equal If-Modified-Since gets 304
    gate: asyncio.Event | None = None  # hold the answer until the test sets this event
    drop: bool = False  # close the connection without any answer

    def body_bytes(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


Handler = Callable[[web.Request], "Reply"]


@dataclass(frozen=True)
class SeenRequest:
    method: str
    path: str
    path_qs: str
    host: str  # Host header without the port
    headers: Mapping[str, str]


class FeedServer:
    """Programmable aiohttp server on loopback; see the module docstring."""

    def __init__(self, host: str = LOOPBACK) -> None:
        self.host = host
        self.port = 0
        self.requests: list[SeenRequest] = []
        self.in_flight = 0
        self.peak_in_flight = 0
        self.peak_in_flight_by_host: Counter[str] = Counter()
        self._in_flight_by_host: Counter[str] = Counter()
        self._routes: dict[str, list[Reply] | Handler] = {}
        self._runner: web.AppRunner | None = None

    # -- programming -------------------------------------------------------------------------
    def route(self, path: str, *replies: Reply) -> None:
        """Serve these replies in turn on `path`; the last one repeats. Replaces earlier ones."""
        if not replies:
            raise ValueError("give at least one Reply")
        self._routes[path] = list(replies)

    def route_handler(self, path: str, handler: Handler) -> None:
        """Answer `path` with whatever `handler(request)` returns (a Reply)."""
        self._routes[path] = handler

    def url(self, path: str = "/", host: str | None = None) -> str:
        """Absolute URL on this server; `host` lets tests use names a test resolver maps here."""
        return f"http://{host or self.host}:{self.port}{path}"

    def requests_to(self, path: str) -> list[SeenRequest]:
        return [r for r in self.requests if r.path == path]

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> FeedServer:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # handler_cancellation: a client that gives up (timeout tests) ends the handler, so a
        # slow route does not hold up the server's shutdown.
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        sockets = site._server.sockets  # type: ignore[union-attr]  # port 0: ask what we got
        self.port = sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FeedServer:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- serving -----------------------------------------------------------------------------
    def _next_reply(self, request: web.Request) -> Reply:
        programmed = self._routes.get(request.path)
        if programmed is None:
            return Reply(status=404, body=b"not found", content_type="text/plain")
        if callable(programmed):
            return programmed(request)
        return programmed.pop(0) if len(programmed) > 1 else programmed[0]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        host = (request.host or "").rsplit(":", 1)[0]
        self.requests.append(
            SeenRequest(request.method, request.path, request.path_qs, host, dict(request.headers))
        )
        reply = self._next_reply(request)
        self.in_flight += 1
        self._in_flight_by_host[host] += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        self.peak_in_flight_by_host[host] = max(
            self.peak_in_flight_by_host[host], self._in_flight_by_host[host]
        )
        try:
            if reply.gate is not None:
                await reply.gate.wait()
            if reply.delay:
                await asyncio.sleep(reply.delay)
            return await self._respond(request, reply)
        finally:
            self.in_flight -= 1
            self._in_flight_by_host[host] -= 1

    @staticmethod
    def _is_not_modified(request: web.Request, reply: Reply) -> bool:
        if reply.etag is not None:
            sent = [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]
            if reply.etag in sent or "*" in sent:
                return True
        if reply.last_modified is not None:
            # Exact match is enough here: clients echo the value we sent.
            return request.headers.get("If-Modified-Since") == reply.last_modified
        return False

    async def _respond(self, request: web.Request, reply: Reply) -> web.StreamResponse:
        if reply.drop:
            if request.transport is not None:
                request.transport.close()
            raise asyncio.CancelledError  # aiohttp ends the handler quietly on a closed connection
        headers = {"Content-Type": reply.content_type, **reply.headers}
        if reply.etag is not None:
            headers["ETag"] = reply.etag
        if reply.last_modified is not None:
            headers["Last-Modified"] = reply.last_modified
        if self._is_not_modified(request, reply):
            headers.pop("Content-Type", None)
            return web.Response(status=304, headers=headers)
        status = reply.status
        if reply.redirect is not None:
            headers["Location"] = reply.redirect
            if status not in REDIRECT_STATUSES:
                status = 302
        body = reply.body_bytes()
        if reply.gzip:
            body = gzip.compress(body, mtime=0)
            headers["Content-Encoding"] = "gzip"
        elif reply.deflate:
            body = zlib.compress(body)
            headers["Content-Encoding"] = "deflate"
        if reply.trickle is None and not reply.chunked:
            return web.Response(status=status, body=body, headers=headers)
        response = web.StreamResponse(status=status, headers=headers)
        response.enable_chunked_encoding()
        await response.prepare(request)
        for start in range(0, len(body), reply.chunk_size):
            await response.write(body[start : start + reply.chunk_size])
            if reply.trickle:
                await asyncio.sleep(reply.trickle)
        await response.write_eof()
        return response


class ConnectionRecorder:
    """Counts TCP connections accepted on 127.0.0.1 and [::1] (one port), then hangs up."""

    def __init__(self) -> None:
        self.port = 0
        self.accepted = 0
        self._servers: list[asyncio.AbstractServer] = []

    def _on_connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        writer.close()

    async def start(self) -> ConnectionRecorder:
        first = await asyncio.start_server(self._on_connect, LOOPBACK, 0)
        self._servers.append(first)
        self.port = first.sockets[0].getsockname()[1]
        try:  # the same port on ::1, so "[::1]" and "[::ffff:127.0.0.1]" leaks are seen too
            self._servers.append(
                await asyncio.start_server(self._on_connect, "::1", self.port, family=socket.AF_INET6)
            )
        except OSError:
            pass  # no IPv6 loopback here; IPv4 leaks are still recorded
        return self

    async def stop(self) -> None:
        for server in self._servers:
            server.close()
            await server.wait_closed()
        self._servers.clear()


class StaticResolver(AbstractResolver):
    """Resolves only the names it is given; any other name fails like an unknown host."""

    def __init__(self, names: Mapping[str, str | list[str]]) -> None:
        self.names = {k.lower(): ([v] if isinstance(v, str) else list(v)) for k, v in names.items()}
        self.lookups: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.lookups.append(host)
        addresses = self.names.get(host.lower().rstrip("."))
        if not addresses:
            raise OSError(socket.EAI_NONAME, f"{host} is not a test name")
        return [
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": socket.AF_INET6 if ":" in address else socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
            for address in addresses
        ]

    async def close(self) -> None:
        return None


def _is_loopback(address: object) -> bool:
    try:
        return ipaddress.ip_address(str(address).split("%", 1)[0]).is_loopback
    except ValueError:
        return False


class NetworkGuard:
    """Makes the running loop refuse (and remember) any non-loopback connect or DNS lookup.

    Independent of the code under test: even if the fetcher's own checks were broken, a test
    cannot send a packet to 10.0.0.1 or 169.254.169.254; the attempt is recorded and the
    fixture fails the test.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.violations: list[str] = []
        self._originals: dict[str, object] = {}

    def _violation(self, what: str) -> OSError:
        self.violations.append(what)
        return ConnectionRefusedError(f"network guard: {what} is not loopback")

    def install(self) -> None:
        loop = self.loop
        sock_connect = loop.sock_connect
        create_connection = loop.create_connection
        getaddrinfo = loop.getaddrinfo

        async def guarded_sock_connect(sock, address):  # type: ignore[no-untyped-def]
            if not _is_loopback(address[0]):
                raise self._violation(f"connect to {address[0]}")
            return await sock_connect(sock, address)

        async def guarded_create_connection(*args, **kwargs):  # type: ignore[no-untyped-def]
            host = kwargs.get("host", args[1] if len(args) > 1 else None)
            if host is not None and not _is_loopback(host) and host != "localhost":
                raise self._violation(f"create_connection to {host}")
            sock = kwargs.get("sock")
            if sock is not None:
                peer = sock.getpeername()
                if not _is_loopback(peer[0]):
                    raise self._violation(f"connected socket to {peer[0]}")
            return await create_connection(*args, **kwargs)

        async def guarded_getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
            if host not in (None, "localhost") and not _is_loopback(host):
                raise self._violation(f"DNS lookup of {host}")
            return await getaddrinfo(host, *args, **kwargs)

        self._originals = {
            "sock_connect": sock_connect,
            "create_connection": create_connection,
            "getaddrinfo": getaddrinfo,
        }
        loop.sock_connect = guarded_sock_connect  # type: ignore[method-assign]
        loop.create_connection = guarded_create_connection  # type: ignore[method-assign]
        loop.getaddrinfo = guarded_getaddrinfo  # type: ignore[method-assign]

    def uninstall(self) -> None:
        for name in self._originals:
            try:
                delattr(self.loop, name)  # drop the instance attribute, back to the class method
            except AttributeError:
                pass
        self._originals.clear()


@pytest.fixture
async def feed_server():
    server = FeedServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def connection_recorder():
    recorder = ConnectionRecorder()
    await recorder.start()
    try:
        yield recorder
    finally:
        await recorder.stop()


@pytest.fixture
async def network_guard():
    guard = NetworkGuard(asyncio.get_running_loop())
    guard.install()
    try:
        yield guard
    finally:
        guard.uninstall()
    assert not guard.violations, f"non-loopback network attempted: {guard.violations}"


@pytest.fixture
def loopback_resolver() -> StaticResolver:
    """feeds.test, other.test, loopback.test and localhost all map to 127.0.0.1."""
    return StaticResolver(
        {
            "feeds.test": LOOPBACK,
            "other.test": LOOPBACK,
            "loopback.test": LOOPBACK,
            "localhost": LOOPBACK,
        }
    )
