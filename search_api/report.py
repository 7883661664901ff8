"""The report a provincial office files (``sohoa report``): XLSX (openpyxl) or PDF
(reportlab), from one ``auditing.Overview``.

Both have a summary with the charts (``search_api.charts``, as PNG), one sheet or section
per breakdown (level, agency, procedure, year of issue), the national service index's
indicators, and the list of still-valid results not yet scanned. Every table says the day
its figures are counted on, and the definitions are written out beside them.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from pathlib import Path

from sohoa.core.i18n import t
from sohoa.core.validity import VIETNAM
from sohoa.register.facts import STAGES
from sohoa.register.progress import FULL_POINTS_AT, INDEX_MEASURES, PACE_DAYS, Progress, Row, index_total
from sohoa.search_api import charts
from sohoa.search_api.auditing import Overview
from sohoa.search_api.render import BREAKDOWN_WORDS, LEVEL_WORDS, PROGRESS_STATUS, STAGE_WORDS

Tr = Callable[[str, str], str]
PDF_MISSING_ROWS = 5000
"""The PDF lists this many results left to scan at most (the oldest first); the XLSX all."""
XLSX_MAX_ROWS = 1_048_575
INDEX_WORDS = {"electronic_result": ("có kết quả điện tử", "with an electronic result"),
               "dossier_digitised": ("hồ sơ được số hóa", "dossier digitised"),
               "reused": ("tái sử dụng dữ liệu số hóa", "reusing digitised data")}
SHEET_WORDS = {"level": ("Theo cấp", "By level"), "agency": ("Theo cơ quan", "By agency"),
               "procedure": ("Theo thủ tục", "By procedure"), "year": ("Theo năm ban hành", "By year of issue")}


def num(value: int | float, tr: Tr = t, *, percent: bool = False) -> str:
    """A figure as the reader's language writes it: ``1.525`` and ``80,5%`` in Vietnamese,
    ``1,525`` and ``80.5%`` in English."""
    english = f"{value:.1%}" if percent else f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"
    vietnamese = english.translate(str.maketrans({",": ".", ".": ","}))
    return tr(vietnamese, english)


def made_at(made: dt.datetime | None, tr: Tr = t) -> str:
    """When the report was made, in Vietnam's time (the figures' days are Vietnam's)."""
    made = (made or dt.datetime.now(dt.UTC)).astimezone(VIETNAM)
    return tr(f"{made:%d/%m/%Y %H:%M} (giờ Việt Nam)", f"{made:%Y-%m-%d %H:%M} (Vietnam time, UTC+7)")


def has_index(o: Overview) -> bool:
    """Whether the register carries what the service index counts (the dossier's flow:
    an electronic result, a digitised dossier, reuse): without it the section is left out."""
    return any(m.share is not None for m in index_total(o.index).values()) if o.index else False


def definitions(o: Overview, tr: Tr = t) -> list[str]:
    """What each figure counts, in the reader's language (the report's and the dashboard's)."""
    p = o.province
    return [
        tr(f"Phạm vi: các kết quả trong sổ theo dõi kết quả đã cấp còn hiệu lực ngày {p.as_of:%d/%m/%Y}: trạng thái "
           "“còn hiệu lực”, ban hành đến ngày đó, và ngày hết hiệu lực (theo sổ, nếu sổ không ghi thì theo bản số hóa) "
           "không trước ngày đó.",
           f"Scope: the results in the register of issued results still valid on {p.as_of.isoformat()}: status "
           "“còn hiệu lực”, issued by then, and an end of validity (the register's, else the digitised record's) "
           "not before it."),
        tr("Đã quét: có bản số hóa khớp với kết quả (tự động hoặc do người xác nhận).",
           "Scanned: a digitised record matches the result (automatically or confirmed by a person)."),
        tr("Đã trích xuất: đọc được số, ngày ban hành, cơ quan ban hành và loại văn bản (và người được cấp, với "
           "loại văn bản cấp cho một người).",
           "Extracted: its number, issue date, issuer and type were read (and the holder, for a type about a person)."),
        tr("Đã xác minh: mỗi trường trên do người xác nhận hoặc đọc với độ tin cậy từ 0,8.",
           "Verified: each of those fields confirmed by a person or read with a confidence of at least 0.8."),
        tr("Đã ký số: có bản sao điện tử ký số hợp lệ, hoặc bản gốc mang chữ ký số hợp lệ. Đây là mục tiêu pháp lý.",
           "Signed: a valid signed copy exists, or the original carries a valid signature. This is the legal target."),
        tr(f"Tốc độ: số kết quả đạt bước “{STAGE_WORDS[p.stage][0]}” trong {PACE_DAYS} ngày qua; dự kiến xong: ngày "
           f"làm xong phần còn lại theo tốc độ đó. Hạn: {p.deadline:%d/%m/%Y}. Tình trạng: xong; kịp hạn (dự kiến "
           "xong trước hạn); chậm (sau hạn, hoặc không có tiến triển); quá hạn (đã qua hạn mà còn thiếu).",
           f"Pace: the results that reached “{p.stage}” in the last {PACE_DAYS} days; forecast: the day the rest is "
           f"done at that pace. Deadline: {p.deadline.isoformat()}. Status: done; on track (forecast by the "
           "deadline); late (after it, or no progress); overdue (the deadline passed with results left)."),
    ] + ([
        tr(f"Chỉ số phục vụ (Quyết định 766/QĐ-TTg): trong các hồ sơ tiếp nhận trong kỳ (theo ngày tiếp nhận, nếu sổ "
           "không ghi thì ngày ban hành), tỷ lệ có kết quả điện tử, tỷ lệ được số hóa, tỷ lệ tái sử dụng dữ liệu số "
           f"hóa; đạt đủ điểm từ {FULL_POINTS_AT:.0%}, dưới đó tính theo tỷ lệ. Các chỉ số này đo luồng hồ sơ "
           "trong kỳ, không đo kho kết quả còn hiệu lực như các số liệu trên.",
           "Service index (Decision 766/QĐ-TTg): of the dossiers received in a period (by the day received, else the "
           "day the result was issued), the share with an electronic result, the share digitised, the share reusing "
           f"digitised data; full points from {FULL_POINTS_AT:.0%}, pro rata below. These measure the flow of "
           "dossiers in a period, not the stock of still-valid results the figures above count."),
    ] if has_index(o) else []) + ([tr("Cơ quan cũ được tính theo cơ quan kế thừa (sáp nhập tỉnh năm 2025).",
             "Legacy agencies are counted under their successors (the provinces merged in 2025).")]
         if o.successor else []) + ([tr(f"Chỉ gồm các cơ quan: {', '.join(o.agencies)}.",
                                       f"Only these agencies: {', '.join(o.agencies)}.")] if o.agencies else [])


def key_label(by: str | None, key: str, tr: Tr = t) -> str:
    if by is None:
        return tr(*BREAKDOWN_WORDS[None])
    if by == "level" and key in LEVEL_WORDS:
        return tr(*LEVEL_WORDS[key])
    return key


def table(p: Progress, tr: Tr = t) -> tuple[list[str], list[list[object]]]:
    """A breakdown as a header and rows (the province's total last), for any report."""
    head = [tr(*BREAKDOWN_WORDS[p.by]), tr("còn hiệu lực", "valid"), *(tr(*STAGE_WORDS[s]) for s in STAGES),
            *(f"% {tr(*STAGE_WORDS[s])}" for s in STAGES), tr("kết quả/ngày (30 ngày)", "per day (30 days)"),
            tr("dự kiến xong", "forecast"), tr("tình trạng", "status")]

    def line(r: Row, label: str) -> list[object]:
        return [label, r.valid, *(getattr(r, s) for s in STAGES),
                *((getattr(r, s) / r.valid if r.valid else None) for s in STAGES), round(r.pace, 2),
                r.forecast or "", tr(*PROGRESS_STATUS[r.status])]

    rows = [line(r, key_label(p.by, r.key, tr)) for r in p.rows] if p.by else []
    rows.append(line(p.total, tr(*BREAKDOWN_WORDS[None])))
    return head, rows


def index_table(o: Overview, tr: Tr = t) -> tuple[list[str], list[list[object]]]:
    head = [tr("Cơ quan", "Agency"), tr("Kỳ", "Period"), tr("hồ sơ", "dossiers")]
    for m in INDEX_MEASURES:
        head += [f"% {tr(*INDEX_WORDS[m])}", tr("điểm (phần của điểm tối đa)", "points (share of full)")]
    rows: list[list[object]] = []
    for r in [*o.index, None]:
        measures = index_total(o.index) if r is None else r.measures
        line: list[object] = ([tr("Tổng", "Total"), "", sum(x.dossiers for x in o.index)] if r is None
                              else [r.agency, r.period, r.dossiers])
        for m in INDEX_MEASURES:
            line += [measures[m].share, measures[m].points]
        rows.append(line)
    return head, rows


MISSING_COLUMNS = (("dossier", "Mã hồ sơ", "Dossier code"), ("agency", "Cơ quan ban hành", "Issuing agency"),
                   ("level", "Cấp", "Level"), ("procedure", "Thủ tục", "Procedure"),
                   ("number", "Số kết quả", "Number"), ("issued", "Ngày ban hành", "Issued"),
                   ("holder", "Người được cấp", "Holder"), ("valid_until", "Hiệu lực đến", "Valid until"))


def missing_table(rows: Sequence[dict[str, object]], tr: Tr = t) -> tuple[list[str], list[list[object]]]:
    def cell(row: dict[str, object], name: str) -> object:
        if name == "level":
            return tr(*LEVEL_WORDS[str(row["level"])]) if row.get("level") in LEVEL_WORDS else row.get("level") or ""
        if name == "procedure":
            return " ".join(str(v) for v in (row.get("procedure_code"), row.get("procedure_name")) if v)
        return row.get(name) or ""

    return ([tr(vi, en) for _, vi, en in MISSING_COLUMNS], [[cell(row, name) for name, _, _ in MISSING_COLUMNS]
                                                              for row in rows])


def chart_images(o: Overview, tr: Tr = t, per_chart: int = charts.MAX_BARS) -> list[tuple[str, bytes]]:
    """The summary's charts as PNG, each with its caption; the agency charts ``per_chart``
    rows each (the ``charts.MAX_BARS`` lowest shares, the heat map's agencies with most left)."""
    level = o.breakdowns.get("level", o.province)
    agency = o.breakdowns.get("agency")
    out = [(tr("Theo cấp", "By level"), charts.image(charts.coverage(level, lambda k: key_label("level", k, tr), tr),
                                                     "png")),
           (tr("Tiến độ và dự kiến", "Progress and forecast"),
            charts.image(charts.cumulative(o.weeks, o.province, tr), "png"))]

    def parts(items: list, caption: str) -> list[tuple[str, list]]:
        chunks = [items[i:i + per_chart] for i in range(0, len(items), per_chart)] or [[]]
        return [(caption + (f" ({i + 1}/{len(chunks)})" if len(chunks) > 1 else ""), c) for i, c in enumerate(chunks)]

    if agency is not None:
        for caption, rows in parts(charts.lowest(agency), tr("Theo cơ quan", "By agency")):
            out.append((caption, charts.image(charts.coverage(agency, tr=tr, rows=rows), "png")))
    for caption, names in parts(charts.heat_rows(o.cells), tr("Cơ quan × năm", "Agency × year")):
        out.append((caption, charts.image(charts.heatmap(o.cells, o.province, tr, names), "png")))
    return out


def title(o: Overview, tr: Tr = t) -> str:
    p = o.province
    return tr(f"Tiến độ số hóa kết quả giải quyết thủ tục hành chính còn hiệu lực, ngày {p.as_of:%d/%m/%Y}",
              f"Digitisation of still-valid procedure results, as of {p.as_of.isoformat()}")


# ------------------------------------------------------------------------------- XLSX

def write_xlsx(o: Overview, path: Path, tr: Tr = t, *, made: dt.datetime | None = None) -> None:
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    summary = book.active
    summary.title = tr("Tổng hợp", "Summary")
    bold = Font(bold=True)
    summary.append([title(o, tr)])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([tr("Ngày tính số liệu", "Figures as of"), tr(f"{o.province.as_of:%d/%m/%Y}",
                                                                   o.province.as_of.isoformat())])
    summary.append([tr("Hạn hoàn thành", "Deadline"), tr(f"{o.province.deadline:%d/%m/%Y}",
                                                         o.province.deadline.isoformat())])
    summary.append([tr("Lập lúc", "Made at"), made_at(made, tr)])
    for vi, en in o.province.warnings:
        summary.append([tr(f"CHÚ Ý: {vi}", f"NOTE: {en}")])
        summary.cell(summary.max_row, 1).font = bold
    summary.append([])
    head, rows = table(o.province, tr)
    start = summary.max_row + 1
    _append(summary, head, rows, bold)
    summary.append([])
    for text in definitions(o, tr):
        summary.append([text])
        summary.cell(summary.max_row, 1).alignment = Alignment(wrap_text=False)
    row = summary.max_row + 2
    for caption, png in chart_images(o, tr):
        summary.cell(row, 1, caption).font = bold
        picture = Image(io.BytesIO(png))
        picture.width, picture.height = picture.width * 0.5, picture.height * 0.5  # 150 dpi drawn at 75
        summary.add_image(picture, f"A{row + 1}")
        row += 2 + int(picture.height / 20) + 1
    _percent(summary, start + 1, start + len(rows), first=7, last=10)
    summary.column_dimensions["A"].width = 28

    for by, p in o.breakdowns.items():
        sheet = book.create_sheet(tr(*SHEET_WORDS[by]))
        sheet.append([tr(f"Số liệu ngày {p.as_of:%d/%m/%Y}; định nghĩa: trang “Tổng hợp”.",
                         f"Figures as of {p.as_of.isoformat()}; definitions on the “Summary” sheet.")])
        head, rows = table(p, tr)
        _append(sheet, head, rows, bold)
        _percent(sheet, 3, 2 + len(rows), first=7, last=10)
        sheet.column_dimensions["A"].width = 40
        sheet.freeze_panes = "B3"

    if has_index(o):  # only when the register carries the dossiers' flow
        sheet = book.create_sheet(tr("Chỉ số 766", "Index 766"))
        sheet.append([tr("Chỉ số số hóa hồ sơ (Quyết định 766/QĐ-TTg) theo cơ quan và quý: đo luồng hồ sơ tiếp "
                         "nhận trong kỳ, không phải kho kết quả còn hiệu lực.",
                         "Digitisation indicators of the service index (Decision 766/QĐ-TTg) per agency and quarter: "
                         "a flow of dossiers received in the period, not the stock of still-valid results.")])
        head, rows = index_table(o, tr)
        _append(sheet, head, rows, bold)
        _percent(sheet, 3, 2 + len(rows), first=4, last=len(head))
        sheet.column_dimensions["A"].width = 40
        sheet.freeze_panes = "C3"

    sheet = book.create_sheet(tr("Còn thiếu", "Missing"))
    listed = o.missing[:XLSX_MAX_ROWS - 2]
    left = num(len(o.missing), tr)
    sheet.append([tr(f"Kết quả còn hiệu lực ngày {o.province.as_of:%d/%m/%Y} chưa được quét: {left}"
                     + (f" (liệt kê {num(len(listed), tr)} mục đầu)" if len(listed) < len(o.missing) else ""),
                     f"Results still valid on {o.province.as_of.isoformat()} not yet scanned: {left}"
                     + (f" (the first {num(len(listed), tr)} listed)" if len(listed) < len(o.missing) else ""))])
    if listed:
        head, rows = missing_table(listed, tr)
        _append(sheet, head, rows, bold)
        sheet.freeze_panes = "A3"
    else:
        sheet.append([tr("Không còn kết quả nào chưa được quét.", "No result is left to scan.")])
    for i, width in enumerate((22, 40, 10, 40, 18, 12, 28, 12), start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width

    sheet = book.create_sheet(tr("Định nghĩa", "Definitions"))
    for text in definitions(o, tr):
        sheet.append([text])
    sheet.column_dimensions["A"].width = 160
    book.properties.title = title(o, tr)
    book.properties.creator = "sohoa"
    book.save(path)


def _append(sheet, head: list[str], rows: list[list[object]], bold) -> None:  # type: ignore[no-untyped-def]
    sheet.append(head)
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for row in rows:
        sheet.append(row)


def _percent(sheet, first_row: int, last_row: int, *, first: int, last: int) -> None:  # type: ignore[no-untyped-def]
    """Share columns (1-based ``first``..``last``) shown as percentages."""
    for row in sheet.iter_rows(min_row=first_row, max_row=last_row, min_col=first, max_col=last):
        for cell in row:
            if isinstance(cell.value, float):
                cell.number_format = "0.0%"


# -------------------------------------------------------------------------------- PDF

def _font() -> tuple[str, str]:
    """DejaVu Sans, which matplotlib carries (every Vietnamese letter), registered with reportlab."""
    import matplotlib
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    if "SohoaSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("SohoaSans", str(fonts / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont("SohoaSans-Bold", str(fonts / "DejaVuSans-Bold.ttf")))
    return "SohoaSans", "SohoaSans-Bold"


def write_pdf(o: Overview, path: Path, tr: Tr = t, *, made: dt.datetime | None = None) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import Image, LongTable, PageBreak, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    regular, bold = _font()
    body = ParagraphStyle("body", fontName=regular, fontSize=8.5, leading=11)
    small = ParagraphStyle("small", fontName=regular, fontSize=7, leading=8.5)
    heading = ParagraphStyle("heading", fontName=bold, fontSize=12, leading=15, spaceBefore=6, spaceAfter=4)
    big = ParagraphStyle("title", fontName=bold, fontSize=15, leading=19, spaceAfter=6)
    page = landscape(A4)
    width = page[0] - 3 * cm
    as_of = o.province.as_of

    def grid(head: list[str], rows: list[list[object]], percent: range, widths: list[float] | None = None):  # type: ignore[no-untyped-def]
        cells = [[Paragraph(h, small) for h in head]]
        for row in rows:
            cells.append([Paragraph(_cell(v, i in percent, tr), small) for i, v in enumerate(row)])
        out = LongTable(cells, repeatRows=1, colWidths=widths, hAlign="LEFT")
        out.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                                 ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#deebf7")),
                                 ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return out

    story: list = [Paragraph(title(o, tr), big),
                   Paragraph(tr(f"Số liệu ngày {as_of:%d/%m/%Y}; hạn {o.province.deadline:%d/%m/%Y}; lập lúc "
                                f"{made_at(made, tr)} bởi sohoa.",
                                f"Figures as of {as_of.isoformat()}; deadline {o.province.deadline.isoformat()}; made "
                                f"{made_at(made, tr)} by sohoa."), body), Spacer(1, 4)]
    story += [Paragraph(tr(f"<b>CHÚ Ý:</b> {vi}", f"<b>NOTE:</b> {en}"), body) for vi, en in o.province.warnings]
    head, rows = table(o.province, tr)
    story.append(grid(head, rows, range(6, 10)))
    story.append(Spacer(1, 6))
    story += [Paragraph(text, body) for text in definitions(o, tr)]
    for caption, png in chart_images(o, tr, per_chart=20):
        picture = Image(io.BytesIO(png))
        scale = min(width / picture.imageWidth, (page[1] - 4.5 * cm) / picture.imageHeight)
        picture.drawWidth, picture.drawHeight = picture.imageWidth * scale, picture.imageHeight * scale
        story += [PageBreak(), Paragraph(caption, heading), picture]
    for by, p in o.breakdowns.items():
        head, rows = table(p, tr)
        story += [PageBreak(), Paragraph(f"{tr(*SHEET_WORDS[by])} · {tr('ngày', 'as of')} {as_of:%d/%m/%Y}", heading),
                  grid(head, rows, range(6, 10), [6 * cm] + [(width - 6 * cm) / (len(head) - 1)] * (len(head) - 1))]
    if has_index(o):  # only when the register carries the dossiers' flow
        head, rows = index_table(o, tr)
        story += [PageBreak(), Paragraph(tr("Chỉ số số hóa hồ sơ (Quyết định 766/QĐ-TTg)",
                                            "Digitisation indicators of the service index (Decision 766/QĐ-TTg)"),
                                         heading),
                  Paragraph(definitions(o, tr)[6], body), Spacer(1, 4),
                  grid(head, rows, range(3, len(head)), [6 * cm, 2 * cm] + [(width - 8 * cm) / (len(head) - 2)]
                       * (len(head) - 2))]
    listed = o.missing[:PDF_MISSING_ROWS]
    left = num(len(o.missing), tr)
    story += [PageBreak(), Paragraph(tr(f"Còn thiếu: kết quả còn hiệu lực ngày {as_of:%d/%m/%Y} chưa được quét "
                                        f"({left})", f"Missing: results still valid on {as_of.isoformat()} "
                                        f"not yet scanned ({left})"), heading)]
    if len(listed) < len(o.missing):
        story.append(Paragraph(tr(f"Liệt kê {num(len(listed), tr)} mục cũ nhất; danh sách đủ ở bản XLSX hoặc "
                                  "`sohoa register missing`.",
                                  f"The {num(len(listed), tr)} oldest are listed; the full list is in the XLSX report "
                                  "or `sohoa register missing`."), body))
    if listed:
        head, rows = missing_table(listed, tr)
        story.append(grid(head, rows, range(0), [3.5 * cm, 5.2 * cm, 1.9 * cm, 5.5 * cm, 2.6 * cm, 2 * cm, 4 * cm,
                                                  2 * cm]))
    else:
        story.append(Paragraph(tr("Không còn kết quả nào chưa được quét.", "No result is left to scan."), body))

    def footer(canvas, doc) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont(regular, 7)
        canvas.drawString(1.5 * cm, 0.8 * cm, tr(f"sohoa · số liệu ngày {as_of:%d/%m/%Y} · trang {doc.page}",
                                                 f"sohoa · figures as of {as_of.isoformat()} · page {doc.page}"))
        canvas.restoreState()

    doc = SimpleDocTemplate(str(path), pagesize=page, leftMargin=1.5 * cm, rightMargin=1.5 * cm, topMargin=1.5 * cm,
                            bottomMargin=1.5 * cm, title=title(o, tr), author="sohoa", subject=definitions(o, tr)[0])
    doc.build(story, onFirstPage=footer, onLaterPages=footer)


def _cell(value: object, percent: bool, tr: Tr = t) -> str:
    from xml.sax.saxutils import escape

    if value is None:
        return "-"
    if percent and isinstance(value, float):
        return num(value, tr, percent=True)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return num(value, tr)
    return escape(str(value))
