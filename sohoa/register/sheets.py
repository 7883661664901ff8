"""Reading a register export as the table it is, whatever file one-stop systems and Excel
wrote it as: its rows of cells, and which cells were merged.

- **XLSX, XLS, ODS** through calamine (python-calamine): the values as shown types
  (numbers, dates, text) and the merged ranges, which a two-level header uses.
- **CSV** in any encoding Excel writes: UTF-8 (with or without its mark), UTF-16 ("Unicode
  Text", tab-separated), Windows-1258 (tone marks apart, put back together here); others
  detected by charset-normalizer. The delimiter is the one that splits the top rows most.
- Refused with what to do: a password-protected workbook (Office encrypts it into an OLE
  container), a truncated or fake workbook, an empty file.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from sohoa.core.errors import SohoaError
from sohoa.core.text import clean

HEADER_SEARCH_ROWS = 100
"""Rows at the top of a sheet where the header is looked for (title blocks come first)."""
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"


class RegisterFileError(SohoaError):
    """The file as a whole cannot be read as a register."""


@dataclass
class Table:
    """A sheet's rows (numbered as the spreadsheet numbers them, from 1) and its merged
    cells as ((first row, first column), (last row, last column)), 0-based. Text cells are
    ``clean``: normalised once here, not at each look."""

    rows: Iterator[tuple[int, list[Any]]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    kind: str = "csv"
    """``xlsx``, ``xls``, ``ods``, ``html`` (a web page saved as ``.xls``) or ``csv``."""
    encoding: str | None = None
    """A CSV's encoding as read."""


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def cell_text(text: str) -> str:
    """A text cell as compared: full-width digits and letters as their plain forms (NFKC:
    ``１８２４`` is ``1824``), invisible characters gone, then ``clean``."""
    return clean(unicodedata.normalize("NFKC", text).translate(_INVISIBLE))


def read_table(path: Path, sheet: str | None = None) -> Table:
    """The table of a register file (see the module docstring), or ``RegisterFileError``."""
    if not path.is_file():
        raise RegisterFileError(f"Không có tệp {path}.", f"There is no file {path}.")
    with path.open("rb") as fh:
        head = fh.read(8)
    if not head:
        raise RegisterFileError(f"{path.name} rỗng.", f"{path.name} is empty.")
    if head.startswith(OLE):
        if _encrypted(path):
            raise RegisterFileError(
                f"{path.name} được đặt mật khẩu, sohoa không mở được. Mở tệp bằng Excel, bỏ mật khẩu (Tệp > Thông "
                "tin > Bảo vệ sổ làm việc > Mã hóa bằng mật khẩu, để trống) rồi lưu lại, hoặc xuất lại từ hệ thống "
                "một cửa không đặt mật khẩu.",
                f"{path.name} is password-protected; sohoa cannot open it. Open it in Excel, remove the password "
                "(File > Info > Protect Workbook > Encrypt with Password, left empty) and save it again, or export "
                "it again from the one-stop system without a password.")
        return _workbook(path, sheet, "xls")
    if head.startswith(ZIP):
        return _workbook(path, sheet, "ods" if path.suffix.lower() == ".ods" else "xlsx")
    if _is_html(path):
        return _html(path)
    return _csv(path)


def read_tables(path: Path, sheet: str | None = None) -> tuple[list[tuple[str | None, Table]], list[str]]:
    """The tables of a register file: the sheet named; else every visible worksheet of a
    workbook (a CSV's one table, named None); and the names of the hidden sheets left out."""
    if sheet is not None or not path.is_file() or _kind(path) == "csv":
        return [(sheet, read_table(path, sheet))], []
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    try:
        meta = CalamineWorkbook.from_path(str(path)).sheets_metadata
    except Exception:  # a broken workbook: read_table says what is wrong with it
        return [(None, read_table(path))], []
    shown = [m.name for m in meta if m.visible == SheetVisibleEnum.Visible and m.typ == SheetTypeEnum.WorkSheet]
    hidden = [m.name for m in meta if m.name not in shown]
    if len(shown) <= 1:
        name = shown[0] if shown else None
        return [(name, read_table(path, name))], hidden
    return [(name, read_table(path, name)) for name in shown], hidden


_CELL = re.compile(rb"<c\b[^>]*?(?<!/)>(.*?)</c>", re.S)
_ATTRS = re.compile(rb'([\w:]+)="([^"]*)"')


def _tags(xml: bytes, tag: bytes) -> list[dict[bytes, bytes]]:
    """The attributes of every ``<tag …>`` element, in any order."""
    return [dict(_ATTRS.findall(m)) for m in re.findall(rb"<" + tag + rb"\b([^>]*)>", xml)]


def unsaved_formulas(path: Path) -> dict[str, int]:
    """Per worksheet of an XLSX file, its formula cells with no value saved: what a program
    that writes formulas without computing them leaves, and what any reader (Calamine, like
    Excel's own viewer before recalculating) sees as empty. Empty for other files."""
    import html
    import zipfile

    if not zipfile.is_zipfile(path):
        return {}
    out: dict[str, int] = {}
    try:
        with zipfile.ZipFile(path) as book:
            names = set(book.namelist())
            if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
                return {}
            targets = {r.get(b"Id"): r.get(b"Target", b"") for r in _tags(book.read("xl/_rels/workbook.xml.rels"),
                                                                           b"Relationship")}
            for entry in _tags(book.read("xl/workbook.xml"), b"sheet"):
                name = entry.get(b"name", b"")
                target = targets.get(entry.get(b"r:id"), b"").decode().lstrip("/")
                member = target if target.startswith("xl/") else f"xl/{target}"
                if member not in names:
                    continue
                xml = book.read(member)
                if b"<f" not in xml:  # most exports hold no formula: no cell to look at
                    continue
                count = sum(1 for inner in _CELL.findall(xml)
                            if b"<f" in inner and not re.search(rb"<v>[^<]+</v>", inner))
                if count:
                    out[html.unescape(name.decode())] = count
    except (zipfile.BadZipFile, OSError, KeyError):
        return {}  # a broken workbook: reading it says what is wrong with it
    return out


def _is_html(path: Path) -> bool:
    """A web page saved as ``.xls`` (what many one-stop systems' "export to Excel" gives)."""
    with path.open("rb") as fh:
        head = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return (head.startswith((b"<", b"\xff\xfe<", b"\xfe\xff\x00<")) and b"<table" in head) or head.startswith(
        (b"<!doctype html", b"<html"))


class _Cells(HTMLParser):
    """The rows of an HTML page's tables, and which cells span several (``colspan``,
    ``rowspan``): the same table a spreadsheet would show."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.merged: list[tuple[tuple[int, int], tuple[int, int]]] = []
        self._taken: dict[tuple[int, int], bool] = {}
        self._cell: list[str] | None = None
        self._col = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
            self._col = 0
        elif tag in ("td", "th") and self.rows:
            r = len(self.rows) - 1
            while self._taken.get((r, self._col)):
                self._place(r, self._col, "")
                self._col += 1
            spans = dict(attrs)
            cols, rows = _span(spans.get("colspan")), _span(spans.get("rowspan"))
            if cols > 1 or rows > 1:
                self.merged.append(((r, self._col), (r + rows - 1, self._col + cols - 1)))
            for dr in range(rows):
                for dc in range(cols):
                    self._taken[(r + dr, self._col + dc)] = True
            self._cell, self._start, self._width = [], self._col, cols
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.rows:
            text = "\n".join(" ".join(line.split()) for line in "".join(self._cell).split("\n")).strip()
            r = len(self.rows) - 1
            self._place(r, self._start, text)
            for dc in range(1, self._width):
                self._place(r, self._start + dc, "")
            self._col = self._start + self._width
            self._cell = None

    def _place(self, r: int, c: int, text: str) -> None:
        row = self.rows[r]
        while len(row) <= c:
            row.append("")
        row[c] = text or row[c]


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 1000))
    except ValueError:
        return 1


def _html(path: Path) -> Table:
    text, encoding = _decode(path.read_bytes(), path)
    cells = _Cells()
    cells.feed(text)
    width = max((len(r) for r in cells.rows), default=0)
    rows = [[cell_text(c) for c in row] + [""] * (width - len(row)) for row in cells.rows]
    return Table(((n, row) for n, row in enumerate(rows, start=1)), cells.merged, "html", encoding)


def _kind(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(8)
    return "workbook" if head.startswith((OLE, ZIP)) else "csv"


def _encrypted(path: Path) -> bool:
    """Whether an OLE file is an encrypted Office document (not an .xls)."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            return ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage")
    except Exception:  # a broken container (olefile raises OSError, ValueError, struct.error...): calamine says so
        return False


def _workbook(path: Path, sheet: str | None, kind: str) -> Table:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        names = book.sheet_names
        if sheet is not None and sheet not in names:
            raise RegisterFileError(f"{path.name} không có trang {sheet!r} (có: {', '.join(names)}).",
                                    f"{path.name} has no sheet {sheet!r} (it has: {', '.join(names)}).")
        found = book.get_sheet_by_name(sheet) if sheet else book.get_sheet_by_index(0)
        merged = list(found.merged_cell_ranges or [])
        rows = found.to_python(skip_empty_area=False)
    except RegisterFileError:
        raise
    except Exception as exc:  # calamine's errors: a truncated zip, a fake workbook, an unknown record
        raise RegisterFileError(
            f"Không đọc được bảng tính {path.name} ({exc}). Tệp có thể bị cắt cụt khi tải về hoặc không phải "
            "bảng tính: hãy tải lại từ hệ thống một cửa, hoặc mở bằng Excel và lưu lại dạng .xlsx.",
            f"Cannot read the workbook {path.name} ({exc}). It may have been cut short while downloading, or not "
            "be a workbook: download it again from the one-stop system, or open it in Excel and save it as "
            ".xlsx.") from exc
    return Table(((n, [cell_text(c) if isinstance(c, str) else c for c in cells]) for n, cells in
                  enumerate(rows, start=1)), merged, kind)


def _csv(path: Path) -> Table:
    raw = path.read_bytes()
    text, encoding = _decode(raw, path)
    # The delimiter that splits some top row the most (a title row above the header has none;
    # csv.Sniffer gives up on such files).
    top = text.splitlines()[:HEADER_SEARCH_ROWS]
    delimiter = max(",;\t", key=lambda d: max((line.count(d) for line in top), default=0))
    dialect: Any = type("Export", (csv.excel,), {"delimiter": delimiter})
    rows = ((n, [cell_text(c) for c in cells]) for n, cells in
            enumerate(csv.reader(io.StringIO(text), dialect), start=1))
    return Table(rows, [], "csv", encoding)


def _decode(raw: bytes, path: Path) -> tuple[str, str]:
    """The text of a CSV and the encoding it was in: a byte-order mark first, then UTF-8,
    then what charset-normalizer finds most likely (Vietnamese Excel writes Windows-1258)."""
    for mark, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                           (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(mark):
            return raw.decode(encoding), encoding
    sample = raw[:4000]
    for name, start in (("utf-16-le", 1), ("utf-16-be", 0)):  # UTF-16 without its mark: every other byte 0
        if len(sample) >= 4 and sample[start::2].count(0) > 0.3 * len(sample[start::2]) and not sample[
                1 - start::2].count(0) > 0.3 * len(sample[1 - start::2]):
            return raw.decode(name, errors="replace"), name
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    guesses = from_bytes(raw[:200_000], cp_isolation=["cp1258", "cp1252", "utf_16", "cp1250", "latin_1"])
    best = guesses.best()
    if best is None or best.encoding is None:
        raise RegisterFileError(
            f"{path.name} không phải bảng tính, và không đọc được như CSV (không rõ bảng mã). Hãy lưu lại dưới "
            "dạng \"CSV UTF-8\" hoặc XLSX.",
            f"{path.name} is not a workbook and cannot be read as CSV (unknown encoding). Save it again as "
            "\"CSV UTF-8\" or as XLSX.")
    encoding = "cp1258" if best.encoding in ("cp1258", "windows_1258") else best.encoding
    return raw.decode(encoding, errors="replace"), encoding
