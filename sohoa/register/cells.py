"""A register cell as read: its text, its words as matched, and the dates registers write.

The lowest layer of reading a register export (``sohoa.register.columns`` finds the
header and the kind of each row over it, ``sohoa.register.rows`` the entries).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any

from sohoa.core.text import clean, search_form

_TIME = re.compile(r"\s+\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?\s*(?:[ap]\.?m\.?|sa|ch)?$", re.IGNORECASE)


@functools.lru_cache(maxsize=8192)
def as_word(text: str) -> str:
    """A header or a cell's word as matched: folded, lower-case, punctuation as spaces."""
    return " ".join(re.sub(r"[^\w]+", " ", search_form(clean(text))).split())


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a code typed as a number: 123.0 -> "123"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip()  # a table's text is clean already (sohoa.register.sheets)
    return clean(str(value)).strip()


def parse_date(value: Any) -> dt.date:
    """A date as registers write it: the spreadsheet's own, ``dd/mm/yyyy`` (``-`` or ``.``
    too), ISO, with or without a time, or a spreadsheet day number typed as a number."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and 20000 < value < 80000:  # an Excel day number
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    return _date_text(cell_text(value))


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY_DATE = re.compile(r"(?:ngày\s*)?(\d{1,2})\s*(?:[/.-]|\s+tháng\s+)\s*(\d{1,2})\s*(?:[/.-]|\s+năm\s+)\s*(\d{4})",
                       re.IGNORECASE)


_SHORT_YEAR = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2})")


@functools.lru_cache(maxsize=65536)
def _date_text(said: str) -> dt.date:
    """``parse_date`` of a cell's text (a register's days repeat: each is read once): also a
    two-digit year (``05/03/21``: 2021, a year past this one's two digits the 1900s) and a
    spreadsheet day number written as text (``44260``)."""
    text = _TIME.sub("", said.replace("T", " ")).strip()
    if text.isdigit() and 20000 < int(text) < 80000:
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(text))
    short = _SHORT_YEAR.fullmatch(text)
    if short:
        day, month, year = (int(g) for g in short.groups())
        year += 2000 if year <= dt.date.today().year % 100 else 1900
        return dt.date(year, month, day)
    match = _ISO_DATE.fullmatch(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return dt.date(year, month, day)
    match = _DMY_DATE.fullmatch(text)
    if not match:
        raise ValueError(text)
    day, month, year = (int(g) for g in match.groups())
    return dt.date(year, month, day)
