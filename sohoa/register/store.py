"""The register's own database (``HOME/register.sqlite``): entries, and the history of the
files they came from.

An import is one transaction: every good row goes in, every bad row is kept with its
number and reason, and importing the same file again changes nothing. An entry is the
same entry again when it has the same dossier code, or, without one, the same agency,
number and issue date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sohoa.core.errors import cannot_write
from sohoa.core.sqlite import open_db
from sohoa.core.text import search_form
from sohoa.register.rows import ColumnMap, Entry, RowError, column_map, find_header, parse_row, read_table

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY,
    dossier TEXT UNIQUE,
    agency TEXT NOT NULL,
    agency_key TEXT NOT NULL,
    level TEXT NOT NULL,
    procedure_code TEXT,
    procedure_name TEXT,
    number TEXT,
    number_key TEXT,
    issued TEXT NOT NULL,
    holder TEXT,
    holder_key TEXT,
    valid_until TEXT,
    status TEXT NOT NULL,
    received TEXT,
    electronic_result INTEGER,
    dossier_digitised INTEGER,
    reused INTEGER,
    digest TEXT NOT NULL,
    added_in INTEGER NOT NULL,
    changed_in INTEGER
);
CREATE INDEX IF NOT EXISTS entries_identity ON entries(agency_key, number_key, issued);
CREATE TABLE IF NOT EXISTS imports (
    id INTEGER PRIMARY KEY,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    at TEXT NOT NULL,
    by TEXT NOT NULL,
    rows INTEGER NOT NULL,
    added INTEGER NOT NULL,
    changed INTEGER NOT NULL,
    unchanged INTEGER NOT NULL,
    rejected INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS rejects (
    import_id INTEGER NOT NULL REFERENCES imports(id),
    row INTEGER NOT NULL,
    col TEXT,
    message_vi TEXT NOT NULL,
    message_en TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS rejects_import ON rejects(import_id, row);
"""

_COLUMNS = ("dossier", "agency", "agency_key", "level", "procedure_code", "procedure_name", "number", "number_key",
            "issued", "holder", "holder_key", "valid_until", "status", "received", "electronic_result",
            "dossier_digitised", "reused", "digest")


@dataclass(frozen=True)
class ImportReport:
    id: int
    file: str
    sha256: str
    at: str
    by: str
    rows: int
    added: int
    changed: int
    unchanged: int
    rejected: int
    errors: tuple[RowError, ...] = field(default=(), repr=False)

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "file": self.file, "sha256": self.sha256, "at": self.at, "by": self.by,
                "rows": self.rows, "added": self.added, "changed": self.changed, "unchanged": self.unchanged,
                "rejected": self.rejected,
                "errors": [{"row": e.row, "column": e.column, "message_vi": e.message_vi, "message_en": e.message_en}
                           for e in self.errors]}


def _values(entry: Entry, digest: str) -> tuple:
    def day(d: dt.date | None) -> str | None:
        return d.isoformat() if d else None

    def flag(b: bool | None) -> int | None:
        return None if b is None else int(b)

    return (entry.dossier, entry.agency, entry.agency_key, entry.level, entry.procedure_code, entry.procedure_name,
            entry.number, entry.number_key, day(entry.issued), entry.holder,
            " ".join(search_form(entry.holder).split()) if entry.holder else None, day(entry.valid_until),
            entry.status, day(entry.received), flag(entry.electronic_result), flag(entry.dossier_digitised),
            flag(entry.reused), digest)


class Register:
    """The register of one sohoa home."""

    def __init__(self, home: Path, *, shared: bool = False) -> None:
        home.mkdir(parents=True, exist_ok=True)
        self.path = home / "register.sqlite"
        self.db = open_db(self.path, SCHEMA, "sổ theo dõi kết quả", "register", version=SCHEMA_VERSION,
                          shared=shared)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def import_file(self, path: Path, *, by: str, mapping: ColumnMap | None = None, sheet: str | None = None,
                    today: dt.date | None = None) -> ImportReport:
        """Load a register export: good rows added or updated, bad rows reported by number."""
        mapping = mapping or column_map()
        today = today or dt.date.today()
        digest_of_file = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
        _, where, rows = find_header(read_table(path, sheet), mapping)
        by_dossier: dict[str, tuple[int, str]] = {}
        by_key: dict[tuple[str, str, str], tuple[int, str]] = {}
        for id_, dossier, ak, nk, issued, digest in self.db.execute(
                "SELECT id, dossier, agency_key, number_key, issued, digest FROM entries"):
            if dossier is not None:
                by_dossier[dossier] = (id_, digest)
            if nk is not None:
                by_key[(ak, nk, issued)] = (id_, digest)
        seen: dict[object, int] = {}
        errors: list[RowError] = []
        adds: list[tuple] = []
        updates: list[tuple] = []
        total = unchanged = 0
        for number, cells in rows:
            if not any(c not in (None, "") for c in cells):
                continue  # a blank row between blocks
            total += 1
            entry = parse_row(number, cells, where, mapping, today)
            if isinstance(entry, RowError):
                errors.append(entry)
                continue
            key = (entry.agency_key, entry.number_key, entry.issued.isoformat()) if entry.number_key else None
            identity = ("dossier", entry.dossier) if entry.dossier else ("key", key)
            if identity in seen:
                errors.append(RowError(number, None, f"trùng với dòng {seen[identity]} (cùng mã hồ sơ hoặc cùng cơ "
                                       "quan, số và ngày)", f"the same result as row {seen[identity]} (same dossier "
                                       "code, or same agency, number and date)"))
                continue
            seen[identity] = number
            if key is not None and entry.dossier:
                seen.setdefault(("key", key), number)
            digest = entry.digest()
            known = by_dossier.get(entry.dossier) if entry.dossier else None
            known = known or (by_key.get(key) if key else None)
            if known is None:
                adds.append(_values(entry, digest))
            elif known[1] == digest:
                unchanged += 1
            else:
                updates.append((*_values(entry, digest), known[0]))
        at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        try:
            self.db.execute("BEGIN IMMEDIATE")
            import_id = self.db.execute(
                "INSERT INTO imports (file, sha256, at, by, rows, added, changed, unchanged, rejected) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (str(path), digest_of_file, at, by, total, len(adds), len(updates), unchanged, len(errors))).lastrowid
            marks = ", ".join("?" * len(_COLUMNS))
            self.db.executemany(f"INSERT INTO entries ({', '.join(_COLUMNS)}, added_in) VALUES ({marks}, ?)",
                                [(*values, import_id) for values in adds])
            sets = ", ".join(f"{c} = ?" for c in _COLUMNS)
            self.db.executemany(f"UPDATE entries SET {sets}, changed_in = ? WHERE id = ?",
                                [(*values[:-1], import_id, values[-1]) for values in updates])
            self.db.executemany("INSERT INTO rejects (import_id, row, col, message_vi, message_en) "
                                "VALUES (?, ?, ?, ?, ?)",
                                [(import_id, e.row, e.column, e.message_vi, e.message_en) for e in errors])
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            full = cannot_write(exc, str(self.path))
            if full is not None:
                raise full from exc
            raise
        return ImportReport(int(import_id or 0), str(path), digest_of_file, at, by, total, len(adds), len(updates),
                            unchanged, len(errors), tuple(errors))

    def imports(self) -> list[ImportReport]:
        """Every import, newest first (without their row errors: ``rejects``)."""
        rows = self.db.execute("SELECT id, file, sha256, at, by, rows, added, changed, unchanged, rejected "
                               "FROM imports ORDER BY id DESC").fetchall()
        return [ImportReport(*row) for row in rows]

    def rejects(self, import_id: int) -> list[RowError]:
        return [RowError(*row) for row in self.db.execute(
            "SELECT row, col, message_vi, message_en FROM rejects WHERE import_id = ? ORDER BY row", (import_id,))]

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM entries").fetchone()[0])

    def entries(self, where: str = "", params: Iterable[object] = ()) -> list[dict[str, object]]:
        """Entries as rows with named columns (for reconciliation and tests)."""
        cursor = self.db.execute(f"SELECT * FROM entries {where}", tuple(params))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]
