"""Date and validity filters as full-text facets, so the embedded index counts fast.

Counting the documents that match some words *and* fall in a date range by joining
every match to its row costs tens of milliseconds at 100,000 documents. Instead each
document carries facet tokens (issue year, decade, century; validity class or end-date
year, decade, century) in the ``docs_recall`` FTS table. A filter becomes:

- ``exact``: tokens of the years wholly inside the range: rows with them surely pass;
- ``edge``: tokens of the years only partly inside: rows with them pass if ``sql`` holds;
- ``sql``: the precise condition on ``docs d``.

The count is then an FTS count of the exact part plus a join over the few edge rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

FIRST_YEAR, LAST_YEAR = 1900, 2299


def year_tokens(prefix: str, year: int) -> str:
    """Tokens a document carries for one year: ``y2023 y202x y20xx``."""
    return f"{prefix}{year} {prefix}{year // 10}x {prefix}{year // 100}xx"


def cover(prefix: str, first: int, last: int) -> list[str]:
    """The fewest year/decade/century tokens covering the years first..last exactly."""
    tokens, year = [], max(first, FIRST_YEAR)
    last = min(last, LAST_YEAR)
    while year <= last:
        if year % 100 == 0 and year + 99 <= last:
            tokens.append(f"{prefix}{year // 100}xx")
            year += 100
        elif year % 10 == 0 and year + 9 <= last:
            tokens.append(f"{prefix}{year // 10}x")
            year += 10
        else:
            tokens.append(f"{prefix}{year}")
            year += 1
    return tokens


def signature_token(status: str) -> str:
    """The facet token of a signature status: ``sigvalid``, ``sigunknownrevocation``..."""
    return "sig" + status.replace("_", "")


def agency_token(key: str) -> str:
    """The facet token of an agency (``core.text.scope_key``): one FTS word."""
    return "ag" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:20]


def level_token(level: str | None) -> str:
    """The facet token of an issuer level: ``lvdistrict``, ``lvnone``."""
    return "lv" + (level or "none")


def document_facets(issue_date: str | None, valid_until: str | None, no_end: str | None,
                    signature: str = "unchecked", agencies: str = "", level: str | None = None) -> str:
    """The facet text of one document (``agencies``: its agency tokens, space-separated)."""
    parts = ["all", signature_token(signature), level_token(level), *agencies.split()]
    parts.append(year_tokens("y", int(issue_date[:4])) if issue_date else "ynone")
    if valid_until:
        parts.append(year_tokens("e", int(valid_until[:4])))
    else:
        parts.append("vvalid" if no_end == "valid" else "vunknown")
    return " ".join(parts)


def _any(tokens: list[str]) -> str | None:
    return f"facets : ({' OR '.join(tokens)})" if tokens else None


@dataclass(frozen=True)
class Facet:
    exact: str | None
    """FTS expression for rows that surely pass (None: no row surely passes)."""
    edge: str | None
    """FTS expression for rows that pass only if ``sql`` holds (None: no such rows)."""
    sql: str
    """The precise condition on ``docs d``."""

    @property
    def superset(self) -> str:
        parts = [p for p in (self.exact, self.edge) if p]
        return f"({' OR '.join(parts)})" if parts else "facets : nothing"


def date_facet(date_from: dt.date | None, date_to: dt.date | None) -> Facet:
    lo = date_from or dt.date(FIRST_YEAR, 1, 1)
    hi = date_to or dt.date(LAST_YEAR, 12, 31)
    sql = " AND ".join(c for c, v in (("+d.issue_date >= :dfrom", date_from), ("+d.issue_date <= :dto", date_to)) if v)
    if lo > hi:
        return Facet(None, None, "0")
    first_full = lo.year if (lo.month, lo.day) == (1, 1) else lo.year + 1
    last_full = hi.year if (hi.month, hi.day) == (12, 31) else hi.year - 1
    edges = sorted({y for y in (lo.year, hi.year) if not first_full <= y <= last_full})
    return Facet(_any(cover("y", first_full, last_full)), _any([f"y{y}" for y in edges]), sql or "1")


def validity_facet(status: str, today: dt.date, validity_sql: str) -> Facet:
    sql = f"{validity_sql} = :validity"
    this_year = [f"e{today.year}"]
    if status == "valid":
        return Facet(_any(["vvalid", *cover("e", today.year + 1, LAST_YEAR)]), _any(this_year), sql)
    if status == "expired":
        return Facet(_any(cover("e", FIRST_YEAR, today.year - 1)), _any(this_year), sql)
    return Facet(_any(["vunknown"]), None, sql)
