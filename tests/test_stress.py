"""The shortened form of every stress part (the full runs are `make stress`)."""

import pytest

from tests.stress.__main__ import part_modules


@pytest.mark.parametrize("name", part_modules())
async def test_stress_part_short_form_is_clean(name):
    import importlib

    summary = await importlib.import_module(name).run(full=False)
    print(summary.line())
    assert summary.cases > 0
    assert summary.clean, summary.line()
