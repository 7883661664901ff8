"""``sohoa register``: the register of issued results: import, history, undo, reconcile, the lists, decisions."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import click

from sohoa.cli.base import (
    _date,
    _operator,
    _say,
    main,
)
from sohoa.core.errors import ExitCode, RecordNotFound
from sohoa.core.i18n import t
from sohoa.core.settings import Settings
from sohoa.register.facts import STAGES
from sohoa.register.progress import BREAKDOWNS


@main.group()
def register() -> None:
    """Sổ đăng ký kết quả đã cấp / the register of issued results (what should be digitised)."""


@register.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--map", "column_map", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Tệp TOML ánh xạ cột / a TOML file naming this export's columns")
@click.option("--sheet", help="Trang tính (XLSX) / the sheet to read (XLSX; default the first)")
@click.option("--dry-run", "dry_run", is_flag=True,
              help="Chỉ xem sohoa đọc tệp thế nào, không nhập / show how sohoa reads the file, import nothing")
@click.option("--json", "as_json", is_flag=True, help="JSON")
@click.pass_obj
def register_import(settings: Settings, file: Path, column_map: Path | None, sheet: str | None, dry_run: bool,
                    as_json: bool) -> None:
    """Nhập danh sách kết quả (CSV hoặc XLSX) / load a list of issued results (CSV or XLSX).

    Good rows go in (a row already there is updated, by dossier code, else by agency,
    number and date); each bad row is reported with its number; importing the same file
    again changes nothing. Exit code 1 when a row was rejected."""
    from sohoa.register import columns
    from sohoa.register.store import Register, RegisterFileError
    from sohoa.search_api.render import register_import_report

    mapping = columns.column_map(column_map)
    settings.ensure_home()
    if dry_run:
        from sohoa.register.store import read_file
        from sohoa.search_api.render_register import register_dry_run

        try:
            read = read_file(file, mapping=mapping, sheet=sheet, today=settings.today, strict=False)
        except RegisterFileError as exc:  # no header found: the top rows as read, to write --map from
            from sohoa.register.sheets import read_tables
            from sohoa.search_api.render_register import top_rows

            click.echo(t("Lỗi: ", "Error: ") + exc.message, err=True)
            with contextlib.suppress(RegisterFileError):
                for line in top_rows(read_tables(file, sheet)[0]):
                    click.echo(line.text)
            sys.exit(int(exc.exit_code))
        with Register(settings.home) as reg:
            named = {**reg.agency_map, **mapping.agencies}
        if as_json:
            from sohoa.search_api.render_register import register_dry_run_json

            click.echo(json.dumps(register_dry_run_json(read, mapping, named), ensure_ascii=False))
            return
        for line in register_dry_run(read, mapping, named):
            click.echo(line.text)
        return
    with Register(settings.home) as reg:
        report = reg.import_file(file, by=_operator(), mapping=mapping, sheet=sheet, today=settings.today)
    from sohoa.accounts.audit import AccessLog

    with AccessLog(settings.home) as log:
        log.append(_operator(), "register_import", {"import": report.id, "file": str(file), "sha256": report.sha256,
                                                    "added": report.added, "changed": report.changed,
                                                    "rejected": report.rejected})
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        _say(register_import_report(report))
    if report.rejected:
        sys.exit(int(ExitCode.files_failed))


@register.command("history")
@click.option("--json", "as_json", is_flag=True, help="JSONL")
@click.pass_obj
def register_history(settings: Settings, as_json: bool) -> None:
    """Các lần nhập / every import: file, hash, when, by whom, rows added/changed/rejected."""
    from sohoa.register.store import Register

    with Register(settings.home) as reg:
        found = reg.imports()
        if not found:
            click.echo(t("Chưa nhập sổ nào (sohoa register import TỆP).", "No register has been imported yet "
                         "(sohoa register import FILE)."), err=True)
        for r in found:
            if as_json:
                click.echo(json.dumps({k: v for k, v in r.to_json().items() if k != "errors"}, ensure_ascii=False))
            else:
                undone = "\t" + t(f"đã hoàn tác {r.undone}", f"undone {r.undone}") if r.undone else ""
                click.echo(f"{r.id}\t{r.at}\t{r.by}\t{r.file}\tsha256:{r.sha256[:16]}\t{r.rows}\t+{r.added}"
                           f"\t~{r.changed}\t={r.unchanged}\t!{r.rejected}{undone}")


@register.command("undo")
@click.argument("import_id", type=int)
@click.pass_obj
def register_undo(settings: Settings, import_id: int) -> None:
    """Hoàn tác một lần nhập / take back what an import did.

    The entries it added are removed (with the decisions made on them), those it changed
    are as they were before it. Undo from the newest import back; the import stays in
    `sohoa register history`, marked undone."""
    from sohoa.accounts.audit import AccessLog
    from sohoa.register.store import Register

    with Register(settings.home) as reg:
        removed, restored = reg.undo(import_id, by=_operator())
    with AccessLog(settings.home) as log:
        log.append(_operator(), "register_undo", {"import": import_id, "removed": removed, "restored": restored})
    click.echo(t(f"Đã hoàn tác lần nhập số {import_id}: bỏ {removed} mục nó thêm, trả {restored} mục nó sửa về như "
                 "trước.", f"Undid import {import_id}: removed the {removed} entries it added, put back the "
                 f"{restored} entries it changed."))


@register.command("rejects")
@click.argument("import_id", type=int)
@click.pass_obj
def register_rejects(settings: Settings, import_id: int) -> None:
    """Các dòng bị từ chối của một lần nhập / the rows an import rejected, with their reasons."""
    from sohoa.register.store import Register
    from sohoa.search_api.render import register_rejects as said

    with Register(settings.home) as reg:
        if import_id not in {r.id for r in reg.imports()}:
            raise RecordNotFound(f"Không có lần nhập số {import_id} (xem `sohoa register history`).",
                                 f"There is no import {import_id} (see `sohoa register history`).")
        errors = reg.rejects(import_id)
    for line in said(errors):  # the command's answer: on stdout, to be kept or piped
        click.echo(line.text)
    if not errors:
        click.echo(t(f"Lần nhập số {import_id} không có dòng nào bị từ chối.",
                     f"Import {import_id} rejected no row."), err=True)


@register.command("reconcile")
@click.option("--force", is_flag=True, help="Đối chiếu lại dù không có gì đổi / reconcile even if nothing changed")
@click.option("--json", "as_json", is_flag=True, help="JSON")
@click.pass_obj
def register_reconcile(settings: Settings, force: bool, as_json: bool) -> None:
    """Đối chiếu sổ với kho số hóa / match register entries to archived records.

    Strictest first: agency + number + date, then tolerant steps (OCR-confused numbers,
    an agency or date a misread apart, the holder). One candidate makes a match; several
    wait for a person (`sohoa register waiting`). Other commands reconcile by themselves
    when the archive or the register changed."""
    from sohoa.search_api.auditing import reconciled
    from sohoa.search_api.render import reconciled_text

    with reconciled(settings, force=force) as (_, done):
        if as_json:
            click.echo(json.dumps(dataclasses.asdict(done) if done else None, ensure_ascii=False))
        else:
            click.echo(reconciled_text(done), nl=False)


LIST_FORMATS = click.Choice(["tsv", "jsonl", "csv"])


MISSING_COLUMNS = ("id", "dossier", "agency", "level", "procedure_code", "procedure_name", "number", "issued",
                   "holder", "valid_until")
REACHED_COLUMNS = ("id", "dossier", "agency", "number", "issued", "holder", "reached_on", "records", "files")
UNMATCHED_COLUMNS = ("record", "file", "agency", "parent", "doc_type", "number", "issued", "valid_until", "waiting")
WAITING_COLUMNS = ("entry_id", "dossier", "agency", "number", "issued", "holder", "record", "file", "record_agency",
                   "record_number", "record_issued", "reason", "score")


def _emit(rows: list[dict[str, object]], fmt: str, output: click.utils.LazyFile, columns: Sequence[str],
          empty: tuple[str, str]) -> None:
    """Rows as TSV (for a terminal), JSONL or CSV (for a spreadsheet: UTF-8 with BOM), with
    the columns named in the reader's language; an empty list says so (on stderr)."""
    from sohoa.search_api.service import list_lines

    for line in list_lines(rows, fmt, columns):
        output.write(line)
    if not rows:
        click.echo(t(f"Danh sách trống: {empty[0]}", f"The list is empty: {empty[1]}"), err=True)


def _list_options(f: Callable) -> Callable:
    f = click.option("--output", "-o", type=click.File("w", encoding="utf-8", lazy=True), default="-",
                     help="Tệp đầu ra / output file [stdout]")(f)
    return click.option("--format", "fmt", type=LIST_FORMATS, default="tsv", show_default=True)(f)


@register.command("missing")
@click.option("--as-of", "as_of", help="Xét hiệu lực vào ngày này / judge validity on this day [today]")
@click.option("--stage", type=click.Choice(STAGES), default="scanned",
              show_default=True, help="Chưa đạt bước này / not yet at this stage")
@click.option("--reached", is_flag=True, help="Ngược lại: các kết quả đã đạt bước đó, với bản số hóa / "
                                              "the other side: those that reached it, with their records")
@click.option("--by", type=click.Choice(list(BREAKDOWNS)),
              help="Chỉ một dòng của bảng tiến độ (với --key) / only one row of a breakdown (with --key)")
@click.option("--key", help="Dòng đó, như `sohoa progress --by` in ra / that row, as `sohoa progress --by` prints it")
@_list_options
@click.pass_obj
def register_missing(settings: Settings, as_of: str | None, stage: str, reached: bool, by: str | None,
                     key: str | None, fmt: str, output: click.utils.LazyFile) -> None:
    """Kết quả còn hiệu lực chưa số hóa / still-valid results with no digitised record (what is left to scan).

    With --by and --key, the entries behind one row of `sohoa progress --by`; with
    --reached, those that had reached the stage (a count's drill-down)."""
    from sohoa.search_api.auditing import drill, group_of

    if (by is None) != (key is None):
        raise click.UsageError(t("--by và --key đi cùng nhau.", "--by and --key go together."))
    from sohoa.search_api.auditing import require_register

    require_register(settings)
    group = group_of(settings, by, key) if by and key else None
    day = _date(as_of) or settings.today
    rows = drill(settings, as_of=day, stage=stage, reached=reached, by=by, group=group)
    yet_vi, yet_en = ("đã", "") if reached else ("chưa", "not yet ")
    what = (f"không kết quả còn hiệu lực ngày {day:%d/%m/%Y} nào {yet_vi} đạt bước {stage}",
            f"no result still valid on {day.isoformat()} has {yet_en}reached {stage}")
    _emit(rows, fmt, output, REACHED_COLUMNS if reached else MISSING_COLUMNS, what)


AGENCY_COLUMNS = ("state", "side", "name", "identity", "key", "count", "valid", "matched")


@register.command("agencies")
@click.option("--map", "column_map", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Thử mục [agencies] của tệp này trước khi nhập / try this file's [agencies] before importing it")
@_list_options
@click.pass_obj
def register_agencies(settings: Settings, column_map: Path | None, fmt: str, output: click.utils.LazyFile) -> None:
    """Các cơ quan trong sổ và kho số hóa / each agency name in the register and the archive.

    With who sohoa reads it as (its body and administrative unit) and its counts; the
    names sohoa could not place, then those it could place in several units, come first.
    Settle them in an [agencies] section of --map: "the name as written" = "the same
    body named so that sohoa can place it"; `sohoa register import --map` keeps it."""
    from sohoa.register import columns as register_columns
    from sohoa.search_api.auditing import agency_names

    named = register_columns.column_map(column_map).agencies if column_map else None
    found = agency_names(settings, named)
    _emit(found, fmt, output, AGENCY_COLUMNS, ("chưa có sổ và kho số hóa", "no register and no archive yet"))
    left = sum(r["state"] in ("unresolved", "ambiguous") for r in found)
    if left:
        click.echo(t(f"{left} tên chưa rõ là cơ quan nào hoặc có thể là nhiều nơi: ghi trong mục [agencies] của "
                     "--map rồi nhập lại sổ.", f"{left} names are not placed or could be several places: settle "
                     "them in an [agencies] section of --map and import the register again."), err=True)


@register.command("unmatched")
@_list_options
@click.pass_obj
def register_unmatched(settings: Settings, fmt: str, output: click.utils.LazyFile) -> None:
    """Hồ sơ số hóa không khớp mục nào của sổ / archived records that match no register entry."""
    from sohoa.search_api.auditing import reconciled

    with reconciled(settings) as (reg, done):
        rows = reg.unmatched(settings.ledger_path) if done is not None else []
    _emit(rows, fmt, output, UNMATCHED_COLUMNS,
          ("mọi hồ sơ số hóa đều được tính cho một mục của sổ" if done is not None else "chưa có kho số hóa (chạy "
           "`sohoa ingest` trước)", "every record counts for a register entry" if done is not None else "there is "
           "no archive yet (run `sohoa ingest` first)"))


@register.command("waiting")
@_list_options
@click.pass_obj
def register_waiting(settings: Settings, fmt: str, output: click.utils.LazyFile) -> None:
    """Các cặp chờ người xem / matches waiting for a person, with both sides."""
    from sohoa.search_api.auditing import reconciled

    with reconciled(settings) as (reg, done):
        rows = reg.waiting(settings.ledger_path) if done is not None else []
    _emit(rows, fmt, output, WAITING_COLUMNS, ("không có cặp nào chờ người xem", "no match is waiting for a person"))


def _decision(decision: str, verb_vi: str, verb_en: str) -> Callable:
    @click.argument("entry")
    @click.argument("record")
    @click.option("--note", help="Ghi chú / a note kept with the decision")
    @click.option("--both", is_flag=True, hidden=decision != "confirm",
                  help="Bản số hóa là kết quả của cả mục này lẫn mục đã xác nhận trước / the record is the result "
                       "of this entry and of the one it was confirmed to already")
    @click.pass_obj
    def command(settings: Settings, entry: str, record: str, note: str | None, both: bool) -> None:
        from sohoa.accounts.audit import AccessLog
        from sohoa.search_api.auditing import decide

        made = decide(settings, entry, record, decision, by=_operator(), note=note, both=both)
        entry_id, sha = made.entry_id, made.sha256
        if made.moved_from is not None:
            click.echo(t(f"Chú ý: hồ sơ này trước được khớp tự động với mục {made.moved_from}; giờ nó tính cho mục "
                         f"{entry_id}, và mục {made.moved_from} trở lại danh sách còn thiếu.",
                         f"Note: this record was matched to entry {made.moved_from} automatically; it now counts "
                         f"for entry {entry_id}, and entry {made.moved_from} is back among the missing."), err=True)
        with AccessLog(settings.home) as log:
            log.append(_operator(), "register_decision", {"entry": entry_id, "record": sha, "decision": decision,
                                                          "both": both, "note": note})
        click.echo(t(f"Đã {verb_vi}: mục {entry_id} của sổ và hồ sơ {sha[:16]}.",
                     f"{verb_en}: register entry {entry_id} and record {sha[:16]}."))

    return command


register.command("confirm", help="Xác nhận một cặp chờ / confirm a match waiting for a person. "
                 "ENTRY: the entry's id or dossier code; RECORD: the record's id (or a prefix).")(
    _decision("confirm", "xác nhận", "Confirmed"))
register.command("link", help="Ghép tay một mục với một hồ sơ / pair an entry and a record no step matched. "
                 "ENTRY: the entry's id or dossier code; RECORD: the record's id (or a prefix).")(
    _decision("confirm", "ghép", "Linked"))
register.command("reject", help="Bác một cặp / say an entry and a record are not the same result; "
                 "it is never proposed again.")(_decision("reject", "bác", "Rejected"))


