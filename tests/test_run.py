"""`newsbot run` as an operator starts it: a subprocess with a feed list on loopback, the
console channel driven through stdin, stopped with SIGTERM."""

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.feedserver import Reply, feed_server  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[1]


def rss(*items: tuple[str, str]) -> str:
    body = "".join(f"<item><guid>{g}</guid><title>{t}</title><link>https://e.example.com/{g}</link>"
                   f"<description>{t}.</description></item>" for g, t in items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Loop Wire</title>{body}</channel></rss>'


def env_for(tmp_path: Path, feeds_file: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSBOT_", "DISCORD_", "SLACK_"))}
    env.update({"NEWSBOT_DB": str(tmp_path / "run.db"), "NEWSBOT_FEEDS_FILE": str(feeds_file),
                "NEWSBOT_POLL_INTERVAL": "1", "NEWSBOT_ALLOW_PRIVATE_URLS": "1", **extra})
    return env


async def read_until(stream: asyncio.StreamReader, needle: str, seen: list[str], timeout: float = 20) -> None:
    async def scan() -> None:
        while not any(needle in line for line in seen):
            line = await stream.readline()
            if not line:
                raise AssertionError(f"output ended before {needle!r}: {''.join(seen)}")
            seen.append(line.decode())
    await asyncio.wait_for(scan(), timeout)


async def test_run_polls_takes_commands_alerts_and_stops_on_sigterm(tmp_path, feed_server):  # noqa: F811
    feed_server.route("/wire.xml", Reply(body=rss(("1", "Chip sales slow down"))))
    feeds_file = tmp_path / "feeds.toml"
    feeds_file.write_text(f'[[feed]]\nurl = "{feed_server.url("/wire.xml")}"\nname = "Loop Wire"\n')
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=env_for(tmp_path, feeds_file),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    seen: list[str] = []
    try:
        await read_until(proc.stdout, "newsbot console", seen)
        for _ in range(100):  # the first poll (backlog) happens at start
            if feed_server.requests_to("/wire.xml"):
                break
            await asyncio.sleep(0.1)
        proc.stdin.write(b"/watch Nvidia\n")
        await proc.stdin.drain()
        await read_until(proc.stdout, "Watching Nvidia", seen)

        feed_server.route("/wire.xml", Reply(body=rss(
            ("2", "Nvidia invests $500 million in a robotics startup"), ("1", "Chip sales slow down"))))
        await read_until(proc.stdout, "🔔", seen)
        await read_until(proc.stdout, "Loop Wire", seen)  # the alert's source line
        assert "🔔 [Nvidia] Nvidia invests $500 million in a robotics startup" in "".join(seen)

        proc.stdin.write(b"/feeds list\n")
        await proc.stdin.drain()
        await read_until(proc.stdout, "ok, last read", seen)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 20)
    assert code == 0
    assert "Chip sales" not in "".join(seen)  # backlog is never alerted


async def test_a_bad_setting_stops_start_up_with_one_line(tmp_path):
    feeds_file = tmp_path / "feeds.toml"
    feeds_file.write_text("")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT,
        env=env_for(tmp_path, feeds_file, NEWSBOT_POLL_INTERVAL="often"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 2
    assert err.decode().strip().splitlines() == ["newsbot: NEWSBOT_POLL_INTERVAL must be a whole number (got 'often')"]


async def test_a_broken_feed_list_is_named(tmp_path):
    feeds_file = tmp_path / "feeds.toml"
    feeds_file.write_text("[[feed]]\nname = 'no url'\n")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=env_for(tmp_path, feeds_file),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 2
    assert "feed #1 has no url" in err.decode()
