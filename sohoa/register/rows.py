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
import itertools
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta

from sohoa.core.errors import ConfigError
from sohoa.core.text import agency_key, clean, normalise_number, search_form
from sohoa.register.sheets import HEADER_SEARCH_ROWS, RegisterFileError, Table

__all__ = ["RegisterFileError"]

STATUSES = ("valid", "expired", "revoked", "replaced")
LEVELS = ("province", "district", "commune")

# field -> the headers it goes by (the first is the interface other tools rely on)
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "dossier": ("Mã hồ sơ", "Mã số hồ sơ", "Số hồ sơ", "Mã HS"),
    "procedure_code": ("Mã thủ tục", "Mã TTHC", "Mã thủ tục hành chính"),
    "procedure_name": ("Tên thủ tục", "Tên TTHC", "Thủ tục", "Tên thủ tục hành chính", "Thủ tục hành chính"),
    "agency": ("Cơ quan ban hành", "Cơ quan cấp", "Đơn vị ban hành", "Cơ quan giải quyết", "Đơn vị giải quyết",
               "Đơn vị xử lý", "Cơ quan thực hiện", "Đơn vị thực hiện", "Nơi trả kết quả", "Cơ quan", "Đơn vị"),
    "level": ("Cấp", "Cấp hành chính", "Cấp giải quyết"),
    "number": ("Số kết quả", "Số văn bản", "Số, ký hiệu", "Số ký hiệu", "Số hiệu", "Số, ký hiệu kết quả",
               "Số ký hiệu kết quả", "Số hiệu văn bản", "Số giấy phép", "Số giấy chứng nhận", "Số quyết định",
               "Số kết quả giải quyết"),
    "issued": ("Ngày ban hành", "Ngày cấp", "Ngày ký", "Ngày cấp kết quả", "Ngày ban hành kết quả",
               "Ngày quyết định"),
    "returned": ("Ngày trả kết quả", "Ngày bàn giao kết quả", "Ngày hoàn thành", "Ngày trả"),
    "holder": ("Người được cấp", "Chủ hồ sơ", "Tổ chức, cá nhân được cấp", "Tên tổ chức, cá nhân",
               "Tổ chức, cá nhân", "Người nộp hồ sơ", "Tên người nộp", "Họ và tên", "Họ tên"),
    "valid_until": ("Hiệu lực đến", "Ngày hết hiệu lực", "Có hiệu lực đến", "Thời hạn hiệu lực", "Thời hạn",
                    "Hiệu lực", "Thời hạn sử dụng"),
    "status": ("Trạng thái", "Tình trạng", "Tình trạng hiệu lực", "Tình trạng hồ sơ", "Trạng thái hồ sơ"),
    # The dossier flow the national service index scores (Decision 766/QĐ-TTg), when the
    # export carries it.
    "received": ("Ngày tiếp nhận", "Ngày nhận hồ sơ", "Ngày nhận"),
    "electronic_result": ("Kết quả điện tử", "Trả kết quả điện tử"),
    "dossier_digitised": ("Số hóa hồ sơ", "Đã số hóa hồ sơ"),
    "reused": ("Tái sử dụng", "Tái sử dụng dữ liệu số hóa"),
}
REQUIRED: tuple[str, ...] = ()
"""Besides these, a header names an issue date (or the return date) and a number or a
dossier code. The agency may come from a column or from the group rows that head each
agency's results (``I. UBND xã Tân An``); a row with neither is a bad row."""
FIELDS = tuple(DEFAULT_COLUMNS)

DEFAULT_STATUSES = {
    "con hieu luc": "valid", "hieu luc": "valid", "dang hieu luc": "valid", "valid": "valid",
    "het hieu luc": "expired", "het han": "expired", "expired": "expired",
    "thu hoi": "revoked", "da thu hoi": "revoked", "bi thu hoi": "revoked", "revoked": "revoked",
    "thay the": "replaced", "da thay the": "replaced", "bi thay the": "replaced", "da duoc thay the": "replaced",
    "replaced": "replaced",
}
PROCESSING = {
    "da tra ket qua", "tra ket qua", "hoan thanh", "da hoan thanh", "hoan thanh dung han", "hoan thanh truoc han",
    "hoan thanh tre han", "hoan thanh qua han", "dang xu ly", "dang giai quyet", "da giai quyet", "da xu ly",
    "tra dung han", "tra truoc han", "tra tre han", "tre han", "qua han", "dung han", "truoc han", "cho tra ket qua",
    "da tiep nhan", "cho bo sung", "tu choi", "da tra", "ket thuc", "hoan tat", "da ky", "cho ky",
    "tra qua han", "tra som", "tra som han", "tra dung hen", "tra tre hen", "qua han tra", "dung hen",
}
"""The one-stop processing status: not whether a result is still valid."""
NO_END = {"", "khong thoi han", "vinh vien", "khong xac dinh", "lau dai", "khong", "khong co thoi han",
          "vo thoi han", "khong gioi han", "khong ghi thoi han", "on dinh lau dai", "su dung lau dai"}
"""Validity written as no end."""
DEFAULT_LEVELS = {
    "tinh": "province", "cap tinh": "province", "province": "province", "thanh pho truc thuoc trung uong": "province",
    "huyen": "district", "cap huyen": "district", "district": "district",
    "xa": "commune", "cap xa": "commune", "commune": "commune",
}
YES = {"co", "x", "1", "yes", "true", "dung", "da", "da so hoa", "co so hoa"}
NO = {"khong", "0", "no", "false", "chua", "chua so hoa", ""}

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
_NUMBERING = re.compile(r"^\(?\s*(\d{1,2}|[ivxlc]{1,5}|[a-z])\s*\)?\.?$", re.IGNORECASE)
_TOTALS = re.compile(r"^(tong cong|tong so|cong|tong)\b")
_FOOTER = re.compile(r"nguoi lap bieu|ky,? ghi ro ho ten|ky ghi ro ho ten|thu truong|lanh dao don vi|ghi chu|"
                     r"noi nhan|xac nhan cua|nguoi lap|ky ten|dong dau|ho ten nguoi")
_PLACE_DATE = re.compile(r"\bngay \d{1,2} thang \d{1,2} nam \d{4}\b")
_GROUP = re.compile(r"^([ivxlc]{1,5}|\d{1,2}|[a-z])[.)]\s+", re.IGNORECASE)
_TIME = re.compile(r"\s+\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?\s*(?:[ap]\.?m\.?|sa|ch)?$", re.IGNORECASE)
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


@dataclass(frozen=True)
class ColumnMap:
    columns: dict[str, tuple[str, ...]]
    statuses: dict[str, str]
    levels: dict[str, str]
    no_end: frozenset[str] = frozenset(NO_END)
    agencies: dict[str, str] = field(default_factory=dict)
    """``[agencies]``: a name as written (folded, ``agency_word``) -> the name to read it as."""


def column_map(path: Path | None = None) -> ColumnMap:
    """The default column map, with a ``--map`` file's entries put before the defaults."""
    columns = dict(DEFAULT_COLUMNS)
    statuses, levels, no_end = dict(DEFAULT_STATUSES), dict(DEFAULT_LEVELS), set(NO_END)
    if path is None:
        return ColumnMap(columns, statuses, levels, frozenset(no_end))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"Không đọc được tệp ánh xạ cột {path}: {exc}",
                          f"Cannot read the column map {path}: {exc}") from exc
    for name, headers in data.get("columns", {}).items():
        if name not in columns:
            raise ConfigError(f"Tệp ánh xạ {path}: không có trường {name!r} (các trường: {', '.join(FIELDS)}).",
                              f"Column map {path}: there is no field {name!r} (fields: {', '.join(FIELDS)}).")
        given = (headers,) if isinstance(headers, str) else tuple(headers)
        columns[name] = given + columns[name]
    for table, known, into in (("statuses", STATUSES, statuses), ("levels", LEVELS, levels)):
        for word, value in data.get(table, {}).items():
            if value not in known:
                raise ConfigError(f"Tệp ánh xạ {path}: [{table}] {word!r} = {value!r}, phải là một trong {known}.",
                                  f"Column map {path}: [{table}] {word!r} = {value!r} must be one of {known}.")
            into[_word(word)] = value
    for word, value in data.get("validity", {}).items():
        if value != "none":
            raise ConfigError(f"Tệp ánh xạ {path}: [validity] {word!r} = {value!r}, chỉ nhận \"none\" (không "
                              "thời hạn).", f"Column map {path}: [validity] {word!r} = {value!r}: only \"none\" "
                              "(no end date).")
        no_end.add(_word(word))
    named = {}
    for word, value in data.get("agencies", {}).items():
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"Tệp ánh xạ {path}: [agencies] {word!r} phải là tên một cơ quan.",
                              f"Column map {path}: [agencies] {word!r} must be an agency's name.")
        named[agency_word(word)] = value
    return ColumnMap(columns, statuses, levels, frozenset(no_end), named)


def agency_word(name: str) -> str:
    """An agency's name as the ``[agencies]`` map is looked up: folded, one space between words."""
    return _word(name)


@functools.lru_cache(maxsize=8192)
def _word(text: str) -> str:
    """A header or a cell's word as matched: folded, lower-case, punctuation as spaces."""
    return " ".join(re.sub(r"[^\w]+", " ", search_form(clean(text))).split())


def _cell_text(value: Any) -> str:
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


# ---------------------------------------------------------------- the header

@dataclass(frozen=True)
class Header:
    """Where the header is and what each column is."""

    rows: tuple[int, ...]
    """The header's rows (one, or more for a header of several levels)."""
    names: tuple[str, ...]
    """Each column's name as read, levels joined by " / "."""
    where: dict[str, int]
    """Each field's column (0-based)."""
    notes: tuple[tuple[str, str], ...] = ()
    """What was done to read it, for a person (``--dry-run``), in Vietnamese and English."""


def find_header(table: Table, mapping: ColumnMap) -> tuple[Header, Iterator[tuple[int, list[Any]]]]:
    """The header (over one to three rows, merged cells flattened) that names the most
    fields among the top rows, and the rows after it (a numbering row under it skipped)."""
    top = list(itertools.islice(table.rows, HEADER_SEARCH_ROWS))
    owner: dict[tuple[int, int], tuple[int, int]] = {}
    for (r0, c0), (r1, c1) in table.merged:
        if r0 > HEADER_SEARCH_ROWS:
            continue
        for r in range(r0, min(r1, HEADER_SEARCH_ROWS) + 1):
            for c in range(c0, c1 + 1):
                owner[(r, c)] = (r0, c0)
    by_number = {n: cells for n, cells in top}

    def value(row: int, col: int) -> str:
        r, c = owner.get((row - 1, col), (row - 1, col))
        cells = by_number.get(r + 1, [])
        return _cell_text(cells[c]) if c < len(cells) else ""

    wanted = {f: {_word(h) for h in headers} for f, headers in mapping.columns.items()}
    best: tuple[int, Header] | None = None
    for i in range(len(top)):
        for depth in (1, 2, 3):
            block = top[i:i + depth]
            if len(block) < depth:
                break
            width = max(len(cells) for _, cells in block)
            names: list[list[str]] = []
            for col in range(width):
                parts: list[str] = []
                for number, _ in block:
                    text = value(number, col)
                    if text and (not parts or parts[-1] != text):
                        parts.append(text)
                names.append(parts)
            where = _assign(names, wanted)
            has_date = "issued" in where or "returned" in where
            if not (all(f in where for f in REQUIRED) and has_date and ("number" in where or "dossier" in where)):
                continue
            # Of two headers naming as many fields, the one over more rows keeps each column's
            # upper level ("Kết quả giải quyết / Số"): a row of it counts when it names at least
            # two things and is no numbering row (a title above the header does neither).
            if any(_looks_like_data(cells, where) for _, cells in block[1:]):
                continue  # the header's lower rows hold no result: this block ran into the data
            levels = sum(1 for number, cells in block if not _is_numbering(cells)
                         and len({value(number, c) for c in range(width)} - {""}) >= 2)
            score = len(where) * 10 + 2 * levels - 3 * (depth - levels)
            if best is None or score > best[0]:
                header = Header(tuple(n for n, _ in block), tuple(" / ".join(p) for p in names), where)
                best = (score, header)
    if best is None:
        names_said = ", ".join(f'"{DEFAULT_COLUMNS[f][0]}"' for f in ("agency", "issued", "number"))
        raise RegisterFileError(
            f"Không tìm thấy dòng tiêu đề có các cột {names_said} (hoặc tên khác của chúng) trong "
            f"{HEADER_SEARCH_ROWS} dòng đầu. Hãy dùng --map để chỉ tên cột của tệp này (sohoa register import "
            "--dry-run cho thấy các dòng đầu như sohoa đọc được).",
            f"No header row naming the columns {names_said} (or another of their names) in the first "
            f"{HEADER_SEARCH_ROWS} rows. Use --map to give this file's column names (sohoa register import "
            "--dry-run shows the top rows as sohoa reads them).")
    header = best[1]
    notes: list[tuple[str, str]] = []
    if len(header.rows) > 1:
        notes.append((f"tiêu đề trên các dòng {header.rows[0]}-{header.rows[-1]}, ô gộp được trải ra",
                      f"header over rows {header.rows[0]}-{header.rows[-1]}, merged cells flattened"))
    if "issued" not in header.where:
        notes.append(("không có cột ngày ban hành: lấy ngày ghi sau số (“số … ngày …”), nếu không có thì ngày trả "
                      "kết quả", "no issue-date column: the date written after the number (“… ngày …”), else the "
                      "return date, is taken for it"))
    rest = [(n, cells) for n, cells in top if n > header.rows[-1]]
    if rest and _is_numbering(rest[0][1]):
        notes.append((f"dòng {rest[0][0]}: dòng đánh số cột, bỏ qua", f"row {rest[0][0]}: the columns' numbering, "
                      "skipped"))
        rest = rest[1:]
    header = Header(header.rows, header.names, header.where, tuple(notes))
    return header, itertools.chain(rest, table.rows)


def _assign(names: list[list[str]], wanted: dict[str, set[str]]) -> dict[str, int]:
    """Each field's column: a column answers to a field when one of its levels, or all of
    them joined, is one of the field's names; each column goes to one field, in the order
    of ``DEFAULT_COLUMNS``."""
    words = [{_word(p) for p in parts} | {_word(" ".join(parts))} for parts in names]
    where: dict[str, int] = {}
    taken: set[int] = set()
    for field_name, headers in wanted.items():
        for col, said in enumerate(words):
            if col not in taken and said & headers:
                where[field_name] = col
                taken.add(col)
                break
    return where


def _is_numbering(cells: list[Any]) -> bool:
    filled = [_cell_text(c) for c in cells if _cell_text(c)]
    return len(filled) >= 3 and all(_NUMBERING.match(c) for c in filled)


# ---------------------------------------------------------------- rows

def kind_of_row(cells: list[Any], where: dict[str, int]) -> str:
    """``data``, ``blank``, ``totals``, ``footer`` (signatures, notes), ``numbering`` or
    ``group`` (a heading between blocks of rows)."""
    filled = [t for t in map(_cell_text, cells) if t]
    if not filled:
        return "blank"
    if _TOTALS.match(_word(filled[0])) or any(":" in t and _TOTALS.match(_word(t)) for t in filled):
        return "totals"
    if len(filled) <= 2 and any(_PLACE_DATE.search(_word(t)) for t in filled):
        return "footer"  # "Quảng Ngãi, ngày 30 tháng 12 năm 2025" above the signatures, in whichever column
    if _looks_like_data(cells, where):
        return "data"
    if _is_numbering(cells):
        return "numbering"
    words = [_word(t) for t in filled]
    if any(_FOOTER.search(w) for w in words):
        return "footer"
    if len(filled) <= 2:
        return "group"
    return "data"


def _looks_like_data(cells: list[Any], where: dict[str, int]) -> bool:
    """Whether a row holds a result: a number or dossier code with a digit, or a date
    where a date goes (the date line under a table, "Quảng Ngãi, ngày 29 tháng 12 năm
    2025", is no date of a result)."""
    def cell(name: str) -> Any:
        return cells[where[name]] if name in where and where[name] < len(cells) else None

    for name in ("number", "dossier"):
        if any(c.isdigit() for c in _cell_text(cell(name))):
            return True
    for name in ("issued", "returned"):
        if _cell_text(cell(name)):
            try:
                parse_date(cell(name))
                return True
            except ValueError:
                pass
    return False


def group_agency(cells: list[Any]) -> str | None:
    """The agency a group row names (``I. UBND xã Tân An``), without its numbering."""
    first = next((_cell_text(c) for c in cells if _cell_text(c)), "")
    text = _GROUP.sub("", first).strip()
    word = _word(text)
    if text != first and re.search(r"[^\W\d_]{2}", text):
        return text  # "I. Ban Chỉ đạo 138 tỉnh Quảng Ngãi": a numbered heading names the agency
    heads = ("ubnd", "uy ban nhan dan", "hdnd", "hoi dong nhan dan", "so ", "phong ", "chi cuc", "cong an",
             "trung tam", "van phong", "ban quan ly", "bo phan mot cua", "bo phan tiep nhan")
    return text if any(word.startswith(h) or f" {h}" in f" {word}" for h in heads) else None


def parse_date(value: Any) -> dt.date:
    """A date as registers write it: the spreadsheet's own, ``dd/mm/yyyy`` (``-`` or ``.``
    too), ISO, with or without a time, or a spreadsheet day number typed as a number."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and 20000 < value < 80000:  # an Excel day number
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    return _date_text(_cell_text(value))


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


def parse_validity(value: Any, issued: dt.date, mapping: ColumnMap) -> dt.date | None:
    """The end of validity a register cell says: None for no end; raises ValueError for a
    word that is neither."""
    if isinstance(value, dt.date | dt.datetime) or (isinstance(value, int | float) and 20000 < value < 80000):
        return parse_date(value)
    word = _word(_cell_text(value))
    if word in mapping.no_end:
        return None
    duration = _DURATION.match(word)
    if duration:
        return issued + _span(duration)
    until = _UNTIL.match(search_form(_cell_text(value)).strip())
    text = until.group(1) if until else _cell_text(value)
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
    text = {f: _cell_text(v) for f, v in raw.items()}

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
    level = mapping.levels.get(_word(given_level)) if given_level else _level_from_name(agency_text)
    if level is None and given_level:
        return bad("level", f"cấp {given_level!r} không rõ (tỉnh, huyện hoặc xã)",
                   f"level {given_level!r} unknown (tỉnh, huyện or xã)")
    status, said = "valid", None
    if text.get("status"):
        word = _word(text["status"])
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
    word = _word(text)
    if word in YES:
        return True
    if word in NO:
        return None if not word else False
    raise ValueError(text)


def _level_from_name(agency: str) -> str | None:
    name = _word(agency)
    name = re.sub(r"^(uy ban nhan dan|ubnd)\s+", "", name)
    for pattern, level in _LEVEL_WORDS:
        if pattern.search(name):
            return level
    return None


def validity_meaning(text: str, mapping: ColumnMap) -> tuple[str, str]:
    """What a validity cell's word means, for a person to check (``--dry-run``)."""
    word = _word(text)
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
    word = _word(text)
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
