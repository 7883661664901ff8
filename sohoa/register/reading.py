"""Reading a register file (CSV or XLSX, a one-stop system's export) into entries: the
sheet and the header found, the columns mapped, each row parsed or rejected with its
number and reason. Nothing is stored here; ``store.Register.import_file`` stores."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sohoa.core import agencies
from sohoa.core.validity import VIETNAM
from sohoa.register.cells import parse_date
from sohoa.register.columns import ColumnMap, Header, column_map, find_header, group_agency, kind_of_row
from sohoa.register.rows import Entry, RowError, Unknown, parse_row
from sohoa.register.sheets import RegisterFileError, Table, read_tables, unsaved_formulas


@dataclass(frozen=True)
class ReadFile:
    """A register file as read: its header, its entries by row, its bad rows, the rows that
    are not results, and the province it is about."""

    header: Header
    entries: list[tuple[int, Entry]]
    errors: list[RowError]
    skipped: dict[str, int]
    rows: int
    """Data rows read (good and bad)."""
    province: str | None
    """The province most of its agencies lie in: what settles a unit named in several."""
    unknown: list[Unknown]
    """Validity and status words sohoa did not know, one per distinct word (empty for an import)."""
    kind: str
    encoding: str | None
    words: dict[str, dict[str, int]] = field(default_factory=dict)
    """The distinct words of the validity and status columns (``valid_until``, ``status``)
    with how many data rows hold each: what ``--dry-run`` shows a person to check."""
    warnings: tuple[tuple[str, str], ...] = ()
    """What may make the figures less than they look, in Vietnamese and English."""


def read_file(path: Path, *, mapping: ColumnMap | None = None, sheet: str | None = None,
              today: dt.date | None = None, strict: bool = True) -> ReadFile:
    """Read a register file (``rows``, ``sheets``): the sheet named, else every visible
    sheet with a header (one per commune is common), the others said in the notes;
    ``strict``: a word in the validity or status column that sohoa does not know raises,
    once per distinct word."""
    mapping = mapping or column_map()
    today = today or dt.datetime.now(VIETNAM).date()
    tables, hidden = read_tables(path, sheet)
    read: list[tuple[str | None, _Sheet]] = []
    refused: list[tuple[str | None, RegisterFileError]] = []
    for name, table in tables:
        try:
            read.append((name, _read_sheet(table, mapping, today)))
        except RegisterFileError as exc:
            if len(tables) == 1:
                raise
            refused.append((name, exc))
    if not read:
        names = ", ".join(f"“{n}”" for n, _ in tables)
        raise RegisterFileError(f"{path.name}: không trang nào ({names}) có dòng tiêu đề của sổ. "
                                + refused[0][1].message_vi, f"{path.name}: no sheet ({names}) has a register's "
                                "header. " + refused[0][1].message_en)
    several = len(tables) > 1
    first = read[0][1]
    notes = list(first.header.notes)
    if several:
        notes += [(f"trang “{n}”: tiêu đề dòng {r.header.rows[0]}, {r.total} dòng dữ liệu",
                   f"sheet “{n}”: header on row {r.header.rows[0]}, {r.total} data rows") for n, r in read]
        notes += [(f"trang “{n}”: không có tiêu đề của sổ, bỏ qua", f"sheet “{n}”: no register header, skipped")
                  for n, _ in refused]
    notes += [(f"trang ẩn “{n}”: bỏ qua (dùng --sheet để đọc)", f"hidden sheet “{n}”: skipped (--sheet reads it)")
              for n in hidden]
    entries, errors, skipped, words = [], [], {}, {}
    unknown: dict[tuple[str, str], Unknown] = {}
    for name, r in read:
        entries += r.entries
        errors += [dataclasses.replace(e, column=f"{name}!{e.column or ''}") if several else e for e in r.errors]
        for kind, count in r.skipped.items():
            skipped[kind] = skipped.get(kind, 0) + count
        for field_name, seen in r.words.items():
            into = words.setdefault(field_name, {})
            for word, count in seen.items():
                into[word] = into.get(word, 0) + count
        for key, word in r.unknown.items():
            unknown.setdefault(key, word)
    if strict and unknown:
        raise _unknown_words(path, list(unknown.values()))
    hint = agencies.province_hint([agencies.resolve(a) for a in {e.agency for _, e in entries}])
    header = dataclasses.replace(first.header, notes=tuple(notes))
    unsaved = unsaved_formulas(path)
    warnings = tuple((f"trang “{n}”: {unsaved[n]} ô công thức không có giá trị đã lưu, đọc là ô trống: mở tệp bằng "
                      "Excel hoặc LibreOffice, lưu lại rồi nhập lại",
                      f"sheet “{n}”: {unsaved[n]} formula cells have no saved value and read as empty: open the file "
                      "in Excel or LibreOffice, save it and import it again")
                     for n in (name or next(iter(unsaved), "") for name, _ in read) if n in unsaved)
    return ReadFile(header, entries, errors, skipped, sum(r.total for _, r in read), hint, list(unknown.values()),
                    tables[0][1].kind, tables[0][1].encoding, words, warnings)


@dataclass
class _Sheet:
    """What one sheet gave."""

    header: Header
    entries: list[tuple[int, Entry]]
    errors: list[RowError]
    skipped: dict[str, int]
    total: int
    unknown: dict[tuple[str, str], Unknown]
    words: dict[str, dict[str, int]]


def _read_sheet(table: Table, mapping: ColumnMap, today: dt.date) -> _Sheet:
    header, rows = find_header(table, mapping)
    entries: list[tuple[int, Entry]] = []
    errors: list[RowError] = []
    unknown: dict[tuple[str, str], Unknown] = {}
    skipped: dict[str, int] = {}
    unknown_status: dict[int, str] = {}
    status_words: dict[int, str | None] = {}
    """What each good row's status cell held (``Parsed.status_word``)."""
    group: str | None = None
    ended = False  # past a totals or footer row
    total = 0
    words: dict[str, dict[str, int]] = {f: {} for f in ("valid_until", "status") if f in header.where}
    dates: dict[Any, bool] = {}  # a cell's value -> whether it is a date (the same few words repeat)
    for number, cells in rows:
        kind = kind_of_row(cells, header.where)
        if kind == "blank":
            continue
        if kind in ("totals", "footer") and total:
            ended = True
        elif kind == "group" and ended and group_agency(cells) is None:
            kind = "footer"  # under the table's end and naming no agency: the signers' names
        elif kind == "data" and ended and sum(1 for c in cells if c not in (None, "")) <= 2:
            kind = "footer"  # a footnote under the table ("- Số liệu trích xuất lúc 12:45 ngày 25/12/2025")
        if kind != "data":
            skipped[kind] = skipped.get(kind, 0) + 1
            if kind == "group":
                group = group_agency(cells) or group
            continue
        total += 1
        for name, seen in words.items():
            column = header.where[name]
            value = cells[column] if column < len(cells) else None
            if not (dates[value] if value in dates else dates.setdefault(value, _is_date(value))):  # not words
                said = " ".join(str(value).split()) if value is not None else ""
                seen[said] = seen.get(said, 0) + 1
        parsed = parse_row(number, cells, header, mapping, today, agency=group)
        for word in parsed.unknown:
            unknown.setdefault((word.field, word.value.strip().lower()), word)
            if word.field == "status":
                unknown_status[number] = word.value
        if isinstance(parsed.entry, Entry) and "status" in header.where:
            status_words[number] = parsed.status_word
        if isinstance(parsed.entry, RowError):
            errors.append(parsed.entry)
        elif parsed.entry is not None:
            entries.append((number, parsed.entry))
    statuses = {k: u for k, u in unknown.items() if u.field == "status"}
    unknown = {k: u for k, u in unknown.items() if u.field != "status"}
    if statuses and "validity" in status_words.values():
        # A column of validity statuses: a word it does not know makes its row a bad one.
        bad_rows = set(unknown_status)
        errors.extend(RowError(row, header.names[header.where["status"]], f"trạng thái {value!r} không rõ (còn hiệu "
                               "lực, hết hiệu lực, thu hồi, thay thế)", f"status {value!r} unknown (còn hiệu lực, "
                               "hết hiệu lực, thu hồi, thay thế)") for row, value in unknown_status.items())
        entries = [(row, e) for row, e in entries if row not in bad_rows]
        errors.sort(key=lambda e: e.row)
    # Else, no validity word at all: the column is the one-stop system's processing status.
    return _Sheet(header, entries, errors, skipped, total, unknown, words)


def _is_date(value: object) -> bool:
    try:
        parse_date(value)
    except (ValueError, TypeError):
        return False
    return True


def _unknown_words(path: Path, words: list[Unknown]) -> RegisterFileError:
    listed_vi = "; ".join(f"{w.value!r} (cột {w.column}, dòng {w.row})" for w in words[:20])
    listed_en = "; ".join(f"{w.value!r} (column {w.column}, row {w.row})" for w in words[:20])
    more = f" … (+{len(words) - 20})" if len(words) > 20 else ""
    return RegisterFileError(
        f"{path.name}: {len(words)} giá trị hiệu lực hoặc trạng thái sohoa không hiểu, chưa nhập gì: {listed_vi}"
        f"{more}. Hãy ghi nghĩa của chúng trong tệp --map ([validity] \"từ\" = \"none\" cho không thời hạn; "
        "[statuses] \"từ\" = \"valid\", \"expired\", \"revoked\" hoặc \"replaced\") rồi nhập lại.",
        f"{path.name}: {len(words)} validity or status values sohoa does not understand; nothing was imported: "
        f"{listed_en}{more}. Say what they mean in a --map file ([validity] \"word\" = \"none\" for no end date; "
        "[statuses] \"word\" = \"valid\", \"expired\", \"revoked\" or \"replaced\") and import again.")
