"""`newsbot run` with Discord, as an operator starts it: a subprocess whose DISCORD_API_BASE points
at the Discord stand-in running in this test process, reading a feed served on loopback."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.discord_standin import MEMBER, MODERATOR, discord_standin  # noqa: F401 (fixture)
from tests.feedserver import Reply, feed_server  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[1]
GUILD = 1_391_000_000_000_000_001
CHANNEL = 1_391_000_000_000_000_002
QUIET_CHANNEL = 1_391_000_000_000_000_003
USER = 1_391_000_000_000_000_004

OLD_STORY = ("old-1", "Les ventes de puces ralentissent", "Le marché des semi-conducteurs marque le pas.")
# The reference story, told in our own words: Meta takes 49 % of Scale AI for about 15 billion dollars.
META_STORY = (
    "meta-scale",
    "Meta s'offre 49 % de Scale AI pour environ 15 milliards de dollars",
    "Meta va acquérir une participation de 49 % dans Scale AI, la jeune pousse qui annote des "
    "données pour l'intelligence artificielle, pour environ 15 milliards de dollars. "
    "Son fondateur rejoindra les équipes de Meta.",
)


def rss(*items: tuple[str, str, str]) -> str:
    body = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title><link>https://actu.example.com/{guid}</link>"
        f"<description>{text}</description></item>"
        for guid, title, text in items
    )
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Fil Tech</title>'
            f"<language>fr</language>{body}</channel></rss>")


def env_for(tmp_path: Path, feeds_file: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSBOT_", "DISCORD_", "SLACK_"))}
    env.update({"NEWSBOT_DB": str(tmp_path / "run.db"), "NEWSBOT_FEEDS_FILE": str(feeds_file),
                "NEWSBOT_POLL_INTERVAL": "1", "NEWSBOT_ALLOW_PRIVATE_URLS": "1", **extra})
    return env


async def start_bot(tmp_path: Path, feeds_file: Path, **extra: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=env_for(tmp_path, feeds_file, **extra),
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def until(condition, what: str, timeout: float = 10.0) -> None:
    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.05)
    try:
        await asyncio.wait_for(poll(), timeout)
    except TimeoutError:
        raise AssertionError(f"gave up waiting for {what}") from None


async def collect(stream: asyncio.StreamReader, lines: list[str]) -> None:
    """The bot's log, line by line as it comes, so a test can wait for a line."""
    while line := await stream.readline():
        lines.append(line.decode())


async def stop(proc: asyncio.subprocess.Process, reader: asyncio.Task | None = None) -> tuple[int, str]:
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
    try:
        if reader is None:
            _, err = await asyncio.wait_for(proc.communicate(), 15)
            return proc.returncode, err.decode()
        await asyncio.wait_for(asyncio.gather(proc.wait(), reader), 15)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise AssertionError("newsbot run did not stop within 15 s of SIGTERM") from None
    return proc.returncode, ""


async def test_a_watching_channel_gets_one_alert_with_the_figures_and_deals_lists_it(
    tmp_path, discord_standin, feed_server  # noqa: F811
):
    standin = discord_standin
    standin.add_guild(GUILD, channels=[CHANNEL, QUIET_CHANNEL], name="Newsroom")
    feed_server.route("/fil.xml", Reply(body=rss(OLD_STORY)))
    feeds_file = tmp_path / "feeds.toml"
    feeds_file.write_text(f'[[feed]]\nurl = "{feed_server.url("/fil.xml")}"\nname = "Fil Tech"\nlang = "fr"\n')
    proc = await start_bot(tmp_path, feeds_file, DISCORD_TOKEN=standin.token,
                           DISCORD_API_BASE=standin.api_base, DISCORD_GUILD_ID=str(GUILD))
    log: list[str] = []
    reader = asyncio.create_task(collect(proc.stderr, log))
    try:
        await until(lambda: GUILD in standin.synced, "the commands to be synced")
        await until(lambda: feed_server.requests_to("/fil.xml"), "the first poll (the backlog)")

        watch = await standin.slash(GUILD, CHANNEL, USER, "watch", {"entity": "Meta"}, permissions=MODERATOR)
        assert (await watch.message())["content"].startswith("Watching Meta")

        feed_server.route("/fil.xml", Reply(body=rss(META_STORY, OLD_STORY)))
        await until(lambda: standin.messages_in(CHANNEL), "the alert")
        # A later poll of the same feed must not post it again.
        polls = len(feed_server.requests_to("/fil.xml"))
        await until(lambda: len(feed_server.requests_to("/fil.xml")) > polls, "another poll")
        await asyncio.sleep(0.3)  # let a (wrong) second post of the last poll reach the stand-in

        alerts = standin.messages_in(CHANNEL)
        assert len(alerts) == 1
        alert = alerts[0]
        shown = alert.get("content") or ""
        for embed in alert.get("embeds") or []:
            shown += " ".join([embed.get("title") or "", embed.get("description") or ""] +
                              [f"{f.get('name')} {f.get('value')}" for f in embed.get("fields") or []])
        assert "15" in shown and "49" in shown
        assert alert["allowed_mentions"] == {"parse": []}
        assert standin.messages_in(QUIET_CHANNEL) == []

        deals = await standin.slash(GUILD, QUIET_CHANNEL, USER, "deals", {}, permissions=MEMBER)
        listing = (await deals.message())["content"]
        assert "Meta → Scale AI" in listing and "49 %" in listing
        # The operator sees which guilds are served (logged once the gateway is READY).
        await until(lambda: any("serving 1 guild(s): Newsroom" in line for line in log), "the guilds logged")
    finally:
        code, _ = await stop(proc, reader)
    err = "".join(log)
    assert code == 0, err
    assert "Traceback" not in err
    assert "synced 8 commands to guild" in err


async def test_a_wrong_token_is_one_line_and_a_failed_exit(tmp_path, discord_standin):  # noqa: F811
    feeds_file = tmp_path / "feeds.toml"
    feeds_file.write_text("")
    proc = await start_bot(tmp_path, feeds_file, DISCORD_TOKEN="not-the-token",
                           DISCORD_API_BASE=discord_standin.api_base)
    try:
        await asyncio.wait_for(proc.wait(), 15)
    finally:
        code, err = await stop(proc)
    assert code == 1
    assert "Traceback" not in err
    refused = [line for line in err.splitlines() if "ERROR" in line]
    assert len(refused) == 1 and "DISCORD_TOKEN" in refused[0]
    assert "not-the-token" not in err


async def test_killed_between_post_and_bookkeeping_the_alert_still_shows_once(
    tmp_path, discord_standin, feed_server  # noqa: F811
):
    """SIGKILL while Discord holds the alert's POST (the message exists, the bot never heard
    back, the outbox row is still pending); after a restart the retried POST carries the same
    nonce, so the channel still shows one message."""
    standin = discord_standin
    standin.add_guild(GUILD, channels=[CHANNEL], name="Newsroom")
    feed_server.route("/fil.xml", Reply(body=rss(OLD_STORY)))
    feeds_file = tmp_path / "feeds.toml"
    feeds_file.write_text(f'[[feed]]\nurl = "{feed_server.url("/fil.xml")}"\n')
    env = {"DISCORD_TOKEN": standin.token, "DISCORD_API_BASE": standin.api_base,
           "DISCORD_GUILD_ID": str(GUILD)}
    posts = f"POST /api/v10/channels/{CHANNEL}/messages"
    proc = await start_bot(tmp_path, feeds_file, **env)
    try:
        await until(lambda: GUILD in standin.synced, "the commands to be synced")
        await until(lambda: feed_server.requests_to("/fil.xml"), "the first poll (the backlog)")
        watch = await standin.slash(GUILD, CHANNEL, USER, "watch", {"entity": "Meta"}, permissions=MODERATOR)
        await watch.message()
        standin.swallow(posts.replace("/api/v10", "*"), count=1)
        feed_server.route("/fil.xml", Reply(body=rss(META_STORY, OLD_STORY)))
        await until(lambda: standin.messages_in(CHANNEL), "the alert's POST to reach Discord")
        proc.kill()
        await proc.wait()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()

    tries = len(standin.requests_to("POST", f"*/channels/{CHANNEL}/messages"))
    again = await start_bot(tmp_path, feeds_file, **env)
    try:
        await until(lambda: len(standin.requests_to("POST", f"*/channels/{CHANNEL}/messages")) > tries,
                    "the retried POST after the restart", timeout=20)
        await asyncio.sleep(0.3)
        assert len(standin.messages_in(CHANNEL)) == 1
    finally:
        code, err = await stop(again)
    assert code == 0, err
