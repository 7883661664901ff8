"""What a dry run of a register import shows before anything is stored: how sohoa read the
file's header, rows and words, and the top rows as it sees them when it found no header."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sohoa.core.i18n import t
from sohoa.search_api.render import Said, register_rejects

STATUS_WORDS = {"valid": ("còn hiệu lực", "valid"), "expired": ("hết hiệu lực", "expired"),
                "revoked": ("đã thu hồi", "revoked"), "replaced": ("đã bị thay thế", "replaced")}
DRY_RUN_ROWS = 5
"""How many rows ``register import --dry-run`` shows as read."""
SKIPPED_WORDS = {"totals": ("dòng tổng", "totals"), "footer": ("dòng ký tên, ghi chú", "signature and note rows"),
                 "group": ("dòng tiêu đề nhóm", "group headings"), "numbering": ("dòng đánh số cột", "numbering")}


def register_dry_run(read: Any, mapping: Any, named: Mapping[str, str] | None = None) -> Iterator[Said]:
    """What ``sohoa register import --dry-run`` shows: which column went to which field, the
    rows that are not results, the first rows as read (with who their agency is), the
    distinct validity and status words with what sohoa takes them to mean. Nothing is stored."""
    from sohoa.register.columns import DEFAULT_COLUMNS

    h = read.header
    encoding = f", {read.encoding}" if read.encoding else ""
    rows_said = "-".join(str(r) for r in (h.rows[0], h.rows[-1])) if len(h.rows) > 1 else str(h.rows[0])
    yield Said(t(f"Tệp {read.kind.upper()}{encoding}; dòng tiêu đề {rows_said}.",
                 f"A {read.kind.upper()} file{encoding}; header on row {rows_said}."))
    for vi, en in h.notes:
        yield Said(f"  ({t(vi, en)})")
    for vi, en in read.warnings:
        yield Said(t(f"Cảnh báo: {vi}.", f"Warning: {en}."), error=True)
    yield Said(t("Cột → trường:", "Column → field:"))
    used = set(h.where.values())
    for name, column in sorted(h.where.items(), key=lambda kv: kv[1]):
        letter = _column_letter(column)
        yield Said(f"  {letter} “{h.names[column]}” → {name} ({DEFAULT_COLUMNS[name][0]})")
    unused = [f"{_column_letter(i)} “{n}”" for i, n in enumerate(h.names) if n and i not in used]
    if unused:
        yield Said(t(f"Cột không dùng: {', '.join(unused)}", f"Columns not used: {', '.join(unused)}"))
    if "agency" not in h.where:
        yield Said(t("Không có cột cơ quan: cơ quan lấy từ các dòng tiêu đề nhóm (I. UBND xã …).",
                     "No agency column: each row's agency comes from the group heading above it (I. UBND xã …)."))
    skipped = ", ".join(f"{t(*SKIPPED_WORDS.get(k, (k, k)))} {n}" for k, n in sorted(read.skipped.items()))
    yield Said(t(f"Dòng dữ liệu: {read.rows}; đọc được {len(read.entries)}; lỗi {len(read.errors)}"
                 + (f"; bỏ qua (không phải kết quả): {skipped}" if skipped else "") + ".",
                 f"Data rows: {read.rows}; read {len(read.entries)}; bad {len(read.errors)}"
                 + (f"; skipped (not results): {skipped}" if skipped else "") + "."))
    if read.province:
        yield Said(t(f"Tỉnh của sổ (theo đa số cơ quan): {read.province}.",
                     f"The register's province (most of its agencies): {read.province}."))
    yield Said(t(f"{min(DRY_RUN_ROWS, len(read.entries))} dòng đầu như sohoa đọc:",
                 f"The first {min(DRY_RUN_ROWS, len(read.entries))} rows as sohoa reads them:"))
    for number, e, who in _dry_run_rows(read, named):
        issued = e.issued.isoformat() + ("" if e.issued_exact else t(" (ngày trả kết quả)", " (the return date)"))
        until = e.valid_until.isoformat() if e.valid_until else t("không thời hạn", "no end")
        procedure = " ".join(v for v in (e.procedure_code, e.procedure_name) if v) or "-"
        label = who.label if who.resolved else t(
            f"{who.label} ({len(who.units)} nơi có thể)" if who.units else f"{who.label} (chưa rõ ở đâu)",
            f"{who.label} ({len(who.units)} possible places)" if who.units else f"{who.label} (not placed)")
        status = t(*STATUS_WORDS.get(e.status, (e.status, e.status)))
        yield Said(t(f"  dòng {number}: {e.agency} → {label}; số {e.number or '-'}; ban hành {issued}; "
                     f"hiệu lực đến {until}; {status}; thủ tục {procedure}",
                     f"  row {number}: {e.agency} → {label}; number {e.number or '-'}; issued {issued}; "
                     f"valid until {until}; {status}; procedure {procedure}"))
    yield from register_rejects(read.errors[:DRY_RUN_ROWS])
    titles = {"valid_until": ("Giá trị hiệu lực", "Validity values"), "status": ("Giá trị trạng thái", "Status values")}
    for name, words in _dry_run_words(read, mapping).items():
        yield Said(t(*(f"{w}:" for w in titles[name])))
        dates = 0
        for word, count, said in words:
            if said[1].startswith("until "):
                dates += count  # "đến ngày 31/12/2026": an end date each, not a word to check
                continue
            yield Said(f"  “{word or t('(trống)', '(empty)')}” ×{count} → {t(*said)}")
        if dates:
            yield Said(t(f"  “đến ngày …” ×{dates} → các ngày hết hiệu lực", f"  “đến ngày …” ×{dates} → end dates"))
    yield Said(t("Chưa nhập gì (--dry-run).", "Nothing was imported (--dry-run)."))


def _dry_run_rows(read: Any, named: Mapping[str, str] | None) -> Iterator[tuple[int, Any, Any]]:
    """The first rows as read, each with who its agency is (an ``[agencies]`` name first)."""
    from sohoa.core import agencies
    from sohoa.register.columns import agency_word

    named = named or {}
    for number, e in read.entries[:DRY_RUN_ROWS]:
        yield number, e, agencies.resolve(named.get(agency_word(e.agency)) or e.agency, None, read.province)


def _dry_run_words(read: Any, mapping: Any) -> dict[str, list[tuple[str, int, tuple[str, str]]]]:
    """The validity and status columns' distinct words, most rows first, with what each means
    (Vietnamese and English)."""
    from sohoa.register.rows import status_meaning, validity_meaning

    out = {}
    for name, meaning in (("valid_until", validity_meaning), ("status", status_meaning)):
        words = read.words.get(name)
        if words:
            out[name] = [(w, n, meaning(w, mapping)) for w, n in sorted(words.items(), key=lambda kv: -kv[1])]
    return out


def register_dry_run_json(read: Any, mapping: Any, named: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``--dry-run --json``: what the text says, as keys for a tool (meanings in English)."""
    from sohoa.register.columns import DEFAULT_COLUMNS

    h = read.header
    return {
        "kind": read.kind, "encoding": read.encoding, "header_rows": list(h.rows), "notes": [en for _, en in h.notes],
        "warnings": [en for _, en in read.warnings],
        "columns": {name: {"column": _column_letter(c), "name": h.names[c], "field": DEFAULT_COLUMNS[name][0]}
                    for name, c in sorted(h.where.items(), key=lambda kv: kv[1])},
        "unused": [{"column": _column_letter(i), "name": n} for i, n in enumerate(h.names)
                   if n and i not in set(h.where.values())],
        "rows": read.rows, "read": len(read.entries), "bad": len(read.errors), "skipped": dict(read.skipped),
        "province": read.province,
        "first_rows": [{"row": number, "agency": e.agency, "identity": who.label if who.units else None,
                        "places": len({u for u in who.units if u.startswith("L")} or who.units),
                        "agency_key": who.key, "number": e.number, "issued": e.issued.isoformat(),
                        "issued_is_return_date": not e.issued_exact,
                        "valid_until": e.valid_until.isoformat() if e.valid_until else None, "status": e.status,
                        "procedure_code": e.procedure_code, "procedure_name": e.procedure_name}
                       for number, e, who in _dry_run_rows(read, named)],
        "errors": [{"row": e.row, "column": e.column, "message_vi": e.message_vi, "message_en": e.message_en}
                   for e in read.errors[:DRY_RUN_ROWS]],
        "words": {name: [{"word": w, "rows": n, "meaning": said[1]} for w, n, said in words]
                  for name, words in _dry_run_words(read, mapping).items()},
        "imported": False,
    }


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


TOP_ROWS = 15


def top_rows(tables: Sequence[tuple[str | None, Any]]) -> Iterator[Said]:
    """The first non-blank rows of each table as sohoa reads them, column letters first:
    what a person writes a ``--map`` from when no header was found."""
    import itertools

    for name, table in tables:
        yield Said(t(f"Các dòng đầu của trang “{name}”:" if name else "Các dòng đầu như sohoa đọc:",
                     f"The top rows of sheet “{name}”:" if name else "The top rows as sohoa reads them:"))
        shown = 0
        for number, cells in itertools.islice(table.rows, 200):
            filled = [(i, " ".join(str(c).split())) for i, c in enumerate(cells) if c not in (None, "")]
            if not filled:
                continue
            yield Said(f"  {number}: " + " | ".join(f"{_column_letter(i)}={v[:40]}" for i, v in filled))
            shown += 1
            if shown >= TOP_ROWS:
                break
