"""`newsbot run` with Slack configured: a subprocess taking signed slash commands over HTTP on
loopback, polling a loopback feed, posting alerts to a local stand-in of Slack's Web API."""

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from tests.feedserver import Reply, feed_server  # noqa: F401 (fixture)
from tests.slack_standin import command_body, signed_headers, slack_standin  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[1]
SECRET = "run-signing-secret"


def rss(*items: tuple[str, str, str]) -> str:
    body = "".join(f"<item><guid>{g}</guid><title>{t}</title><link>https://e.example.com/{g}</link>"
                   f"<description>{d}</description></item>" for g, t, d in items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Fil Loop</title>{body}</channel></rss>'


OLD = ("1", "Les ventes de puces ralentissent", "Le marché des semi-conducteurs marque le pas.")
STORY = ("2", "Meta s'offrirait 49 % de Scale AI",
         "Meta négocierait une prise de participation de 49 % dans Scale AI pour environ "
         "15 milliards de dollars, selon la presse américaine.")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def until(condition, timeout: float = 20.0) -> None:
    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.05)
    await asyncio.wait_for(poll(), timeout)


async def test_run_with_slack_takes_commands_and_posts_one_alert(tmp_path, feed_server, slack_standin):  # noqa: F811
    slack_standin.add_user("UADMIN", is_admin=True)
    slack_standin.add_channel("C1", creator="UADMIN")
    feed_server.route("/fil.xml", Reply(body=rss(OLD)))
    feeds_file = tmp_path / "feeds.toml"
    feeds_file.write_text(f'[[feed]]\nurl = "{feed_server.url("/fil.xml")}"\n')
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSBOT_", "DISCORD_", "SLACK_"))}
    env.update({
        "NEWSBOT_DB": str(tmp_path / "run.db"), "NEWSBOT_FEEDS_FILE": str(feeds_file),
        "NEWSBOT_POLL_INTERVAL": "1", "NEWSBOT_ALLOW_PRIVATE_URLS": "1",
        "SLACK_BOT_TOKEN": "xoxb-run", "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack_standin.api_url, "SLACK_PORT": str(port),
    })
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with aiohttp.ClientSession() as http:
            async def slash(command: str, text: str) -> dict:
                before = len(slack_standin.responses)
                body = command_body(command, text, user="UADMIN", channel="C1",
                                    response_url=slack_standin.response_url(f"r{before}"))
                for _ in range(200):  # the listener comes up after the token check
                    try:
                        async with http.post(f"http://127.0.0.1:{port}/slack/events", data=body.encode(),
                                             headers=signed_headers(SECRET, body)) as response:
                            assert response.status == 200
                            break
                    except aiohttp.ClientConnectorError:
                        await asyncio.sleep(0.1)
                await until(lambda: len(slack_standin.responses) > before)
                return slack_standin.responses[before]

            await until(lambda: feed_server.requests_to("/fil.xml"))  # first poll: backlog
            assert "Meta" in (await slash("/watch", "Meta"))["text"]
            feed_server.route("/fil.xml", Reply(body=rss(STORY, OLD)))
            await until(lambda: slack_standin.posts_to("C1"))
            await asyncio.sleep(1.5)  # a few more polls: nothing more may arrive
            (post,) = slack_standin.posts_to("C1")
            text = str(post.payload)
            assert "Scale AI" in text and "49" in text and "15" in text
            assert "Meta → Scale AI" in (await slash("/deals", ""))["text"]
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 20)
        err = (await proc.stderr.read()).decode()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
