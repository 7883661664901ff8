"""Opening sohoa's SQLite databases (the ledger, the embedded index) the same way."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from sohoa.core.errors import IndexBackendError, cannot_write


class SchemaMismatch(IndexBackendError):
    """The database was written by a sohoa with another layout."""


def open_db(path: Path, schema: str, what_vi: str, what_en: str, *, version: int,
            fix_vi: str = "", fix_en: str = "", shared: bool = False) -> sqlite3.Connection:
    """Connect in autocommit mode with WAL and create ``schema`` in a new database.

    ``version`` is kept in ``PRAGMA user_version``; an existing database of another
    version is refused with ``fix_vi``/``fix_en`` telling what to do. Errors name the file.
    """
    try:
        # ``shared``: used by one thread at a time, not always the one that opened it (a
        # streamed web answer is read on by whichever server thread is free).
        db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=not shared)
        _wal(db)
        # WAL + NORMAL survives a killed process (not a power cut), at a fraction of the cost of FULL.
        db.execute("PRAGMA synchronous=NORMAL")
        # One statement, one snapshot: the version and whether there are tables at all.
        found, tables = db.execute("SELECT user_version, (SELECT count(*) FROM sqlite_master) "
                                   "FROM pragma_user_version").fetchone()
        empty = tables == 0
        if not empty and found != version:
            db.close()
            raise SchemaMismatch(
                f"{what_vi} {path} được ghi bởi phiên bản sohoa khác (dạng {found}, cần {version}). {fix_vi}",
                f"The {what_en} {path} was written by another sohoa version (layout {found}, "
                f"this one needs {version}). {fix_en}",
            )
        if empty:
            # The tables and the version in one transaction: another process or thread
            # opening the new database meanwhile sees it empty or whole, never tables
            # without their version (which it would refuse as another layout).
            db.executescript(f"BEGIN IMMEDIATE;\n{schema}\nPRAGMA user_version = {int(version)};\nCOMMIT;")
        else:
            db.executescript(schema)
    except sqlite3.Error as exc:
        full = cannot_write(exc, str(path))
        if full is not None:
            raise full from exc
        raise IndexBackendError(
            f"Không mở được {what_vi} {path}: {exc}. Kiểm tra quyền ghi thư mục --home.",
            f"Cannot open the {what_en} {path}: {exc}. Check that the --home folder is writable.",
        ) from exc
    return db


def open_read_only(path: Path, what_vi: str, what_en: str, *, version: int, fix_vi: str = "", fix_en: str = "",
                   shared: bool = False) -> sqlite3.Connection:
    """Connect to an existing database for reading only (SQLite's ``mode=ro``): nothing
    is written to it, not even its schema, so a reader never touches a file a writer may be
    writing. Its version is checked as ``open_db`` does."""
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30, isolation_level=None,
                             check_same_thread=not shared)
        found = db.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error as exc:
        raise IndexBackendError(
            f"Không mở được {what_vi} {path} để đọc: {exc}. Kiểm tra quyền đọc thư mục --home.",
            f"Cannot open the {what_en} {path} to read it: {exc}. Check that the --home folder is readable.",
        ) from exc
    if found != version:
        db.close()
        raise SchemaMismatch(
            f"{what_vi} {path} được ghi bởi phiên bản sohoa khác (dạng {found}, cần {version}). {fix_vi}",
            f"The {what_en} {path} was written by another sohoa version (layout {found}, "
            f"this one needs {version}). {fix_en}",
        )
    return db


def _wal(db: sqlite3.Connection, seconds: float = 30.0) -> None:
    """Put the database in WAL mode. SQLite answers "locked" at once, without its busy
    timeout, when another connection is making the same new database (a server's first
    requests on a new home, each thread with its own connection): wait and ask again."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
