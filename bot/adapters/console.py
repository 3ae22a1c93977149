"""The console front end: alerts printed in the terminal, and a prompt that takes the same
slash commands as Discord and Slack. Used by `newsbot demo`, and by `newsbot run` when no
platform token is set."""

from __future__ import annotations

import asyncio
import re
import sys
import threading
from typing import TextIO

from bot.core.commands import parse_command
from bot.core.errors import NewsbotError
from bot.core.render import AlertView

# Feed text must not drive the terminal: no escape sequences, no carriage-return overprinting.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    return _CONTROL.sub("", text)


def alert_text(view: AlertView) -> str:
    when = f" · {view.published:%Y-%m-%d %H:%M} UTC" if view.published else ""
    lines = [
        f"🔔 [{', '.join(view.entities)}] {view.title}",
        f"   {view.source or 'feed'}{when}" + (f" · {view.link}" if view.link else ""),
    ]
    if view.figures:
        lines.append(f"   {view.figures}")
    excerpt = "".join(f"**{s.text}**" if s.highlight else s.text for s in view.excerpt)
    if excerpt:
        lines.append(f"   > {excerpt}")
    return terminal_safe("\n".join(lines))


class ConsoleSender:
    platform = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self.sent = 0

    async def send(self, external_id: str, alert: AlertView, key: str) -> str:
        self.sent += 1
        print(alert_text(alert), file=self.stream, flush=True)
        print(file=self.stream, flush=True)
        return f"console-{self.sent}"

    async def send_digest(self, external_id: str, groups, lang: str, key: str) -> str:
        self.sent += 1
        print(digest_text(groups, lang), file=self.stream, flush=True)
        print(file=self.stream, flush=True)
        return f"console-{self.sent}"


def digest_text(groups: list[tuple[str, list[AlertView]]], lang: str) -> str:
    count = sum(len(views) for _, views in groups)
    title = f"📰 Résumé — {count} articles" if lang == "fr" else f"📰 Digest — {count} stories"
    lines = [title]
    for name, views in groups:
        lines.append(f"■ {name}")
        for view in views:
            lines.append(f"  • {view.title}" + (f" — {view.source}" if view.source else ""))
            if view.figures:
                lines.append(f"    {view.figures}")
            if view.link:
                lines.append(f"    {view.link}")
    return terminal_safe("\n".join(lines))


async def run_command_line(commands, channel, line: str) -> str:
    """Run one typed command and return what to print; errors become their sentence."""
    try:
        reply = await commands.run(channel, parse_command(line))
    except NewsbotError as error:
        return f"⚠ {error}"
    return reply.text


def _stdin_lines(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue, stdin: TextIO) -> None:
    for line in iter(stdin.readline, ""):
        loop.call_soon_threadsafe(queue.put_nowait, line)
    loop.call_soon_threadsafe(queue.put_nowait, None)


async def console_prompt(
    commands, channel, stop: asyncio.Event, stream: TextIO | None = None, stdin: TextIO | None = None
) -> None:
    """Take commands from stdin until EOF or `stop`.

    stdin is read by a daemon thread, not the default executor: a blocked readline in the
    executor would keep the process from exiting on SIGTERM."""
    out = stream or sys.stdout
    print("newsbot console — type /help, /watch Meta, /deals… (Ctrl-D or Ctrl-C to stop)", file=out, flush=True)
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    reader = threading.Thread(
        target=_stdin_lines, args=(asyncio.get_running_loop(), queue, stdin or sys.stdin),
        name="console-stdin", daemon=True,
    )
    reader.start()
    while not stop.is_set():
        line = await queue.get()
        if line is None:
            return
        if line.strip():
            print(terminal_safe(await run_command_line(commands, channel, line)), file=out, flush=True)
