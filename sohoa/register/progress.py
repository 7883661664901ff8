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

from sohoa.register.facts import STAGES

DEADLINE = dt.date(2024, 12, 31)
"""The province's target: every still-valid result digitised by this day."""
PACE_DAYS = 30

BREAKDOWNS: dict[str, tuple[str, str]] = {
    # --by -> (the SQL key, the SQL label shown for it)
    "level": ("e.level", "e.level"),
    "agency": ("e.agency_key", "min(e.agency)"),
    "procedure": ("coalesce(e.procedure_code, e.procedure_name, '')",
                  "coalesce(min(e.procedure_name), min(e.procedure_code), '')"),
    "year": ("substr(e.issued, 1, 4)", "substr(e.issued, 1, 4)"),
}
STATUSES = ("done", "on_track", "late", "overdue")


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

    def to_json(self) -> dict[str, object]:
        return {k: v for k, v in asdict(self).items() if k != "pace"} | {"pace_per_day": round(self.pace, 3)}


@dataclass(frozen=True)
class Progress:
    as_of: dt.date
    deadline: dt.date
    stage: str
    by: str | None
    total: Row
    rows: tuple[Row, ...]

    def to_json(self) -> dict[str, object]:
        total = {k: v for k, v in self.total.to_json().items() if k in ("valid", *STAGES)}
        return {"as_of": self.as_of.isoformat(), "deadline": self.deadline.isoformat(), "stage": self.stage,
                "by": self.by, "total": total, "rows": [r.to_json() for r in self.rows]}


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


def progress(db: sqlite3.Connection, *, by: str | None = None, as_of: dt.date, deadline: dt.date = DEADLINE,
             stage: str = "signed", agencies: Collection[str] | None = None,
             merge: Callable[[str], str] | None = None) -> Progress:
    """The counts for the province (``total``) and per ``by`` (``level``, ``agency``,
    ``procedure``, ``year``). ``agencies``: the agency keys the caller may see (None: all).
    ``merge``: for ``by='agency'``, the name a row is reported under (a legacy agency under
    its successor); rows of one name are added up."""
    if stage not in STAGES:
        raise ValueError(stage)
    key, label = BREAKDOWNS[by] if by else ("'total'", "'total'")
    where, params = scope_sql(as_of, agencies)
    params["since"] = (as_of - dt.timedelta(days=PACE_DAYS)).isoformat()
    counts = ", ".join(f"coalesce(sum(c.{s}_on <= :as_of), 0)" for s in STAGES)
    query = (f"SELECT {label}, count(*), {counts}, "
             f"coalesce(sum(c.{stage}_on > :since AND c.{stage}_on <= :as_of), 0), "
             f"max(CASE WHEN c.{stage}_on <= :as_of THEN c.{stage}_on END) "
             f"FROM entries e LEFT JOIN coverage c ON c.entry_id = e.id WHERE {where} GROUP BY {key}")
    rows = db.execute(query, params).fetchall()
    if merge is not None and by == "agency":
        rows = _merged(rows, merge)
    out = tuple(sorted((_row(r, stage, as_of, deadline) for r in rows), key=lambda r: r.key))
    totals = _merged(rows, lambda _: "total") if rows else [("total", 0, 0, 0, 0, 0, 0, None)]
    return Progress(as_of, deadline, stage, by, _row(totals[0], stage, as_of, deadline), out)


def _merged(rows: list[tuple], name: Callable[[str], str]) -> list[tuple]:
    out: dict[str, list] = {}
    for label, *numbers, last in rows:
        key = name(label)
        if key not in out:
            out[key] = [key, *numbers, last]
            continue
        merged = out[key]
        merged[1:-1] = [a + b for a, b in zip(merged[1:-1], numbers, strict=True)]
        merged[-1] = max(filter(None, (merged[-1], last)), default=None)
    return [tuple(r) for r in out.values()]


def _row(r: tuple, stage: str, as_of: dt.date, deadline: dt.date) -> Row:
    label, valid, scanned, extracted, verified, signed, recent, last = r
    done = {"scanned": scanned, "extracted": extracted, "verified": verified, "signed": signed}[stage]
    pace = recent / PACE_DAYS
    left = valid - done
    forecast: str | None
    if left <= 0:
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
               forecast, status)


def missing(db: sqlite3.Connection, *, as_of: dt.date, stage: str = "scanned",
            agencies: Collection[str] | None = None, key: tuple[str, str] | None = None) -> list[dict[str, object]]:
    """The entries in scope that had not reached ``stage`` by ``as_of`` (with ``scanned``:
    what is left to scan), oldest first; ``key``: only those of one row of a breakdown
    (``("agency", "so xay dung")``, ``("year", "2021")``)."""
    if stage not in STAGES:
        raise ValueError(stage)
    where, params = scope_sql(as_of, agencies)
    where += f" AND (c.{stage}_on IS NULL OR c.{stage}_on > :as_of)"
    if key is not None:
        where += f" AND {BREAKDOWNS[key[0]][0]} = :key"
        params["key"] = key[1]
    return _dicts(db, "SELECT e.id, e.dossier, e.agency, e.level, e.procedure_code, e.procedure_name, e.number, "
                      "e.issued, e.holder, e.valid_until FROM entries e LEFT JOIN coverage c ON c.entry_id = e.id "
                      f"WHERE {where} ORDER BY e.issued, e.id", params)


def reached(db: sqlite3.Connection, *, as_of: dt.date, stage: str, agencies: Collection[str] | None = None,
            key: tuple[str, str] | None = None) -> list[dict[str, object]]:
    """The entries in scope that had reached ``stage`` by ``as_of``, with the records that
    count for them (a count's drill-down)."""
    if stage not in STAGES:
        raise ValueError(stage)
    where, params = scope_sql(as_of, agencies)
    where += f" AND c.{stage}_on <= :as_of"
    if key is not None:
        where += f" AND {BREAKDOWNS[key[0]][0]} = :key"
        params["key"] = key[1]
    return _dicts(db, "SELECT e.id, e.dossier, e.agency, e.number, e.issued, e.holder, "
                      f"c.{stage}_on AS reached_on, (SELECT group_concat(m.sha256) FROM matches m WHERE "
                      "m.entry_id = e.id AND m.state IN ('auto', 'confirmed')) AS records "
                      "FROM entries e JOIN coverage c ON c.entry_id = e.id "
                      f"WHERE {where} ORDER BY e.issued, e.id", params)


def weekly(db: sqlite3.Connection, *, as_of: dt.date, stage: str = "signed",
           agencies: Collection[str] | None = None) -> list[tuple[str, int]]:
    """Cumulative results in scope that had reached ``stage``, week by week (Mondays) up to ``as_of``."""
    if stage not in STAGES:
        raise ValueError(stage)
    where, params = scope_sql(as_of, agencies)
    rows = db.execute(f"SELECT c.{stage}_on, count(*) FROM entries e JOIN coverage c ON c.entry_id = e.id "
                      f"WHERE {where} AND c.{stage}_on <= :as_of GROUP BY c.{stage}_on ORDER BY 1", params).fetchall()
    weeks: dict[str, int] = {}
    for day, count in rows:
        d = dt.date.fromisoformat(day)
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
