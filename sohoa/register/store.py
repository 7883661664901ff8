"""The register's own database (``HOME/register.sqlite``): entries, and the history of the
files they came from.

An import is one transaction: every good row goes in, every bad row is kept with its
number and reason, and importing the same file again changes nothing. An entry is the
same entry again when it has the same dossier code, or, without one, the same agency,
number and issue date.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from sohoa.core import agencies
from sohoa.core.errors import RecordNotFound, cannot_write
from sohoa.core.sqlite import open_db
from sohoa.register import match
from sohoa.register.columns import ColumnMap, agency_word
from sohoa.register.facts import PROCEDURE_LABEL, holder_key
from sohoa.register.reading import ReadFile, read_file
from sohoa.register.rows import Entry, RowError
from sohoa.register.schema import SCHEMA, SCHEMA_VERSION
from sohoa.register.sheets import RegisterFileError

TALLY_VERSION = "tally 2"
"""Part of the reconciliation's stamp: a register written before the tally existed is
reconciled again, which fills it."""
NO_END = 99999999

_COLUMNS = ("dossier", "agency", "agency_key", "agency_name", "agency_label", "level", "procedure_code",
            "procedure_name", "number", "number_key", "issued", "issued_exact", "holder", "holder_key", "valid_until",
            "status", "received", "electronic_result", "dossier_digitised", "reused", "digest", "row")


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
    skipped: dict[str, int] = field(default_factory=dict)
    """Rows that are not results, by kind: ``totals``, ``footer`` (signatures, notes), ``group``, ``numbering``."""
    notes: tuple[tuple[str, str], ...] = ()
    """How the file was read (a header over two rows, no issue-date column...)."""
    warnings: tuple[tuple[str, str], ...] = ()
    """What may make the figures less than they look (formula cells saved without a value)."""
    undone: str | None = None
    """When ``sohoa register undo`` took the import back, and by whom (None: it stands)."""

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "file": self.file, "sha256": self.sha256, "at": self.at, "by": self.by,
                "rows": self.rows, "added": self.added, "changed": self.changed, "unchanged": self.unchanged,
                "rejected": self.rejected, "skipped": self.skipped, "notes": [en for _, en in self.notes],
                "warnings": [en for _, en in self.warnings],
                "undone": self.undone,
                "errors": [{"row": e.row, "column": e.column, "message_vi": e.message_vi, "message_en": e.message_en}
                           for e in self.errors]}


def _values(entry: Entry, who: agencies.Agency, level: str, digest: str, row: int) -> tuple:
    def day(d: dt.date | None) -> str | None:
        return d.isoformat() if d else None

    def flag(b: bool | None) -> int | None:
        return None if b is None else int(b)

    return (entry.dossier, entry.agency, who.key, who.short, who.label, level, entry.procedure_code,
            entry.procedure_name, entry.number, entry.number_key, day(entry.issued), int(entry.issued_exact),
            entry.holder,
            holder_key(entry.holder), day(entry.valid_until), entry.status, day(entry.received),
            flag(entry.electronic_result), flag(entry.dossier_digitised), flag(entry.reused), digest, row)


def _migrate(path: Path) -> None:
    """A register of layout 1 (agencies as folded names) to layout 2: its entries' agencies
    resolved to who they are, the columns added; reconciled again next time."""
    if not path.is_file():
        return
    with contextlib.closing(sqlite3.connect(path, timeout=30, isolation_level=None)) as db:
        if db.execute("PRAGMA user_version").fetchone()[0] != 1:
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            for table, column in (("entries", "agency_name TEXT"), ("entries", "agency_label TEXT"),
                                  ("entries", "row INTEGER"), ("entries", "issued_exact INTEGER NOT NULL DEFAULT 1"),
                                  ("imports", "skipped TEXT"), ("imports", "undone TEXT")):
                if column.split()[0] not in {r[1] for r in db.execute(f"PRAGMA table_info({table})")}:
                    db.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
            names = [r[0] for r in db.execute("SELECT DISTINCT agency FROM entries")]
            hint = agencies.province_hint([agencies.resolve(n) for n in names])
            for name in names:
                who = agencies.resolve(name, None, hint)
                db.execute("UPDATE entries SET agency_key = ?, agency_name = ?, agency_label = ? WHERE agency = ?",
                           (who.key, who.short, who.label, name))
            db.execute("DELETE FROM meta WHERE key IN ('reconciled', 'tallied')")
            db.execute("PRAGMA user_version = 2")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise


def _level(who: agencies.Agency) -> str:
    """An entry's level when the register gives none: its agency's unit's (a department of
    a province is the province's, a district's office the district's)."""
    head = who.kind.partition(":")[0]
    if head in ("so", "cuc"):
        return "province"
    if head == "phong":
        return "district"
    return agencies.level_of(who) or ""


@dataclass(frozen=True)
class Reconciled:
    """What the last reconciliation found."""

    auto: int
    confirmed: int
    waiting: int
    records: int
    unmatched_records: int
    entries: int
    entries_with_record: int
    fresh: bool
    """False when nothing had changed and the last reconciliation was kept."""


class Register:
    """The register of one sohoa home."""

    def __init__(self, home: Path, *, shared: bool = False) -> None:
        home.mkdir(parents=True, exist_ok=True)
        self.path = home / "register.sqlite"
        _migrate(self.path)
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
        """Load a register export: good rows added or updated, bad rows reported by number,
        rows that are not results (totals, signatures, headings) skipped and counted. A word
        in the validity or status column that sohoa does not know stops the import, once
        per distinct word (``RegisterFileError``), and nothing is changed."""
        read = self.read_file(path, mapping=mapping, sheet=sheet, today=today)
        named = {**self.agency_map, **(mapping.agencies if mapping else {})}
        digest_of_file = hashlib.sha256(path.read_bytes()).hexdigest()
        by_dossier: dict[str, tuple[int, str]] = {}
        by_key: dict[tuple[str, str, str], tuple[int, str]] = {}
        for id_, dossier, ak, nk, issued, digest in self.db.execute(
                "SELECT id, dossier, agency_key, number_key, issued, digest FROM entries"):
            if dossier is not None:
                by_dossier[dossier] = (id_, digest)
            if nk is not None:
                by_key[(ak, nk, issued)] = (id_, digest)
        seen: dict[object, int] = {}
        errors = list(read.errors)
        adds: list[tuple] = []
        updates: list[tuple] = []
        unchanged = 0
        for number, entry in read.entries:
            who = self.who(entry.agency, None, read.province, named)
            key = (who.key, entry.number_key, entry.issued.isoformat()) if entry.number_key else None
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
            values = _values(entry, who, entry.level or _level(who), digest, number)
            known = by_dossier.get(entry.dossier) if entry.dossier else None
            known = known or (by_key.get(key) if key else None)
            if known is None:
                adds.append(values)
            elif known[1] == digest:
                unchanged += 1
            else:
                updates.append((*values, known[0]))
        at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        try:
            self.db.execute("BEGIN IMMEDIATE")
            import_id = self.db.execute(
                "INSERT INTO imports (file, sha256, at, by, rows, added, changed, unchanged, rejected, skipped) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (str(path), digest_of_file, at, by, read.rows, len(adds), len(updates), unchanged, len(errors),
                 json.dumps(read.skipped))).lastrowid
            marks = ", ".join("?" * len(_COLUMNS))
            self.db.executemany(f"INSERT INTO entries ({', '.join(_COLUMNS)}, added_in) VALUES ({marks}, ?)",
                                [(*values, import_id) for values in adds])
            columns = ", ".join(_COLUMNS)
            self.db.executemany(
                "INSERT OR REPLACE INTO entry_history (import_id, entry_id, previous) "
                f"SELECT ?, id, json_array({columns}, changed_in) FROM entries WHERE id = ?",
                [(import_id, values[-1]) for values in updates])
            sets = ", ".join(f"{c} = ?" for c in _COLUMNS)
            self.db.executemany(f"UPDATE entries SET {sets}, changed_in = ? WHERE id = ?",
                                [(*values[:-1], import_id, values[-1]) for values in updates])
            self.db.executemany("INSERT INTO rejects (import_id, row, col, message_vi, message_en) "
                                "VALUES (?, ?, ?, ?, ?)",
                                [(import_id, e.row, e.column, e.message_vi, e.message_en) for e in errors])
            self._set_meta("province", read.province or "")
            if named != self.agency_map:
                self._set_meta("agencies", json.dumps(named, ensure_ascii=False, sort_keys=True))
                self._reresolve(named, read.province)
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._fail(exc)
        return ImportReport(int(import_id or 0), str(path), digest_of_file, at, by, read.rows, len(adds),
                            len(updates), unchanged, len(errors), tuple(errors), dict(read.skipped), read.header.notes,
                            read.warnings)

    def read_file(self, path: Path, *, mapping: ColumnMap | None = None, sheet: str | None = None,
                  today: dt.date | None = None) -> ReadFile:
        """A register file read, nothing stored (what ``import_file`` stores, and what
        ``--dry-run`` shows)."""
        return read_file(path, mapping=mapping, sheet=sheet, today=today)

    def imports(self) -> list[ImportReport]:
        """Every import, newest first (without their row errors: ``rejects``)."""
        rows = self.db.execute("SELECT id, file, sha256, at, by, rows, added, changed, unchanged, rejected, "
                               "coalesce(skipped, '{}'), undone FROM imports ORDER BY id DESC").fetchall()
        return [ImportReport(*row[:10], skipped=json.loads(row[10]), undone=row[11]) for row in rows]

    def undo(self, import_id: int, *, by: str) -> tuple[int, int]:
        """Take back what import ``import_id`` did: the entries it added removed (with the
        decisions made on them), those it changed as they were before it. Only the newest
        import that stands can be undone (a later one may have built on it): undo from the
        newest back. Returns (entries removed, entries restored)."""
        standing = [r[0] for r in self.db.execute("SELECT id FROM imports WHERE undone IS NULL ORDER BY id DESC")]
        if import_id not in standing:
            known = self.db.execute("SELECT undone FROM imports WHERE id = ?", (import_id,)).fetchone()
            if known is None:
                raise RecordNotFound(f"Không có lần nhập số {import_id} (xem `sohoa register history`).",
                                     f"There is no import {import_id} (see `sohoa register history`).")
            raise RegisterFileError(f"Lần nhập số {import_id} đã được hoàn tác ({known[0]}).",
                                    f"Import {import_id} was undone already ({known[0]}).")
        if standing[0] != import_id:
            raise RegisterFileError(
                f"Lần nhập số {standing[0]} đến sau lần {import_id} và có thể đã sửa chính các mục đó: hoàn tác lần "
                f"{standing[0]} trước (hoàn tác từ lần mới nhất trở về).",
                f"Import {standing[0]} came after import {import_id} and may have changed the same entries: undo "
                f"import {standing[0]} first (undo from the newest back).")
        marks = ", ".join(f"{c} = ?" for c in _COLUMNS)
        try:
            self.db.execute("BEGIN IMMEDIATE")
            added = [r[0] for r in self.db.execute("SELECT id FROM entries WHERE added_in = ?", (import_id,))]
            for table in ("decisions", "matches", "coverage"):
                self.db.executemany(f"DELETE FROM {table} WHERE entry_id = ?", [(i,) for i in added])
            self.db.execute("DELETE FROM tally")  # written again by the next reconciliation
            self.db.execute("DELETE FROM entries WHERE added_in = ?", (import_id,))
            restored = self.db.execute("SELECT entry_id, previous FROM entry_history WHERE import_id = ?",
                                       (import_id,)).fetchall()
            for entry_id, previous in restored:
                values = json.loads(previous)
                self.db.execute(f"UPDATE entries SET {marks}, changed_in = ? WHERE id = ?", (*values, entry_id))
            self.db.execute("DELETE FROM entry_history WHERE import_id = ?", (import_id,))
            at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            self.db.execute("UPDATE imports SET undone = ? WHERE id = ?", (f"{at} {by}", import_id))
            self.db.execute("DELETE FROM meta WHERE key IN ('reconciled', 'tallied')")
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._fail(exc)
        return len(added), len(restored)

    def rejects(self, import_id: int) -> list[RowError]:
        return [RowError(*row) for row in self.db.execute(
            "SELECT row, col, message_vi, message_en FROM rejects WHERE import_id = ? ORDER BY row", (import_id,))]

    # ------------------------------------------------------------------ reconciliation

    def reconcile(self, ledger_path: Path, *, force: bool = False) -> Reconciled:
        """Match every record of the ledger at ``ledger_path`` (its ``facts``) to the entries,
        with the auditors' decisions; skipped when neither side changed since the last time."""
        with self._ledger(ledger_path):
            stamp = self._stamp()
            if not force and self._meta("reconciled") == stamp:
                return self._reconciled(stamp, fresh=False)
            entries = [match.EntryKeys(*row[:6], returned=not row[6], agency_words=agencies.words(row[7]))
                       for row in self.db.execute("SELECT id, agency_key, coalesce(agency_name, ''), number_key, "
                                                  "issued, holder_key, issued_exact, agency FROM entries")]
            province = self.province  # the register's: most archives are the same province's
            named = self.agency_map
            records = []
            for sha, agency, parent, successor, number, issued, holder in self.db.execute(
                    "SELECT sha256, agency, parent, successor_key, number_key, issued, holder_key FROM ledger.facts"):
                who = self.who(agency, parent, province, named) if agency else None
                keys = None if who is None else who.key if who.key == who.any_unit else f"{who.key}|{who.any_unit}"
                records.append(match.RecordKeys(sha, keys, successor, who.short if who else None, number, issued,
                                                holder, agencies.words(agency) if agency else ""))
            decisions = {(e, sha): d for e, sha, d in self.db.execute(
                "SELECT entry_id, sha256, decision FROM decisions")}
            found = match.reconcile(entries, records, decisions)
            try:
                self.db.execute("BEGIN IMMEDIATE")
                self.db.execute("DELETE FROM matches")
                self.db.executemany("INSERT OR IGNORE INTO matches (entry_id, sha256, state, reason, score) "
                                    "VALUES (?, ?, ?, ?, ?)",
                                    [(m.entry_id, m.sha256, m.state, m.reason, m.score) for m in found])
                self.db.execute("DELETE FROM coverage")
                self.db.execute(
                    "INSERT INTO coverage (entry_id, records, scanned_on, extracted_on, verified_on, signed_on, "
                    "valid_until) SELECT m.entry_id, count(*), min(f.scanned_on), min(f.extracted_on), "
                    "min(f.verified_on), min(f.signed_on), max(f.valid_until) "
                    "FROM matches m JOIN ledger.facts f ON f.sha256 = m.sha256 "
                    "WHERE m.state IN ('auto', 'confirmed') GROUP BY m.entry_id")
                self._tally(stamp)
                self._set_meta("reconciled", stamp)
                self.db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._fail(exc)
            return self._reconciled(stamp, fresh=True)

    @property
    def agency_map(self) -> dict[str, str]:
        """The ``[agencies]`` of the maps imports were given: a name as written (folded) ->
        the name it is read as, for the register's agencies and the archive's issuers alike."""
        return json.loads(self._meta("agencies") or "{}")

    def who(self, name: str, parent: str | None = None, province: str | None = None,
            named: dict[str, str] | None = None) -> agencies.Agency:
        """Who an agency's name means, through the ``[agencies]`` map first."""
        named = self.agency_map if named is None else named
        said = named.get(agency_word(name))
        return agencies.resolve(said, None, province) if said else agencies.resolve(name, parent, province)

    def _reresolve(self, named: dict[str, str], province: str | None) -> None:
        """The entries' agencies resolved again through a changed ``[agencies]`` map (inside
        the caller's transaction)."""
        for (name,) in self.db.execute("SELECT DISTINCT agency FROM entries").fetchall():
            who = self.who(name, None, province or self.province, named)
            self.db.execute("UPDATE entries SET agency_key = ?, agency_name = ?, agency_label = ? WHERE agency = ?",
                            (who.key, who.short, who.label, name))

    @property
    def province(self) -> str | None:
        """The province the register is about (most of its agencies lie in it), if one is."""
        return self._meta("province") or None

    @property
    def id(self) -> str:
        """This register's own id (made once): what names its figures on a shared cluster."""
        found = self._meta("register_id")
        if found is None:
            import uuid

            found = uuid.uuid4().hex
            self.db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('register_id', ?)", (found,))
            found = self._meta("register_id") or found
        return found

    @property
    def tallied(self) -> str:
        """What the tally was last written from (the reconciliation's stamp)."""
        return self._meta("tallied") or ""

    def tally(self, *, archive: bool = False) -> None:
        """Fill the tally outside a reconciliation: with no archive to reconcile with (every
        entry unscanned), or (``archive``) from the coverage as it stands."""
        imports = self.db.execute("SELECT coalesce(max(id), 0) FROM imports").fetchone()[0]
        stamp = f"{TALLY_VERSION} {'as covered' if archive else 'no archive'} imports {imports}"
        if self._meta("tallied") == stamp and not archive:
            return
        try:
            self.db.execute("BEGIN IMMEDIATE")
            if not archive:
                self.db.execute("DELETE FROM coverage")
            self._tally(stamp)
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._fail(exc)

    def _tally(self, stamp: str) -> None:
        """Write what ``sohoa.register.progress`` counts, one narrow row per entry of status
        valid, from the entries and the coverage (inside the caller's transaction)."""
        self.db.execute("DELETE FROM tally")
        self.db.execute("DELETE FROM tally_groups")
        self.db.execute("INSERT INTO tally_groups (kind, key, label) SELECT 'agency', agency_key, "
                        "coalesce(min(agency_label), min(agency)) FROM entries WHERE status = 'valid' "
                        "GROUP BY agency_key")
        self.db.execute("INSERT INTO tally_groups (kind, key, label) SELECT 'procedure', "
                        f"coalesce(procedure_code, procedure_name, ''), {PROCEDURE_LABEL.format(t='entries')} "
                        "FROM entries WHERE status = 'valid' GROUP BY coalesce(procedure_code, procedure_name, '')")
        day = "CAST(julianday({}) AS INTEGER)"
        self.db.execute(
            "INSERT INTO tally (entry_id, issued, until, level, agency, procedure, year, scanned, extracted, verified, "
            f"signed) SELECT e.id, {day.format('e.issued')}, "
            f"coalesce({day.format('coalesce(e.valid_until, c.valid_until)')}, {NO_END}), e.level, a.id, p.id, "
            f"substr(e.issued, 1, 4), {day.format('c.scanned_on')}, {day.format('c.extracted_on')}, "
            f"{day.format('c.verified_on')}, {day.format('c.signed_on')} "
            "FROM entries e LEFT JOIN coverage c ON c.entry_id = e.id "
            "JOIN tally_groups a ON a.kind = 'agency' AND a.key = e.agency_key "
            "JOIN tally_groups p ON p.kind = 'procedure' AND p.key = coalesce(e.procedure_code, e.procedure_name, '') "
            "WHERE e.status = 'valid'")
        self._set_meta("tallied", stamp)

    def decide(self, entry: str, sha256: str, decision: str, *, by: str, ledger_path: Path,
               note: str | None = None, both: bool = False) -> tuple[int, str]:
        """An auditor confirms (or links) or rejects the pair of an entry (its id or dossier
        code) and a record (its id or an unambiguous prefix); the pair as stored. A record
        already confirmed to another entry is confirmed to a second one only with ``both``
        (one scan that is the result of two entries): else it would be counted twice."""
        if decision not in ("confirm", "reject"):
            raise ValueError(decision)
        entry_id = self.entry_id(entry)
        with self._ledger(ledger_path):
            shas = [r[0] for r in self.db.execute(
                "SELECT sha256 FROM ledger.facts WHERE sha256 LIKE ? LIMIT 2", (sha256.lower() + "%",))]
        if len(shas) != 1:
            raise RegisterFileError(
                f"Không có hồ sơ số hóa nào (đã xử lý) có mã {sha256}" + (" duy nhất" if shas else "") + ".",
                f"No processed record has the id {sha256}" + (" alone: give more of it" if shas else "") + ".")
        others = [r[0] for r in self.db.execute("SELECT entry_id FROM decisions WHERE sha256 = ? AND decision = "
                                                "'confirm' AND entry_id != ?", (shas[0], entry_id))]
        if decision == "confirm" and others and not both:
            listed = ", ".join(map(str, others))
            raise RegisterFileError(
                f"Hồ sơ {shas[0][:16]} đã được xác nhận cho mục {listed}: một bản số hóa chỉ được tính cho một kết "
                "quả. Nếu nó đúng là kết quả của cả hai mục, xác nhận lại với --both; nếu xác nhận trước là nhầm, "
                f"bác cặp đó trước (`sohoa register reject {others[0]} {shas[0][:16]}`).",
                f"Record {shas[0][:16]} is confirmed to entry {listed} already: one record counts for one result. If "
                "it truly is the result of both entries, confirm again with --both; if the first confirmation was "
                f"wrong, reject that pair first (`sohoa register reject {others[0]} {shas[0][:16]}`).")
        at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self.db.execute("INSERT INTO decisions (entry_id, sha256, decision, by, at, note) VALUES (?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT(entry_id, sha256) DO UPDATE SET decision = excluded.decision, by = excluded.by, "
                        "at = excluded.at, note = excluded.note", (entry_id, shas[0], decision, by, at, note))
        self._set_meta("decisions", str(int(self._meta("decisions") or 0) + 1))
        return entry_id, shas[0]

    def entry_id(self, entry: str) -> int:
        """The id of an entry named by its id or its dossier code."""
        row = self.db.execute("SELECT id FROM entries WHERE dossier = ?", (entry,)).fetchone()
        if row is None and entry.isdigit():
            row = self.db.execute("SELECT id FROM entries WHERE id = ?", (int(entry),)).fetchone()
        if row is None:
            raise RegisterFileError(f"Sổ không có mục nào có mã hồ sơ hoặc số thứ tự {entry}.",
                                    f"The register has no entry with the dossier code or id {entry}.")
        return int(row[0])

    def matches(self, state: str | None = None) -> list[dict[str, object]]:
        """The matches of the last reconciliation (``auto``, ``confirmed`` or ``waiting``)."""
        where = "WHERE state = ?" if state else ""
        return self._dicts(f"SELECT * FROM matches {where} ORDER BY entry_id, score DESC", (state,) if state else ())

    def unmatched(self, ledger_path: Path) -> list[dict[str, object]]:
        """Records of the ledger that count for no entry (no automatic or confirmed match),
        each with how many proposals of it wait for a person (``waiting``)."""
        with self._ledger(ledger_path):
            return self._dicts("SELECT f.sha256 AS record, d.path AS file, f.agency, f.parent, f.doc_type, f.number, "
                               "f.issued, f.valid_until, (SELECT count(*) FROM matches w WHERE w.sha256 = f.sha256 "
                               "AND w.state = 'waiting') AS waiting FROM ledger.facts f "
                               "LEFT JOIN ledger.documents d ON d.sha256 = f.sha256 WHERE NOT EXISTS (SELECT 1 "
                               "FROM matches m WHERE m.sha256 = f.sha256 AND m.state IN ('auto', 'confirmed')) "
                               "ORDER BY f.agency_key, f.issued")

    def waiting(self, ledger_path: Path) -> list[dict[str, object]]:
        """The matches waiting for a person, each with both sides: what the register lists
        and what the record read."""
        with self._ledger(ledger_path):
            return self._dicts(
                "SELECT m.entry_id, e.dossier, e.agency, e.number, e.issued, e.holder, m.sha256 AS record, "
                "d.path AS file, f.agency AS record_agency, f.number AS record_number, f.issued AS record_issued, "
                "m.reason, m.score FROM matches m JOIN entries e ON e.id = m.entry_id "
                "LEFT JOIN ledger.facts f ON f.sha256 = m.sha256 LEFT JOIN ledger.documents d ON d.sha256 = m.sha256 "
                "WHERE m.state = 'waiting' ORDER BY m.sha256, m.score DESC, m.entry_id")

    def archive_agencies(self, ledger_path: Path) -> list[tuple[str, str | None, int, int]]:
        """Each distinct issuer of the archive (with its parent body) and how many records
        it has, and how many of those match an entry."""
        with self._ledger(ledger_path):
            return self.db.execute(
                "SELECT f.agency, f.parent, count(*), sum(EXISTS (SELECT 1 FROM matches m WHERE m.sha256 = f.sha256 "
                "AND m.state IN ('auto', 'confirmed'))) FROM ledger.facts f WHERE f.agency IS NOT NULL "
                "GROUP BY f.agency, f.parent").fetchall()

    def files(self, ledger_path: Path, shas: Iterable[str]) -> dict[str, str]:
        """The file each record was first found as (its path), by SHA-256."""
        wanted = sorted(set(shas))
        out: dict[str, str] = {}
        with self._ledger(ledger_path):
            for i in range(0, len(wanted), 500):
                chunk = wanted[i:i + 500]
                out.update(self.db.execute(f"SELECT sha256, path FROM ledger.documents WHERE sha256 IN "
                                           f"({', '.join('?' * len(chunk))})", chunk).fetchall())
        return out

    def _stamp(self) -> str:
        """What the last reconciliation was made against: the ledger's facts, the entries, the decisions."""
        count, top = self.db.execute("SELECT count(*), coalesce(max(rowid), 0) FROM ledger.facts").fetchone()
        ledger = self.db.execute("SELECT value FROM ledger.meta WHERE key = 'ledger_id'").fetchone()
        imports = self.db.execute("SELECT coalesce(max(id), 0) || ':' || count(undone) FROM imports").fetchone()[0]
        decisions = self._meta("decisions") or 0
        named = hashlib.sha256((self._meta("agencies") or "").encode()).hexdigest()[:12]
        return (f"{TALLY_VERSION} ledger {ledger[0] if ledger else '?'} facts {count}:{top} imports {imports} "
                f"decisions {decisions} agencies {named}")

    def _reconciled(self, stamp: str, *, fresh: bool) -> Reconciled:
        states = dict(self.db.execute("SELECT state, count(*) FROM matches GROUP BY state").fetchall())
        matched_records = self.db.execute("SELECT count(DISTINCT sha256) FROM matches "
                                          "WHERE state IN ('auto', 'confirmed')").fetchone()[0]
        records = self.db.execute("SELECT count(*) FROM ledger.facts").fetchone()[0]
        covered = self.db.execute("SELECT count(*) FROM coverage").fetchone()[0]
        return Reconciled(auto=states.get(match.AUTO, 0), confirmed=states.get(match.CONFIRMED, 0),
                          waiting=states.get(match.WAITING, 0), records=records,
                          unmatched_records=records - matched_records, entries=self.count(),
                          entries_with_record=covered, fresh=fresh)

    @contextlib.contextmanager
    def _ledger(self, ledger_path: Path) -> Iterator[None]:
        """The ledger attached as ``ledger`` (its ``facts`` table) for the time of a query."""
        if not ledger_path.is_file():
            raise RegisterFileError(f"Chưa có sổ theo dõi số hóa {ledger_path}: hãy chạy `sohoa ingest` trước.",
                                    f"There is no ledger {ledger_path} yet: run `sohoa ingest` first.")
        self.db.execute("ATTACH DATABASE ? AS ledger", (str(ledger_path),))
        try:
            yield
        finally:
            self.db.execute("DETACH DATABASE ledger")

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                        "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    def _fail(self, exc: sqlite3.Error) -> NoReturn:
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")
        full = cannot_write(exc, str(self.path))
        if full is not None:
            raise full from exc
        raise exc

    def _dicts(self, query: str, params: Iterable[object] = ()) -> list[dict[str, object]]:
        cursor = self.db.execute(query, tuple(params))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM entries").fetchone()[0])

    def entries(self, where: str = "", params: Iterable[object] = ()) -> list[dict[str, object]]:
        """Entries as rows with named columns (for reconciliation and tests)."""
        return self._dicts(f"SELECT * FROM entries {where}", params)
