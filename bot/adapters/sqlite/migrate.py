"""Schema migrations: numbered SQL files tracked by `PRAGMA user_version`.

Each file `NNN_name.sql` takes the database from version NNN-1 to NNN. Pending files are applied
in one transaction, so a crash mid-migration leaves the old schema intact.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def migration_files(directory: Path = MIGRATIONS_DIR) -> list[tuple[int, Path]]:
    found = []
    for path in directory.iterdir():
        match = _NAME.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    found.sort()
    versions = [v for v, _ in found]
    if versions != list(range(1, len(versions) + 1)):
        raise RuntimeError(f"migration numbers must run 1..N without gaps, found {versions}")
    return found


LATEST_VERSION = len(migration_files())


def migrate(conn: sqlite3.Connection, upto: int | None = None) -> tuple[int, int]:
    """Apply pending migrations (up to `upto`, default all). Returns (before, after) versions.

    Runs on a plain sqlite3 connection (aiosqlite hands us its thread's connection), inside one
    explicit transaction: `executescript` would commit after each statement, so statements are
    split and executed one by one instead.
    """
    before = conn.execute("PRAGMA user_version").fetchone()[0]
    target = LATEST_VERSION if upto is None else upto
    if before > LATEST_VERSION:
        raise RuntimeError(
            f"database schema is version {before}, newer than this newsbot knows ({LATEST_VERSION})"
        )
    pending = [(v, p) for v, p in migration_files() if before < v <= target]
    if not pending:
        return before, before
    conn.execute("BEGIN IMMEDIATE")
    try:
        for version, path in pending:
            for statement in split_statements(path.read_text(encoding="utf-8")):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {int(version)}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return before, pending[-1][0]


def split_statements(script: str) -> list[str]:
    """Split a migration script into statements (our files hold no triggers or string ';')."""
    without_comments = "\n".join(line.split("--", 1)[0] for line in script.splitlines())
    statements = []
    buffer = ""
    for piece in without_comments.split(";"):
        buffer += piece
        if sqlite3.complete_statement(buffer + ";"):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
        else:
            buffer += ";"
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement at end of migration: {buffer.strip()[:60]!r}")
    return statements
