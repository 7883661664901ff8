"""The access log: every sign-in, search, record view, download, export, correction and
user change, who did it, when, from where and what (personal data masked: ID numbers,
dates of birth, addresses; a failed sign-in's unknown user name too).

Vietnam's personal-data law asks that processing of citizens' data be logged and access
controlled, reads included. The log is append-only: SQLite triggers refuse to change or
delete an entry, and each entry is chained to the one before by a SHA-256 over its
content and its predecessor's hash. The newest hash is also written beside the database
(``access-log.head``), so that entries cut off the end are noticed too. ``verify`` (``sohoa
audit verify``) walks the chain and names the first entry that does not hold.

What this cannot prevent: someone who can write the home folder may rewrite the whole
log and its head consistently. Copy the head (``sohoa audit verify`` prints it) somewhere
else from time to time to anchor the log outside the machine.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sohoa.core.privacy import mask_text
from sohoa.core.sqlite import open_db

SCHEMA = """
CREATE TABLE IF NOT EXISTS log (
    seq      INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,          -- ISO 8601, UTC
    who      TEXT NOT NULL,          -- an account, or cli:<system user>
    address  TEXT,                   -- the client's address, for the web
    action   TEXT NOT NULL,          -- sign_in, sign_in_failed, search, view, download, export, ...
    what     TEXT NOT NULL,          -- JSON, personal data masked
    prev     TEXT NOT NULL,
    hash     TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS log_no_update BEFORE UPDATE ON log
    BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS log_no_delete BEFORE DELETE ON log
    BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
"""
GENESIS = "0" * 64


@dataclass(frozen=True)
class Entry:
    seq: int
    at: str
    who: str
    address: str | None
    action: str
    what: Mapping[str, Any]
    prev: str
    hash: str

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": self.at, "who": self.who, "address": self.address, "action": self.action,
                "what": dict(self.what), "prev": self.prev, "hash": self.hash}


@dataclass(frozen=True)
class Verification:
    entries: int
    """How many entries were checked."""
    head: str
    """The newest entry's hash (copy it elsewhere to anchor the log)."""
    broken_at: int | None = None
    """The first entry (seq) that does not hold, or None."""
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def _digest(seq: int, at: str, who: str, address: str | None, action: str, what: str, prev: str) -> str:
    canonical = json.dumps([seq, at, who, address, action, what, prev], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, Mapping):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(v) for v in value]
    return value


_WRITING = threading.Lock()
"""Held while an entry is written and the head after it (a server writes from many threads)."""


class AccessLog:
    """The log in ``HOME/access-log.sqlite``; one writer at a time (SQLite's lock)."""

    def __init__(self, home: Path, *, shared: bool = False) -> None:
        home.mkdir(parents=True, exist_ok=True)
        self.path = home / "access-log.sqlite"
        self.head_path = home / "access-log.head"
        self.db = open_db(self.path, SCHEMA, "nhật ký truy cập", "access log", version=1, shared=shared)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> AccessLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def append(self, who: str, action: str, what: Mapping[str, Any] | None = None, *,
               address: str | None = None, when: dt.datetime | None = None) -> Entry:
        """Record one event; personal data in ``what`` is masked before it is kept."""
        at = (when or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(timespec="microseconds")
        body = json.dumps(_masked(dict(what or {})), ensure_ascii=False, sort_keys=True)
        with _WRITING:  # the head follows the log in order, whichever thread writes
            return self._append(at, who, address, action, body)

    def _append(self, at: str, who: str, address: str | None, action: str, body: str) -> Entry:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            last = self.db.execute("SELECT seq, hash FROM log ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
            digest = _digest(seq, at, who, address, action, body, prev)
            self.db.execute("INSERT INTO log(seq, at, who, address, action, what, prev, hash) VALUES (?,?,?,?,?,?,?,?)",
                            (seq, at, who, address, action, body, prev, digest))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        # After the commit: a crash in between leaves the head one entry behind, which
        # verify accepts; a head ahead of the log means entries were cut off.
        self._write_head(seq, digest)
        return Entry(seq, at, who, address, action, json.loads(body), prev, digest)

    def _write_head(self, seq: int, digest: str) -> None:
        part = self.head_path.with_suffix(f".{os.getpid()}-{threading.get_ident()}.part")  # one per writer
        part.write_text(f"{seq} {digest}\n", encoding="ascii")
        os.replace(part, self.head_path)

    def entries(self, *, since: int = 0, limit: int | None = None) -> Iterator[Entry]:
        query = "SELECT seq, at, who, address, action, what, prev, hash FROM log WHERE seq > ? ORDER BY seq"
        rows = self.db.execute(query + (f" LIMIT {int(limit)}" if limit else ""), (since,))
        for seq, at, who, address, action, what, prev, digest in rows:
            yield Entry(seq, at, who, address, action, json.loads(what), prev, digest)

    def verify(self) -> Verification:
        """Walk the chain from the first entry: every hash recomputed, every entry linked to
        the one before, no number missing, and the newest one the head written beside."""
        written = self.head_path.read_text(encoding="ascii").split() if self.head_path.exists() else ["0", GENESIS]
        head_seq, head_hash = int(written[0]), written[1]
        expected_prev, count, head = GENESIS, 0, GENESIS
        rows = self.db.execute("SELECT seq, at, who, address, action, what, prev, hash FROM log ORDER BY seq")
        for seq, at, who, address, action, what, prev, digest in rows:
            count += 1
            if seq != count:
                return Verification(count - 1, head, count, f"entry {count} is missing (the next one is {seq})")
            if prev != expected_prev:
                return Verification(count - 1, head, seq, "it does not follow the entry before it")
            if _digest(seq, at, who, address, action, what, prev) != digest:
                return Verification(count - 1, head, seq, "its content was changed after it was written")
            if seq == head_seq and digest != head_hash:
                return Verification(count - 1, head, seq, "it is not the entry the head beside the log names")
            expected_prev = head = digest
        if head_seq > count:
            return Verification(count, head, count + 1, f"the head beside the log names entry {head_seq}, the log "
                                "ends before it: entries were cut off the end")
        return Verification(count, head)
