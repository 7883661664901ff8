"""The columns of a register export: the map of headers to fields (defaults and a
``--map`` file), the header found among the top rows, and the kind of each row under it
(data, totals, footer, numbering, group heading)."""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sohoa.core.errors import ConfigError
from sohoa.register.cells import as_word, cell_text, parse_date
from sohoa.register.sheets import HEADER_SEARCH_ROWS, RegisterFileError, Table

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

_NUMBERING = re.compile(r"^\(?\s*(\d{1,2}|[ivxlc]{1,5}|[a-z])\s*\)?\.?$", re.IGNORECASE)
_TOTALS = re.compile(r"^(tong cong|tong so|cong|tong)\b")
_FOOTER = re.compile(r"nguoi lap bieu|ky,? ghi ro ho ten|ky ghi ro ho ten|thu truong|lanh dao don vi|ghi chu|"
                     r"noi nhan|xac nhan cua|nguoi lap|ky ten|dong dau|ho ten nguoi")
_PLACE_DATE = re.compile(r"\bngay \d{1,2} thang \d{1,2} nam \d{4}\b")
_GROUP = re.compile(r"^([ivxlc]{1,5}|\d{1,2}|[a-z])[.)]\s+", re.IGNORECASE)


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
            into[as_word(word)] = value
    for word, value in data.get("validity", {}).items():
        if value != "none":
            raise ConfigError(f"Tệp ánh xạ {path}: [validity] {word!r} = {value!r}, chỉ nhận \"none\" (không "
                              "thời hạn).", f"Column map {path}: [validity] {word!r} = {value!r}: only \"none\" "
                              "(no end date).")
        no_end.add(as_word(word))
    named = {}
    for word, value in data.get("agencies", {}).items():
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"Tệp ánh xạ {path}: [agencies] {word!r} phải là tên một cơ quan.",
                              f"Column map {path}: [agencies] {word!r} must be an agency's name.")
        named[agency_word(word)] = value
    return ColumnMap(columns, statuses, levels, frozenset(no_end), named)

def agency_word(name: str) -> str:
    """An agency's name as the ``[agencies]`` map is looked up: folded, one space between words."""
    return as_word(name)


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
        return cell_text(cells[c]) if c < len(cells) else ""

    wanted = {f: {as_word(h) for h in headers} for f, headers in mapping.columns.items()}
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
    words = [{as_word(p) for p in parts} | {as_word(" ".join(parts))} for parts in names]
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
    filled = [cell_text(c) for c in cells if cell_text(c)]
    return len(filled) >= 3 and all(_NUMBERING.match(c) for c in filled)


# ---------------------------------------------------------------- rows

def kind_of_row(cells: list[Any], where: dict[str, int]) -> str:
    """``data``, ``blank``, ``totals``, ``footer`` (signatures, notes), ``numbering`` or
    ``group`` (a heading between blocks of rows)."""
    filled = [t for t in map(cell_text, cells) if t]
    if not filled:
        return "blank"
    if _TOTALS.match(as_word(filled[0])) or any(":" in t and _TOTALS.match(as_word(t)) for t in filled):
        return "totals"
    if len(filled) <= 2 and any(_PLACE_DATE.search(as_word(t)) for t in filled):
        return "footer"  # "Quảng Ngãi, ngày 30 tháng 12 năm 2025" above the signatures, in whichever column
    if _looks_like_data(cells, where):
        return "data"
    if _is_numbering(cells):
        return "numbering"
    words = [as_word(t) for t in filled]
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
        if any(c.isdigit() for c in cell_text(cell(name))):
            return True
    for name in ("issued", "returned"):
        if cell_text(cell(name)):
            try:
                parse_date(cell(name))
                return True
            except ValueError:
                pass
    return False


def group_agency(cells: list[Any]) -> str | None:
    """The agency a group row names (``I. UBND xã Tân An``), without its numbering."""
    first = next((cell_text(c) for c in cells if cell_text(c)), "")
    text = _GROUP.sub("", first).strip()
    word = as_word(text)
    if text != first and re.search(r"[^\W\d_]{2}", text):
        return text  # "I. Ban Chỉ đạo 138 tỉnh Quảng Ngãi": a numbered heading names the agency
    heads = ("ubnd", "uy ban nhan dan", "hdnd", "hoi dong nhan dan", "so ", "phong ", "chi cuc", "cong an",
             "trung tam", "van phong", "ban quan ly", "bo phan mot cua", "bo phan tiep nhan")
    return text if any(word.startswith(h) or f" {h}" in f" {word}" for h in heads) else None
