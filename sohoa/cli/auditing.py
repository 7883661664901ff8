"""Progress against the register, its reports, and the access log (``sohoa progress``, ``report``, ``audit``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from sohoa.cli.base import (
    _date,
    main,
)
from sohoa.core.errors import ExitCode
from sohoa.core.i18n import t
from sohoa.core.settings import Settings
from sohoa.register.facts import STAGES
from sohoa.register.progress import BREAKDOWNS, FULL_POINTS_AT

_STAGES = click.Choice(STAGES)


@main.command()
@click.option("--by", type=click.Choice(list(BREAKDOWNS)), help="Chia theo / break down by")
@click.option("--as-of", "as_of", help="Ngày xét / the day counted [today]")
@click.option("--deadline", help="Hạn hoàn thành / the target day [2024-12-31]")
@click.option("--stage", type=_STAGES, default="signed", show_default=True,
              help="Bước tính tốc độ và dự báo (mục tiêu pháp lý: signed) / the stage pace and forecast follow")
@click.option("--successor", is_flag=True,
              help="Cơ quan cũ tính theo cơ quan kế thừa / legacy agencies under their successors (--by agency)")
@click.option("--agency", "agencies", multiple=True, help="Chỉ cơ quan này (lặp lại được) / only this agency")
@click.option("--service-index", "service_index", is_flag=True,
              help="Chỉ số số hóa hồ sơ (QĐ 766/QĐ-TTg) theo cơ quan và kỳ / the national service index's "
                   "digitisation indicators per agency and period (a flow of dossiers, not the stock)")
@click.option("--period", type=click.Choice(["month", "quarter", "year"]), default="quarter", show_default=True,
              help="Kỳ của --service-index / the period of --service-index")
@click.option("--json", "as_json", is_flag=True, help="JSON")
@click.pass_obj
def progress(settings: Settings, by: str | None, as_of: str | None, deadline: str | None, stage: str,
             successor: bool, agencies: tuple[str, ...], service_index: bool, period: str, as_json: bool) -> None:
    """Tiến độ số hóa kết quả còn hiệu lực / progress toward every still-valid result digitised.

    The register (`sohoa register import`) says what should be digitised; each result
    still valid on --as-of counts at each stage its records reached: scanned, extracted
    (number, date, issuer, type; holder for a person), verified (by a person or every
    key field read confidently), signed (a valid signed copy, or a validly signed
    original). The forecast follows the pace of the last 30 days."""
    from sohoa.register.progress import DEADLINE
    from sohoa.search_api import auditing
    from sohoa.search_api.render import progress_text

    auditing.require_register(settings)
    if agencies:
        auditing.known_agencies(settings, agencies)
    if service_index:
        from sohoa.search_api.render import service_index_text

        rows = auditing.service_index(settings, period=period, until=_date(as_of) or settings.today,
                                      agencies=agencies or None, successor=successor)
        if as_json:
            from sohoa.register.progress import index_total

            click.echo(json.dumps({"period": period, "until": (_date(as_of) or settings.today).isoformat(),
                                   "full_points_at": FULL_POINTS_AT, "rows": [r.to_json() for r in rows],
                                   "total": {m: x.to_json() for m, x in index_total(rows).items()}},
                                  ensure_ascii=False))
        else:
            click.echo(service_index_text(rows, period), nl=False)
        return
    found = auditing.progress(settings, by=by, as_of=_date(as_of) or settings.today,
                              deadline=_date(deadline) or DEADLINE, stage=stage, agencies=agencies or None,
                              successor=successor)
    if as_json:
        click.echo(json.dumps(found.to_json(), ensure_ascii=False))
    else:
        click.echo(progress_text(found), nl=False)
    for vi, en in found.warnings:
        click.echo(t(f"CHÚ Ý: {vi}", f"NOTE: {en}"), err=True)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["xlsx", "pdf"]),
              help="Định dạng (mặc định theo đuôi tệp) / the format [from the file's suffix]")
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              required=True, help="Tệp báo cáo / the report's file")
@click.option("--as-of", "as_of", help="Ngày xét / the day counted [today]")
@click.option("--deadline", help="Hạn hoàn thành / the target day [2024-12-31]")
@click.option("--stage", type=_STAGES, default="signed", show_default=True,
              help="Bước tính tốc độ và dự báo / the stage pace and forecast follow")
@click.option("--successor", is_flag=True, help="Cơ quan cũ tính theo cơ quan kế thừa / legacy agencies under "
                                                "their successors")
@click.option("--agency", "agencies", multiple=True, help="Chỉ cơ quan này (lặp lại được) / only this agency")
@click.pass_obj
def report(settings: Settings, fmt: str | None, output: Path, as_of: str | None, deadline: str | None, stage: str,
           successor: bool, agencies: tuple[str, ...]) -> None:
    """Báo cáo tiến độ số hóa (XLSX hoặc PDF) / the progress report a provincial office files.

    A summary with the charts, a sheet or section per breakdown (level, agency, procedure,
    year of issue), the national service index's indicators and the list of still-valid
    results not yet scanned; every figure with its as-of day and its definition."""
    from sohoa.register.progress import DEADLINE
    from sohoa.search_api import auditing
    from sohoa.search_api import report as reports

    auditing.require_register(settings)
    if agencies:
        auditing.known_agencies(settings, agencies)
    fmt = fmt or output.suffix.lower().lstrip(".")
    if fmt not in ("xlsx", "pdf"):
        raise click.BadParameter(t(f"không biết định dạng của {output.name}: dùng --format xlsx hoặc pdf",
                                   f"cannot tell the format of {output.name}: use --format xlsx or pdf"),
                                 param_hint="--format")
    found = auditing.overview(settings, as_of=_date(as_of) or settings.today, deadline=_date(deadline) or DEADLINE,
                              stage=stage, agencies=agencies or None, successor=successor)
    partial = output.with_name(f".{output.name}.part")
    try:
        (reports.write_xlsx if fmt == "xlsx" else reports.write_pdf)(found, partial)
        partial.replace(output)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise click.ClickException(t(f"Không ghi được báo cáo {output}: {exc.strerror or exc}. Kiểm tra thư mục và "
                                     "chỗ trống trên đĩa.",
                                     f"Could not write the report {output}: {exc.strerror or exc}. Check the "
                                     "folder and the free disk space.")) from exc
    p = found.province
    for vi, en in p.warnings:
        click.echo(t(f"CHÚ Ý: {vi}", f"NOTE: {en}"), err=True)
    vn = reports.num
    click.echo(t(f"Đã ghi {output} ({fmt.upper()}): ngày {p.as_of:%d/%m/%Y}, {vn(p.total.valid)} kết quả còn hiệu "
                 f"lực, {vn(p.total.signed)} đã ký số, {vn(len(found.missing))} chưa quét.",
                 f"Wrote {output} ({fmt.upper()}): as of {p.as_of.isoformat()}, {p.total.valid:,} still-valid "
                 f"results, {p.total.signed:,} signed, {len(found.missing):,} not yet scanned."))


@main.group()
def audit() -> None:
    """Nhật ký truy cập / the access log (append-only, hash-chained)."""


@audit.command("verify")
@click.pass_obj
def audit_verify(settings: Settings) -> None:
    """Kiểm tra nhật ký không bị sửa hay xóa / check that no entry was changed or deleted."""
    from sohoa.accounts.audit import AccessLog

    with AccessLog(settings.home) as log:
        result = log.verify()
    if not result.ok:
        click.echo(t(f"NHẬT KÝ BỊ THAY ĐỔI ở mục {result.broken_at}: {result.reason}. {result.entries} mục trước đó "
                     "còn nguyên.",
                     f"THE LOG WAS TAMPERED WITH at entry {result.broken_at}: {result.reason}. The {result.entries} "
                     "entries before it hold."), err=True)
        sys.exit(int(ExitCode.log_broken))
    click.echo(t(f"Nhật ký nguyên vẹn: {result.entries} mục; mã đầu chuỗi {result.head} (hãy lưu mã này ở nơi khác).",
                 f"The log holds: {result.entries} entries; head {result.head} (keep a copy of it elsewhere)."))


@audit.command("list")
@click.option("--since", type=click.IntRange(min=0), default=0, help="Sau mục số / after entry number")
@click.option("--limit", type=click.IntRange(min=1), default=None)
@click.option("--json", "as_json", is_flag=True, help="JSONL")
@click.pass_obj
def audit_list(settings: Settings, since: int, limit: int | None, as_json: bool) -> None:
    """Xem nhật ký / print the log, oldest first."""
    from sohoa.accounts.audit import AccessLog

    with AccessLog(settings.home) as log:
        for entry in log.entries(since=since, limit=limit):
            if as_json:
                click.echo(json.dumps(entry.to_json(), ensure_ascii=False))
            else:
                what = json.dumps(dict(entry.what), ensure_ascii=False)
                click.echo(f"{entry.seq}\t{entry.at}\t{entry.who}\t{entry.address or '-'}\t{entry.action}\t{what}")
