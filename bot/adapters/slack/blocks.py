"""Block Kit for alerts, digests and command replies. Pure: dicts in, dicts out.

Everything that comes from a feed or a user (titles, sources, excerpts, watched names, feed
URLs) goes through `escape` before it reaches Slack's mrkdwn, so `<!channel>`, `<@U123>` or
`<https://evil|disguised>` in a headline are shown as typed and never become a mention or a
link. The only `<…>` markup we emit is the headline link, built by `link` from an http(s) URL.

Slack's limits (https://api.slack.com/reference/block-kit/blocks): 50 blocks per message,
3,000 characters in a section's text. Digests are packed into as few messages as fit.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote, urlsplit

from bot.core.render import AlertView

MAX_BLOCKS = 50
MAX_SECTION_CHARS = 3000
# Slack truncates or refuses very long messages (msg_too_long at 40,000 characters of text);
# a digest part stays well under it so one oversized part never holds the rest back.
MAX_MESSAGE_CHARS = 12_000
MAX_TITLE_CHARS = 300
MAX_FALLBACK_CHARS = 300

_DIGEST_TITLE = {"en": "📰 Digest — {n} stories", "fr": "📰 Résumé — {n} articles"}
_PART = {"en": " (part {i} of {n})", "fr": " (partie {i} sur {n})"}


def escape(text: str) -> str:
    """The three characters Slack asks apps to escape in message text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def inert(text: str) -> str:
    """Escaped, and without the mrkdwn markers that would restyle our own bold or code spans.

    Slack has no backslash escape for `*`, `_`, `~` or backticks, so inside text we wrap in
    `*…*` they are dropped rather than allowed to close the bold early."""
    return escape(text).replace("*", "").replace("`", "'")


def safe_url(url: str | None) -> str | None:
    """The URL to put inside `<…|…>`, or None when it is not a plain http(s) address.

    `|` would end the URL early and let the rest pose as the label; `<`, `>` and `&` are
    escaped as Slack asks; whitespace and control characters make the URL unusable."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        return None
    return escape(quote(url, safe=":/?#[]@!$&'()*+,;=%~-._"))


def link(url: str | None, label: str) -> str:
    """`<url|label>` when the URL is safe, else the label alone (already escaped by the caller)."""
    target = safe_url(url)
    return f"<{target}|{label}>" if target else label


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def when_text(view: AlertView) -> str:
    return f"{view.published:%Y-%m-%d %H:%M} UTC" if view.published else ""


def headline(view: AlertView) -> str:
    title = inert(cut(view.title, MAX_TITLE_CHARS)) or "(untitled)"
    return f"*{link(view.link, title)}*"


def excerpt_mrkdwn(view: AlertView) -> str:
    parts = []
    for segment in view.excerpt:
        if segment.highlight:
            # Bold only where the segment has visible text once the markers are gone.
            text = inert(segment.text).strip()
            parts.append(f"*{text}*" if text else "")
        else:
            parts.append(escape(segment.text))
    return "".join(parts)


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut(text, MAX_SECTION_CHARS)}}


def context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": cut(text, MAX_SECTION_CHARS)}]}


def alert_fallback(view: AlertView) -> str:
    """The notification text (shown in push notifications and by screen readers)."""
    return cut(f"🔔 [{escape(', '.join(view.entities))}] {escape(view.title)}", MAX_FALLBACK_CHARS)


def alert_blocks(view: AlertView) -> list[dict]:
    """Headline linked; source, time and matched names; the figures line; the excerpt."""
    about = " · ".join(part for part in (
        escape(view.source or ""), when_text(view), "🔔 " + escape(", ".join(view.entities)),
    ) if part and part != "🔔 ")
    blocks = [section(headline(view))]
    if about:
        blocks.append(context(about))
    if view.figures:
        blocks.append(section(inert(view.figures)))
    excerpt = excerpt_mrkdwn(view)
    if excerpt.strip():
        blocks.append(section("> " + excerpt))
    return blocks


def alert_message(view: AlertView) -> dict:
    return {"text": alert_fallback(view), "blocks": alert_blocks(view)}


def digest_story(view: AlertView) -> str:
    line = "• " + link(view.link, inert(cut(view.title, MAX_TITLE_CHARS)) or "(untitled)")
    if view.source:
        line += f" — {escape(view.source)}"
    if view.figures:
        line += f"\n    {inert(view.figures)}"
    return line


def _pack(lines: Iterable[str], limit: int = MAX_SECTION_CHARS) -> list[str]:
    """Join lines into texts of at most `limit` characters (a longer line is cut)."""
    texts: list[str] = []
    current = ""
    for line in lines:
        line = cut(line, limit)
        if current and len(current) + 1 + len(line) > limit:
            texts.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        texts.append(current)
    return texts


def digest_messages(groups: list[tuple[str, list[AlertView]]], lang: str) -> list[dict]:
    """One digest as a list of messages (`text` + `blocks`), each within Slack's limits.

    Each entity gets a bold heading block and its stories packed into sections; messages
    are cut between blocks, so a story is never split across two messages."""
    lang = lang if lang in _DIGEST_TITLE else "en"
    count = sum(len(views) for _, views in groups)
    title = _DIGEST_TITLE[lang].format(n=count)
    body: list[dict] = []
    for name, views in groups:
        body.append(section(f"*{inert(cut(name, MAX_TITLE_CHARS))}*"))
        body.extend(section(text) for text in _pack(digest_story(view) for view in views))
    parts: list[list[dict]] = [[]]
    used = 0
    for block in body:
        size = len(block["text"]["text"])
        # One block for the title that starts every message.
        if parts[-1] and (len(parts[-1]) + 1 >= MAX_BLOCKS or used + size > MAX_MESSAGE_CHARS):
            parts.append([])
            used = 0
        parts[-1].append(block)
        used += size
    messages = []
    for index, blocks in enumerate(parts, start=1):
        heading = title + (_PART[lang].format(i=index, n=len(parts)) if len(parts) > 1 else "")
        messages.append({"text": heading, "blocks": [section(f"*{heading}*"), *blocks]})
    return messages


def reply_text(text: str) -> str:
    """A command reply: the services' sentence with names and URLs from users made inert."""
    return cut(escape(text), MAX_MESSAGE_CHARS)
