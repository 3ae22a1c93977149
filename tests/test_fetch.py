"""The HTTP fetcher against a real aiohttp server on loopback.

Every test runs under `network_guard`: a connect or DNS lookup to anything but loopback fails
the test, so even a broken SSRF check cannot send traffic to 10.x or 169.254.169.254.
"""

from __future__ import annotations

import asyncio
import gzip
import zlib
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from bot.adapters import http_fetch
from bot.adapters.http_fetch import (
    DEFAULT_USER_AGENT,
    AddressRefused,
    BodyTooLarge,
    CappedBody,
    Fetcher,
)
from tests.feedserver import (  # noqa: F401 (fixtures are used by name)
    ConnectionRecorder,
    Reply,
    StaticResolver,
    connection_recorder,
    feed_server,
    loopback_resolver,
    network_guard,
)

pytestmark = pytest.mark.usefixtures("network_guard")

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Sample</title>
<item><title>Meta takes 49% of Scale AI</title><guid>a1</guid></item></channel></rss>"""
NOW = datetime(2025, 6, 13, 12, 0, 0, tzinfo=timezone.utc)


@pytest.fixture
async def make_fetcher(loopback_resolver):
    """Builds Fetchers that resolve only test names, and closes them after the test."""
    made: list[Fetcher] = []

    def build(**options) -> Fetcher:
        options.setdefault("resolver", loopback_resolver)
        options.setdefault("allow_private", True)  # the feed server lives on 127.0.0.1
        fetcher = Fetcher(**options)
        made.append(fetcher)
        return fetcher

    yield build
    for fetcher in made:
        await fetcher.close()


# -- conditional GET ------------------------------------------------------------------------


async def test_200_then_304_with_etag(feed_server, make_fetcher):
    feed_server.route("/feed.xml", Reply(body=RSS, etag='"v1"'))
    fetcher = make_fetcher()

    first = await fetcher.fetch(feed_server.url("/feed.xml"))
    assert (first.status, first.body, first.etag, first.error) == (200, RSS, '"v1"', None)

    second = await fetcher.fetch(feed_server.url("/feed.xml"), etag=first.etag)
    assert second.not_modified and second.status == 304
    assert second.body is None and second.error is None
    assert second.etag == '"v1"'
    assert feed_server.requests[-1].headers["If-None-Match"] == '"v1"'


async def test_200_then_304_with_last_modified(feed_server, make_fetcher):
    stamp = "Fri, 13 Jun 2025 10:00:00 GMT"
    feed_server.route("/feed.xml", Reply(body=RSS, last_modified=stamp))
    fetcher = make_fetcher()

    first = await fetcher.fetch(feed_server.url("/feed.xml"))
    assert first.last_modified == stamp and first.body == RSS

    second = await fetcher.fetch(feed_server.url("/feed.xml"), last_modified=first.last_modified)
    assert second.not_modified and second.body is None
    assert second.last_modified == stamp  # kept even though a 304 need not repeat it
    assert feed_server.requests[-1].headers["If-Modified-Since"] == stamp


async def test_a_changed_feed_is_served_again_despite_old_validators(feed_server, make_fetcher):
    feed_server.route("/feed.xml", Reply(body=RSS + b"<!-- v2 -->", etag='"v2"'))
    result = await make_fetcher().fetch(feed_server.url("/feed.xml"), etag='"v1"')
    assert result.status == 200 and not result.not_modified and result.etag == '"v2"'


async def test_no_conditional_headers_without_validators(feed_server, make_fetcher):
    feed_server.route("/feed.xml", Reply(body=RSS))
    await make_fetcher().fetch(feed_server.url("/feed.xml"))
    seen = feed_server.requests[0].headers
    assert "If-None-Match" not in seen and "If-Modified-Since" not in seen


async def test_max_age_is_reported(feed_server, make_fetcher):
    feed_server.route("/feed.xml", Reply(body=RSS, headers={"Cache-Control": "public, max-age=900"}))
    result = await make_fetcher().fetch(feed_server.url("/feed.xml"))
    assert result.max_age == 900
    assert result.headers["cache-control"] == "public, max-age=900"


# -- errors and politeness ------------------------------------------------------------------


@pytest.mark.parametrize(
    "status, retry_after, expected",
    [
        (429, "120", 120.0),
        (503, "7", 7.0),
        (429, format_datetime(NOW + timedelta(seconds=90), usegmt=True), 90.0),
        (503, format_datetime(NOW + timedelta(minutes=10), usegmt=True), 600.0),
        (503, None, None),
        (429, "whenever", None),
    ],
)
async def test_retry_after_on_429_and_503(feed_server, make_fetcher, status, retry_after, expected):
    headers = {"Retry-After": retry_after} if retry_after else {}
    feed_server.route("/feed.xml", Reply(status=status, headers=headers))
    result = await make_fetcher(now=lambda: NOW).fetch(feed_server.url("/feed.xml"))
    assert result.status == status
    assert result.retry_after == expected
    assert result.body is None
    assert result.error.startswith(f"HTTP {status}")
    assert not result.refused


async def test_retry_after_is_ignored_on_other_statuses(feed_server, make_fetcher):
    feed_server.route("/feed.xml", Reply(status=500, headers={"Retry-After": "60"}))
    result = await make_fetcher().fetch(feed_server.url("/feed.xml"))
    assert result.retry_after is None


async def test_500_then_recovery(feed_server, make_fetcher):
    feed_server.route("/feed.xml", Reply(status=500, body=b"oops"), Reply(body=RSS))
    fetcher = make_fetcher()

    broken = await fetcher.fetch(feed_server.url("/feed.xml"))
    assert broken.status == 500
    assert broken.error == "HTTP 500 Internal Server Error"
    assert broken.body is None

    recovered = await fetcher.fetch(feed_server.url("/feed.xml"))
    assert (recovered.status, recovered.body, recovered.error) == (200, RSS, None)


async def test_404_is_an_error_with_its_status(feed_server, make_fetcher):
    result = await make_fetcher().fetch(feed_server.url("/nothing-here"))
    assert result.status == 404 and result.error == "HTTP 404 Not Found"


async def test_slow_server_times_out(feed_server, make_fetcher):
    feed_server.route("/slow.xml", Reply(body=RSS, delay=30))
    result = await make_fetcher(total_timeout=0.3).fetch(feed_server.url("/slow.xml"))
    assert result.status is None and result.body is None
    assert result.error == "timed out after 0.3 s"


async def test_trickling_body_times_out(feed_server, make_fetcher):
    # Headers arrive at once, then one byte every 50 ms: only a whole-request deadline stops it.
    feed_server.route("/trickle.xml", Reply(body=RSS * 10, trickle=0.05, chunk_size=1))
    result = await make_fetcher(total_timeout=0.3).fetch(feed_server.url("/trickle.xml"))
    assert result.body is None
    assert "timed out" in result.error


async def test_connection_refused_is_reported_not_raised(make_fetcher):
    closed = ConnectionRecorder()
    await closed.start()
    port = closed.port
    await closed.stop()  # nothing listens there any more
    result = await make_fetcher().fetch(f"http://127.0.0.1:{port}/feed.xml")
    assert result.status is None and not result.refused
    assert result.error.startswith("could not connect to 127.0.0.1")


async def test_unknown_name_is_reported_not_raised(make_fetcher):
    result = await make_fetcher().fetch("http://no-such-host.test/feed.xml")
    assert result.status is None and not result.refused
    assert result.error.startswith("could not resolve no-such-host.test")


async def test_dropped_connection_is_reported(feed_server, make_fetcher):
    feed_server.route("/feed.xml", Reply(drop=True))
    result = await make_fetcher().fetch(feed_server.url("/feed.xml"))
    assert result.status is None and result.error


async def test_user_agent_and_accept_encoding_seen_by_server(feed_server, make_fetcher):
    feed_server.route("/feed.xml", Reply(body=RSS))
    await make_fetcher().fetch(feed_server.url("/feed.xml"))
    seen = feed_server.requests[0].headers
    assert seen["User-Agent"] == DEFAULT_USER_AGENT == "newsbot/0.1 (+https://github.com/newsbot/newsbot)"
    assert "gzip" in seen["Accept-Encoding"] and "deflate" in seen["Accept-Encoding"]


# -- size cap and compression ---------------------------------------------------------------


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_body_over_the_cap_is_refused(feed_server, make_fetcher, chunked):
    feed_server.route("/big.xml", Reply(body=b"x" * 5000, chunked=chunked, chunk_size=700))
    result = await make_fetcher(max_bytes=4096).fetch(feed_server.url("/big.xml"))
    assert result.status == 200
    assert result.body is None
    assert result.error == "response body is larger than the 4096-byte limit"


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_body_exactly_at_the_cap_is_kept(feed_server, make_fetcher, chunked):
    feed_server.route("/big.xml", Reply(body=b"x" * 4096, chunked=chunked, chunk_size=700))
    result = await make_fetcher(max_bytes=4096).fetch(feed_server.url("/big.xml"))
    assert result.error is None and result.body == b"x" * 4096


@pytest.mark.parametrize(
    "reply",
    [
        Reply(body=RSS, gzip=True),
        Reply(body=RSS, deflate=True),
        Reply(body=RSS, gzip=True, chunked=True, chunk_size=7),
        # "deflate" sent raw (no zlib header), as some servers do
        Reply(body=zlib.compress(RSS)[2:-4], headers={"Content-Encoding": "deflate"}),
        # two gzip members back to back decode as one body
        Reply(body=gzip.compress(RSS[:50]) + gzip.compress(RSS[50:]), headers={"Content-Encoding": "gzip"}),
    ],
    ids=["gzip", "deflate", "gzip-chunked", "raw-deflate", "gzip-two-members"],
)
async def test_compressed_bodies_are_decoded(feed_server, make_fetcher, reply):
    feed_server.route("/feed.xml", reply)
    result = await make_fetcher().fetch(feed_server.url("/feed.xml"))
    assert result.error is None
    assert result.body == RSS


async def test_gzip_bomb_stays_capped(feed_server, make_fetcher):
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)  # ~64 KB on the wire
    feed_server.route("/bomb.xml", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    result = await make_fetcher(max_bytes=1024 * 1024).fetch(feed_server.url("/bomb.xml"))
    assert result.body is None
    assert result.error == "response body is larger than the 1048576-byte limit"


def test_capped_body_inflates_no_more_than_one_byte_past_the_cap():
    bomb = gzip.compress(b"\0" * (32 * 1024 * 1024), compresslevel=9)
    cap = 200_000
    assert len(bomb) < cap  # small on the wire: only the decoded size can trip the cap
    body = CappedBody("gzip", cap=cap)
    with pytest.raises(BodyTooLarge):
        body.feed(bomb)
    assert body.decoded_size <= cap + 1


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 17, 10_000])
@pytest.mark.parametrize(
    "encoding, wire",
    [
        ("gzip", gzip.compress(RSS)),
        ("x-gzip", gzip.compress(RSS)),
        ("gzip", gzip.compress(RSS[:40]) + gzip.compress(RSS[40:])),
        ("gzip", gzip.compress(RSS) + b"\n"),  # trailing junk after the last member
        ("deflate", zlib.compress(RSS)),
        ("deflate", zlib.compress(RSS)[2:-4]),  # raw deflate
        ("identity", RSS),
        (None, RSS),
    ],
)
def test_capped_body_decodes_whatever_the_chunking(encoding, wire, chunk_size):
    body = CappedBody(encoding, cap=10_000)
    for start in range(0, len(wire), chunk_size):
        body.feed(wire[start : start + chunk_size])
    assert body.finish() == RSS


async def test_corrupt_gzip_is_an_error(feed_server, make_fetcher):
    feed_server.route("/feed.xml", Reply(body=b"not gzip at all", headers={"Content-Encoding": "gzip"}))
    result = await make_fetcher().fetch(feed_server.url("/feed.xml"))
    assert result.body is None and "gzip" in result.error


async def test_truncated_gzip_is_an_error(feed_server, make_fetcher):
    cut = gzip.compress(RSS)[:-12]
    feed_server.route("/feed.xml", Reply(body=cut, headers={"Content-Encoding": "gzip"}))
    result = await make_fetcher().fetch(feed_server.url("/feed.xml"))
    assert result.body is None and result.error == "the gzip body was cut short"


async def test_unknown_content_encoding_is_an_error(feed_server, make_fetcher):
    feed_server.route("/feed.xml", Reply(body=b"\x1b\x00", headers={"Content-Encoding": "br"}))
    result = await make_fetcher().fetch(feed_server.url("/feed.xml"))
    assert result.body is None and "unsupported Content-Encoding 'br'" in result.error


# -- redirects ------------------------------------------------------------------------------


def _chain(server, hops: int) -> str:
    """/hop1 -> /hop2 -> ... -> /feed.xml with `hops` redirects; returns the first URL."""
    for n in range(1, hops + 1):
        target = f"/hop{n + 1}" if n < hops else "/feed.xml"
        server.route(f"/hop{n}", Reply(redirect=target, status=301 if n % 2 else 302))
    server.route("/feed.xml", Reply(body=RSS))
    return server.url("/hop1")


async def test_five_redirects_are_followed(feed_server, make_fetcher):
    result = await make_fetcher().fetch(_chain(feed_server, 5))
    assert (result.status, result.body, result.error) == (200, RSS, None)
    assert result.url == feed_server.url("/feed.xml")


async def test_six_redirects_are_too_many(feed_server, make_fetcher):
    result = await make_fetcher().fetch(_chain(feed_server, 6))
    assert result.body is None
    assert result.error == "too many redirects (more than 5)"
    assert not feed_server.requests_to("/feed.xml")


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_each_redirect_status_is_followed(feed_server, make_fetcher, status):
    feed_server.route("/old", Reply(status=status, redirect="/feed.xml"))
    feed_server.route("/feed.xml", Reply(body=RSS))
    result = await make_fetcher().fetch(feed_server.url("/old"))
    assert result.body == RSS


async def test_redirect_without_location_is_an_error(feed_server, make_fetcher):
    feed_server.route("/old", Reply(status=302))
    result = await make_fetcher().fetch(feed_server.url("/old"))
    assert result.status == 302 and "without a Location" in result.error


async def test_allowed_private_host_is_fetched(feed_server, make_fetcher):
    feed_server.route("/feed.xml", Reply(body=RSS))
    fetcher = make_fetcher(allow_private=False, private_hosts=frozenset({"Feeds.Test"}))
    result = await fetcher.fetch(feed_server.url("/feed.xml", host="feeds.test"))
    assert result.body == RSS and result.error is None
    assert feed_server.requests[0].host == "feeds.test"


@pytest.mark.parametrize(
    "location",
    [
        "http://other.test:{port}/feed.xml",  # another name resolving privately
        "http://loopback.test:{port}/feed.xml",
        "http://127.0.0.1:{port}/feed.xml",
        "http://2130706433:{port}/feed.xml",
        "http://[::1]:{port}/feed.xml",
        "http://localhost:{port}/feed.xml",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
    ],
)
async def test_redirect_to_private_address_refused_even_from_allowed_host(
    feed_server, make_fetcher, location
):
    feed_server.route("/start", Reply(redirect=location.format(port=feed_server.port)))
    feed_server.route("/feed.xml", Reply(body=RSS))
    fetcher = make_fetcher(allow_private=False, private_hosts=frozenset({"feeds.test"}))

    result = await fetcher.fetch(feed_server.url("/start", host="feeds.test"))

    assert result.refused and result.body is None and result.status is None
    assert result.error.startswith("refused:")
    assert [r.path for r in feed_server.requests] == ["/start"]


async def test_redirect_within_the_allowed_host_is_followed(feed_server, make_fetcher):
    feed_server.route("/start", Reply(redirect="/feed.xml"))
    feed_server.route("/feed.xml", Reply(body=RSS))
    fetcher = make_fetcher(allow_private=False, private_hosts=frozenset({"feeds.test"}))
    result = await fetcher.fetch(feed_server.url("/start", host="feeds.test"))
    assert result.body == RSS
    assert result.url == feed_server.url("/feed.xml", host="feeds.test")


# -- concurrency ----------------------------------------------------------------------------


async def _wait_until(condition, what: str) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    pytest.fail(f"never saw: {what}")


async def _settle() -> None:
    """Give queued requests every chance to reach the server if a limit were missing."""
    for _ in range(20):
        await asyncio.sleep(0.005)


async def test_at_most_two_requests_at_once_per_host(feed_server, make_fetcher):
    gate = asyncio.Event()
    feed_server.route("/feed.xml", Reply(body=RSS, gate=gate))
    fetcher = make_fetcher()
    url = feed_server.url("/feed.xml", host="feeds.test")

    tasks = [asyncio.create_task(fetcher.fetch(url)) for _ in range(6)]
    await _wait_until(lambda: feed_server.in_flight == 2, "two requests in flight")
    await _settle()
    assert feed_server.in_flight == 2
    gate.set()
    results = await asyncio.gather(*tasks)

    assert all(r.body == RSS for r in results)
    assert len(feed_server.requests) == 6
    assert feed_server.peak_in_flight_by_host["feeds.test"] == 2


async def test_each_host_has_its_own_two_slots(feed_server, make_fetcher):
    gate = asyncio.Event()
    feed_server.route("/feed.xml", Reply(body=RSS, gate=gate))
    fetcher = make_fetcher()
    urls = [feed_server.url("/feed.xml", host=h) for h in ("feeds.test", "other.test") for _ in range(3)]

    tasks = [asyncio.create_task(fetcher.fetch(u)) for u in urls]
    await _wait_until(lambda: feed_server.in_flight == 4, "four requests in flight")
    await _settle()
    gate.set()
    results = await asyncio.gather(*tasks)

    assert all(r.body == RSS for r in results)
    assert feed_server.peak_in_flight_by_host == {"feeds.test": 2, "other.test": 2}
    assert feed_server.peak_in_flight == 4


async def test_queued_time_does_not_count_against_the_timeout(feed_server, make_fetcher):
    # Each response takes 0.2 s; the third request waits ~0.2 s for a slot, then needs 0.2 s.
    # With a 0.35 s budget it only succeeds if waiting for the slot is not billed to it.
    feed_server.route("/feed.xml", Reply(body=RSS, delay=0.2))
    fetcher = make_fetcher(total_timeout=0.35)
    url = feed_server.url("/feed.xml")
    results = await asyncio.gather(*(fetcher.fetch(url) for _ in range(3)))
    assert [r.error for r in results] == [None, None, None]


# -- SSRF -----------------------------------------------------------------------------------

REFUSED_URLS = [
    "http://127.0.0.1:{port}/",
    "http://localhost:{port}/",
    "http://2130706433:{port}/",
    "http://0177.0.0.1:{port}/",
    "http://0x7f000001:{port}/",
    "http://127.1:{port}/",
    "http://127.0.0.1.:{port}/",
    "http://\uff11\uff12\uff17.\uff10.\uff10.\uff11:{port}/",  # full-width digits
    "http://[::1]:{port}/",
    "http://[::ffff:127.0.0.1]:{port}/",
    "http://0.0.0.0:{port}/",
    "http://10.0.0.1:{port}/",
    "http://172.16.0.1:{port}/",
    "http://192.168.1.1:{port}/",
    "http://100.64.0.1:{port}/",
    "http://169.254.169.254:{port}/",
    "http://[fd00::1]:{port}/",
    "http://[fe80::1]:{port}/",
    "http://[64:ff9b::a9fe:a9fe]:{port}/",
    "http://evil@127.0.0.1:{port}/",
    "http://loopback.test:{port}/",  # a name resolving to loopback
    "https://127.0.0.1:{port}/",
    "file:///etc/passwd",
    "gopher://127.0.0.1:{port}/",
    "ftp://127.0.0.1:{port}/",
]


@pytest.mark.parametrize("template", REFUSED_URLS)
async def test_non_public_targets_are_refused_before_connecting(
    make_fetcher, connection_recorder, template
):
    url = template.format(port=connection_recorder.port)
    result = await make_fetcher(allow_private=False).fetch(url)
    assert result.refused
    assert result.status is None and result.body is None
    assert result.error.startswith("refused:")
    assert connection_recorder.accepted == 0


async def test_connection_recorder_does_record_connections(make_fetcher, connection_recorder):
    # The control for the test above: with private addresses allowed the same URL does connect.
    await make_fetcher(allow_private=True).fetch(f"http://127.0.0.1:{connection_recorder.port}/")
    assert connection_recorder.accepted >= 1  # aiohttp retries a GET once on a hang-up


async def test_refusal_names_the_address(make_fetcher):
    result = await make_fetcher(allow_private=False).fetch("http://2130706433/feed")
    assert result.error == "refused: 2130706433 means 127.0.0.1, a loopback address"
    named = await make_fetcher(allow_private=False).fetch("http://loopback.test/feed")
    assert named.error == "refused: loopback.test resolves to 127.0.0.1, a loopback address"


async def test_private_answers_are_dropped_when_a_public_one_exists(feed_server):
    # A name with a public and a private answer: the private one is never tried. The public
    # address would be unreachable here, so the guard below turns the attempt into a failure.
    resolver = StaticResolver({"mixed.test": ["127.0.0.1", "93.184.216.34"]})
    wrapped = http_fetch.PublicOnlyResolver(resolver, allow_private=False, private_hosts=frozenset())
    answers = await wrapped.resolve("mixed.test", 80)
    assert [a["host"] for a in answers] == ["93.184.216.34"]


async def test_socket_guard_refuses_even_if_the_resolver_check_is_bypassed(
    make_fetcher, connection_recorder, monkeypatch
):
    # Third layer: break the resolver filter; the socket factory still sees 127.0.0.1.
    async def unfiltered(self, host, port=0, family=0):
        return await self._inner.resolve(host, port, family)

    monkeypatch.setattr(http_fetch.PublicOnlyResolver, "resolve", unfiltered)
    result = await make_fetcher(allow_private=False).fetch(
        f"http://loopback.test:{connection_recorder.port}/"
    )
    assert result.refused
    assert result.error == "refused: connecting to 127.0.0.1, a loopback address"
    assert connection_recorder.accepted == 0


def test_socket_guard_fails_closed_outside_a_fetch():
    info = (2, 1, 6, "", ("127.0.0.1", 80))  # AF_INET, SOCK_STREAM, TCP
    with pytest.raises(AddressRefused):
        http_fetch._guarded_socket(info)


async def test_fetch_never_raises_on_garbage_urls(make_fetcher):
    for url in ["", "not a url", "http://", "http://[::1", "http://exa mple.com/"]:
        result = await make_fetcher(allow_private=False).fetch(url)
        assert result.error and result.body is None
