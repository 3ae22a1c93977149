"""`python -m tests.farm [--sizes 1000,2000]`: start a farm per size, run newsbot, reader, the
naive loop and the floor against it (each in its own process), print the ratios, and write
BENCHMARKS.md and docs/bench-cycle.png. Asserts nothing: figures, not tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.farm.report import write_plot, write_report

ROOT = Path(__file__).resolve().parents[2]
# The sizes issue 7 states its targets for; FARM_SIZES=100,300 gives a quick look.
DEFAULT_SIZES = "1000,10000"


def _run(args: list[str], timeout: float) -> dict:
    done = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_size(feeds: int) -> dict:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        info = Path(tmp) / "farm.json"
        farm = subprocess.Popen([sys.executable, "-m", "tests.farm.server", "--feeds", str(feeds),
                                 "--write-info", str(info)], cwd=ROOT)
        try:
            deadline = time.monotonic() + 30
            while not info.exists() or not info.read_text():
                if time.monotonic() > deadline or farm.poll() is not None:
                    raise RuntimeError("the farm did not start")
                time.sleep(0.1)
            common = ["--info", str(info), "--feeds", str(feeds)]
            for name, args in (("newsbot", ["-m", "tests.farm.pipeline", *common]),
                               ("reader", ["-m", "tests.farm.peers", "reader", *common, "--workers", "16"]),
                               ("naive", ["-m", "tests.farm.peers", "naive", *common, "--sample", "10"]),
                               ("floor", ["-m", "tests.farm.peers", "floor", *common, "--sample", "100"])):
                print(f"  N={feeds}: {name} ...", flush=True)
                results[name] = _run(args, timeout=1800)
        finally:
            farm.terminate()
            farm.wait(10)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default=os.environ.get("FARM_SIZES", DEFAULT_SIZES))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    started = time.monotonic()
    runs = {}
    for feeds in sizes:
        print(f"feed farm, N={feeds}", flush=True)
        runs[feeds] = bench_size(feeds)
        newsbot, reader = runs[feeds]["newsbot"], runs[feeds]["reader"]
        for cycle in ("cold", "warm"):
            print(f"  {cycle}: newsbot {newsbot[cycle]['wall']:.2f} s, reader {reader[cycle]['wall']:.2f} s,"
                  f" reader/newsbot = {reader[cycle]['wall'] / newsbot[cycle]['wall']:.2f}x", flush=True)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    write_report(ROOT / "BENCHMARKS.md", runs, machine, time.monotonic() - started)
    write_plot(ROOT / "docs" / "bench-cycle.png", runs)
    print(f"wrote BENCHMARKS.md and docs/bench-cycle.png in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
