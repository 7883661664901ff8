"""Rows of a register export (CSV or XLSX) as register entries, each bad row with its reason.

Exports differ from province to province: the columns are found by their headers (in any
order, extra columns ignored, title rows above the header skipped), with the common
Vietnamese names as the default and a small TOML file (``--map``) for the rest:

.. code-block:: toml

    [columns]              # sohoa field = the header (or headers) in the file
    agency = ["Đơn vị cấp", "Cơ quan giải quyết"]
    number = "Số GP"

    [statuses]             # more words for a status (valid, expired, revoked, replaced)
    "Đã hủy" = "revoked"

    [levels]               # more words for a level (province, district, commune)
    "Cấp Sở" = "province"
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from sohoa.core.errors import ConfigError, SohoaError
from sohoa.core.text import agency_key, clean, normalise_number, search_form

STATUSES = ("valid", "expired", "revoked", "replaced")
LEVELS = ("province", "district", "commune")

# field -> the headers it goes by (the first is the interface other tools rely on)
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "dossier": ("Mã hồ sơ", "Mã số hồ sơ", "Số hồ sơ"),
    "procedure_code": ("Mã thủ tục", "Mã TTHC"),
    "procedure_name": ("Tên thủ tục", "Tên TTHC", "Thủ tục"),
    "agency": ("Cơ quan ban hành", "Cơ quan cấp", "Đơn vị ban hành", "Cơ quan giải quyết"),
    "level": ("Cấp", "Cấp hành chính", "Cấp giải quyết"),
    "number": ("Số kết quả", "Số văn bản", "Số, ký hiệu", "Số ký hiệu", "Số hiệu"),
    "issued": ("Ngày ban hành", "Ngày cấp", "Ngày ký"),
    "holder": ("Người được cấp", "Chủ hồ sơ", "Tổ chức, cá nhân được cấp"),
    "valid_until": ("Hiệu lực đến", "Ngày hết hiệu lực", "Có hiệu lực đến"),
    "status": ("Trạng thái", "Tình trạng", "Tình trạng hiệu lực"),
    # The dossier flow the national service index scores (Decision 766/QĐ-TTg), when the
    # export carries it.
    "received": ("Ngày tiếp nhận", "Ngày nhận hồ sơ"),
    "electronic_result": ("Kết quả điện tử", "Trả kết quả điện tử"),
    "dossier_digitised": ("Số hóa hồ sơ", "Đã số hóa hồ sơ"),
    "reused": ("Tái sử dụng", "Tái sử dụng dữ liệu số hóa"),
}
REQUIRED = ("agency", "issued")
FIELDS = tuple(DEFAULT_COLUMNS)

DEFAULT_STATUSES = {
    "con hieu luc": "valid", "hieu luc": "valid", "dang hieu luc": "valid", "valid": "valid",
    "het hieu luc": "expired", "het han": "expired", "expired": "expired",
    "thu hoi": "revoked", "da thu hoi": "revoked", "bi thu hoi": "revoked", "revoked": "revoked",
    "thay the": "replaced", "da thay the": "replaced", "bi thay the": "replaced", "da duoc thay the": "replaced",
    "replaced": "replaced",
}
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
HEADER_SEARCH_ROWS = 20


@dataclass(frozen=True)
class Entry:
    """One result the register says was issued."""

    agency: str
    level: str
    issued: dt.date
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


class RegisterFileError(SohoaError):
    """The file as a whole cannot be read as a register."""


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


def column_map(path: Path | None = None) -> ColumnMap:
    """The default column map, with a ``--map`` file's entries put before the defaults."""
    columns = dict(DEFAULT_COLUMNS)
    statuses, levels = dict(DEFAULT_STATUSES), dict(DEFAULT_LEVELS)
    if path is None:
        return ColumnMap(columns, statuses, levels)
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
    return ColumnMap(columns, statuses, levels)


@functools.lru_cache(maxsize=4096)
def _word(text: str) -> str:
    """A header or a cell's word as matched: folded, lower-case, punctuation as spaces."""
    return " ".join(re.sub(r"[^\w]+", " ", search_form(clean(text))).split())


def read_table(path: Path, sheet: str | None = None) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) of the file's rows: CSV (UTF-8, comma, semicolon or tab) or XLSX."""
    head = path.open("rb").read(8) if path.is_file() else b""
    if not path.is_file():
        raise RegisterFileError(f"Không có tệp {path}.", f"There is no file {path}.")
    if head.startswith(b"PK\x03\x04"):
        yield from _xlsx_rows(path, sheet)
        return
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RegisterFileError(
            f"{path.name} không phải CSV UTF-8 (byte {exc.start}). Hãy lưu lại dưới dạng \"CSV UTF-8\" hoặc XLSX.",
            f"{path.name} is not UTF-8 CSV (byte {exc.start}). Save it again as \"CSV UTF-8\" or as XLSX.") from exc
    # The delimiter that splits some top row the most (a title row above the header has none;
    # csv.Sniffer gives up on such files).
    top = text.splitlines()[:HEADER_SEARCH_ROWS]
    delimiter = max(",;\t", key=lambda d: max((line.count(d) for line in top), default=0))
    dialect: Any = type("Export", (csv.excel,), {"delimiter": delimiter})
    yield from enumerate(csv.reader(io.StringIO(text), dialect), start=1)


def _xlsx_rows(path: Path, sheet: str | None) -> Iterator[tuple[int, list[Any]]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise RegisterFileError(f"Không mở được bảng tính {path.name}: {exc}",
                                f"Cannot open the workbook {path.name}: {exc}") from exc
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise RegisterFileError(f"{path.name} không có trang {sheet!r} (có: {', '.join(book.sheetnames)}).",
                                    f"{path.name} has no sheet {sheet!r} (it has: {', '.join(book.sheetnames)}).")
        for number, cells in enumerate(book[sheet] if sheet else book.worksheets[0], start=1):
            yield number, [cell.value for cell in cells]
    finally:
        book.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a code typed as a number: 123.0 -> "123"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return clean(str(value))


def find_header(rows: Iterator[tuple[int, list[Any]]], mapping: ColumnMap
                ) -> tuple[int, dict[str, int], Iterator[tuple[int, list[Any]]]]:
    """The header row (the first of the top rows that names every required column), where
    each field's column is, and the rows after it."""
    wanted = {field: [_word(h) for h in headers] for field, headers in mapping.columns.items()}
    for number, cells in rows:
        words = [_word(_cell_text(c)) for c in cells]
        found: dict[str, int] = {}
        for field, headers in wanted.items():
            for header in headers:
                if header in words:
                    found[field] = words.index(header)
                    break
        if all(f in found for f in REQUIRED) and ("number" in found or "dossier" in found):
            return number, found, rows
        if number >= HEADER_SEARCH_ROWS:
            break
    names = ", ".join(f'"{DEFAULT_COLUMNS[f][0]}"' for f in (*REQUIRED, "number"))
    raise RegisterFileError(
        f"Không tìm thấy dòng tiêu đề có các cột {names} trong {HEADER_SEARCH_ROWS} dòng đầu. "
        "Hãy dùng --map để chỉ tên cột của tệp này.",
        f"No header row naming the columns {names} in the first {HEADER_SEARCH_ROWS} rows. "
        "Use --map to give this file's column names.")


def _date(text: str) -> dt.date:
    """dd/mm/yyyy (also with - or .), ISO yyyy-mm-dd, or a spreadsheet date."""
    text = text.strip()
    try:
        return dt.datetime.fromisoformat(text).date() if "T" in text or " " in text else dt.date.fromisoformat(text)
    except ValueError:
        pass
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if not match:
        raise ValueError(text)
    day, month, year = (int(g) for g in match.groups())
    return dt.date(year, month, day)


def _flag(text: str) -> bool | None:
    word = _word(text)
    if word in YES:
        return True
    if word in NO:
        return None if not word else False
    raise ValueError(text)


def parse_row(number: int, cells: list[Any], where: dict[str, int], mapping: ColumnMap,
              today: dt.date) -> Entry | RowError:
    """One data row as an :class:`Entry`, or the first thing wrong with it."""
    text = {f: _cell_text(cells[i]) if i < len(cells) else "" for f, i in where.items()}

    def bad(field: str | None, vi: str, en: str) -> RowError:
        header = DEFAULT_COLUMNS[field][0] if field else None
        return RowError(number, header, vi, en)

    if not text.get("agency"):
        return bad("agency", "thiếu cơ quan ban hành", "no issuing agency")
    if not text.get("number") and not text.get("dossier"):
        return bad("number", "thiếu cả số kết quả lẫn mã hồ sơ", "neither a result number nor a dossier code")
    dates: dict[str, dt.date | None] = {}
    for field in ("issued", "valid_until", "received"):
        value = text.get(field, "")
        if not value:
            if field == "issued":
                return bad(field, "thiếu ngày ban hành", "no issue date")
            dates[field] = None
            continue
        try:
            dates[field] = _date(value)
        except ValueError:
            return bad(field, f"ngày {value!r} không đọc được (cần dd/mm/yyyy hoặc yyyy-mm-dd)",
                       f"the date {value!r} cannot be read (dd/mm/yyyy or yyyy-mm-dd)")
    issued = dates["issued"]
    assert issued is not None
    if issued > today:
        return bad("issued", f"ngày ban hành {issued:%d/%m/%Y} ở tương lai", f"issue date {issued} is in the future")
    if dates["valid_until"] and dates["valid_until"] < issued:
        return bad("valid_until", "hiệu lực kết thúc trước ngày ban hành", "validity ends before the issue date")
    # a blank level is read off the agency's name; a level given must be one sohoa knows
    given_level = text.get("level", "")
    level = mapping.levels.get(_word(given_level)) if given_level else _level_from_name(text["agency"])
    if level is None:
        given = text.get("level", "")
        return bad("level", f"cấp {given!r} không rõ (tỉnh, huyện hoặc xã)" if given else "thiếu cấp (tỉnh, huyện, xã)",
                   f"level {given!r} unknown (tỉnh, huyện or xã)" if given else "no level (tỉnh, huyện, xã)")
    status = "valid"
    if text.get("status"):
        status = mapping.statuses.get(_word(text["status"]), "")
        if not status:
            words = "còn hiệu lực, hết hiệu lực, thu hồi, thay thế"
            return bad("status", f"trạng thái {text['status']!r} không rõ ({words})",
                       f"status {text['status']!r} unknown ({words})")
    flags: dict[str, bool | None] = {}
    for field in ("electronic_result", "dossier_digitised", "reused"):
        try:
            flags[field] = _flag(text.get(field, ""))
        except ValueError:
            return bad(field, f"giá trị {text[field]!r} không rõ (có/không)",
                       f"value {text[field]!r} unclear (có/không)")
    return Entry(agency=text["agency"], level=level, issued=issued, dossier=text.get("dossier") or None,
                 procedure_code=text.get("procedure_code") or None, procedure_name=text.get("procedure_name") or None,
                 number=text.get("number") or None, holder=text.get("holder") or None,
                 valid_until=dates["valid_until"], status=status, received=dates["received"], **flags)


def _level_from_name(agency: str) -> str | None:
    name = _word(agency)
    name = re.sub(r"^(uy ban nhan dan|ubnd)\s+", "", name)
    for pattern, level in _LEVEL_WORDS:
        if pattern.search(name):
            return level
    return None
