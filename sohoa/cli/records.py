"""The commands over records: search, show, correct, export, verify."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import click

from sohoa.cli.base import (
    _date,
    _operator,
    _with_trust,
    main,
    trust_options,
)
from sohoa.core.errors import ExitCode
from sohoa.core.i18n import language, t
from sohoa.core.settings import Settings
from sohoa.core.verdict import DOCUMENT_STATUSES


@main.command()
@click.argument("query", required=False, default="")
@click.option("--type", "doc_type", help="Loại văn bản / document type (accents optional)")
@click.option("--issuer", help="Cơ quan ban hành / issuing body (accents optional)")
@click.option("--from", "date_from", help="Ban hành từ ngày / issued on or after (YYYY-MM-DD)")
@click.option("--to", "date_to", help="Ban hành đến ngày / issued on or before (YYYY-MM-DD)")
@click.option("--validity", type=click.Choice(["valid", "expired", "unknown"]), help="Hiệu lực / validity")
@click.option("--level", type=click.Choice(["province", "district", "commune"]),
              help="Cấp cơ quan ban hành / the issuer's level")
@click.option("--signature", type=click.Choice([*DOCUMENT_STATUSES, "unchecked"]),
              help="Tình trạng chữ ký số / digital-signature status")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True, help="Trang kết quả / result page")
@click.option("--facets", is_flag=True, help="Đếm theo loại, cơ quan, năm, hiệu lực / "
                                             "counts by type, issuer, year and validity")
@click.option("--json", "as_json", is_flag=True, help="In JSON / print JSON")
@click.pass_obj
def search(settings: Settings, query: str, doc_type: str | None, issuer: str | None, date_from: str | None,
           date_to: str | None, validity: str | None, level: str | None, signature: str | None, limit: int,
           page: int, facets: bool, as_json: bool) -> None:
    """Tìm kiếm kho lưu trữ / search the archive (with or without accents, or by number)."""
    from sohoa.indexer.base import SearchQuery, open_index
    from sohoa.search_api.render import render_facets, render_text
    from sohoa.search_api.service import search as run_search

    index = open_index(settings)
    try:
        result = run_search(index, SearchQuery(
            text=query, doc_type=doc_type, issuer=issuer, date_from=_date(date_from), date_to=_date(date_to),
            validity=validity, level=level, signature=signature, today=settings.today, limit=limit,
            offset=(page - 1) * limit,
            facets=facets,
        ))
    finally:
        index.close()
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
        return
    if not result.hits:
        click.echo(t("Không tìm thấy văn bản nào.", "No documents found."))
        return
    click.echo(t(f"Tìm thấy {result.total} văn bản:", f"Found {result.total} documents:"))
    click.echo(render_text(result), nl=False)
    if result.facets:
        click.echo(render_facets(result.facets), nl=False)


@main.command()
@click.argument("record_id")
@click.option("--json", "as_json", is_flag=True, help="In JSON / print JSON")
@click.option("--layout", is_flag=True, help="Kèm vị trí dòng, từ và độ tin cậy OCR (JSON) / "
                                             "include OCR line and word boxes and confidences (JSON)")
@click.pass_obj
def show(settings: Settings, record_id: str, as_json: bool, layout: bool) -> None:
    """Xem đầy đủ một hồ sơ / print one record in full (id or a unique prefix)."""
    from sohoa.search_api.render import record_text
    from sohoa.search_api.service import show as show_record

    as_json = as_json or layout
    data = show_record(settings, record_id, with_layout=layout, lang="both" if as_json else language())
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    click.echo(record_text(data), nl=False)


@main.command()
@click.argument("record_id")
@click.argument("field")
@click.argument("value", required=False, default="")
@click.pass_obj
def correct(settings: Settings, record_id: str, field: str, value: str) -> None:
    """Sửa một trường như người đã xác nhận / set a field as a person confirmed it (no VALUE
    clears it): kept with who and when, preferred over OCR, kept by re-ingest and reindex."""

    from sohoa.accounts.audit import AccessLog
    from sohoa.indexer.base import open_index
    from sohoa.search_api.service import correct_field, show

    old = show(settings, record_id)["fields"].get(field)
    with contextlib.closing(open_index(settings)) as index:
        record = correct_field(settings, index, record_id, field, value, _operator())
    with AccessLog(settings.home) as log:
        log.append(_operator(), "correction", {"via": "cli", "record": record.id, "field": field, "old": old,
                                               "new": record.fields.get(field)})
    click.echo(t(f"Đã sửa {field} của hồ sơ {record.id[:16]}: {record.fields.get(field)!r}.",
                 f"Corrected {field} of record {record.id[:16]}: {record.fields.get(field)!r}."))


@main.command()
@click.argument("record_id")
@click.argument("pages")
@click.pass_obj
def split(settings: Settings, record_id: str, pages: str) -> None:
    """Sửa cách tách một tệp gồm nhiều kết quả / set where the results of a stack scanned as
    one file begin and end: PAGES as page ranges of the file (``1-4,5-6,7``; one range
    joins them all). Only the results whose pages changed are read again."""
    from sohoa.accounts.audit import AccessLog
    from sohoa.indexer.base import open_index
    from sohoa.search_api.service import split_stack

    with contextlib.closing(open_index(settings)) as index:
        done = split_stack(settings, index, record_id, pages, _operator())
    with AccessLog(settings.home) as log:
        log.append(_operator(), "split", {"via": "cli", "file": done.file, "ranges": [list(r) for r in done.ranges],
                                          "made": list(done.made), "gone": list(done.gone)})
    said = ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in done.ranges)
    click.echo(t(f"Tệp {done.file[:16]}: {len(done.ranges)} kết quả ({said}); đọc lại {len(done.made)}, giữ nguyên "
                 f"{len(done.kept)}, bỏ {len(done.gone)}.",
                 f"File {done.file[:16]}: {len(done.ranges)} results ({said}); read again {len(done.made)}, kept "
                 f"{len(done.kept)}, removed {len(done.gone)}."))


@main.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-",
              help="Tệp đầu ra / output file [stdout]")
@click.option("--with-layout", is_flag=True, help="JSONL: kèm vị trí dòng, từ và độ tin cậy OCR / "
                                                  "JSONL: include OCR line and word boxes and confidences")
@click.pass_obj
def export(settings: Settings, fmt: str, output: click.utils.LazyFile, with_layout: bool) -> None:
    """Xuất mọi hồ sơ, kể cả hồ sơ lỗi / export every record, failed ones included."""
    from sohoa.search_api.service import write_export

    count = write_export(settings, fmt, output, with_layout=with_layout)
    click.echo(t(f"Đã xuất {count} hồ sơ.", f"Exported {count} records."), err=True)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@trust_options
@click.option("--json", "as_json", is_flag=True, help="In JSON / print JSON: [{path, status, signatures}]")
@click.pass_obj
def verify(settings: Settings, files: tuple[Path, ...], trust: Path | None, online: bool, as_json: bool) -> None:
    """Kiểm tra chữ ký số mà không nạp / verify digital signatures without ingesting.

    Mã thoát 0 khi mọi tệp hợp lệ hoặc không ký, 1 nếu không / exit code 0 when every file
    is valid or unsigned, 1 otherwise.
    """
    from sohoa.search_api.render import verify_text
    from sohoa.search_api.service import verify_paths

    settings = _with_trust(settings, trust, online)
    results = verify_paths(list(files), settings)
    if as_json:
        click.echo(json.dumps(results, ensure_ascii=False, indent=1))
    else:
        click.echo(verify_text(results), nl=False)
    if any(item["status"] not in ("valid", "unsigned") for item in results):
        sys.exit(int(ExitCode.files_failed))


# ---------------------------------------------------------------- accounts and the access log

