"""Rows of a register export as register entries, each bad row with its reason.

Exports differ from province to province and from one one-stop system to another. What is
read as it comes (the files themselves: ``sohoa.register.sheets``):

- **The header** is found among the top rows (title blocks above it skipped), over one or
  more rows: a two-level header's merged cells are flattened, so ``Kết quả giải quyết /
  Số, ký hiệu kết quả`` answers to either name. A numbering row under it (``(1) (2) …``)
  is skipped. Columns are found by their headers, in any order, extra columns ignored,
  with the common Vietnamese names as the default and a small TOML file (``--map``) for
  the rest.
- **Rows that are not results** are skipped with a note, never reported as bad: totals
  (``Tổng cộng: 1997 hồ sơ``), the signature block under the table (``NGƯỜI LẬP BIỂU``,
  ``(Ký, ghi rõ họ tên)``), footnotes, and group rows (``I. Lĩnh vực Hộ tịch``); a group
  row that names an agency gives it to the rows under it that name none.
- **Validity** as registers write it: no limit (``Không thời hạn``, ``Vĩnh viễn``,
  ``Không xác định``, ``Lâu dài``, blank), an end date (``đến ngày …`` too), or a duration
  from the issue date (``05 năm``, ``36 tháng``, ``3 năm kể từ ngày cấp``). A word that is
  neither stops the import, said once per distinct word with the first row holding it.
- **A status column** holding validity (``Còn hiệu lực``, ``Thu hồi``…) is read; one
  holding the one-stop processing status (``Đã trả kết quả``) is set aside.
- **Dates** as ``dd/mm/yyyy``, ISO, with a time, or the spreadsheet's own.

.. code-block:: toml

    [columns]              # sohoa field = the header (or headers) in the file
    agency = ["Đơn vị cấp", "Cơ quan giải quyết"]
    number = "Số GP"

    [statuses]             # more words for a status (valid, expired, revoked, replaced)
    "Đã hủy" = "revoked"

    [validity]             # more words for "no end date"
    "Theo thời hạn sử dụng đất" = "none"

    [levels]               # more words for a level (province, district, commune)
    "Cấp Sở" = "province"

    [agencies]             # a name sohoa cannot place = the same body, named so it can
    "Bộ phận Một cửa" = "UBND xã Tân An, huyện Hiệp Hòa, tỉnh Bắc Giang"
    "BCĐ 138" = "Ban Chỉ đạo 138 tỉnh Quảng Ngãi"

The ``[agencies]`` section is kept with the register once imported and applies to the
archive's issuers too (``sohoa register agencies`` lists the names to settle).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from dataclasses import dataclass, field, fields
from typing import Any

from dateutil.relativedelta import relativedelta

from sohoa.core.text import agency_key, clean, normalise_number, search_form
from sohoa.register.cells import as_word, cell_text, parse_date
from sohoa.register.columns import DEFAULT_COLUMNS, NO, PROCESSING, YES, ColumnMap, Header
from sohoa.register.sheets import RegisterFileError

__all__ = ["RegisterFileError"]

# A level left blank is read off the agency's name only when the name says it plainly.
_LEVEL_WORDS = (
    (re.compile(r"\b(xa|phuong|thi tran|dac khu)\b"), "commune"),
    (re.compile(r"\b(huyen|quan|thi xa)\b"), "district"),
    (re.compile(r"^(so|ban quan ly|van phong ubnd tinh)\b|\btinh\b"), "province"),
)
_DURATION = re.compile(r"^(\d{1,3})\s*(nam|thang|ngay)\b(?:\s*(\d{1,3})\s*(thang|ngay)\b)?"
                       r"(?:\s*(?:ke tu|tinh tu|tu)\s*(?:ngay)?\s*"
                       r"(?:cap|ky|ban hanh|tra ket qua|cap phep|co hieu luc))?$")
_UNTIL = re.compile(r"^(?:co hieu luc den|het hieu luc|het han|den het|den|het)\s*(?:ngay)?\s*(.+)$")
_PROCEDURE_CODE = re.compile(r"^\s*(\d\.\d{1,6})(?:\.(\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}))?\s*(?:[-–:]\s*(.*))?$")


@dataclass(frozen=True)
class Entry:
    """One result the register says was issued."""

    agency: str
    level: str
    issued: dt.date
    """The day it was issued; the day it was returned when the register gives no other
    (``issued_exact`` False)."""
    dossier: str | None = None
    procedure_code: str | None = None
    procedure_name: str | None = None
    number: str | None = None
    holder: str | None = None
    valid_until: dt.date | None = None
    status: str = "valid"
    received: dt.date | None = None
    electronic_result: bool | None = None
    dossier_digitised: bool | None = None
    reused: bool | None = None
    issued_exact: bool = True
    """False when ``issued`` is the day the result was returned (the register has no issue
    date): the result was issued on that day or some days before."""

    @property
    def agency_key(self) -> str:
        return _agency_key(self.agency)

    @functools.cached_property
    def number_key(self) -> str | None:
        return number_key(self.number)

    def digest(self) -> str:
        """What decides whether a re-imported row changed the entry."""
        return hashlib.sha256(repr(tuple(getattr(self, f) for f in _ENTRY_FIELDS)).encode()).hexdigest()[:32]


_ENTRY_FIELDS = tuple(f.name for f in fields(Entry))


@dataclass(frozen=True)
class RowError:
    row: int
    """The row's number as the spreadsheet shows it (the header row counts)."""
    column: str | None
    message_vi: str
    message_en: str


@dataclass(frozen=True)
class Unknown:
    """A cell's word that is no validity and no status sohoa knows: the import stops."""

    row: int
    column: str
    field: str
    """``valid_until`` or ``status``."""
    value: str


_agency_key = functools.lru_cache(maxsize=4096)(agency_key)  # a register names few agencies, often


def number_key(number: str | None) -> str | None:
    """A result number as register and archive are matched on: the Decree 30 form when it
    has one ('645 /qđ-ubnd' -> '645/QD-UBND'), else folded, upper-case, without spaces."""
    if not number or not clean(number):
        return None
    return normalise_number(number) or re.sub(r"\s+", "", search_form(number)).upper()


def parse_validity(value: Any, issued: dt.date, mapping: ColumnMap) -> dt.date | None:
    """The end of validity a register cell says: None for no end; raises ValueError for a
    word that is neither."""
    if isinstance(value, dt.date | dt.datetime) or (isinstance(value, int | float) and 20000 < value < 80000):
        return parse_date(value)
    word = as_word(cell_text(value))
    if word in mapping.no_end:
        return None
    duration = _DURATION.match(word)
    if duration:
        return issued + _span(duration)
    until = _UNTIL.match(search_form(cell_text(value)).strip())
    text = until.group(1) if until else cell_text(value)
    return parse_date(text)


def _span(duration: re.Match[str]) -> relativedelta:
    """``05 năm``, ``36 tháng``, ``05 năm 06 tháng`` as a length of time."""
    units = {"nam": "years", "thang": "months", "ngay": "days"}
    span = relativedelta(**{units[duration.group(2)]: int(duration.group(1))})
    if duration.group(3):
        span += relativedelta(**{units[duration.group(4)]: int(duration.group(3))})
    return span


def procedure(code_text: str, name_text: str) -> tuple[str | None, str | None]:
    """A procedure's national code (``1.003011``; a code stored as a number that lost its
    trailing zeros, ``1.00301``, padded back) and its name; a column holding both split."""
    code, name = code_text or None, name_text or None
    for text in (code_text, name_text):
        found = _PROCEDURE_CODE.match(text or "")
        if found:
            head, tail = found.group(1).split(".")
            code = f"{head}.{tail.ljust(6, '0')}"
            if found.group(3) and (text == name_text or not name):
                name = found.group(3).strip() or name
            if text == name_text and not found.group(3):
                name = None
    return code, name


_NUMBER_IN = re.compile(r"^(?:số\s*:?\s*)?(.+?)(?:\s*[,;]?\s+(?:ngày|ngay)\s+\d.*|\s*[,;]?\s*(?:quyển|quyen)\s+"
                        r"(?:số|so)\b.*)?$", re.IGNORECASE)
_DATE_IN_NUMBER = re.compile(r"\b(?:ngày|ngay)\s+(\d{1,2}[/.-]\d{1,2}[/.-]\d{4})\b", re.IGNORECASE)


def number_of(text: str) -> str:
    """A result's number as written in a register cell, without ``Số:`` before it, the
    date after it (``Số: 645/QĐ-UBND ngày 12/11/2025`` -> ``645/QĐ-UBND``) or the book a
    civil registration is in (``2230, Quyển số 01/2023`` -> ``2230``)."""
    found = _NUMBER_IN.match(text.strip())
    return found.group(1).strip() if found else text.strip()


@dataclass
class Parsed:
    """What one data row gave: its entry or the first thing wrong with it, and the words
    sohoa did not know (each stops the import)."""

    entry: Entry | RowError | None = None
    unknown: list[Unknown] = field(default_factory=list)
    status_word: str | None = None
    """What the status cell held: ``validity`` (a word of ``statuses``), ``processing`` (the
    one-stop processing status), or None (empty, or a word sohoa does not know)."""


def parse_row(number: int, cells: list[Any], header: Header, mapping: ColumnMap, today: dt.date,
              *, agency: str | None = None) -> Parsed:
    """One data row as an :class:`Entry`, or the first thing wrong with it; ``agency``: the
    one a group row above named, for a row that names none."""
    where = header.where
    raw = {f: cells[i] if i < len(cells) else None for f, i in where.items()}
    text = {f: cell_text(v) for f, v in raw.items()}

    def bad(field_name: str | None, vi: str, en: str) -> Parsed:
        column = header.names[where[field_name]] if field_name in where else (
            DEFAULT_COLUMNS[field_name][0] if field_name else None)
        return Parsed(RowError(number, column, vi, en))

    agency_text = text.get("agency") or agency
    if not agency_text:
        return bad("agency", "thiếu cơ quan giải quyết", "no issuing agency")
    number_text = number_of(text.get("number", ""))
    if not number_text and not text.get("dossier"):
        return bad("number", "thiếu cả số kết quả lẫn mã hồ sơ", "neither a result number nor a dossier code")
    dates: dict[str, dt.date | None] = {}
    for name in ("issued", "returned", "received"):
        if not text.get(name):
            dates[name] = None
            continue
        try:
            dates[name] = parse_date(raw[name])
        except ValueError:
            if name != "issued" and not (name == "returned" and "issued" not in where):
                dates[name] = None  # a date sohoa does not count on
                continue
            return bad(name, f"ngày {text[name]!r} không đọc được (dd/mm/yyyy hoặc yyyy-mm-dd)",
                       f"the date {text[name]!r} cannot be read (dd/mm/yyyy or yyyy-mm-dd)")
    issued, exact = dates["issued"], True
    if issued is None and "issued" not in where:
        # No issue-date column: the date written after the number ("1053 ngày 09/01/2021"),
        # else the day it was returned (the result was issued then or some days before).
        said = _DATE_IN_NUMBER.search(text.get("number", ""))
        try:
            issued = parse_date(said.group(1)) if said else None
        except ValueError:
            issued = None
        if issued is None:
            issued, exact = dates["returned"], False
    if issued is None:
        return bad("issued", "thiếu ngày ban hành", "no issue date")
    if issued > today:
        return bad("issued", f"ngày ban hành {issued:%d/%m/%Y} ở tương lai", f"issue date {issued} is in the future")
    unknown: list[Unknown] = []
    valid_until: dt.date | None = None
    if "valid_until" in where:
        try:
            valid_until = parse_validity(raw["valid_until"], issued, mapping)
        except ValueError:
            unknown.append(Unknown(number, header.names[where["valid_until"]], "valid_until", text["valid_until"]))
    if valid_until and valid_until < issued:
        return bad("valid_until", "hiệu lực kết thúc trước ngày ban hành", "validity ends before the issue date")
    given_level = text.get("level", "")
    level = mapping.levels.get(as_word(given_level)) if given_level else _level_from_name(agency_text)
    if level is None and given_level:
        return bad("level", f"cấp {given_level!r} không rõ (tỉnh, huyện hoặc xã)",
                   f"level {given_level!r} unknown (tỉnh, huyện or xã)")
    status, said = "valid", None
    if text.get("status"):
        word = as_word(text["status"])
        if word in mapping.statuses:
            status, said = mapping.statuses[word], "validity"
        elif word in PROCESSING:
            said = "processing"
        else:
            unknown.append(Unknown(number, header.names[where["status"]], "status", text["status"]))
    flags: dict[str, bool | None] = {}
    for name in ("electronic_result", "dossier_digitised", "reused"):
        try:
            flags[name] = _flag(text.get(name, ""))
        except ValueError:
            return bad(name, f"giá trị {text[name]!r} không rõ (có/không)", f"value {text[name]!r} unclear (có/không)")
    code, name = procedure(text.get("procedure_code", ""), text.get("procedure_name", ""))
    entry = Entry(agency=agency_text, level=level or "", issued=issued, dossier=text.get("dossier") or None,
                  procedure_code=code, procedure_name=name, number=number_text or None,
                  holder=text.get("holder") or None, valid_until=valid_until, status=status,
                  received=dates["received"], issued_exact=exact, **flags)
    return Parsed(entry, unknown, said)


def _flag(text: str) -> bool | None:
    word = as_word(text)
    if word in YES:
        return True
    if word in NO:
        return None if not word else False
    raise ValueError(text)


def _level_from_name(agency: str) -> str | None:
    name = as_word(agency)
    name = re.sub(r"^(uy ban nhan dan|ubnd)\s+", "", name)
    for pattern, level in _LEVEL_WORDS:
        if pattern.search(name):
            return level
    return None


def validity_meaning(text: str, mapping: ColumnMap) -> tuple[str, str]:
    """What a validity cell's word means, for a person to check (``--dry-run``)."""
    word = as_word(text)
    if word in mapping.no_end:
        return "không thời hạn", "no end"
    duration = _DURATION.match(word)
    if duration:
        vi_words = {"nam": "năm", "thang": "tháng", "ngay": "ngày"}
        en_words = {"nam": "years", "thang": "months", "ngay": "days"}
        parts = [(int(duration.group(i)), duration.group(i + 1)) for i in (1, 3) if duration.group(i)]
        vi = " ".join(f"{n} {vi_words[u]}" for n, u in parts)
        en = " ".join(f"{n} {en_words[u]}" for n, u in parts)
        return f"{vi} kể từ ngày cấp", f"{en} from the issue date"
    try:
        until = parse_validity(text, dt.date(2000, 1, 1), mapping)
    except ValueError:
        return ("KHÔNG HIỂU: ghi nghĩa trong [validity] của --map",
                "NOT UNDERSTOOD: say what it means in --map [validity]")
    return (f"đến {until:%d/%m/%Y}", f"until {until.isoformat()}") if until else ("không thời hạn", "no end")


def status_meaning(text: str, mapping: ColumnMap) -> tuple[str, str]:
    """What a status cell's word means, for a person to check (``--dry-run``)."""
    word = as_word(text)
    if not word:
        return "trống: còn hiệu lực", "empty: valid"
    if word in mapping.statuses:
        found = mapping.statuses[word]
        return {"valid": "còn hiệu lực", "expired": "hết hiệu lực", "revoked": "đã thu hồi",
                "replaced": "đã bị thay thế"}[found], found
    if word in PROCESSING:
        return "trạng thái xử lý hồ sơ, không phải hiệu lực", "the dossier's processing status, not validity"
    return ("không rõ: nếu cột này ghi hiệu lực, ghi nghĩa trong [statuses] của --map",
            "unknown: if this column holds validity, say what it means in --map [statuses]")
