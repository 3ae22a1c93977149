"""Suite-wide test settings.

Property tests explore new inputs on a developer's machine (and keep what they find in
.hypothesis/), but in CI (CI=true) they replay a fixed, derandomised set, so a run on main
is red only for a change, never for the luck of the draw.

The analysis modules may run compiled (setup.py); a compiled module older than its source would
test the old code, so the suite refuses to start until `make compiled` has rebuilt it.
"""

import os

import pytest
from hypothesis import settings

from tests.compiled import stale_sources

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def pytest_sessionstart(session: pytest.Session) -> None:
    stale = stale_sources()
    if stale:
        raise pytest.UsageError(
            "compiled analysis modules are older than their sources (" + ", ".join(stale) + "): "
            "run `make compiled` (or `make test`) to rebuild them"
        )
