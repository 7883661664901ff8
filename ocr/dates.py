"""Dates in Vietnamese text, and how long a result says it is valid.

A result states its validity in many wordings: "có hiệu lực đến ngày …", "có giá trị đến
hết ngày …", "có giá trị 03 năm kể từ ngày cấp", "thời hạn … tháng". Rather than one
regular expression per wording, a sentence about validity (hiệu lực, giá trị, thời hạn)
is searched for what it says: an end date, or a duration and the day it counts from.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from sohoa.core.text import clean, fold

WORD_DATE = re.compile(r"(?:ngay\s+)?(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})", re.IGNORECASE)
NUM_DATE = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})")

_ABOUT_VALIDITY = re.compile(r"\b(?:hieu luc|gia tri|thoi han)\b", re.IGNORECASE)
_UNTIL = re.compile(r"\b(?:den|toi)\s+(?:het\s+)?(?:ngay\s+)?$", re.IGNORECASE)
_DURATION = re.compile(
    r"\b(?P<n>\d{1,3})\s*(?P<unit>nam|thang|ngay)\b.{0,40}?\b(?:ke|tinh)\s+tu\s+"
    r"(?P<start>ngay\s+(?:cap|ky|ban hanh)"
    r"|ngay\s+\d{1,2}\s+thang\s+\d{1,2}\s+nam\s+\d{4}"
    r"|ngay\s+\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4})",
    re.IGNORECASE)
_NOT_THIS_RESULT = re.compile(r"^\W*(?:can cu|xet)\b", re.IGNORECASE)
"""Sentences about other documents: the legal basis ("Căn cứ …") and the request ("Xét …")."""


def parse_date(text: str) -> dt.date | None:
    """A date written 'ngày 09 tháng 4 năm 2021' or '09/4/2021' (in any Vietnamese text)."""
    folded = fold(clean(text))
    m = WORD_DATE.search(folded) or NUM_DATE.search(folded)
    return _date(*m.groups()) if m else None


def _date(day: str, month: str, year: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


@dataclass(frozen=True)
class ValidityClause:
    """What one sentence says about how long the result is valid."""

    until: dt.date
    """The last day it is valid (or, for a permit, by which works must start)."""
    how: str
    """How it was read, for the record's notes (``3 years from the issue date``)."""


def _sentences(text: str) -> Iterator[str]:
    """Sentences of folded text: a full stop or semicolon followed by a space ends one
    (the dots inside "05.3.2020" are not followed by a space)."""
    yield from (s.strip() for s in re.split(r"[.;](?=\s)|\n\s*\n", text) if s.strip())


def validity_clause(text: str, issue_date: dt.date | None) -> ValidityClause | None:
    """The end of validity the text states, or None when no sentence about validity gives
    one ("có hiệu lực kể từ ngày ký" says when it starts, not when it ends)."""
    folded = re.sub(r"\s+", " ", fold(clean(text)))
    for sentence in _sentences(folded):
        if not _ABOUT_VALIDITY.search(sentence) or _NOT_THIS_RESULT.match(sentence):
            continue
        for m in (*WORD_DATE.finditer(sentence), *NUM_DATE.finditer(sentence)):
            if _UNTIL.search(sentence[max(0, m.start() - 20):m.start()]) and (until := _date(*m.groups())):
                return ValidityClause(until, "end date printed")
        m = _DURATION.search(sentence)
        if m:
            start = parse_date(m.group("start")) if re.search(r"\d", m.group("start")) else issue_date
            if start is None:
                continue
            n, unit = int(m.group("n")), {"nam": "years", "thang": "months", "ngay": "days"}[m.group("unit").lower()]
            source = "the issue date" if start is issue_date else start.isoformat()
            return ValidityClause(start + relativedelta(**{unit: n}), f"{n} {unit} from {source}")
    return None
