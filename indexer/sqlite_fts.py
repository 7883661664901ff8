"""The embedded index: SQLite FTS5 in the home folder, no server needed.

Each document is one FTS5 row with its text in accented index form (``orig``) and
diacritic-folded (``folded``), and its extracted fields (type, number, issuer, summary,
names) likewise (``head``, ``head_folded``). The folded text decides what matches, so
typing without accents finds accented text. Ranking is by evidence, strongest first:
the document number typed exactly; all words with their accents in the text; all words
with accents in the fields; all words (accents aside) in the fields; the words as a
phrase; then the newest document. BM25 is not used: its statistics cost a scan of every
document holding a common word, far beyond a 50 ms budget at 100,000 documents.
Validity is judged at query time from ``valid_until``, since a result that was valid when
ingested may have expired since.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sohoa.core.errors import IndexBackendError
from sohoa.core.model import Record, RecordStatus
from sohoa.core.paths import readable
from sohoa.core.settings import Settings
from sohoa.core.sqlite import SchemaMismatch, open_db
from sohoa.core.text import index_form, normalise_number, search_form
from sohoa.indexer.base import Hit, SearchQuery, SearchResult, agency_keys, scope_key
from sohoa.indexer.snippets import (
    EVIDENCE,
    NUMBER_SCORE,
    PHRASE_SCORE,
    folded_terms,
    head_text,
    issuer_text,
    searchable_text,
    snippet,
    terms,
)
from sohoa.indexer.sqlite_facets import (
    Facet,
    agency_token,
    date_facet,
    document_facets,
    level_token,
    signature_token,
    validity_facet,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (      -- small rows: filters scan and join these
    rowid        INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    doc_type_f   TEXT,
    issuer_f     TEXT,
    issue_date   TEXT,
    valid_until  TEXT,
    no_end       TEXT,               -- the type's verdict when no end date: valid | unknown
    number_norm  TEXT,
    sig_status   TEXT NOT NULL,      -- sohoa.core.model.Record.signature_status
    agencies     TEXT NOT NULL,      -- agency tokens (sqlite_facets.agency_token), space-separated
    level        TEXT                -- the issuer's level (province, district, commune)
);
CREATE TABLE IF NOT EXISTS bodies (    -- what a hit shows, read only for the page of hits
    rowid        INTEGER PRIMARY KEY,
    path         TEXT NOT NULL,
    fields       TEXT NOT NULL,      -- JSON
    text         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS docs_number ON docs(number_norm);
CREATE INDEX IF NOT EXISTS docs_date ON docs(issue_date);
CREATE VIRTUAL TABLE IF NOT EXISTS docs_fts USING fts5(
    orig, folded, head, head_folded, personal, tokenize = 'unicode61 remove_diacritics 0'
);
-- What matches and how many: folded words, personal data apart (privacy.split_personal),
-- type, issuer and facets (see sqlite_facets), without word positions (small, fast).
CREATE VIRTUAL TABLE IF NOT EXISTS docs_recall USING fts5(
    folded, personal, kind, issuer, facets, detail = column, content = '',
    tokenize = 'unicode61 remove_diacritics 0'
);
"""
SCHEMA_VERSION = 6  # 3: issuer filters match issuer_parent and issuer_successor too; 4: agency scopes; 5: level;
# 6: personal data in a column of its own, agencies by their accented names
FACET_SIZE = 50
RANK_WINDOW = 2000
"""A query matching more documents ranks the most recently indexed this many (the total
stays exact); a filter or another word narrows it."""


def _validity_sql(alias: str = "d") -> str:
    return (f"CASE WHEN {alias}.valid_until IS NOT NULL THEN "
            f"(CASE WHEN {alias}.valid_until < :today THEN 'expired' ELSE 'valid' END) "
            f"ELSE COALESCE({alias}.no_end, 'unknown') END")


def _fts_quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _all_of(column: str, words: list[str]) -> str:
    return " AND ".join(f"{column} : {_fts_quote(w)}" for w in words)


class SqliteIndex:
    """FTS5 index stored at ``path``."""

    name = "sqlite"

    def __init__(self, path: Path, *, shared: bool = False) -> None:
        self.path = path
        self.target = f"sqlite:{path}"
        self.db = open_db(path, SCHEMA, "chỉ mục", "index", version=SCHEMA_VERSION,
                          fix_vi="Chạy `sohoa reindex` để dựng lại chỉ mục từ sổ theo dõi.",
                          fix_en="Run `sohoa reindex` to rebuild it from the ledger.", shared=shared)

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------------ writing

    def _row(self, record: Record) -> tuple[Any, ...]:
        f = record.fields
        (searchable, personal), head = searchable_text(record), head_text(record)
        return (
            (record.id, search_form(f.get("doc_type") or ""), search_form(issuer_text(record)), f.get("issue_date"),
             f.get("valid_until"), record.validity.without_end_date,
             normalise_number(f.get("number") or ""), record.signature_status,
             " ".join(agency_token(k) for k in agency_keys(record)), f.get("issuer_level")),
            (readable(record.source.path), json.dumps(f, ensure_ascii=False), record.text),
            (index_form(searchable), search_form(searchable), index_form(head), search_form(head),
             search_form(personal)),
        )

    def upsert(self, records: Sequence[Record]) -> None:
        rows = [self._row(r) for r in records if r.status is RecordStatus.indexed]
        try:
            self.db.execute("BEGIN IMMEDIATE")
            for row in rows:
                self._remove(row[0][0])
                self._insert(row)
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            self.db.execute("ROLLBACK")
            raise IndexBackendError(f"Ghi chỉ mục thất bại: {exc}", f"Writing the index failed: {exc}") from exc

    def _insert(self, row: tuple[Any, ...]) -> None:
        doc, body, fts = row
        cur = self.db.execute(
            "INSERT INTO docs(id, doc_type_f, issuer_f, issue_date, valid_until, no_end, number_norm, sig_status, "
            "agencies, level) VALUES (?,?,?,?,?,?,?,?,?,?)", doc)
        self.db.execute("INSERT INTO bodies(rowid, path, fields, text) VALUES (?,?,?,?)", (cur.lastrowid, *body))
        self.db.execute("INSERT INTO docs_fts(rowid, orig, folded, head, head_folded, personal) VALUES (?,?,?,?,?,?)",
                        (cur.lastrowid, *fts))
        self.db.execute("INSERT INTO docs_recall(rowid, folded, personal, kind, issuer, facets) VALUES (?,?,?,?,?,?)",
                        (cur.lastrowid, fts[1], fts[4], doc[1], doc[2],
                         document_facets(doc[3], doc[4], doc[5], doc[7], doc[8], doc[9])))

    def replace_all(self, records: Iterable[Record]) -> int:
        """Make the index hold exactly ``records``, in one transaction: searches see the old
        index until the new one is complete."""
        count = 0
        try:
            self.db.execute("BEGIN IMMEDIATE")
            for table in ("docs_fts", "bodies", "docs"):
                self.db.execute(f"DELETE FROM {table}")
            self.db.execute("INSERT INTO docs_recall(docs_recall) VALUES ('delete-all')")
            for record in records:
                if record.status is RecordStatus.indexed:
                    self._insert(self._row(record))
                    count += 1
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            self.db.execute("ROLLBACK")
            raise IndexBackendError(f"Dựng lại chỉ mục thất bại: {exc}", f"Rebuilding the index failed: {exc}") from exc
        return count

    def _remove(self, doc_id: str) -> None:
        old = self.db.execute("SELECT rowid, doc_type_f, issuer_f, issue_date, valid_until, no_end, sig_status, "
                              "agencies, level FROM docs WHERE id = ?", (doc_id,)).fetchone()
        if not old:
            return
        rowid = old[0]
        # docs_recall keeps no content: removing a row takes the values it was indexed with.
        folded, personal = self.db.execute("SELECT folded, personal FROM docs_fts WHERE rowid = ?",
                                           (rowid,)).fetchone()
        self.db.execute(
            "INSERT INTO docs_recall(docs_recall, rowid, folded, personal, kind, issuer, facets) "
            "VALUES ('delete',?,?,?,?,?,?)", (rowid, folded, personal, old[1], old[2], document_facets(*old[3:9])))
        for table in ("docs_fts", "bodies", "docs"):
            self.db.execute(f"DELETE FROM {table} WHERE rowid = ?", (rowid,))

    def delete(self, ids: Sequence[str]) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        for doc_id in ids:
            self._remove(doc_id)
        self.db.execute("COMMIT")

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM docs").fetchone()[0]

    def held(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.db.execute(f"SELECT id FROM docs WHERE id IN ({marks})", chunk))
        return found

    def mine(self) -> Iterator[str]:
        yield from (r[0] for r in self.db.execute("SELECT id FROM docs").fetchall())

    # ------------------------------------------------------------------ searching

    def search(self, q: SearchQuery) -> SearchResult:
        plan = _plan(q)
        try:
            result = self._search(q, plan)
            if q.facets:
                result = SearchResult(result.total, result.hits, self._facet_counts(plan))
            return result
        except sqlite3.OperationalError as exc:
            raise IndexBackendError(f"Truy vấn không hợp lệ: {exc}", f"Invalid query: {exc}") from exc

    def _search(self, q: SearchQuery, plan: _Plan) -> SearchResult:
        if not plan.folded and plan.number is None:
            return self._listing(q, plan)
        scores: dict[int, tuple[float, str]] = {}
        total = 0
        if plan.folded:
            total, scores = self._ranked_window(q.text, plan)
        if plan.number:
            for rowid, issued in self.db.execute(
                    f"SELECT d.rowid, d.issue_date FROM docs d WHERE d.number_norm = :number AND {plan.where_all}",
                    plan.params):
                if rowid not in scores:
                    total += 0 if plan.folded and self._matches(rowid, plan) else 1
                scores[rowid] = (NUMBER_SCORE + scores.get(rowid, (0.0, ""))[0], issued or "")
        order = sorted(scores.items(), key=lambda kv: (kv[1][0], kv[1][1], kv[0]), reverse=True)
        page = order[q.offset:q.offset + q.limit]
        return self._result(total, self._fetch([rowid for rowid, _ in page], plan),
                            {rowid: sc for rowid, (sc, _) in page}, q.text)

    def _facet_counts(self, plan: _Plan) -> dict[str, dict[str, int]]:
        """Counts over every match (not only the ranked window), as the Elasticsearch backend gives."""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS matched(rowid INTEGER PRIMARY KEY)")
        self.db.execute("DELETE FROM matched")
        if plan.base or plan.facets:
            rows = self._candidates(plan, "r.rowid", -1)
            self.db.executemany("INSERT OR IGNORE INTO matched VALUES (?)", ((r[0],) for r in rows))
        else:
            self.db.execute(f"INSERT INTO matched SELECT d.rowid FROM docs d WHERE {plan.where_all}", plan.params)
        if plan.number:
            self.db.execute("INSERT OR IGNORE INTO matched SELECT d.rowid FROM docs d "
                            f"WHERE d.number_norm = :number AND {plan.where_all}", plan.params)
        join = "FROM matched m JOIN docs d ON d.rowid = m.rowid JOIN bodies b ON b.rowid = d.rowid"
        out = {}
        for name in ("doc_type", "issuer"):
            out[name] = dict(self.db.execute(
                f"SELECT json_extract(b.fields, '$.{name}') AS k, count(*) AS n {join} WHERE k IS NOT NULL "
                f"GROUP BY k ORDER BY n DESC, k LIMIT {FACET_SIZE}").fetchall())
        out["level"] = dict(self.db.execute(
            f"SELECT d.level AS k, count(*) {join} WHERE d.level IS NOT NULL GROUP BY k ORDER BY k").fetchall())
        out["year"] = dict(self.db.execute(
            f"SELECT substr(d.issue_date, 1, 4) AS k, count(*) {join} WHERE d.issue_date IS NOT NULL "
            "GROUP BY k ORDER BY k").fetchall())
        out["validity"] = dict(self.db.execute(
            f"SELECT {_validity_sql()} AS k, count(*) {join} GROUP BY k ORDER BY k", plan.params).fetchall())
        out["signature"] = dict(self.db.execute(
            f"SELECT d.sig_status AS k, count(*) {join} GROUP BY k ORDER BY k").fetchall())
        return out

    def _count(self, plan: _Plan) -> int:
        """Matches of the words, type and issuer passing every facet: an FTS count of the
        rows that surely pass, plus a join over the rows in edge years only."""
        if not plan.facets:
            return self._fts_count(" AND ".join(plan.base), plan)
        total = 0
        exact = [f.exact for f in plan.facets]
        if all(exact):
            total += self._fts_count(" AND ".join([*plan.base, *exact]), plan)
        edges = [f.edge for f in plan.facets if f.edge]
        if edges:
            query = " AND ".join([*plan.base, *(f.superset for f in plan.facets), f"({' OR '.join(edges)})"])
            sql = " AND ".join(f.sql for f in plan.facets)
            total += self.db.execute(
                "SELECT count(*) FROM docs_recall r JOIN docs d ON d.rowid = r.rowid "
                f"WHERE docs_recall MATCH :q AND {sql}", {**plan.params, "q": query}).fetchone()[0]
        return total

    def _fts_count(self, query: str, plan: _Plan) -> int:
        return self.db.execute("SELECT count(*) FROM docs_recall WHERE docs_recall MATCH :q",
                               {**plan.params, "q": query}).fetchone()[0]

    def _candidates(self, plan: _Plan, order: str, limit: int, offset: int = 0) -> list[tuple[int, str | None]]:
        """(rowid, issue_date) of the rows passing everything, in ``order``."""
        query = " AND ".join([*plan.base, *(f.superset for f in plan.facets)])
        sql = " AND ".join(f.sql for f in plan.facets) or "1"
        return self.db.execute(
            "SELECT r.rowid, d.issue_date FROM docs_recall r JOIN docs d ON d.rowid = r.rowid "
            f"WHERE docs_recall MATCH :q AND {sql} ORDER BY {order} LIMIT {int(limit)} OFFSET {int(offset)}",
            {**plan.params, "q": query}).fetchall()

    def _listing(self, q: SearchQuery, plan: _Plan) -> SearchResult:
        """No words: every document the filters let through, newest first."""
        if plan.base or plan.facets:
            total = self._count(plan)
            rows = self._candidates(plan, "d.issue_date DESC, d.rowid DESC", q.limit, q.offset)
            rowids = [r[0] for r in rows]
        else:
            total = self.db.execute(f"SELECT count(*) FROM docs d WHERE {plan.where_all}", plan.params).fetchone()[0]
            rowids = [r[0] for r in self.db.execute(
                "SELECT d.rowid FROM docs d ORDER BY d.issue_date DESC, d.rowid DESC "
                f"LIMIT {int(q.limit)} OFFSET {int(q.offset)}", plan.params)]
        return self._result(total, self._fetch(rowids, plan), {}, q.text)

    def _ranked_window(self, text: str, plan: _Plan) -> tuple[int, dict[int, tuple[float, str]]]:
        """Count the matches, and score the newest RANK_WINDOW of them by evidence.

        Matching and counting use ``docs_recall``, which keeps no word positions and so
        reads little; evidence comes from ``docs_fts``, asked only within the window, so a
        broad query costs about what a narrow one does.
        """
        total = self._count(plan)
        window = self._candidates(plan, "r.rowid DESC", RANK_WINDOW)
        if not window:
            return total, {}
        low = window[-1][0]
        scores = {rowid: [0.0, issued or ""] for rowid, issued in window}
        exact = [w for w in terms(text) if w]
        queries = [(_all_of(column, exact if kind == "exact" else list(plan.folded)), weight)
                   for column, kind, weight in EVIDENCE]
        if len(plan.folded) > 1:
            queries.append((f"folded : {_fts_quote(' '.join(plan.folded))}", PHRASE_SCORE))
        for query, weight in queries:
            for (rowid,) in self.db.execute(
                    "SELECT rowid FROM docs_fts WHERE docs_fts MATCH :q AND rowid >= :low",
                    {**plan.params, "q": query, "low": low}):
                if rowid in scores:
                    scores[rowid][0] += weight
        return total, {rowid: (sc, issued) for rowid, (sc, issued) in scores.items()}

    def _matches(self, rowid: int, plan: _Plan) -> bool:
        """Whether the row also matches the words, type and issuer (found by number first)."""
        return self.db.execute("SELECT 1 FROM docs_recall WHERE docs_recall MATCH :q AND rowid = :r",
                               {**plan.params, "q": " AND ".join(plan.base), "r": rowid}).fetchone() is not None

    def _fetch(self, rowids: list[int], plan: _Plan) -> list[tuple[Any, ...]]:
        if not rowids:
            return []
        marks = ",".join(str(int(r)) for r in rowids)
        rows = {r[0]: r[1:] for r in self.db.execute(
            f"SELECT d.rowid, d.id, b.path, b.fields, b.text, {_validity_sql()}, d.sig_status FROM docs d "
            f"JOIN bodies b ON b.rowid = d.rowid WHERE d.rowid IN ({marks})",
            plan.params)}
        return [(r, *rows[r]) for r in rowids if r in rows]

    def _result(self, total: int, rows: list[tuple[Any, ...]], scores: dict[int, float], text: str) -> SearchResult:
        hits = [
            Hit(id=doc_id, path=path, score=scores.get(rowid, 0.0), fields=json.loads(fields),
                snippet=snippet(body, text), validity=validity, signature=signature)
            for rowid, doc_id, path, fields, body, validity, signature in rows
        ]
        return SearchResult(total, hits)


@dataclass(frozen=True)
class _Plan:
    """A search turned into SQL once, before any of it runs; every step reads it."""

    folded: tuple[str, ...]
    """The query's words, accents folded (empty: a listing by filters alone)."""
    number: str | None
    """The query read as a document number (``core.text.normalise_number``)."""
    base: tuple[str, ...]
    """FTS conditions on ``docs_recall``: the words, the type and the issuer."""
    facets: tuple[Facet, ...]
    """The date and validity filters, each as an FTS superset, exact terms and SQL."""
    where_all: str
    """Every filter as SQL on ``docs d``, for rows found by number."""
    params: Mapping[str, Any]
    """The named parameters all of the above use."""


def _plan(q: SearchQuery) -> _Plan:
    params: dict[str, Any] = {"today": q.today.isoformat()}
    fts, sql = [], []
    for value, column, sql_column in ((q.doc_type, "kind", "doc_type_f"), (q.issuer, "issuer", "issuer_f")):
        words = folded_terms(value or "")
        if words:
            fts.append(_all_of(column, words))
            sql.extend(f"d.{sql_column} LIKE '%' || :{column}{i} || '%'" for i in range(len(words)))
            params.update({f"{column}{i}": w for i, w in enumerate(words)})
    if q.level:
        fts.append(f"facets : {level_token(q.level)}")
        sql.append("d.level = :level")
        params["level"] = q.level
    if q.signature:
        fts.append(f"facets : {signature_token(q.signature)}")
        sql.append("d.sig_status = :sig")
        params["sig"] = q.signature
    if q.agencies is not None:  # a user limited to some agencies: nothing else, anywhere
        tokens = [agency_token(scope_key(a)) for a in q.agencies if scope_key(a)] or ["agnone"]
        fts.append(f"facets : ({' OR '.join(tokens)})")
        sql.append("(" + " OR ".join(f"instr(' ' || d.agencies || ' ', ' {t} ') > 0" for t in tokens) + ")")
    facets = []
    if q.date_from or q.date_to:
        params["dfrom"] = q.date_from.isoformat() if q.date_from else None
        params["dto"] = q.date_to.isoformat() if q.date_to else None
        facets.append(date_facet(q.date_from, q.date_to))
    if q.validity:
        params["validity"] = q.validity
        facets.append(validity_facet(q.validity, q.today, _validity_sql()))
    sql.extend(f.sql for f in facets)
    folded = tuple(w for w in folded_terms(q.text) if w)
    number = normalise_number(q.text) if q.text else None
    params["number"] = number
    # Each word in the text; for a user who may see personal data, in it or in that data.
    column = "{folded personal}" if q.personal else "folded"
    base = (*([_all_of(column, list(folded))] if folded else []), *fts)
    return _Plan(folded, number, base, tuple(facets), " AND ".join(sql) or "1", params)


def open_backend(settings: Settings, *, discard_stale: bool = False, shared: bool = False) -> SqliteIndex:
    """The embedded index at ``settings.index_path``; one written by another sohoa version
    is an error, or with ``discard_stale`` deleted and made anew (``sohoa reindex``)."""
    try:
        return SqliteIndex(settings.index_path, shared=shared)
    except SchemaMismatch:
        if not discard_stale:
            raise
        for suffix in ("", "-wal", "-shm"):
            settings.index_path.with_name(settings.index_path.name + suffix).unlink(missing_ok=True)
        return SqliteIndex(settings.index_path, shared=shared)
