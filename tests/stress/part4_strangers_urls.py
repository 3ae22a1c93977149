"""Part 4: URLs from strangers.

Every SSRF form from issue 6 (and more spellings) points at one port where a
`ConnectionRecorder` listens on 127.0.0.1 and [::1]. Each form is tried three ways:

1. typed into `/feeds add` (parse_command + ChannelCommands.run on a real store): only a
   NewsbotError may come out, and no feed may be added;
2. as the Location of a redirect from an allowed feed (feeds.test, mapped to loopback by a test
   resolver and allowed through `private_hosts`), fetched by the Fetcher;
3. the same redirecting feed given to `/feeds add`.

Zero connections may reach the recorder, and a `NetworkGuard` turns any attempt to leave
loopback (10.0.0.1, 169.254.169.254...) into a failure instead of a packet. A control case
checks the allowed feed itself is read, so "everything refused" cannot pass for safety.
The full form adds machine-made spellings of 127.0.0.1 and 169.254.169.254.
"""

from __future__ import annotations

import asyncio
import ipaddress
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bot.adapters.http_fetch import Fetcher
from bot.adapters.sqlite import Store
from bot.core.commands import parse_command
from bot.core.errors import NewsbotError
from bot.services.analyzer import Analyzer
from bot.services.commands import ChannelCommands
from tests.feedserver import ConnectionRecorder, FeedServer, NetworkGuard, Reply, StaticResolver
from tests.stress.part1_corpus import catalog
from tests.stress.summary import Summary

NOW = datetime(2025, 6, 13, 8, 0, tzinfo=UTC)
ALLOWED_HOST = "feeds.test"  # in private_hosts: the operator allowed it
SNEAKY_HOST = "sneaky.test"  # resolves to loopback too, but nobody allowed it
OK_RSS = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Allowed</title>'
          "<item><guid>ok-1</guid><title>Allowed feed works</title></item></channel></rss>")


def ssrf_forms(port: int) -> list[str]:
    """The issue's 21 forms, then other spellings seen in SSRF write-ups; all aim at `port`."""
    p = port
    return [
        f"http://127.0.0.1:{p}/feed.xml",
        f"http://localhost:{p}/feed.xml",
        f"http://2130706433:{p}/feed.xml",
        f"http://0177.0.0.1:{p}/feed.xml",
        f"http://0x7f000001:{p}/feed.xml",
        f"http://127.1:{p}/feed.xml",
        f"http://[::1]:{p}/feed.xml",
        f"http://[::ffff:127.0.0.1]:{p}/feed.xml",
        f"http://0.0.0.0:{p}/feed.xml",
        f"http://10.0.0.1:{p}/feed.xml",
        f"http://172.16.0.1:{p}/feed.xml",
        f"http://192.168.1.1:{p}/feed.xml",
        f"http://100.64.0.1:{p}/feed.xml",
        f"http://169.254.169.254:{p}/latest/meta-data/",
        f"http://[fd00::1]:{p}/feed.xml",
        f"http://[fe80::1]:{p}/feed.xml",
        f"http://[64:ff9b::a9fe:a9fe]:{p}/feed.xml",
        f"http://evil@127.0.0.1:{p}/feed.xml",
        f"http://{SNEAKY_HOST}:{p}/feed.xml",
        "file:///etc/passwd",
        f"gopher://127.0.0.1:{p}/_GET%20/",
        # beyond the list
        f"http://0:{p}/feed.xml",
        f"http://[::]:{p}/feed.xml",
        f"http://[::ffff:7f00:1]:{p}/feed.xml",
        f"http://0x7f.1:{p}/feed.xml",
        f"http://127.0.0.1.:{p}/feed.xml",
        f"HTTP://LOCALHOST:{p}/feed.xml",
        f"http://localhost.:{p}/feed.xml",
        f"http://sub.localhost:{p}/feed.xml",
        f"http://１２７.０.０.１:{p}/feed.xml",
        f"http://{ALLOWED_HOST}@127.0.0.1:{p}/feed.xml",
        f"http://{ALLOWED_HOST}:80@127.0.0.1:{p}/feed.xml",
        f"http://127.0.0.1:{p}#@{ALLOWED_HOST}/feed.xml",
        f"http://[0:0:0:0:0:ffff:127.0.0.1]:{p}/feed.xml",
        f"http://[::127.0.0.1]:{p}/feed.xml",
        f"https://127.0.0.1:{p}/feed.xml",
        f"ftp://127.0.0.1:{p}/feed.xml",
        f"http://[fc00::1]:{p}/feed.xml",
        f"http://198.18.0.1:{p}/feed.xml",
        f"http://224.0.0.1:{p}/feed.xml",
        f"http://255.255.255.255:{p}/feed.xml",
    ]


def machine_spellings(port: int) -> list[str]:
    """Decimal, hex, octal and mixed spellings of 127.0.0.1 and 169.254.169.254 (full form)."""
    urls = []
    for address in ("127.0.0.1", "169.254.169.254", "10.1.2.3", "192.168.0.1"):
        ip = ipaddress.IPv4Address(address)
        octets = ip.packed
        number = int(ip)
        spellings = {
            str(number), hex(number), "0" + oct(number)[2:],
            ".".join(hex(o) for o in octets), ".".join("0" + oct(o)[2:] for o in octets),
            f"{octets[0]}.{int.from_bytes(octets[1:], 'big')}",
            f"{octets[0]}.{octets[1]}.{int.from_bytes(octets[2:], 'big')}",
            f"{hex(octets[0])}.{octets[1]}.{oct(octets[2]).replace('0o', '0')}.{octets[3]}",
            f"[::ffff:{address}]", f"[::ffff:{number >> 16:x}:{number & 0xFFFF:x}]",
            f"[64:ff9b::{number >> 16:x}:{number & 0xFFFF:x}]", f"[2002:{number >> 16:x}:{number & 0xFFFF:x}::1]",
        }
        urls += [f"http://{s}:{port}/feed.xml" for s in sorted(spellings)]
    return urls


class Harness:
    def __init__(self, recorder: ConnectionRecorder, server: FeedServer, store: Store,
                 fetcher: Fetcher) -> None:
        self.recorder = recorder
        self.server = server
        self.store = store
        self.fetcher = fetcher
        self.commands = ChannelCommands(store, Analyzer(catalog()), fetcher, lambda: NOW)
        self.redirects = 0

    def allowed_url(self, path: str) -> str:
        return self.server.url(path, host=ALLOWED_HOST)

    def redirecting_feed(self, target: str) -> str:
        self.redirects += 1
        path = f"/hop{self.redirects}.xml"
        self.server.route(path, Reply(redirect=target))
        return self.allowed_url(path)

    async def feeds_add(self, channel, url: str) -> str | None:
        """None when /feeds add refused the URL as it should; otherwise what went wrong."""
        try:
            await self.commands.run(channel, parse_command(f"/feeds add {url}"))
        except NewsbotError:
            return None
        except Exception as exc:
            return f"raised {type(exc).__name__}: {exc}"
        return "was added"

    async def fetch_via_redirect(self, url: str) -> str | None:
        result = await self.fetcher.fetch(self.redirecting_feed(url))
        return None if result.error else f"redirect followed, status {result.status}"


async def run(full: bool) -> Summary:
    summary = Summary("part4 stranger URLs")
    started = time.perf_counter()
    guard = NetworkGuard(asyncio.get_running_loop())
    guard.install()
    recorder = await ConnectionRecorder().start()
    server = await FeedServer().start()
    folder = tempfile.TemporaryDirectory(prefix="newsbot-stress-")
    store = await Store.open(Path(folder.name) / "bot.db")
    resolver = StaticResolver({ALLOWED_HOST: "127.0.0.1", SNEAKY_HOST: "127.0.0.1"})
    fetcher = Fetcher(private_hosts=frozenset({ALLOWED_HOST}), resolver=resolver,
                      total_timeout=3.0, connect_timeout=1.0)
    harness = Harness(recorder, server, store, fetcher)
    try:
        channel = await store.ensure_channel("console", "strangers", NOW)
        server.route("/ok.xml", Reply(body=OK_RSS))
        control = await fetcher.fetch(harness.allowed_url("/ok.xml"))
        if control.error:
            summary.failures += 1
            summary.notes.append(f"control: the allowed feed was not read ({control.error})")

        forms = ssrf_forms(recorder.port) + (machine_spellings(recorder.port) if full else [])
        for url in forms:
            ways = {
                "/feeds add": lambda u=url: harness.feeds_add(channel, u),
                "redirect": lambda u=url: harness.fetch_via_redirect(u),
                "/feeds add of a redirect": lambda u=url: harness.feeds_add(
                    channel, harness.redirecting_feed(u)),
            }
            for way, attempt in ways.items():
                summary.cases += 1
                before, violations_before = recorder.accepted, len(guard.violations)
                problem = await attempt()
                if recorder.accepted > before:
                    problem = f"{recorder.accepted - before} connection(s) reached the recorder"
                elif len(guard.violations) > violations_before:
                    problem = f"tried to leave loopback: {guard.violations[-1]}"
                if problem:
                    summary.failures += 1
                    summary.notes.append(f"{way} {url}: {problem}")
        added = await store.feed_statuses()
        if added:
            summary.failures += len(added)
            summary.notes.append(f"feeds added: {[s.url for s in added]}")
        summary.notes.insert(0, f"{len(forms)} forms x 3 ways, {recorder.accepted} connections recorded")
    finally:
        await fetcher.close()
        await store.close()
        await server.stop()
        await recorder.stop()
        guard.uninstall()
        folder.cleanup()
    summary.seconds = time.perf_counter() - started
    return summary
