"""Progress toward "every still-valid result digitised": counts over the register, in SQL.

The scope is the register's entries still valid on the day asked (``as_of``): status
"còn hiệu lực", issued by then, and an end of validity (the register's, else the matched
record's) not before it. Each is counted at every stage its records had reached by that
day (``sohoa.register.facts``), from the coverage the last reconciliation wrote.

The pace is the number of results that reached the tracked stage (the legal target:
``signed``) in the 30 days up to ``as_of``; at that pace the rest is done on the
``forecast`` day. Against the ``deadline`` an agency (or any row) is ``done``,
``on_track`` (forecast by the deadline), ``late`` (after it) or ``overdue`` (the deadline
has passed with results left).
"""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass

from sohoa.register.facts import PROCEDURE_LABEL, STAGES

DEADLINE = dt.date(2024, 12, 31)
"""The province's target: every still-valid result digitised by this day."""
PACE_DAYS = 30

BREAKDOWNS: dict[str, tuple[str, str]] = {
    # --by -> (the SQL key, the SQL label shown for it)
    "level": ("e.level", "e.level"),
    "agency": ("e.agency_key", "coalesce(min(e.agency_label), min(e.agency))"),
    "procedure": ("coalesce(e.procedure_code, e.procedure_name, '')", PROCEDURE_LABEL.format(t="e")),
    "year": ("substr(e.issued, 1, 4)", "substr(e.issued, 1, 4)"),
}
STATUSES = ("done", "on_track", "late", "overdue", "empty")
"""``empty``: no still-valid result to count (never ``done``: nothing was counted)."""
LEVEL_KEYS = {"tỉnh": "province", "huyện": "district", "xã": "commune", "province": "province",
              "district": "district", "commune": "commune"}
"""A level as a person types it, to the register's word."""


@dataclass(frozen=True)
class Row:
    key: str
    """What the row counts: a level, an agency's name, a procedure, a year; ``total``."""
    valid: int
    scanned: int
    extracted: int
    verified: int
    signed: int
    pace: float
    """Results that reached the tracked stage per day, over the last ``PACE_DAYS`` days."""
    forecast: str | None
    """The day the rest is done at that pace (ISO; the day it was done when it is), or None."""
    status: str
    group: str = ""
    """The value the row groups by (an agency's key, a procedure's code, ...): what a
    drill-down asks for (``missing(key=(by, group))``); the merged name under a successor."""

    def to_json(self) -> dict[str, object]:
        return ({k: v for k, v in asdict(self).items() if k not in ("pace", "group")}
                | {"pace_per_day": round(self.pace, 3)})


@dataclass(frozen=True)
class Progress:
    as_of: dt.date
    deadline: dt.date
    stage: str
    by: str | None
    total: Row
    rows: tuple[Row, ...]
    warnings: tuple[tuple[str, str], ...] = ()
    """What makes the figures less than they look, in Vietnamese and English (no register,
    much of the archive matching no entry)."""

    def to_json(self) -> dict[str, object]:
        total = {k: v for k, v in self.total.to_json().items() if k in ("valid", *STAGES)}
        return {"as_of": self.as_of.isoformat(), "deadline": self.deadline.isoformat(), "stage": self.stage,
                "by": self.by, "total": total, "rows": [r.to_json() for r in self.rows],
                "warnings": [{"vi": vi, "en": en} for vi, en in self.warnings]}


def scope_sql(as_of: dt.date, agencies: Collection[str] | None) -> tuple[str, dict[str, object]]:
    """The WHERE clause of the entries in scope on ``as_of`` (``e`` entries, ``c`` coverage),
    with its named parameters."""
    where = ("e.status = 'valid' AND e.issued <= :as_of "
             "AND coalesce(e.valid_until, c.valid_until, '9999-12-31') >= :as_of")
    params: dict[str, object] = {"as_of": as_of.isoformat()}
    if agencies is not None:
        names = [f"agency{i}" for i in range(len(agencies))]
        where += f" AND e.agency_key IN ({', '.join(':' + n for n in names)})"
        params.update(zip(names, agencies, strict=True))
    return where, params


TALLY_KEYS = {"level": "t.level", "agency": "t.agency", "procedure": "t.procedure", "year": "t.year"}
JULIAN = 1721424
"""``CAST(julianday(day) AS INTEGER)`` is ``day.toordinal() + JULIAN``: the tally's days."""


def julian(day: dt.date) -> int:
    return day.toordinal() + JULIAN


def from_julian(day: int) -> str:
    return dt.date.fromordinal(day - JULIAN).isoformat()


def tally_scope(as_of: dt.date, agencies: Collection[str] | None) -> tuple[str, dict[str, object]]:
    """``scope_sql`` over the tally (``t``): the same entries, in integers."""
    where = "t.issued <= :as_of AND t.until >= :as_of"
    params: dict[str, object] = {"as_of": julian(as_of)}
    if agencies is not None:
        names = [f"agency{i}" for i in range(len(agencies))]
        where += (" AND t.agency IN (SELECT id FROM tally_groups WHERE kind = 'agency' AND key IN "
                  f"({', '.join(':' + n for n in names)}))")
        params.update(zip(names, agencies, strict=True))
    return where, params


def progress(db: sqlite3.Connection, *, by: str | None = None, as_of: dt.date, deadline: dt.date = DEADLINE,
             stage: str = "signed", agencies: Collection[str] | None = None,
             merge: Callable[[str], str] | None = None) -> Progress:
    """The counts for the province (``total``) and per ``by`` (``level``, ``agency``,
    ``procedure``, ``year``), one grouped query over the tally the reconciliation wrote.
    ``agencies``: the agency keys the caller may see (None: all). ``merge``: for
    ``by='agency'``, the name a row is reported under (a legacy agency under its
    successor); rows of one name are added up."""
    if stage not in STAGES:
        raise ValueError(stage)
    key = TALLY_KEYS[by] if by else "'total'"
    where, params = tally_scope(as_of, agencies)
    params["since"] = julian(as_of) - PACE_DAYS
    counts = ", ".join(f"coalesce(sum(t.{s} <= :as_of), 0)" for s in STAGES)
    query = (f"SELECT {key}, count(*), {counts}, coalesce(sum(t.{stage} > :since AND t.{stage} <= :as_of), 0), "
             f"max(CASE WHEN t.{stage} <= :as_of THEN t.{stage} END) FROM tally t WHERE {where} GROUP BY {key}")
    names = {}
    if by in ("agency", "procedure"):
        names = {i: (k, label) for i, k, label in db.execute("SELECT id, key, label FROM tally_groups WHERE kind = ?",
                                                            (by,))}
    rows = []
    for group, *numbers, last in db.execute(query, params):
        group, label = names.get(group, (group, group))
        rows.append((group, label, *numbers, from_julian(last) if last is not None else None))
    if merge is not None and by == "agency":
        rows = merged(rows, merge)
    out = tuple(sorted((make_row(r, stage, as_of, deadline) for r in rows), key=lambda r: r.key))
    totals = merged(rows, lambda _: "total") if rows else [("total", "total", 0, 0, 0, 0, 0, 0, None)]
    return Progress(as_of, deadline, stage, by, make_row(totals[0], stage, as_of, deadline), out)


def merged(rows: list[tuple], name: Callable[[str], str]) -> list[tuple]:
    out: dict[str, list] = {}
    for _, label, *numbers, last in rows:
        key = name(label)
        if key not in out:
            out[key] = [key, key, *numbers, last]
            continue
        got = out[key]
        got[2:-1] = [a + b for a, b in zip(got[2:-1], numbers, strict=True)]
        got[-1] = max(filter(None, (got[-1], last)), default=None)
    return [tuple(r) for r in out.values()]


def make_row(r: tuple, stage: str, as_of: dt.date, deadline: dt.date) -> Row:
    group, label, valid, scanned, extracted, verified, signed, recent, last = r
    done = {"scanned": scanned, "extracted": extracted, "verified": verified, "signed": signed}[stage]
    pace = recent / PACE_DAYS
    left = valid - done
    forecast: str | None
    if valid == 0:
        status, forecast = "empty", None
    elif left <= 0:
        status, forecast = "done", last
    else:
        forecast = (as_of + dt.timedelta(days=math.ceil(left / pace))).isoformat() if pace else None
        if as_of > deadline:
            status = "overdue"
        elif forecast is not None and forecast <= deadline.isoformat():
            status = "on_track"
        else:
            status = "late"
    return Row(str(label) if label is not None else "", valid, scanned, extracted, verified, signed, pace,
               forecast, status, str(group) if group is not None else "")


def missing(db: sqlite3.Connection, *, as_of: dt.date, stage: str = "scanned",
            agencies: Collection[str] | None = None, key: tuple[str, str] | None = None) -> list[dict[str, object]]:
    """The entries in scope that had not reached ``stage`` by ``as_of`` (with ``scanned``:
    what is left to scan), oldest first; ``key``: only those of one row of a breakdown
    (``("agency", "so xay dung")``, ``("year", "2021")``)."""
    where, params = _drill_sql(as_of, stage, agencies, key, f"(c.{stage}_on IS NULL OR c.{stage}_on > :as_of)")
    return _dicts(db, "SELECT e.id, e.dossier, e.agency, e.level, e.procedure_code, e.procedure_name, e.number, "
                      "e.issued, e.holder, e.valid_until FROM entries e LEFT JOIN coverage c ON c.entry_id = e.id "
                      f"WHERE {where} ORDER BY e.issued, e.id", params)


def reached(db: sqlite3.Connection, *, as_of: dt.date, stage: str, agencies: Collection[str] | None = None,
            key: tuple[str, str] | None = None) -> list[dict[str, object]]:
    """The entries in scope that had reached ``stage`` by ``as_of``, with the records that
    count for them (a count's drill-down)."""
    where, params = _drill_sql(as_of, stage, agencies, key, f"c.{stage}_on <= :as_of")
    return _dicts(db, "SELECT e.id, e.dossier, e.agency, e.number, e.issued, e.holder, "
                      f"c.{stage}_on AS reached_on, (SELECT group_concat(m.sha256) FROM matches m WHERE "
                      "m.entry_id = e.id AND m.state IN ('auto', 'confirmed')) AS records "
                      "FROM entries e JOIN coverage c ON c.entry_id = e.id "
                      f"WHERE {where} ORDER BY e.issued, e.id", params)


def _drill_sql(as_of: dt.date, stage: str, agencies: Collection[str] | None, key: tuple[str, str] | None,
               condition: str) -> tuple[str, dict[str, object]]:
    """The WHERE clause of a drill-down: the scope, one row of a breakdown, a condition on ``stage``."""
    if stage not in STAGES:
        raise ValueError(stage)
    where, params = scope_sql(as_of, agencies)
    where += f" AND {condition}"
    if key is not None:
        where += f" AND {BREAKDOWNS[key[0]][0]} = :key"
        params["key"] = key[1]
    return where, params


def weekly(db: sqlite3.Connection, *, as_of: dt.date, stage: str = "signed",
           agencies: Collection[str] | None = None) -> list[tuple[str, int]]:
    """Cumulative results in scope that had reached ``stage``, week by week (Mondays) up to ``as_of``."""
    if stage not in STAGES:
        raise ValueError(stage)
    where, params = tally_scope(as_of, agencies)
    rows = db.execute(f"SELECT t.{stage}, count(*) FROM tally t WHERE {where} AND t.{stage} <= :as_of "
                      f"GROUP BY t.{stage} ORDER BY 1", params).fetchall()
    weeks: dict[str, int] = {}
    for day, count in rows:
        d = dt.date.fromordinal(day - JULIAN)
        monday = (d - dt.timedelta(days=d.weekday())).isoformat()
        weeks[monday] = weeks.get(monday, 0) + count
    out, total = [], 0
    for monday, count in sorted(weeks.items()):
        total += count
        out.append((monday, total))
    return out


def _dicts(db: sqlite3.Connection, query: str, params: dict[str, object]) -> list[dict[str, object]]:
    cursor = db.execute(query, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def grid(db: sqlite3.Connection, *, as_of: dt.date, stage: str = "signed",
         agencies: Collection[str] | None = None) -> list[tuple[str, str, int, int]]:
    """Agency × year of issue: ``(agency, year, valid, reached)`` for the results in scope
    on ``as_of``, ``reached`` those that had reached ``stage`` by then (the heat map)."""
    if stage not in STAGES:
        raise ValueError(stage)
    where, params = tally_scope(as_of, agencies)
    return [tuple(r) for r in db.execute(
        f"SELECT g.label, t.year, count(*), coalesce(sum(t.{stage} <= :as_of), 0) FROM tally t "
        f"JOIN tally_groups g ON g.id = t.agency WHERE {where} GROUP BY t.agency, t.year ORDER BY 1, 2", params)]


# --------------------------------------------------------------- the national service index

FULL_POINTS_AT = 0.8
"""Decision 766/QĐ-TTg: an indicator of the digitisation of dossiers earns its full points
at 80%, and points pro rata below."""
INDEX_MEASURES = ("electronic_result", "dossier_digitised", "reused")
PERIODS: dict[str, str] = {
    # --period -> the SQL key of the day a dossier was received (else the result issued)
    "month": "substr(coalesce(e.received, e.issued), 1, 7)",
    "quarter": ("substr(coalesce(e.received, e.issued), 1, 4) || '-Q' || "
                "((cast(substr(coalesce(e.received, e.issued), 6, 2) AS INTEGER) + 2) / 3)"),
    "year": "substr(coalesce(e.received, e.issued), 1, 4)",
}


@dataclass(frozen=True)
class Measure:
    """One indicator of the service index over a set of dossiers."""
    known: int
    """Dossiers whose register row says yes or no for this indicator."""
    yes: int

    @property
    def share(self) -> float | None:
        return self.yes / self.known if self.known else None

    @property
    def points(self) -> float | None:
        """The share of the indicator's full points earned (1.0 at 80% and above)."""
        share = self.share
        return None if share is None else min(1.0, share / FULL_POINTS_AT)

    def to_json(self) -> dict[str, object]:
        share, points = self.share, self.points
        return {"known": self.known, "yes": self.yes, "share": None if share is None else round(share, 4),
                "points": None if points is None else round(points, 4)}


@dataclass(frozen=True)
class IndexRow:
    agency: str
    period: str
    dossiers: int
    measures: dict[str, Measure]

    def to_json(self) -> dict[str, object]:
        return {"agency": self.agency, "period": self.period, "dossiers": self.dossiers,
                **{name: m.to_json() for name, m in self.measures.items()}}


def service_index(db: sqlite3.Connection, *, period: str = "quarter", since: dt.date | None = None,
                  until: dt.date | None = None, agencies: Collection[str] | None = None,
                  merge: Callable[[str], str] | None = None) -> list[IndexRow]:
    """The digitisation indicators of the national service index per agency and period:
    of the dossiers received in the period (the register's rows, by the day received, else
    the day the result was issued), the share with an electronic result, the share
    digitised, the share reusing digitised data. A flow of dossiers, whatever their
    validity today: not the stock of still-valid results ``progress`` counts. Indicators a
    register does not carry (no row says yes or no) have no share."""
    key = PERIODS[period]
    where, params = ["1"], {}
    day = "coalesce(e.received, e.issued)"
    if since is not None:
        where.append(f"{day} >= :since")
        params["since"] = since.isoformat()
    if until is not None:
        where.append(f"{day} <= :until")
        params["until"] = until.isoformat()
    if agencies is not None:
        names = [f"agency{i}" for i in range(len(agencies))]
        where.append(f"e.agency_key IN ({', '.join(':' + n for n in names)})")
        params.update(zip(names, agencies, strict=True))
    sums = ", ".join(f"count(e.{m}), coalesce(sum(e.{m}), 0)" for m in INDEX_MEASURES)
    rows = db.execute(f"SELECT min(e.agency), {key}, count(*), {sums} FROM entries e WHERE {' AND '.join(where)} "
                      f"GROUP BY e.agency_key, {key}", params).fetchall()
    added: dict[tuple[str, str], list[int]] = {}
    for agency, when, *numbers in rows:
        name = merge(agency) if merge is not None else agency
        got = added.setdefault((name, when), [0] * len(numbers))
        got[:] = [a + b for a, b in zip(got, numbers, strict=True)]
    return [IndexRow(agency, when, n[0], {m: Measure(n[1 + 2 * i], n[2 + 2 * i]) for i, m in enumerate(INDEX_MEASURES)})
            for (agency, when), n in sorted(added.items())]


def index_total(rows: Collection[IndexRow]) -> dict[str, Measure]:
    """The indicators over all of ``rows``."""
    return {m: Measure(sum(r.measures[m].known for r in rows), sum(r.measures[m].yes for r in rows))
            for m in INDEX_MEASURES}
