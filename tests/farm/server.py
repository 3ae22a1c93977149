"""The farm process: N feeds on 127.0.0.1 plus the Discord stand-in, in a process of their own so
the pipeline under test does not share a core's event loop with its inputs.

    python -m tests.farm.server --feeds 1000 --channels 1000 --write-info /tmp/farm.json

Routes: GET /feed/{n}.xml (ETag honoured: If-None-Match -> 304), POST /_advance?share=0.1
(a deterministic share of feeds gains one entry; answers the feed numbers changed),
GET /_posts (every alert the stand-in received: channel, first embed URL, monotonic time).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random

from aiohttp import web

from tests.discord_standin import DiscordStandIn
from tests.farm.content import entries_per_feed, feed_xml

GUILD = 1
FIRST_CHANNEL = 10_000


class Farm:
    def __init__(self, feeds: int, base: str = "") -> None:
        self.feeds = feeds
        self.base = base
        self.newest = [entries_per_feed(n) - 1 for n in range(feeds)]
        self.cycle = 0
        self._bodies: dict[int, tuple[str, bytes]] = {}  # feed -> (etag, body), current version

    def body(self, feed: int) -> tuple[str, bytes]:
        cached = self._bodies.get(feed)
        if cached is None:
            newest = self.newest[feed]
            cached = (f'"f{feed}-{newest}"', feed_xml(feed, newest, self.base))
            self._bodies[feed] = cached
        return cached

    def advance(self, share: float) -> list[int]:
        self.cycle += 1
        rng = random.Random(self.cycle)
        changed = sorted(rng.sample(range(self.feeds), round(self.feeds * share)))
        for feed in changed:
            self.newest[feed] += 1
            self._bodies.pop(feed, None)
        return changed

    async def serve_feed(self, request: web.Request) -> web.Response:
        try:
            feed = int(request.match_info["n"])
            etag, body = self.body(feed)
        except (ValueError, IndexError):
            raise web.HTTPNotFound() from None
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, headers={"ETag": etag, "Content-Type": "application/rss+xml"})

    async def serve_advance(self, request: web.Request) -> web.Response:
        return web.json_response(self.advance(float(request.query.get("share", "0.1"))))


def alert_posts(standin: DiscordStandIn) -> list[dict]:
    posts = []
    for seen in standin.requests:
        if seen.method == "POST" and seen.path.endswith("/messages") and seen.status == 200:
            embeds = (seen.json or {}).get("embeds") or [{}]
            posts.append({"path": seen.path, "url": embeds[0].get("url"), "at": seen.at})
    return posts


async def serve(feeds: int, channels: int, info_file: str) -> None:
    standin = DiscordStandIn()
    standin.add_guild(GUILD, channels=[FIRST_CHANNEL + i for i in range(channels)])
    await standin.start()
    farm = Farm(feeds)
    app = web.Application()
    app.router.add_get("/feed/{n}.xml", farm.serve_feed)
    app.router.add_post("/_advance", farm.serve_advance)
    app.router.add_get("/_posts", lambda _r: web.json_response(alert_posts(standin)))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=4096)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    farm.base = f"http://127.0.0.1:{port}"
    with open(info_file, "w") as out:
        json.dump({"base": farm.base, "discord_api": standin.api_base, "token": standin.token,
                   "guild": GUILD, "first_channel": FIRST_CHANNEL}, out)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
        await standin.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feeds", type=int, required=True)
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--write-info", required=True)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.feeds, args.channels, args.write_info))


if __name__ == "__main__":
    main()
