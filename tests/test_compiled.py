"""The compiled analysis (setup.py, Cython) says exactly what its Python sources say.

Cython compiles ordinary Python, but a difference in a corner (an integer's type, a closure, an
annotation taken as a C type) would change alerts and the deal ledger without a single rule
changing. So every labelled article, every sample-feed entry and a set of odd variants of them
are analysed twice, in two processes: once as installed (compiled where setup.py could build) and
once from the .py sources only. The JSON must be identical, byte for byte.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.compiled import compiled_files, use_sources_only

ROOT = Path(__file__).resolve().parents[1]

# Runs in a child process; argv[1] == "pure" makes it import bot's modules from .py files only.
_ANALYSE = r"""
import json, sys, unicodedata
if sys.argv[1] == "pure":
    from tests.compiled import use_sources_only
    use_sources_only()
from tests.compiled import describe_build
from bot.core.analysis import analyze, analysis_to_json
from bot.core.entities import Catalog, Matcher
from bot.core.feeds import parse_feed
from pathlib import Path

root = Path.cwd()
texts = []
for name in ("dev.json", "holdout.json"):
    for item in json.loads((root / "tests/data" / name).read_text(encoding="utf-8")):
        texts.append((item["lang"], item["title"] + "\n" + item["summary"]))
for path in sorted(root.glob("seeds/feeds/**/*.xml")):
    feed = parse_feed(path.read_bytes())
    texts += [(entry.lang or feed.lang, entry.text) for entry in feed.entries]
# The same texts with the language guessed, shouted, decomposed and with typographic spaces.
texts += [(None, text) for _, text in list(texts)]
texts += [(lang, text.upper()) for lang, text in texts[::3]]
texts += [(lang, unicodedata.normalize("NFD", text)) for lang, text in texts[1::3]]
texts += [(lang, text.replace(" ", "\u202f").replace("'", "\u2019")) for lang, text in texts[2::3]]
catalog = Catalog.from_toml_text((root / "config/entities.toml").read_text(encoding="utf-8"))
matcher = Matcher(catalog, ["Hugging Face", "Acme Widgets"])
print(describe_build(), file=sys.stderr)
for lang, text in texts:
    print(json.dumps(analysis_to_json(analyze(text, matcher, lang)), ensure_ascii=False, sort_keys=True))
"""


def _analyse(mode: str) -> tuple[list[str], str]:
    done = subprocess.run([sys.executable, "-c", _ANALYSE, mode], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.splitlines(), done.stderr


@pytest.mark.skipif(not compiled_files(), reason="pure-Python build: no compiled module to compare")
def test_compiled_analysis_gives_the_same_output_as_the_python_sources():
    compiled, compiled_build = _analyse("installed")
    pure, pure_build = _analyse("pure")
    assert "compiled by Cython" in compiled_build and "pure Python" in pure_build, (compiled_build, pure_build)
    assert len(compiled) == len(pure) > 600
    assert sum('"kind"' in line for line in compiled) > 100  # deals were found, not only empty results
    differing = [i for i, (a, b) in enumerate(zip(compiled, pure)) if a != b]
    assert not differing, f"{len(differing)} texts differ; first: compiled {compiled[differing[0]]} pure {pure[differing[0]]}"


def test_sources_only_mode_imports_no_compiled_module():
    """The comparison above means something only if the pure side really runs the .py files."""
    code = ("from tests.compiled import use_sources_only, is_compiled\n"
            "use_sources_only()\n"
            "import sys, bot.core.analysis, bot.core.deals.frames, bot.core.figures, bot.core.entities\n"
            "print(sorted(n for n, m in sys.modules.items() if n.startswith('bot.') and is_compiled(m)))\n"
            "print(bot.core.deals.frames.__file__)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    compiled_names, frames_file = done.stdout.splitlines()
    assert compiled_names == "[]"
    assert frames_file.endswith("frames.py")


def test_sources_only_refuses_once_bot_is_imported():
    import bot.core.analysis  # noqa: F401 - the suite has imported it already; make sure

    with pytest.raises(RuntimeError, match="already imported"):
        use_sources_only()


# ---------------------------------------------------------------- odd text, compiled or not
# Compiled, an argument annotated `str` or `list` is checked on entry (setup.py), so a None or a
# tuple that pure Python would carry along raises TypeError there instead. Texts mixing article
# words with the characters and figures the rules care about go through the analysis as
# installed; every one must give an analysis whose spans lie inside the text.

def _article_words() -> list[str]:
    words: list[str] = []
    for name in ("dev.json", "holdout.json"):
        for item in json.loads((ROOT / "tests/data" / name).read_text(encoding="utf-8")):
            words += (item["title"] + " " + item["summary"]).split()
    return sorted(set(words))


_ODD = ["$", "€", "%", "-", "–", "’", "'", ",", ".", ";", ":", "(", ")", "\n", "\u202f", "\u00a0", "bn", "Md$",
        "1,5", "15.000", "2 000", "49 %", "led by", "Series B", "rachète", "übernimmt", "adquiere", "İ", "ß", "ﬁ",
        "\u0301", "٣", "½", "a investi", "in talks", "la start-up", "the company"]


@pytest.fixture(scope="module")
def installed_matcher():
    from bot.core.entities import Catalog, Matcher

    catalog = Catalog.from_toml_text((ROOT / "config" / "entities.toml").read_text(encoding="utf-8"))
    return Matcher(catalog, ["Hugging Face"])


def test_analysis_of_odd_text_never_raises_and_keeps_spans_inside(installed_matcher):
    from hypothesis import given, settings, strategies as st

    from bot.core.analysis import analyze

    token = st.sampled_from(_article_words() + _ODD) | st.text(max_size=3)
    texts = st.lists(token, max_size=90).map(" ".join) | st.lists(token, max_size=90).map("".join)

    @settings(max_examples=400)
    @given(texts, st.sampled_from([None, "en", "fr", "de", "es", "xx"]))
    def check(text, lang):
        result = analyze(text, installed_matcher, lang)
        for figure in (*result.entities, *result.amounts, *result.percents):
            assert 0 <= figure.start <= figure.end <= len(text)

    check()
