"""The `newsbot` command (also `python -m bot`): scan, demo, run.

The composition root: load `.env`, parse settings once, then hand them to a subcommand.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.adapters.feedlist import FeedListError
from bot.settings import SettingsError, load_settings, warn_about


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsbot",
        description="Watches tech news feeds for the entities channels care about and posts the figures that matter.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    scan = sub.add_parser("scan", help="analyse feeds (URLs or files) and print every entry; stores nothing")
    scan.add_argument("sources", nargs="+", metavar="SOURCE", help="feed URL or file path")
    scan.add_argument("--watch", action="append", default=[], metavar="NAME",
                      help="limit the entities listed to these names (repeatable)")
    scan.add_argument("--json", action="store_true", help="one JSON object per entry per line")
    sub.add_parser("demo", help="offline demo: sample feeds, a console channel, alerts and deals printed")
    sub.add_parser("run", help="run the bot: poll feeds and deliver alerts to every configured platform")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"newsbot: {error}", file=sys.stderr)
        return 2
    # scan reports each unreadable source on one line itself; the library's own warnings
    # would say the same thing twice.
    quiet = {"scan": "ERROR", "demo": "WARNING"}
    logging.basicConfig(
        level=quiet.get(args.command, settings.log_level),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for warning in warn_about(settings):
        logging.getLogger("newsbot").warning(warning)

    try:
        if args.command == "scan":
            from bot.cli.scan import scan

            return asyncio.run(scan(settings, args.sources, args.watch, args.json))
        if args.command == "demo":
            from bot.cli.demo import demo

            return asyncio.run(demo(settings))
        from bot.cli.run import run

        return asyncio.run(run(settings))
    except (SettingsError, FeedListError) as error:
        print(f"newsbot: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
