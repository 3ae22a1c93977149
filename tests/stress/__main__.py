"""`python -m tests.stress` (make stress): every part in full, one summary line each.
Exit code 1 when any part lost, doubled or failed something."""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
import sys
import time

import tests.stress


def part_modules() -> list[str]:
    return sorted(
        f"tests.stress.{info.name}" for info in pkgutil.iter_modules(tests.stress.__path__)
        if info.name.startswith("part")
    )


async def main() -> int:
    dirty = 0
    for name in part_modules():
        module = importlib.import_module(name)
        started = time.perf_counter()
        summary = await module.run(full=True)
        summary.seconds = summary.seconds or time.perf_counter() - started
        print(summary.line(), flush=True)
        dirty += not summary.clean
    return 1 if dirty else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
