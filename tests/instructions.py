"""Instructions per analysed article, counted by valgrind: a speed measure that does not move.

    python -m tests.instructions [--stage analyze|lang|match|figures|deals] [--articles deal|plain|mixed] [-n N] [--pure]

Times on a shared virtual machine vary by 1.5x from one run to the next, so a change that saves
5 % cannot be told from noise by `make bench`. Valgrind's instruction count of the same run is the
same every time (hash seed fixed). The script runs the bench's corpus set-up (tests/bench.py) twice
under valgrind, once followed by N calls of the stage and once by none, and prints the difference
divided by N. Instructions are not time, but on this code (Python bytecode and `re`) they track it
closely enough to rank changes. Needs valgrind on PATH; it is not part of `make test` or `make bench`.
`--pure` counts the .py sources of the analysis instead of its compiled modules (setup.py).
The set-up's objects are frozen out of the garbage collector before counting: a full collection
walks every one of them (some 20,000), and where such collections fell among the calls moved a
count over 150 calls by up to 2x (language guess: 76k or 175k instructions per article).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import re
import shutil
import subprocess
import sys

from tests.compiled import use_sources_only

STAGES = ("analyze", "lang", "match", "figures", "deals")
_SET = {"deal": 300, "plain": 600, "mixed": 600}  # articles set up before counting


def _run_stage(stage: str, articles: str, calls: int) -> None:
    """The measured child: set up as the bench does, then call `stage` on `calls` articles."""
    from bot.core import figures
    from bot.core.analysis import analyze
    from bot.core.deals import find_deals
    from bot.core.entities import Catalog, Matcher
    from bot.core.language import guess_language
    from tests import bench

    rng = random.Random(bench.SEED)
    catalog = Catalog.from_toml_text(bench.CATALOG_FILE.read_text(encoding="utf-8"))
    phrases = bench.synthetic_phrases(bench.EXTRA_PHRASES, rng)
    companies = [e.name for e in catalog if e.kind != "concept"][:80] + ["Acme Widgets", "Northwind"]
    corpus = bench.build_corpus(rng, companies, phrases)
    matcher = Matcher(catalog, phrases)
    texts = [t for _, t, heavy in corpus if articles == "mixed" or heavy == (articles == "deal")][:_SET[articles]]
    langs = [guess_language(t) for t in texts]
    found = [(matcher.find(t), figures.find_amounts(t, lang), figures.find_percents(t, lang))
             for t, lang in zip(texts, langs)]
    figures._figures.cache_clear()  # the figures stage must compute, not remember
    call = {
        "analyze": lambda i: analyze(texts[i], matcher),
        "lang": lambda i: guess_language(texts[i]),
        "match": lambda i: matcher.find(texts[i]),
        "figures": lambda i: figures._figures.__wrapped__(texts[i], langs[i]),
        "deals": lambda i: find_deals(texts[i], *found[i], langs[i]),
    }[stage]
    call(0)  # first-call caches
    gc.collect()
    gc.freeze()
    for i in range(calls):
        call(i % len(texts))


def _count(stage: str, articles: str, calls: int, pure: bool) -> int:
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
               sys.executable, "-m", "tests.instructions", "--child", "--stage", stage,
               "--articles", articles, "-n", str(calls), *(["--pure"] if pure else [])]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"},
                          check=True)
    m = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if m is None:
        raise RuntimeError(f"valgrind printed no instruction count:\n{done.stderr[-2000:]}")
    return int(m.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", choices=STAGES, default="analyze")
    parser.add_argument("--articles", choices=tuple(_SET), default="mixed")
    parser.add_argument("-n", type=int, default=None, help="calls to count (default: one per article set up)")
    parser.add_argument("--pure", action="store_true", help="count the .py sources, not the compiled modules")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    calls = _SET[args.articles] if args.n is None else args.n
    if args.child:
        if args.pure:
            use_sources_only()
        _run_stage(args.stage, args.articles, calls)
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed; this measure needs it (apt install valgrind)")
    counts = [_count(args.stage, args.articles, n, args.pure) for n in (calls, 0)]
    build = "Python sources" if args.pure else "as installed"
    print(f"{args.stage} on {args.articles} articles: {(counts[0] - counts[1]) / calls:,.0f} instructions per article "
          f"({calls} calls, {build}, valgrind)")


if __name__ == "__main__":
    main()
