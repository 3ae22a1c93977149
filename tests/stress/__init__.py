"""The fault-and-attack suite (issue 6): each part is a module with
`async def run(full: bool) -> Summary`; `python -m tests.stress` (make stress) runs every part
in full, and tests/test_stress.py runs each in its shortened form inside `make test`."""
