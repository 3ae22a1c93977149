"""Builds the analysis hot path as C extensions with Cython, when a C compiler is there.

The analysis runs on every new entry the poller reads, and its rules are plain Python. Compiled by
Cython, as they are, the same modules run about a fifth faster (BENCHMARKS.md). Every extension is
optional: without a C compiler, or with NEWSBOT_PURE_PYTHON=1 set, the package installs and runs as
pure Python, with the same results, only slower. Everything else about the package is declared in
pyproject.toml.

`make` keeps the compiled modules in step with their sources (`make compiled`); a compiled module
older than its .py is refused by the test suite (tests/compiled.py).
"""

import os
import sys
from glob import glob

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

# The modules that read an article's text, from the language guess to the deals. The rest of the
# bot waits on the network and the database, where compiling gains nothing.
COMPILED_SOURCES = [
    "bot/core/analysis.py",
    "bot/core/language.py",
    "bot/core/entities.py",
    "bot/core/figures.py",
    *sorted(glob("bot/core/deals/*.py")),
]


def module_name(path: str) -> str:
    """bot/core/deals/frames.py -> bot.core.deals.frames; a package's __init__ keeps its name."""
    return path[: -len(".py")].replace("/", ".")


def compiled_extensions() -> list[Extension]:
    if os.environ.get("NEWSBOT_PURE_PYTHON"):
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:  # a build without Cython (pip install --no-build-isolation) stays pure Python
        return []
    extensions = [Extension(module_name(path), [path], optional=True) for path in COMPILED_SOURCES]
    # binding: compiled functions keep the introspection of Python ones (signature, __wrapped__).
    # annotation_typing: an argument annotated str, list, bool... is that type in C, so its methods
    # are called directly (-6 % instructions per article). The price: such an argument is checked
    # on entry, and None or another type raises TypeError where pure Python would go on. The
    # annotations are the contract mypy checks; the suite, tests/test_compiled.py and 60,000
    # random texts ran clean on it.
    return cythonize(
        extensions,
        language_level=3,
        quiet=True,
        nthreads=os.cpu_count() or 1,
        force="--force" in sys.argv,  # new directives need new C: `make compiled` passes it when this file changed
        compiler_directives={"binding": True, "annotation_typing": True},
    )


class OptionalBuildExt(build_ext):
    """The compiled modules are a speed-up, never a requirement: whatever stops one from building
    (no compiler, no Python headers; a parallel build reports a missing compiler as OSError, which
    setuptools' own `optional` does not catch) leaves that module as pure Python, with a warning."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as error:  # noqa: BLE001 - any failure means: install the pure-Python package
            self.warn(f"compiled analysis modules not built ({error}); they run as pure Python")

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as error:  # noqa: BLE001 - as above, one module at a time
            self.warn(f"{ext.name} not compiled ({error}); it runs as pure Python")


setup(
    ext_modules=compiled_extensions(),
    cmdclass={"build_ext": OptionalBuildExt},
    options={"build_ext": {"parallel": os.cpu_count() or 1}},
)
