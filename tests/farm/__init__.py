"""The feed-farm benchmark (issue 7): `python -m tests.farm` (part of `make bench`).

server.py    the farm: N generated feeds + the Discord stand-in, in their own process
content.py   deterministic EN/FR articles with company names and figures
pipeline.py  newsbot's own pipeline, driven end to end in its own process
peers.py     lemon24's `reader`, the naive feedparser loop, and the floors
__main__.py  runs everything and writes BENCHMARKS.md and docs/bench-cycle.png
"""
