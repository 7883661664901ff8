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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sohoa.core.errors import SohoaError
from sohoa.core.text import clean

HEADER_SEARCH_ROWS = 30
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
    """``xlsx``, ``xls``, ``ods`` or ``csv``."""
    encoding: str | None = None
    """A CSV's encoding as read."""


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
    return _csv(path)


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
    return Table(((n, [clean(c) if isinstance(c, str) else c for c in cells]) for n, cells in enumerate(rows, start=1)),
                 merged, kind)


def _csv(path: Path) -> Table:
    raw = path.read_bytes()
    text, encoding = _decode(raw, path)
    # The delimiter that splits some top row the most (a title row above the header has none;
    # csv.Sniffer gives up on such files).
    top = text.splitlines()[:HEADER_SEARCH_ROWS]
    delimiter = max(",;\t", key=lambda d: max((line.count(d) for line in top), default=0))
    dialect: Any = type("Export", (csv.excel,), {"delimiter": delimiter})
    rows = ((n, [clean(c) for c in cells]) for n, cells in
            enumerate(csv.reader(io.StringIO(text), dialect), start=1))
    return Table(rows, [], "csv", encoding)


def _decode(raw: bytes, path: Path) -> tuple[str, str]:
    """The text of a CSV and the encoding it was in: a byte-order mark first, then UTF-8,
    then what charset-normalizer finds most likely (Vietnamese Excel writes Windows-1258)."""
    for mark, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                           (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(mark):
            return raw.decode(encoding), encoding
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
