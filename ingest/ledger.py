"""The ledger: an SQLite database recording every file and every document.

``files`` has one row per path (hash, size, times, state, error); ``documents`` one row
per content hash, holding the record. A document moves pending -> extracted -> indexed
(or failed); a run killed at any point leaves rows that the next run picks up, and
indexing is idempotent by id, so nothing is lost and nothing is counted twice.
Only the parent process writes here.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sohoa.core.model import FIELD_NAMES, Correction, Record, RecordStatus
from sohoa.core.paths import dumps, from_db, readable_text, to_db
from sohoa.core.sqlite import open_db, open_read_only
from sohoa.ocr.rules import by_doc_type
from sohoa.register import facts as register_facts

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path        TEXT PRIMARY KEY,
    sha256      TEXT,
    size        INTEGER,
    mtime_ns    INTEGER,
    state       TEXT NOT NULL,          -- pending | done | failed
    error       TEXT,
    error_code  TEXT,
    first_seen  TEXT NOT NULL,
    updated     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS files_sha ON files(sha256);
CREATE TABLE IF NOT EXISTS documents (
    sha256      TEXT PRIMARY KEY,
    path        TEXT NOT NULL,          -- where it was first found
    size        INTEGER NOT NULL,
    state       TEXT NOT NULL,          -- pending | extracted | indexed | failed | orphaned
    record      TEXT,                   -- JSON (Record.to_json)
    error       TEXT,
    error_code  TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    created     TEXT NOT NULL,
    updated     TEXT NOT NULL,
    file        TEXT                    -- a stack's later result: the sha256 of its file
);
CREATE INDEX IF NOT EXISTS documents_state ON documents(state);
CREATE TABLE IF NOT EXISTS corrections (   -- fields set by people; applied over every stored record
    sha256      TEXT NOT NULL,
    field       TEXT NOT NULL,
    old         TEXT,
    new         TEXT,
    by          TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS corrections_sha ON corrections(sha256);
CREATE TABLE IF NOT EXISTS splits (    -- how a person split a stack's file into its results
    sha256      TEXT PRIMARY KEY,
    ranges      TEXT NOT NULL,          -- JSON [[first, last], ...]
    by          TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (      -- facts about the archive as a whole
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL
);
""" + register_facts.FACTS_SCHEMA


class DocumentState(enum.StrEnum):
    """Where a document (one content, by SHA-256) stands; the ``state`` column of ``documents``."""

    pending = "pending"
    """Registered, to be processed (also what a killed run left)."""
    extracted = "extracted"
    """Processed and saved, not yet confirmed by the index ("pending index")."""
    indexed = "indexed"
    """Processed, saved and in the index."""
    failed = "failed"
    """Could not be processed; the record says why."""
    orphaned = "orphaned"
    """Its content is gone from every folder: it must leave the index."""


PROCESSED = (DocumentState.indexed, DocumentState.extracted)


class FileState(enum.StrEnum):
    """Where one path stands; the ``state`` column of ``files``."""

    pending = "pending"
    done = "done"
    failed = "failed"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class FileRow:
    path: str
    sha256: str | None
    size: int | None
    mtime_ns: int | None
    state: str
    error: str | None


class Ledger:
    """Open (and create) the ledger at ``path``."""

    def __init__(self, path: Path, *, shared: bool = False) -> None:
        self.db = open_db(path, SCHEMA, "sổ theo dõi", "ledger", version=1,
                          fix_vi="Hãy dùng phiên bản sohoa đã ghi nó, hoặc một --home mới.",
                          fix_en="Use the sohoa version that wrote it, or a new --home.", shared=shared)
        # Which ledger this is, for whoever keeps something about it elsewhere (the register's
        # last reconciliation): a ledger made again from scratch is another one.
        self.db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('ledger_id', ?)", (uuid.uuid4().hex,))
        if "file" not in {row[1] for row in self.db.execute("PRAGMA table_info(documents)")}:
            self.db.execute("ALTER TABLE documents ADD COLUMN file TEXT")  # a ledger from before stacks
        self.db.execute("CREATE INDEX IF NOT EXISTS documents_file ON documents(file)")
        if self.meta("facts_version") != register_facts.FACTS_VERSION:  # written again by sync_facts
            with self.transaction():
                self.db.execute("DROP TABLE IF EXISTS facts")
                for statement in register_facts.FACTS_SCHEMA.split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.set_meta("facts_version", register_facts.FACTS_VERSION)

    @classmethod
    def reading(cls, path: Path, *, shared: bool = False) -> Ledger:
        """The ledger opened for reading only (``core.sqlite.open_read_only``): a search,
        a record shown, an export never write to the file an ingest may be writing. A
        ledger not made yet is made first, once."""
        if not path.exists():
            cls(path).close()
        ledger = cls.__new__(cls)
        ledger.db = open_read_only(path, "sổ theo dõi", "ledger", version=1,
                                   fix_vi="Hãy dùng phiên bản sohoa đã ghi nó, hoặc một --home mới.",
                                   fix_en="Use the sohoa version that wrote it, or a new --home.", shared=shared)
        return ledger

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ files

    def file(self, path: str) -> FileRow | None:
        row = self.db.execute(
            "SELECT path, sha256, size, mtime_ns, state, error FROM files WHERE path = ?", (to_db(path),)
        ).fetchone()
        return FileRow(from_db(row[0]), *row[1:]) if row else None

    def record_file(self, path: str, sha256: str | None, size: int | None, mtime_ns: int | None,
                    state: FileState, error: str | None = None, error_code: str | None = None) -> None:
        now = _now()
        self.db.execute(
            """INSERT INTO files(path, sha256, size, mtime_ns, state, error, error_code, first_seen, updated)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(path) DO UPDATE SET sha256=excluded.sha256, size=excluded.size,
                 mtime_ns=excluded.mtime_ns, state=excluded.state, error=excluded.error,
                 error_code=excluded.error_code, updated=excluded.updated""",
            (to_db(path), sha256, size, mtime_ns, state, _text(error), error_code, now, now),
        )

    def paths_of(self, sha256: str) -> list[str]:
        """Where the content ``sha256`` is (a stack's later result: where its file is)."""
        return [from_db(r[0]) for r in self.db.execute(
            "SELECT path FROM files WHERE sha256 = COALESCE((SELECT file FROM documents WHERE sha256 = ?), ?) "
            "ORDER BY path", (sha256, sha256))]

    def results_of(self, sha256: str) -> list[str]:
        """The ids of the later results of a file scanned as a stack (none for a file of one)."""
        return [r[0] for r in self.db.execute("SELECT sha256 FROM documents WHERE file = ? AND state != 'orphaned' "
                                              "ORDER BY sha256", (sha256,))]

    def on_disk(self, sha256: str) -> Path | None:
        """The first of the paths holding this content that is still a file on disk."""
        return next((Path(p) for p in self.paths_of(sha256) if Path(p).is_file()), None)

    def set_files_state(self, sha256: str, state: FileState, error: str | None, error_code: str | None) -> None:
        self.db.execute("UPDATE files SET state = ?, error = ?, error_code = ?, updated = ? WHERE sha256 = ?",
                        (state, _text(error), error_code, _now(), sha256))

    # ------------------------------------------------------------------ documents

    def ids_in_state(self, state: DocumentState) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT sha256 FROM documents WHERE state = ? ORDER BY sha256",
                                              (state.value,))]

    def document_state(self, sha256: str) -> DocumentState | None:
        row = self.db.execute("SELECT state FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
        return DocumentState(row[0]) if row else None

    def document_error(self, sha256: str) -> str | None:
        row = self.db.execute("SELECT error FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
        return row[0] if row else None

    def document_error_code(self, sha256: str) -> str | None:
        row = self.db.execute("SELECT error_code FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
        return row[0] if row else None

    def add_document(self, sha256: str, path: str, size: int) -> bool:
        """Register a new document as pending; False if it was already known."""
        now = _now()
        cur = self.db.execute(
            "INSERT OR IGNORE INTO documents(sha256, path, size, state, created, updated) "
            "VALUES (?, ?, ?, 'pending', ?, ?)",
            (sha256, to_db(path), size, now, now),
        )
        return cur.rowcount == 1

    def requeue(self, sha256: str) -> None:
        self.db.execute("UPDATE documents SET state='pending', updated=? WHERE sha256=?", (_now(), sha256))

    def pending_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM documents WHERE state = 'pending'").fetchone()[0]

    def pending_batches(self, size: int | None) -> Iterator[list[tuple[str, str, int]]]:
        """The pending documents, ``size`` at a time (all at once with None), in the order of
        ``pending``. Each batch is read whole, so the ledger may be written between batches;
        a document that is still pending after its batch is not given again."""
        after: tuple[str, str | bytes, str] = ("", "", "")
        while True:
            rows = self.db.execute(
                "SELECT sha256, path, size, created FROM documents WHERE state = 'pending' "
                "AND (created, path, sha256) > (?, ?, ?) ORDER BY created, path, sha256 LIMIT ?",
                (*after, -1 if size is None else size)).fetchall()
            if not rows:
                return
            after = (rows[-1][3], rows[-1][1], rows[-1][0])
            yield [(sha, from_db(path), length) for sha, path, length, _ in rows]

    def to_index(self) -> list[str]:
        """Ids of the records extracted but not yet confirmed in the index (pending index)."""
        return [r[0] for r in self.db.execute("SELECT sha256 FROM documents WHERE state = 'extracted'")]

    def attempt(self, sha256: str) -> int:
        self.db.execute("UPDATE documents SET attempts = attempts + 1 WHERE sha256 = ?", (sha256,))
        return self.db.execute("SELECT attempts FROM documents WHERE sha256 = ?", (sha256,)).fetchone()[0]

    def store(self, record: Record) -> list[str]:
        """Save a worker's result: extracted (to be indexed) or failed, in one transaction;
        a stack's later results (``record.more``) as records of their own. Returns the ids
        of results the file no longer has (split otherwise now): orphaned, to leave the index."""
        state = DocumentState.extracted if record.status is RecordStatus.indexed else DocumentState.failed
        now = _now()
        with self.transaction():
            self.db.execute(
                "UPDATE documents SET state=?, record=?, error=?, error_code=?, updated=? WHERE sha256=?",
                (state, dumps(_as_read(record)), _text(record.error), record.error_code,
                 now, record.id),
            )
            self.set_files_state(record.id, FileState.failed if state is DocumentState.failed else FileState.done,
                                 record.error,
                                 record.error_code)
            self._write_facts(record if state is DocumentState.extracted else None, record.id)
            for part in record.more:
                self.db.execute(
                    "INSERT INTO documents(sha256, path, size, state, record, created, updated, file) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(sha256) DO UPDATE SET state=excluded.state, "
                    "record=excluded.record, error=NULL, error_code=NULL, updated=excluded.updated, file=excluded.file",
                    (part.id, to_db(part.source.path), part.source.size, DocumentState.extracted,
                     dumps(_as_read(part)), now, now, record.id))
                self._write_facts(part, part.id)
            kept = {part.id for part in record.more}
            gone = [i for i in self.results_of(record.id) if i not in kept]
            for i in gone:
                self.db.execute("UPDATE documents SET state='orphaned', updated=? WHERE sha256=?", (now, i))
                self._write_facts(None, i)
        return gone

    def mark_indexed(self, ids: list[str]) -> None:
        with self.transaction():
            self.db.executemany("UPDATE documents SET state=?, updated=? WHERE sha256=?",
                                [(DocumentState.indexed, _now(), i) for i in ids])

    def mark_orphaned(self, sha256: str) -> list[str]:
        """The content ``sha256`` is gone: it and the later results of its stack leave the
        archive (the ids returned, for the index)."""
        ids = [sha256, *self.results_of(sha256)]
        with self.transaction():
            for i in ids:
                self.db.execute("UPDATE documents SET state='orphaned', updated=? WHERE sha256=?", (_now(), i))
                self._write_facts(None, i)
        return ids

    def pages_of_results(self, sha256: str) -> list[tuple[str, int, int]]:
        """The results of the file ``sha256``: (id, first page, last page) each, in page order,
        read without loading the records (one for a file of one result)."""
        rows = self.db.execute(
            "SELECT sha256, json_extract(record, '$.page_range[0]'), json_extract(record, '$.page_range[1]'), "
            "json_extract(record, '$.pages') FROM documents WHERE (sha256 = ? OR file = ?) AND record IS NOT NULL "
            "AND state IN ('indexed', 'extracted')", (sha256, sha256)).fetchall()
        return sorted(((i, first or 1, last or pages) for i, first, last, pages in rows), key=lambda r: r[1])

    def file_of(self, record_id: str) -> str:
        """The hash of the file a record was read from (its own id, but for a stack's later results)."""
        row = self.db.execute("SELECT file FROM documents WHERE sha256 = ?", (record_id,)).fetchone()
        return row[0] if row and row[0] else record_id

    def split_of(self, sha256: str) -> list[tuple[int, int]]:
        """The page ranges a person set for the results of this file; none if they did not."""
        row = self.db.execute("SELECT ranges FROM splits WHERE sha256 = ?", (sha256,)).fetchone()
        return [(int(a), int(b)) for a, b in json.loads(row[0])] if row else []

    def set_split(self, sha256: str, ranges: list[tuple[int, int]], by: str) -> None:
        self.db.execute("INSERT INTO splits(sha256, ranges, by, at) VALUES (?, ?, ?, ?) ON CONFLICT(sha256) DO "
                        "UPDATE SET ranges = excluded.ranges, by = excluded.by, at = excluded.at",
                        (sha256, json.dumps(ranges), by, _now()))

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT INTO meta(key, value) VALUES (?, ?) "
                        "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    def processed_ids(self) -> list[str]:
        """The documents that are records (indexed, or waiting to be)."""
        return [r[0] for r in self.db.execute(
            f"SELECT sha256 FROM documents WHERE state IN ({','.join('?' * len(PROCESSED))}) AND record IS NOT NULL",
            PROCESSED)]

    def orphaned_ids(self) -> list[str]:
        """Documents whose content is gone from every folder: they must not be in the index."""
        return [r[0] for r in self.db.execute("SELECT sha256 FROM documents WHERE state = 'orphaned'")]

    def state_counts(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT state, count(*) FROM documents GROUP BY state").fetchall())

    def record(self, sha256_prefix: str) -> Record | None:
        rows = self.db.execute(
            "SELECT record FROM documents WHERE sha256 LIKE ? AND record IS NOT NULL LIMIT 2",
            (sha256_prefix + "%",),
        ).fetchall()
        return self.corrected(_record(rows[0][0])) if len(rows) == 1 else None

    def get(self, sha256: str, *, as_read: bool = False) -> Record | None:
        """The record of a document as people corrected it, or ``as_read`` (what the
        pipeline stored: what a new reading or a new verdict replaces)."""
        row = self.db.execute("SELECT record FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
        if not row or not row[0]:
            return None
        return _record(row[0]) if as_read else self.corrected(_record(row[0]))

    # ------------------------------------------------------------------ corrections

    def correct(self, sha256: str, field: str, value: str | None, by: str) -> Correction:
        """Set ``field`` of a processed document to ``value`` (None or "" clears it), as
        ``by`` confirmed it; the old value is the one shown until now."""
        if field not in FIELD_NAMES:
            raise ValueError(f"no field {field!r}")
        record = self.get(sha256)
        if record is None or record.status is not RecordStatus.indexed:
            raise KeyError(sha256)
        value = " ".join(value.split()) if value else None
        correction = Correction(field, record.fields.get(field), value or None, by,
                                dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
        with self.transaction():
            self.db.execute("INSERT INTO corrections(sha256, field, old, new, by, at) VALUES (?,?,?,?,?,?)",
                            (sha256, field, correction.old, correction.new, correction.by, correction.at))
            self._write_facts(self.get(sha256, as_read=True), sha256)
        return correction

    def corrections(self, sha256: str | None = None) -> dict[str, tuple[Correction, ...]]:
        """The corrections of one document (or of all), oldest first, by document."""
        rows = self.db.execute("SELECT sha256, field, old, new, by, at FROM corrections"
                               + (" WHERE sha256 = ?" if sha256 else "") + " ORDER BY rowid",
                               (sha256,) if sha256 else ())
        out: dict[str, list[Correction]] = {}
        for sha, *values in rows:
            out.setdefault(sha, []).append(Correction(*values))
        return {sha: tuple(found) for sha, found in out.items()}

    def corrected(self, record: Record) -> Record:
        """``record`` with the corrections people made to its document."""
        return record.corrected(self.corrections(record.id).get(record.id, ()))

    def processed_pdfs(self) -> list[str]:
        """Ids of the processed documents that are PDFs (the ones that can carry signatures)."""
        return [r[0] for r in self.db.execute(
            "SELECT sha256 FROM documents WHERE state IN ('indexed', 'extracted') "
            "AND json_extract(record, '$.source.format') = 'pdf' ORDER BY path")]

    def scans_without_copy(self) -> list[str]:
        """Processed scans (not born-digital) with no signed copy, or whose copy failed."""
        return [r[0] for r in self.db.execute(
            "SELECT sha256 FROM documents WHERE state IN ('indexed', 'extracted') "
            "AND json_extract(record, '$.born_digital') = 0 "
            "AND (json_extract(record, '$.signed_copy') IS NULL "
            "     OR json_extract(record, '$.signed_copy.error') IS NOT NULL) ORDER BY path")]

    def stale_extractions(self, version: int) -> list[str]:
        """Processed documents whose fields were extracted under an older contract."""
        return [r[0] for r in self.db.execute(
            "SELECT sha256 FROM documents WHERE state IN ('indexed', 'extracted') AND record IS NOT NULL "
            "AND coalesce(json_extract(record, '$.extraction_version'), 1) < ? ORDER BY path", (version,))]

    def update_record(self, record: Record) -> None:
        """Replace a processed record's content, keeping its state."""
        with self.transaction():
            self.db.execute("UPDATE documents SET record=?, updated=? WHERE sha256=?",
                            (dumps(_as_read(record)), _now(), record.id))
            if self.document_state(record.id) in PROCESSED:
                self._write_facts(record, record.id)

    # ------------------------------------------------------------------ facts for the register

    def _write_facts(self, record: Record | None, sha256: str) -> None:
        """Keep the document's ``facts`` row (``sohoa.register.facts``) with its record:
        replaced from the record as people corrected it, or removed (``record`` None)."""
        if record is None:
            self.db.execute("DELETE FROM facts WHERE sha256 = ?", (sha256,))
            return
        created = self.db.execute("SELECT created FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
        facts = _facts(self.corrected(record), created[0] if created else _now())
        marks = ",".join("?" * len(register_facts.COLUMNS))
        self.db.execute(f"INSERT OR REPLACE INTO facts ({','.join(register_facts.COLUMNS)}) VALUES ({marks})",
                        facts.row())

    def sync_facts(self) -> int:
        """Make ``facts`` hold one row per processed document and no other (a ledger written
        before the register existed, or by an older sohoa); how many rows were written or removed."""
        processed = "SELECT sha256 FROM documents WHERE state IN ('indexed', 'extracted') AND record IS NOT NULL"
        # Every write keeps the two together: equal counts mean nothing to do (and cost
        # milliseconds at a million documents, where the full comparison costs seconds).
        if (self.db.execute(f"SELECT count(*) FROM ({processed})").fetchone()[0]
                == self.db.execute("SELECT count(*) FROM facts").fetchone()[0]):
            return 0
        with self.transaction():
            removed = self.db.execute(f"DELETE FROM facts WHERE sha256 NOT IN ({processed})").rowcount
            missing = self.db.execute(
                "SELECT d.sha256, d.record, d.created FROM documents d LEFT JOIN facts f ON f.sha256 = d.sha256 "
                "WHERE d.state IN ('indexed', 'extracted') AND d.record IS NOT NULL AND f.sha256 IS NULL").fetchall()
            if missing:
                corrections = self.corrections()
                rows = [_facts(_record(raw).corrected(corrections.get(sha, ())), created).row()
                        for sha, raw, created in missing]
                marks = ",".join("?" * len(register_facts.COLUMNS))
                self.db.executemany(
                    f"INSERT INTO facts ({','.join(register_facts.COLUMNS)}) VALUES ({marks})", rows)
        return removed + len(missing)

    def records(self, *, include_failed: bool = True) -> Iterator[Record]:
        states = (*PROCESSED, DocumentState.failed) if include_failed else PROCESSED
        query = (f"SELECT record FROM documents WHERE state IN ({','.join('?' * len(states))}) "
                 "AND record IS NOT NULL ORDER BY path")
        corrections = self.corrections()
        for (raw,) in self.db.execute(query, states):
            record = _record(raw)
            yield record.corrected(corrections.get(record.id, ()))

    def file_states(self, paths: list[str]) -> dict[str, tuple[str, str | None]]:
        """(state, error) of those of ``paths`` the ledger knows."""
        out: dict[str, tuple[str, str | None]] = {}
        for start in range(0, len(paths), 500):
            chunk = [to_db(p) for p in paths[start:start + 500]]
            rows = self.db.execute(f"SELECT path, state, error FROM files WHERE path IN ({','.join('?' * len(chunk))})",
                                   chunk)
            out.update({from_db(path): (state, error) for path, state, error in rows})
        return out

    def failed_files(self) -> Iterator[tuple[str, str | None, str | None]]:
        """Files that failed before a document could be made of them (unreadable paths)."""
        for path, error, code in self.db.execute(
                "SELECT path, error, error_code FROM files WHERE state = 'failed' AND sha256 IS NULL ORDER BY path"):
            yield from_db(path), error, code

    def transaction(self) -> _Transaction:
        return _Transaction(self.db)


def _as_read(record: Record) -> dict:
    """What the ledger stores of a record: its corrections live in their own table."""
    return {**record.to_json(), "corrections": []}


def read_record(path: Path, sha256: str) -> Record | None:
    """One record as the pipeline stored it, read by a worker process through a read-only
    open (``Ledger.reading``)."""
    with Ledger.reading(path) as ledger:
        return ledger.get(sha256, as_read=True)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def _text(message: str | None) -> str | None:
    """A message for a TEXT column: a file name in it that is not UTF-8 shown readably."""
    return readable_text(message) if message is not None else None


def _facts(record: Record, created: str) -> register_facts.Facts:
    rule = by_doc_type(record.fields.get("doc_type") or "")
    about_person = bool(rule and rule.patterns.get("holder_name"))
    return register_facts.facts_of(record, created=created, about_person=about_person)


def _record(raw: str) -> Record:
    """A stored record. One stored before records kept their type's validity policy gets it
    from the rule files, as the ingest that stored it judged it."""
    data = json.loads(raw)
    validity = data.get("validity") or {}
    if "without_end_date" not in validity:
        rule = by_doc_type((data.get("fields") or {}).get("doc_type") or "")
        data["validity"] = {**validity, "without_end_date": rule.validity_without_end_date if rule else None}
    return Record.from_json(data)
