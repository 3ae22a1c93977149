"""Suite-wide test settings.

Property tests explore new inputs on a developer's machine (and keep what they find in
.hypothesis/), but in CI (CI=true) they replay a fixed, derandomised set, so a run on main
is red only for a change, never for the luck of the draw.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
