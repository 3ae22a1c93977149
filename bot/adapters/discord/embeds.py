"""Alerts and digests as Discord embeds. Pure: builds discord.py objects, sends nothing.

Feed text is hostile until escaped. Everything that came from a feed (titles, excerpts, outlet
names, the figures line, which quotes names found in the text) goes through `safe()`:
invisible characters are removed first (so `@\u200beveryone`-style tricks cannot hide markup from
the escaper), then `discord.utils.escape_markdown` and `escape_mentions`, then every `<` that
could open a mention, channel link, emoji, timestamp or command mention (`<@&1>`, `<#1>`, `</x:1>`)
is broken with a zero-width space, and square brackets are escaped so no masked link survives.
Messages also go out with `AllowedMentions.none()` (the sender's job): escaping protects the
layout, allowed_mentions guarantees nobody is pinged.

Embed footers and author lines are plain text in Discord (no markdown, no mentions), so they get
`plain()` (invisible characters removed, mentions broken) instead: markdown escapes there would
show as literal backslashes.

Discord's limits (characters): title 256, description 4096, field value 1024, footer 2048, author
256, 25 fields, and per message 10 embeds and 6000 characters over all of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC
from urllib.parse import quote, urlsplit

import discord
from discord.utils import escape_markdown, escape_mentions

from bot.core.render import AlertView, Segment, channel_lang

TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
AUTHOR_MAX = 256
EMBEDS_PER_MESSAGE = 10
CHARS_PER_MESSAGE = 6000
URL_MAX = 512  # longer links are shown without a link rather than risk a rejected embed

ALERT_COLOUR = discord.Colour(0x3B82F6)
DIGEST_COLOUR = discord.Colour(0x64748B)

# Zero-width, joiners, bidi overrides/isolates, soft hyphen, BOM and C0/C1 controls.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")
_ANGLE_OPEN = re.compile(r"<(?=\S)")
_WHITESPACE = re.compile(r"\s+")
_WORDS = {
    "en": {"story": "story", "stories": "stories", "cont": "cont.", "feed": "feed"},
    "fr": {"story": "article", "stories": "articles", "cont": "suite", "feed": "flux"},
}


def _visible(text: str) -> str:
    """Invisible characters removed and whitespace runs made one space: feed text cannot break
    lines. Edges are kept, so excerpt segments still join with their spaces."""
    return _WHITESPACE.sub(" ", _INVISIBLE.sub("", text))


def _escape_brackets(text: str) -> str:
    """Backslash every `[` and `]` not already escaped (escape_markdown only catches whole
    `[x](y)` patterns; a lone `]` inside our own masked link would end it early)."""
    out: list[str] = []
    backslashes = 0
    for char in text:
        if char in "[]" and backslashes % 2 == 0:
            out.append("\\")
        out.append(char)
        backslashes = backslashes + 1 if char == "\\" else 0
    return "".join(out)


def safe(text: str) -> str:
    """Feed text made inert for markdown-rendering places (title, description, field values)."""
    text = escape_mentions(escape_markdown(_visible(text)))
    return _escape_brackets(_ANGLE_OPEN.sub("<\u200b", text))


def plain(text: str) -> str:
    """Feed text for plain-text places (footer, author): no markdown is rendered there."""
    return _ANGLE_OPEN.sub("<\u200b", escape_mentions(_visible(text)))


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, with an ellipsis when cut; never ends on a lone escaping
    backslash, which would swallow the ellipsis or our own markup."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    trailing = len(cut) - len(cut.rstrip("\\"))
    if trailing % 2:
        cut = cut[:-1]
    return cut + "…"


def safe_url(url: str | None) -> str | None:
    """An http(s) link Discord will accept in an embed or a masked link, else None."""
    if not url:
        return None
    url = _INVISIBLE.sub("", url).strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > URL_MAX:
        return None
    # Parentheses, spaces and angle brackets would end a masked link early.
    return quote(url, safe=":/?#@!$&'*+,;=%~-._[]")


def _excerpt(segments: Sequence[Segment], budget: int) -> str:
    """The excerpt with highlighted segments in bold, within `budget` characters."""
    parts: list[str] = []
    used = 0
    for segment in segments:
        text = safe(segment.text)
        markup = 4 if segment.highlight else 0
        if used + len(text) + markup > budget:
            room = budget - used - markup
            if not segment.highlight and room > 1:
                parts.append(clip(text, room))
            elif used + 1 <= budget:
                parts.append("…")
            break
        parts.append(f"**{text}**" if segment.highlight else text)
        used += len(text) + markup
    return "".join(parts)


def alert_embed(view: AlertView) -> discord.Embed:
    """One story: the headline linked, the outlet and time, what it matched, the key figures
    and an excerpt with the matched names in bold."""
    figures = clip(safe(view.figures), FIELD_VALUE_MAX) if view.figures else ""
    head = f"{figures}\n\n" if figures else ""
    excerpt = _excerpt(view.excerpt, DESCRIPTION_MAX - len(head) - 2)
    description = head + (f"> {excerpt}" if excerpt else "")
    published = view.published
    if published is not None and published.tzinfo is None:
        published = published.replace(tzinfo=UTC)  # stored times are UTC; naive would read as local
    embed = discord.Embed(
        title=clip(safe(view.title).strip() or "(untitled)", TITLE_MAX),
        url=safe_url(view.link),
        description=description.strip() or None,
        colour=ALERT_COLOUR,
        timestamp=published,
    )
    if view.entities:
        embed.set_author(name=clip("🔔 " + " · ".join(plain(name) for name in view.entities), AUTHOR_MAX))
    embed.set_footer(text=clip(plain(view.source or "").strip() or "RSS", AUTHOR_MAX))
    return embed


def _headline(view: AlertView, title_limit: int = 200) -> str:
    title = clip(safe(view.title).strip() or "(untitled)", title_limit)
    url = safe_url(view.link)
    return f"[{title}]({url})" if url else title


def digest_line(view: AlertView) -> str:
    """One story in a digest: linked headline and outlet, then its figures on a second line."""
    line = f"• **{_headline(view)}**"
    if view.source:
        line += f" · *{clip(safe(view.source), 80)}*"
    if view.figures:
        line += "\n" + clip(safe(view.figures), 400)
    return line


def _pack_lines(lines: Iterable[str], limit: int) -> list[str]:
    """Join lines into blocks of at most `limit` characters, never splitting a line."""
    blocks: list[str] = []
    current = ""
    for line in lines:
        line = clip(line, limit)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            blocks.append(current)
            candidate = line
        current = candidate
    if current:
        blocks.append(current)
    return blocks


def group_embeds(name: str, views: Sequence[AlertView], lang: str) -> list[discord.Embed]:
    """One entity's stories: one embed, or several when the list outgrows a description."""
    words = _WORDS[channel_lang(lang)]
    count = f"{len(views)} {words['story'] if len(views) == 1 else words['stories']}"
    title = clip(f"{safe(name)} — {count}", TITLE_MAX)
    blocks = _pack_lines((digest_line(view) for view in views), DESCRIPTION_MAX)
    embeds = []
    for index, block in enumerate(blocks):
        heading = title if index == 0 else clip(f"{safe(name)} ({words['cont']})", TITLE_MAX)
        embeds.append(discord.Embed(title=heading, description=block, colour=DIGEST_COLOUR))
    return embeds


def pack_messages(embeds: Iterable[discord.Embed]) -> list[list[discord.Embed]]:
    """Embeds in order, split over messages of at most 10 embeds and 6000 characters."""
    messages: list[list[discord.Embed]] = []
    current: list[discord.Embed] = []
    size = 0
    for embed in embeds:
        if current and (len(current) == EMBEDS_PER_MESSAGE or size + len(embed) > CHARS_PER_MESSAGE):
            messages.append(current)
            current, size = [], 0
        current.append(embed)
        size += len(embed)
    if current:
        messages.append(current)
    return messages


def digest_messages(groups: Iterable[tuple[str, Sequence[AlertView]]], lang: str) -> list[list[discord.Embed]]:
    """A digest, grouped by entity: each inner list is one message's embeds."""
    embeds: list[discord.Embed] = []
    for name, views in groups:
        if views:
            embeds += group_embeds(name, views, lang)
    return pack_messages(embeds)
