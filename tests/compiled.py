"""The analysis modules that setup.py compiles with Cython: which run compiled, which are stale,
and how to run the same code from its .py sources instead.

    python -m tests.compiled                   # which modules are compiled, and any stale one
    python -m tests.compiled pure MODULE ARGS  # run `python -m MODULE ARGS` on the .py sources

Python imports an extension module before a .py of the same name, so a compiled module older
than its source would run the old rules. The test suite refuses to start in that case (conftest.py)
and `make compiled` rebuilds what changed.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import runpy
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "bot"


# What names an extension module for this interpreter (".cpython-311-x86_64-linux-gnu.so", ".so"...).
_EXTENSION_SUFFIXES = tuple(importlib.machinery.EXTENSION_SUFFIXES)


def compiled_files() -> list[Path]:
    """The extension modules beside bot's sources that this interpreter would import."""
    return sorted(p for p in PACKAGE.rglob("*") if p.name.endswith(_EXTENSION_SUFFIXES))


def _source_of(compiled: Path) -> Path:
    """bot/core/figures.cpython-311-x86_64-linux-gnu.so -> bot/core/figures.py"""
    return compiled.with_name(compiled.name.split(".", 1)[0] + ".py")


def stale_sources() -> list[str]:
    """Sources edited after their compiled module was built, relative to the project root."""
    stale = []
    for compiled in compiled_files():
        source = _source_of(compiled)
        if source.exists() and source.stat().st_mtime > compiled.stat().st_mtime:
            stale.append(str(source.relative_to(ROOT)))
    return stale


def is_compiled(module: ModuleType) -> bool:
    return (getattr(module, "__file__", None) or "").endswith(_EXTENSION_SUFFIXES)


def describe_build() -> str:
    """One line for benchmark output: whether the analysis runs compiled."""
    names = [name for name, module in sorted(sys.modules.items())
             if name.startswith("bot.") and is_compiled(module)]
    if not names:
        return "analysis modules: pure Python (no compiled module imported)"
    return f"analysis modules: {len(names)} compiled by Cython ({', '.join(n.removeprefix('bot.') for n in names)})"


class _SourcesOnly(importlib.abc.MetaPathFinder):
    """Finds bot's submodules among .py files only, so compiled modules beside them are ignored."""

    def find_spec(self, name: str, path=None, target=None):  # noqa: ANN001 - the finder protocol's own signature
        if not name.startswith("bot.") or path is None:
            return None
        for entry in path:
            finder = importlib.machinery.FileFinder(
                entry, (importlib.machinery.SourceFileLoader, importlib.machinery.SOURCE_SUFFIXES)
            )
            spec = finder.find_spec(name, target)
            if spec is not None:
                return spec
        return None


def use_sources_only() -> None:
    """From now on, bot's modules are imported from their .py sources. Call before importing bot."""
    if any(name.startswith("bot.") for name in sys.modules):
        raise RuntimeError("bot's modules are already imported; call use_sources_only() first")
    sys.meta_path.insert(0, _SourcesOnly())


def main(argv: list[str]) -> int:
    if argv[:1] == ["pure"] and len(argv) >= 2:
        use_sources_only()
        sys.argv = [argv[1], *argv[2:]]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        return 0
    if argv:
        print("usage: python -m tests.compiled [pure MODULE [ARGS...]]", file=sys.stderr)
        return 2
    files = compiled_files()
    print(f"{len(files)} compiled module(s) under bot/")
    for path in files:
        print("  ", path.relative_to(ROOT))
    stale = stale_sources()
    for source in stale:
        print(f"stale: {source} was edited after its compiled module was built (make compiled)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
