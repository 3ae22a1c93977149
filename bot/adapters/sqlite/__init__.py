"""SQLite store (aiosqlite): schema migrations and the queries the services need."""

from bot.adapters.sqlite.store import Store

__all__ = ["Store"]
