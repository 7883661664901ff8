"""Opening sohoa's SQLite databases (the ledger, the embedded index) the same way."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sohoa.errors import IndexBackendError


def open_db(path: Path, schema: str, what_vi: str, what_en: str) -> sqlite3.Connection:
    """Connect in autocommit mode with WAL, create ``schema``; errors name the file and the fix."""
    try:
        db = sqlite3.connect(path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL survives a killed process (not a power cut), at a fraction of the cost of FULL.
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(schema)
    except sqlite3.Error as exc:
        raise IndexBackendError(
            f"Không mở được {what_vi} {path}: {exc}. Kiểm tra quyền ghi thư mục --home.",
            f"Cannot open the {what_en} {path}: {exc}. Check that the --home folder is writable.",
        ) from exc
    return db
