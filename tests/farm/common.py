"""Small helpers the drivers share: talking to the farm and reading this process's costs."""

from __future__ import annotations

import json
import os
import resource
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from tests.farm.content import NAMES

CHANNELS = 1_000
WATCHES_PER_CHANNEL = 5
WARM_SHARE = 0.10


def watched_names(channel: int) -> list[str]:
    """Channel `channel` watches 5 startups of the long tail (5,000 names of the 50,000 the
    farm's news mentions), so alerts are a realistic trickle, not one per entry."""
    return [NAMES[channel * WATCHES_PER_CHANNEL + k] for k in range(WATCHES_PER_CHANNEL)]


def feed_url(base: str, feed: int) -> str:
    return f"{base}/feed/{feed}.xml"


def advance_farm(base: str, share: float = WARM_SHARE) -> list[int]:
    with urllib.request.urlopen(urllib.request.Request(f"{base}/_advance?share={share}", method="POST")) as r:
        return json.loads(r.read())


def farm_posts(base: str) -> list[dict]:
    with urllib.request.urlopen(f"{base}/_posts") as r:
        return json.loads(r.read())


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of a running process (Linux /proc), e.g. a worker of the pool."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Cycle:
    wall: float
    cpu: float
    peak_mb: float
    entries: int  # entries stored (new) in this cycle
    feeds_changed: int = 0
    alerts: int = 0
    latency_p50: float | None = None
    latency_p95: float | None = None
    stages: dict | None = None
    note: str = ""

    @property
    def entries_per_s(self) -> float:
        return self.entries / self.wall if self.wall else 0.0

    def as_dict(self) -> dict:
        return {**asdict(self), "entries_per_s": self.entries_per_s}


class Meter:
    """Wall and CPU (all threads of this process) over a block."""

    def __enter__(self) -> Meter:
        self.wall0, self.cpu0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall0
        self.cpu = time.process_time() - self.cpu0


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]
