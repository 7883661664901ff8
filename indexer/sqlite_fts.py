"""The embedded index: SQLite FTS5 in the home folder, no server needed.

Each document is indexed twice in one FTS5 row: in accented index form (``orig``) and
diacritic-folded (``folded``). A query matches the folded column, so typing without
accents finds accented text, and also the accented column, weighted higher in BM25,
so an exact accented match ranks first. A query that is a document number puts that
document first. Validity is judged at query time from ``valid_until``, since a result
that was valid when ingested may have expired since.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from indexer.base import Hit, SearchQuery, SearchResult, register
from indexer.snippets import folded_terms, number_of, snippet, terms
from ocr.rules import registry
from sohoa.errors import IndexBackendError
from sohoa.model import Record
from sohoa.sqlite import open_db
from sohoa.text import index_form, normalise_number, search_form

SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    rowid        INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    path         TEXT NOT NULL,
    doc_type     TEXT,
    doc_type_f   TEXT,
    issuer       TEXT,
    issuer_f     TEXT,
    issue_date   TEXT,
    valid_until  TEXT,
    no_end       TEXT,               -- the type's verdict when no end date: valid | unknown
    number_norm  TEXT,
    fields       TEXT NOT NULL,      -- JSON
    text         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS docs_number ON docs(number_norm);
CREATE INDEX IF NOT EXISTS docs_date ON docs(issue_date);
CREATE VIRTUAL TABLE IF NOT EXISTS docs_fts USING fts5(
    orig, folded, tokenize = 'unicode61 remove_diacritics 0'
);
"""
ORIG_WEIGHT, FOLDED_WEIGHT = 4.0, 1.0
NUMBER_SCORE = 1000.0


def _validity_sql(alias: str = "d") -> str:
    return (f"CASE WHEN {alias}.valid_until IS NOT NULL THEN "
            f"(CASE WHEN {alias}.valid_until < :today THEN 'expired' ELSE 'valid' END) "
            f"ELSE COALESCE({alias}.no_end, 'unknown') END")


def _fts_quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


@register("sqlite")
class SqliteIndex:
    """FTS5 index stored at ``path``."""

    name = "sqlite"

    def __init__(self, path: Path) -> None:
        self.db = open_db(path, SCHEMA, "chỉ mục", "index")
        self._policies = {r.doc_type: r.validity_without_end_date for r in registry()}

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------------ writing

    def _row(self, record: Record) -> tuple[Any, ...]:
        f = record.fields
        searchable = "\n".join(v for v in (f.get("number"), record.text) if v)
        return (
            record.id, record.source.path, f.get("doc_type"), search_form(f.get("doc_type") or ""),
            f.get("issuer"), search_form(f.get("issuer") or ""), f.get("issue_date"), f.get("valid_until"),
            self._policies.get(f.get("doc_type") or ""), normalise_number(f.get("number") or ""),
            json.dumps(f, ensure_ascii=False), record.text, index_form(searchable), search_form(searchable),
        )

    def upsert(self, records: Sequence[Record]) -> None:
        rows = [self._row(r) for r in records if r.status == "indexed"]
        try:
            self.db.execute("BEGIN IMMEDIATE")
            for row in rows:
                old = self.db.execute("SELECT rowid FROM docs WHERE id = ?", (row[0],)).fetchone()
                if old:
                    self.db.execute("DELETE FROM docs_fts WHERE rowid = ?", old)
                    self.db.execute("DELETE FROM docs WHERE rowid = ?", old)
                cur = self.db.execute(
                    "INSERT INTO docs(id, path, doc_type, doc_type_f, issuer, issuer_f, issue_date, valid_until, "
                    "no_end, number_norm, fields, text) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", row[:12])
                self.db.execute("INSERT INTO docs_fts(rowid, orig, folded) VALUES (?, ?, ?)",
                                (cur.lastrowid, row[12], row[13]))
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            self.db.execute("ROLLBACK")
            raise IndexBackendError(f"Ghi chỉ mục thất bại: {exc}", f"Writing the index failed: {exc}") from exc

    def delete(self, ids: Sequence[str]) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        for doc_id in ids:
            old = self.db.execute("SELECT rowid FROM docs WHERE id = ?", (doc_id,)).fetchone()
            if old:
                self.db.execute("DELETE FROM docs_fts WHERE rowid = ?", old)
                self.db.execute("DELETE FROM docs WHERE rowid = ?", old)
        self.db.execute("COMMIT")

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM docs").fetchone()[0]

    def ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT id FROM docs ORDER BY id")]

    # ------------------------------------------------------------------ searching

    def _filters(self, q: SearchQuery, params: dict[str, Any]) -> str:
        clauses = []
        if q.doc_type:
            clauses.append("d.doc_type_f LIKE :type")
            params["type"] = f"%{search_form(q.doc_type)}%"
        if q.issuer:
            clauses.append("d.issuer_f LIKE :issuer")
            params["issuer"] = f"%{search_form(q.issuer)}%"
        if q.date_from:
            clauses.append("d.issue_date >= :dfrom")
            params["dfrom"] = q.date_from.isoformat()
        if q.date_to:
            clauses.append("d.issue_date <= :dto")
            params["dto"] = q.date_to.isoformat()
        if q.validity:
            clauses.append(f"{_validity_sql()} = :validity")
            params["validity"] = q.validity
        return " AND ".join(clauses) or "1"

    def _match(self, text: str) -> str | None:
        folded = [w for w in folded_terms(text) if w]
        if not folded:
            return None
        exact = [w for w in terms(text) if w]
        f_part = " AND ".join(f"folded : {_fts_quote(w)}" for w in folded)
        o_part = " AND ".join(f"orig : {_fts_quote(w)}" for w in exact)
        return f"({f_part}) OR ({o_part})"

    def search(self, q: SearchQuery) -> SearchResult:
        params: dict[str, Any] = {"today": q.today.isoformat(), "limit": q.limit, "offset": q.offset}
        where = self._filters(q, params)
        match = self._match(q.text)
        number = number_of(q.text) if q.text else None
        cols = f"d.id, d.path, d.fields, d.text, {_validity_sql()} AS validity"
        try:
            if match is None and number is None:
                total = self.db.execute(f"SELECT count(*) FROM docs d WHERE {where}", params).fetchone()[0]
                rows = self.db.execute(
                    f"SELECT {cols}, 0.0 FROM docs d WHERE {where} "
                    "ORDER BY d.issue_date DESC, d.id LIMIT :limit OFFSET :offset", params).fetchall()
                return self._result(total, rows, q.text)
            params["match"] = match or '""'
            params["number"] = number or ""
            parts = []
            if match:
                parts.append(f"SELECT rowid, -rank AS score FROM docs_fts WHERE docs_fts MATCH :match "
                             f"AND rank MATCH 'bm25({ORIG_WEIGHT}, {FOLDED_WEIGHT})'")
            if number:
                parts.append(f"SELECT rowid, {NUMBER_SCORE} FROM docs WHERE number_norm = :number")
            matched = " UNION ALL ".join(parts)
            base = f"FROM ({matched}) m JOIN docs d ON d.rowid = m.rowid WHERE {where}"
            total = self.db.execute(f"SELECT count(DISTINCT d.rowid) {base}", params).fetchone()[0]
            rows = self.db.execute(
                f"SELECT {cols}, max(m.score) AS s {base} GROUP BY d.rowid "
                "ORDER BY s DESC, d.issue_date DESC LIMIT :limit OFFSET :offset", params).fetchall()
        except sqlite3.OperationalError as exc:
            raise IndexBackendError(f"Truy vấn không hợp lệ: {exc}", f"Invalid query: {exc}") from exc
        return self._result(total, rows, q.text)

    def _result(self, total: int, rows: list[tuple[Any, ...]], text: str) -> SearchResult:
        hits = [
            Hit(id=r[0], path=r[1], score=float(r[5] or 0.0), fields=json.loads(r[2]),
                snippet=snippet(r[3], text), validity=r[4])
            for r in rows
        ]
        return SearchResult(total, hits)
