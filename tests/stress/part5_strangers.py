"""Part 5: text from strangers.

Hypothesis writes hostile titles, summaries, links, outlet names and watched names (mention
syntax of both platforms, invisible and bidi characters, markdown, fake links, very long
runs) and the real renderers turn them into what would be posted:

- Discord: `alert_embed` and `digest_messages` -- no live `@everyone`/`@here`, user, role or
  channel mention in any text the embed shows, every embed and message within Discord's
  limits; and `DiscordSender` posts with `AllowedMentions.none()` (checked on a stub client,
  so the sender path itself is what is tested);
- Slack: `alert_message` and `digest_messages` -- no `<!channel>`/`<!here>`/`<@U…>`/`<#C…>`,
  no link but ours (`<url|label>` whose url is the story's own safe link), within limits;
- commands: `parse_command` then `ChannelCommands.run` on a real store, with a stub fetcher,
  on any argument to any command -- only a NewsbotError may come out.

Every example is checked and counted (not stopped at the first failure), so the summary says
how many broke. The short form runs fewer examples, derandomised (the same every run).
"""

from __future__ import annotations

import re
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

import discord
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.adapters.discord import embeds as discord_embeds
from bot.adapters.discord.sender import DiscordSender
from bot.adapters.http_fetch import FetchResult
from bot.adapters.slack import blocks as slack_blocks
from bot.adapters.sqlite import Store
from bot.core.commands import COMMANDS, parse_command
from bot.core.errors import NewsbotError
from bot.core.render import alert_view
from bot.services.analyzer import Analyzer
from bot.services.commands import ChannelCommands
from tests.stress.part1_corpus import catalog
from tests.stress.summary import Summary

NOW = datetime(2025, 6, 13, 8, 0, tzinfo=UTC)
FRAGMENTS = (
    "@everyone", "@here", "@ everyone", "<@123456789012345678>", "<@!123456789012345678>",
    "<@&123456789012345678>", "<#123456789012345678>", "</deals:123456789012345678>",
    "@\u200beveryone", "@\u2060here", "＠everyone", "@\u202eenoyreve", "<!channel>", "<!here>",
    "<!everyone>", "<@U024BE7LH>", "<@W024BE7LH|bob>", "<#C024BE7LH|general>",
    "<!subteam^SAZ94GDB8>", "<!date^1392734382^{date}|x>", "<https://evil.example|https://good.example>",
    "<https://evil.example>", "[https://good.example](https://evil.example)", "&lt;!channel&gt;",
    "&#60;!here&#62;", "<", ">", "&", "|", "*", "_", "~", "`", "```", "\\", "[", "]", "(", ")",
    "\u200b", "\u202e", "\ufeff", "\x00", "\n", "\r\n", "\t", "https://good.example/a",
    "Meta", "Scale AI", " ", "  ",
)
hostile_text = st.one_of(
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=40).map("".join),
    st.text(max_size=300),
    st.builds(lambda s, n: s * n, st.sampled_from(FRAGMENTS), st.integers(100, 3000)),
)
hostile_link = st.one_of(st.none(), hostile_text,
                         st.builds(lambda t: f"https://news.example/{t}", hostile_text))

# -- what a live ping or a foreign link looks like -------------------------------------------
DISCORD_PINGS = re.compile(r"@(?:everyone|here)|<@[!&]?\d+>|<#\d+>|</[^>]+:\d+>")
SLACK_SPECIALS = re.compile(r"<[!@#]")
SLACK_LINK = re.compile(r"<([^<>|]*)(?:\|[^<>]*)?>")


def views(title, summary, link, source, names):
    watched = [n for n in names if n.strip()] or ["Meta"]
    return alert_view(title=title, link=link, source=source, published=NOW, summary=summary,
                      analysis={}, watched_names=watched, lang="en")


def embed_texts(embed: discord.Embed) -> list[str]:
    data = embed.to_dict()
    texts = [data.get("title", ""), data.get("description", ""),
             data.get("footer", {}).get("text", ""), data.get("author", {}).get("name", "")]
    texts += [f.get("name", "") + f.get("value", "") for f in data.get("fields", [])]
    return texts


def discord_problems(embeds: list[discord.Embed], own_url: str | None) -> list[str]:
    """`own_url` (the story's link as the renderer made it safe) is a link target, not text
    anyone reads: an `@everyone` inside a URL path does not count as a mention."""
    problems = []
    if len(embeds) > discord_embeds.EMBEDS_PER_MESSAGE:
        problems.append(f"{len(embeds)} embeds in one message")
    if sum(len(e) for e in embeds) > discord_embeds.CHARS_PER_MESSAGE:
        problems.append(f"{sum(len(e) for e in embeds)} characters in one message")
    for embed in embeds:
        data = embed.to_dict()
        limits = ((data.get("title", ""), discord_embeds.TITLE_MAX),
                  (data.get("description", ""), discord_embeds.DESCRIPTION_MAX),
                  (data.get("footer", {}).get("text", ""), discord_embeds.FOOTER_MAX),
                  (data.get("author", {}).get("name", ""), discord_embeds.AUTHOR_MAX))
        problems += [f"{len(text)} > {limit} characters" for text, limit in limits if len(text) > limit]
        problems += [f"field of {len(f['value'])}" for f in data.get("fields", [])
                     if len(f["value"]) > discord_embeds.FIELD_VALUE_MAX]
        for text in embed_texts(embed):
            if own_url:
                text = text.replace(own_url, "")
            ping = DISCORD_PINGS.search(text)
            if ping:
                problems.append(f"live mention {ping.group()!r}")
        url = data.get("url")
        if url is not None and not url.startswith(("http://", "https://")):
            problems.append(f"embed url {url!r}")
    return problems


def slack_texts(message: dict) -> list[str]:
    texts = [message.get("text", "")]
    for block in message.get("blocks", []):
        if "text" in block:
            texts.append(block["text"]["text"])
        texts += [e.get("text", "") for e in block.get("elements", [])]
    return texts


def slack_problems(message: dict, own_link: str | None) -> list[str]:
    problems = []
    if len(message.get("blocks", [])) > slack_blocks.MAX_BLOCKS:
        problems.append(f"{len(message['blocks'])} blocks")
    for text in slack_texts(message)[1:]:
        if len(text) > slack_blocks.MAX_SECTION_CHARS:
            problems.append(f"a block of {len(text)} characters")
    if sum(len(t) for t in slack_texts(message)) > slack_blocks.MAX_MESSAGE_CHARS + 3 * slack_blocks.MAX_SECTION_CHARS:
        problems.append("message too long")
    for text in slack_texts(message):
        special = SLACK_SPECIALS.search(text)
        if special:
            problems.append(f"live Slack special {text[special.start():special.start() + 20]!r}")
        for target in SLACK_LINK.findall(text):
            if target != own_link:
                problems.append(f"foreign link <{target[:40]}…>")
    return problems


class Tally:
    def __init__(self, summary: Summary, what: str) -> None:
        self.summary, self.what, self.shown = summary, what, 0

    def check(self, problems: list[str], example: object) -> None:
        self.summary.cases += 1
        if problems:
            self.summary.failures += 1
            if self.shown < 3:
                self.shown += 1
                self.summary.notes.append(f"{self.what}: {problems[0]} from {str(example)[:120]!r}")


def run_property(test, examples: int, full: bool) -> None:
    settings(max_examples=examples, derandomize=not full, database=None, deadline=None,
             suppress_health_check=list(HealthCheck))(test)()


def render_checks(summary: Summary, examples: int, full: bool) -> None:
    discord_tally, slack_tally = Tally(summary, "discord"), Tally(summary, "slack")

    @given(hostile_text, hostile_text, hostile_link, st.one_of(st.none(), hostile_text),
           st.lists(hostile_text, max_size=4), st.integers(1, 30))
    def renders_inertly(title, summary_text, link, source, names, stories):
        view = views(title, summary_text, link, source, names)
        example = (title, summary_text, link, source, names)
        discord_url = discord_embeds.safe_url(view.link)
        discord_tally.check(discord_problems([discord_embeds.alert_embed(view)], discord_url), example)
        digest = discord_embeds.digest_messages([(names[0] if names else "Meta", [view] * stories)], "en")
        discord_tally.check([p for m in digest for p in discord_problems(m, discord_url)], example)
        own = slack_blocks.safe_url(view.link)
        slack_tally.check(slack_problems(slack_blocks.alert_message(view), own), example)
        slack_digest = slack_blocks.digest_messages([(names[0] if names else "Meta", [view] * stories)], "en")
        slack_tally.check([p for m in slack_digest for p in slack_problems(m, own)], example)

    run_property(renders_inertly, examples, full)


class PostRecorder:
    """Stands in for discord.py's client: records what `channel.send` is given."""

    def __init__(self) -> None:
        self.sends: list[dict] = []

    def get_partial_messageable(self, channel_id: int):
        recorder = self

        class Channel:
            async def send(self, **kwargs):
                recorder.sends.append(kwargs)
                return type("Message", (), {"id": len(recorder.sends)})()

        return Channel()


async def sender_checks(summary: Summary) -> None:
    """The sender path: every post says AllowedMentions.none(), alerts and digests alike."""
    client = PostRecorder()
    sender = DiscordSender(client)  # type: ignore[arg-type]
    view = views("@everyone <@1> hi", "@here <@&2>", "https://news.example/a", "<#3>", ["@everyone"])
    await sender.send("123", view, "k1")
    await sender.send_digest("123", [("Meta", [view] * 40)], "en", "k2")
    tally = Tally(summary, "discord sender")
    for sent in client.sends:
        mentions = sent.get("allowed_mentions")
        none = discord.AllowedMentions.none()
        ok = isinstance(mentions, discord.AllowedMentions) and mentions.to_dict() == none.to_dict()
        tally.check([] if ok else [f"allowed_mentions={mentions!r}"], sent.get("nonce"))


class RefusingFetcher:
    """Commands never reach the network here: every fetch fails like an unreachable host."""

    async def fetch(self, url, etag=None, last_modified=None):
        return FetchResult(url=url, status=None, body=None, etag=None, last_modified=None,
                           headers=MappingProxyType({}), retry_after=None, max_age=None,
                           error="unreachable (stress stub)")


command_lines = st.one_of(
    st.builds(lambda name, rest: f"/{name} {rest}", st.sampled_from(COMMANDS), hostile_text),
    st.builds(lambda action, rest: f"/feeds {action} {rest}",
              st.sampled_from(("add", "remove", "list", "ADD", "")), hostile_text),
    st.builds(lambda mode, rest: f"/digest {mode} {rest}",
              st.sampled_from(("daily", "hourly", "instant")), hostile_text),
    st.builds(lambda rest: f"/deals {rest}", st.from_regex(r"[\w ]{0,20}\d{0,12}d?", fullmatch=True)),
    hostile_text,
)


async def command_checks(summary: Summary, examples: int, full: bool) -> None:
    lines: list[str] = []

    @given(command_lines)
    def collect(line):
        lines.append(line)

    run_property(collect, examples, full)
    tally = Tally(summary, "command")
    with tempfile.TemporaryDirectory(prefix="newsbot-stress-") as folder:
        store = await Store.open(Path(folder) / "bot.db")
        try:
            commands = ChannelCommands(store, Analyzer(catalog()), RefusingFetcher(), lambda: NOW)
            channel = await store.ensure_channel("console", "strangers", NOW)
            for line in lines:
                problem = []
                try:
                    await commands.run(channel, parse_command(line))
                except NewsbotError:
                    pass
                except Exception as exc:
                    problem = [f"raised {type(exc).__name__}: {exc}"]
                tally.check(problem, line)
        finally:
            await store.close()


async def run(full: bool) -> Summary:
    summary = Summary("part5 stranger text")
    started = time.perf_counter()
    examples = 3000 if full else 150
    render_checks(summary, examples, full)
    await sender_checks(summary)
    await command_checks(summary, examples, full)
    summary.seconds = time.perf_counter() - started
    return summary
