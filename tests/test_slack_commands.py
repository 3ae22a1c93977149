"""Slack slash commands as Slack sends them: form-encoded, signed, POSTed to the real bolt
AsyncApp over HTTP on loopback; its Web API client and response_url point at a local
stand-in. Every command, its errors, the permission idea and the signature checks."""

import asyncio
import time
from dataclasses import replace
from html import escape as xml_escape

import aiohttp
import pytest

from bot.adapters.slack.app import SlackStartFailed, start_slack
from bot.adapters.slack.commands import REFUSED, SORRY, command_line, may_change
from bot.app import open_runtime
from bot.settings import Settings
from tests.feedserver import Reply, feed_server, network_guard  # noqa: F401 (fixtures)
from tests.slack_standin import command_body, command_payload, signed_headers, slack_standin  # noqa: F401 (fixture)

SECRET = "loop-signing-secret"
CREATOR, ADMIN, MEMBER = "UCREATOR", "UADMIN", "UMEMBER"

FEED = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Loop Tech</title>'
        "<item><guid>1</guid><title>Chips are selling slowly</title><link>https://e.example.com/1</link>"
        "<description>Sales of chips are down.</description></item></channel></rss>")


class SlackWorld:
    def __init__(self, front, runtime, standin) -> None:
        self.front, self.runtime, self.standin = front, runtime, standin
        self.url = f"http://127.0.0.1:{front.port}/slack/events"
        self.http = aiohttp.ClientSession()

    async def post(self, body: str, headers: dict) -> int:
        async with self.http.post(self.url, data=body.encode(), headers=headers) as response:
            await response.read()
            return response.status

    async def slash(self, command: str, text: str = "", *, user: str = CREATOR, channel: str = "C1") -> dict:
        """Send one command and return the reply posted to its response_url."""
        before = len(self.standin.responses)
        body = command_body(command, text, user=user, channel=channel,
                            response_url=self.standin.response_url(f"r{before}"))
        assert await self.post(body, signed_headers(SECRET, body)) == 200
        await until(lambda: len(self.standin.responses) > before)
        return self.standin.responses[before]


async def until(condition, timeout: float = 8.0) -> None:
    """Wait for something that happens in the background (a guard against hanging, not a timed assert)."""
    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.02)
    await asyncio.wait_for(poll(), timeout)


def slack_settings(tmp_path, standin, **extra) -> Settings:
    return Settings(db_path=tmp_path / "bot.db", allow_private_urls=True, slack_bot_token="xoxb-loop",
                    slack_signing_secret=SECRET, slack_api_url=standin.api_url, slack_port=0, **extra)


@pytest.fixture
async def world(tmp_path, slack_standin, network_guard):  # noqa: F811
    slack_standin.add_user(CREATOR)
    slack_standin.add_user(ADMIN, is_admin=True)
    slack_standin.add_user(MEMBER)
    slack_standin.add_channel("C1", creator=CREATOR)
    settings = slack_settings(tmp_path, slack_standin)
    runtime = await open_runtime(settings)
    front = None
    world = None
    try:
        front = await start_slack(runtime, settings, host="127.0.0.1")
        world = SlackWorld(front, runtime, slack_standin)
        yield world
    finally:
        if world is not None:
            await world.http.close()
        if front is not None:
            await front.stop()
        await runtime.close()


async def test_watch_watchlist_unwatch_round_trip(world):
    reply = await world.slash("/watch", "Meta")
    assert reply["response_type"] == "in_channel" and reply["text"].startswith("Watching Meta")
    assert "• Meta" in (await world.slash("/watchlist"))["text"]
    assert (await world.slash("/unwatch", "meta"))["text"] == "No longer watching Meta."
    again = await world.slash("/unwatch", "Meta")
    assert again["response_type"] == "ephemeral" and "does not watch Meta" in again["text"]
    channel = await world.runtime.store.channel("slack", "C1")
    assert channel.name == "general" and await world.runtime.store.watchlist(channel.id) == []


async def test_watching_twice_is_one_ephemeral_sentence(world):
    await world.slash("/watch", "Scale AI")
    reply = await world.slash("/watch", "Scale AI")
    assert reply["response_type"] == "ephemeral" and "Scale AI" in reply["text"]


async def test_only_admins_and_the_channel_creator_change_watches_but_anyone_reads(world):
    refused = await world.slash("/watch", "Meta", user=MEMBER)
    assert refused == {"token": "r0", "text": REFUSED, "response_type": "ephemeral"}
    assert (await world.runtime.store.channel("slack", "C1")) is None  # nothing was touched
    for command, text in [("/digest", "hourly"), ("/language", "fr"), ("/feeds", "remove https://e.example.com/f")]:
        assert (await world.slash(command, text, user=MEMBER))["text"] == REFUSED
    assert (await world.slash("/watch", "Meta", user=ADMIN))["text"].startswith("Watching Meta")
    assert "• Meta" in (await world.slash("/watchlist", user=MEMBER))["text"]
    assert (await world.slash("/deals", user=MEMBER))["text"].startswith("No deals")
    assert (await world.slash("/feeds", "list", user=MEMBER))["text"].startswith("No feeds yet")


async def test_a_user_slack_does_not_know_is_refused_not_crashed(world):
    assert (await world.slash("/watch", "Meta", user="UGHOST"))["text"] == REFUSED


async def test_bot_not_in_the_channel_is_told_to_invite_it(world):
    world.standin.add_channel("C2", creator=CREATOR, is_member=False)
    reply = await world.slash("/watch", "Meta", channel="C2")
    assert "Watching Meta" in reply["text"] and "/invite" in reply["text"]


@pytest.mark.parametrize(
    "command, text, sentence",
    [
        ("/watch", "", "Say which company or topic"),
        ("/watch", "???", "at least one letter or digit"),
        ("/watch", "x" * 101, "too long"),
        ("/deals", "Meta 0", "days must be between 1 and 3650"),
        ("/digest", "weekly", "mode must be instant, hourly or daily"),
        ("/digest", "daily 25:00", "time must be HH:MM"),
        ("/digest", "hourly 08:00", "A time only goes with daily"),
        ("/language", "de", "language must be en or fr"),
        ("/feeds", "add", "Give the feed's address"),
        ("/feeds", "frobnicate", "Use /feeds add URL"),
        ("/feeds", "add ftp://e.example.com/feed", "That address is refused"),
        ("/feeds", "remove https://e.example.com/nothing.xml", "is not in the feed list"),
    ],
)
async def test_wrong_arguments_get_one_ephemeral_sentence(world, command, text, sentence):
    reply = await world.slash(command, text)
    assert reply["response_type"] == "ephemeral" and sentence in reply["text"]


async def test_digest_language_and_help(world):
    assert (await world.slash("/digest", "daily 07:30"))["text"] == "Alerts will be gathered into a digest every day at 07:30 UTC."
    assert (await world.slash("/language", "fr"))["text"] == "Les alertes seront en français."
    channel = await world.runtime.store.channel("slack", "C1")
    assert (channel.digest_mode, channel.digest_time, channel.lang) == ("daily", "07:30", "fr")
    assert (await world.slash("/digest", "instant"))["text"] == "Alerts will be posted as they come."
    help_reply = await world.slash("/help")
    assert help_reply["response_type"] == "ephemeral" and "/watch NOM" in help_reply["text"]


async def test_the_umbrella_command_takes_the_same_subcommands(world):
    assert (await world.slash("/newsbot", "watch Meta"))["text"].startswith("Watching Meta")
    assert "/watch NAME" in (await world.slash("/newsbot"))["text"]


async def test_feeds_add_list_remove_with_a_loopback_feed(world, feed_server):  # noqa: F811
    feed_server.route("/tech.xml", Reply(body=FEED))
    url = feed_server.url("/tech.xml")
    added = await world.slash("/feeds", f"add {url}")
    assert added["text"].startswith("Added Loop Tech (1 entries now")
    assert (await world.slash("/feeds", f"add <{url}>"))["text"] == f"{url} is already in the feed list."
    assert f"Loop Tech — {url}" in (await world.slash("/feeds", "list"))["text"]
    assert (await world.slash("/feeds", f"remove {url}"))["text"] == f"Removed {url}."


async def test_deals_lists_the_ledger_after_a_poll(world, feed_server):  # noqa: F811
    article = ("Meta prend 49 % de Scale AI",
               "Meta va investir environ 15 milliards de dollars dans Scale AI, dont il prendra 49 %.")
    feed_server.route("/fr.xml", Reply(body=(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Loop FR</title><language>fr</language>'
        f"<item><guid>m1</guid><title>{xml_escape(article[0])}</title><link>https://e.example.com/m1</link>"
        f"<description>{xml_escape(article[1])}</description></item></channel></rss>")))
    await world.slash("/feeds", f"add {feed_server.url('/fr.xml')}")
    await world.runtime.poller.poll_due()
    deals = (await world.slash("/deals", "Scale AI 7"))["text"]
    assert deals.startswith("Deals involving Scale AI in the last 7 days")
    assert "Meta → Scale AI" in deals and "49 %" in deals
    assert (await world.slash("/deals", "OpenAI"))["text"] == "No deals involving OpenAI in the last 30 days."


async def test_typed_markup_is_echoed_as_text_never_as_a_mention(world):
    # Slack sends typed &, < and > encoded; the reply shows them as typed, escaped once.
    reply = await world.slash("/watch", "&lt;!channel&gt; Corp &amp; Co")
    assert "“&lt;!channel&gt; Corp &amp; Co”" in reply["text"] and "<!" not in reply["text"]
    assert "&amp;lt;" not in reply["text"]


async def test_an_ampersand_in_a_name_is_watched_as_typed(world):
    await world.slash("/watch", "AT&amp;T")
    channel = await world.runtime.store.channel("slack", "C1")
    assert [s.display_name for s in await world.runtime.store.watchlist(channel.id)] == ["AT&T"]


async def test_an_unexpected_failure_is_logged_and_answered_with_a_sorry(world, monkeypatch):
    async def broken(channel, command):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(world.runtime.commands, "run", broken)
    assert await world.slash("/watchlist") == {"token": "r0", "text": SORRY, "response_type": "ephemeral"}
    # and the app still answers afterwards
    monkeypatch.undo()
    assert (await world.slash("/watchlist"))["text"].startswith("This channel watches nothing")


async def test_forged_and_stale_requests_are_refused_with_401(world):
    body = command_body("/watch", "Meta", response_url=world.standin.response_url())
    forged = signed_headers("not-the-secret", body)
    assert await world.post(body, forged) == 401
    stale = signed_headers(SECRET, body, timestamp=int(time.time()) - 6 * 60)
    assert await world.post(body, stale) == 401
    tampered = signed_headers(SECRET, body)
    assert await world.post(body.replace("Meta", "Nvidia"), tampered) == 401
    unsigned = {"Content-Type": "application/x-www-form-urlencoded"}
    assert await world.post(body, unsigned) == 401
    await asyncio.sleep(0.2)  # give a wrongly accepted command time to show
    assert world.standin.responses == [] and await world.runtime.store.channel("slack", "C1") is None


async def test_start_up_stops_with_one_line_on_a_refused_token(tmp_path, slack_standin, network_guard):  # noqa: F811
    settings = slack_settings(tmp_path, slack_standin)
    runtime = await open_runtime(settings)
    slack_standin._m_auth_test = lambda args: {"ok": False, "error": "invalid_auth"}
    try:
        with pytest.raises(SlackStartFailed, match="invalid_auth"):
            await start_slack(runtime, settings, host="127.0.0.1")
        with pytest.raises(SlackStartFailed, match="SLACK_SIGNING_SECRET"):
            await start_slack(runtime, replace(settings, slack_signing_secret=None), host="127.0.0.1")
    finally:
        await runtime.close()


@pytest.mark.parametrize(
    "command, text, line",
    [("/watch", " Scale AI ", "/watch Scale AI"), ("/watchlist", "", "/watchlist"),
     ("/newsbot", "deals Meta 7", "/deals Meta 7"), ("/newsbot", "", "/help"),
     ("/feeds", "add https://e.example.com/f?a=1&amp;b=2", "/feeds add https://e.example.com/f?a=1&b=2"),
     ("/watch", "&lt;b&gt; &amp;lt;", "/watch <b> &lt;")],
)
def test_command_line(command, text, line):
    assert command_line(command, text) == line


@pytest.mark.parametrize(
    "user, channel, allowed",
    [
        ({"is_admin": True}, None, True),
        ({"is_owner": True}, {"creator": "UX"}, True),
        ({}, {"creator": "U1"}, True),
        ({}, {"creator": "UX"}, False),
        ({}, {"creator": ""}, False),
        ({}, None, False),
        (None, {"creator": "U1"}, True),
        ({}, {"is_im": True, "user": "U1"}, True),
        ({}, {"is_im": True, "user": "UX"}, False),
    ],
)
def test_who_may_change_a_channel(user, channel, allowed):
    assert may_change("U1", user, channel) is allowed


async def test_socket_mode_takes_commands_without_a_signature_or_a_port(tmp_path, slack_standin, network_guard):  # noqa: F811
    slack_standin.add_user(CREATOR)
    slack_standin.add_channel("C1", creator=CREATOR)
    settings = replace(slack_settings(tmp_path, slack_standin), slack_signing_secret=None,
                       slack_app_token="xapp-loop")
    runtime = await open_runtime(settings)
    front = None
    try:
        front = await start_slack(runtime, settings, host="127.0.0.1")
        assert front.port is None  # nothing listens
        payload = command_payload("/watch", "Meta", user=CREATOR, response_url=slack_standin.response_url("s1"))
        await slack_standin.socket_send({"envelope_id": "e1", "type": "slash_commands",
                                         "accepts_response_payload": True, "payload": payload})
        await until(lambda: slack_standin.responses)
        assert slack_standin.responses[0]["text"].startswith("Watching Meta")
        assert "e1" in slack_standin.socket_acks
    finally:
        if front is not None:
            await front.stop()
        await runtime.close()
