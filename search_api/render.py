"""What the commands print on a terminal: search hits, facets, a record, signature
verdicts, and the report of each command that changes the archive.

Each renderer returns text (or lines marked for standard error); the CLI only echoes it
and chooses the exit code. Vietnamese by default, English with ``SOHOA_LANG=en``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from sohoa.core.i18n import shown, t
from sohoa.core.model import validity_message
from sohoa.core.paths import readable
from sohoa.indexer.base import SearchResult
from sohoa.ingest.maintenance import Reverified
from sohoa.ingest.run import Summary
from sohoa.register.progress import IndexRow, Measure, Progress, Row, index_total
from sohoa.register.rows import RowError
from sohoa.register.store import ImportReport, Reconciled


class Said(NamedTuple):
    """One line of a report, and whether it goes to standard error (a failure, a warning)."""

    text: str
    error: bool = False


REASONS = {
    "hidden": ("tệp ẩn", "hidden"),
    "temporary": ("tệp tạm", "temporary"),
    "not_a_scan": ("không phải PDF/TIFF/JPEG/PNG", "not PDF/TIFF/JPEG/PNG"),
    "being_written": ("đang được ghi, hãy chạy lại sau", "still being written, run again later"),
    "unreadable": ("không đọc được", "unreadable"),
    "broken_link": ("liên kết hỏng", "broken link"),
    "outside_roots": ("liên kết ra ngoài thư mục được phép", "link outside the allowed folders"),
}
"""Why discovery skipped a file (``ingest.discover.Skipped.reason``)."""

JOB_STATUS = {
    "queued": ("đang xếp hàng, chờ các lượt nạp trước", "queued behind earlier ingests"),
    "waiting": ("đang đợi một lần nạp khác (chạy từ dòng lệnh) xong",
                "waiting for another ingest (from the command line) to finish"),
    "running": ("đang chạy", "running"),
    "done": ("đã xong", "finished"),
    "failed": ("đã dừng vì lỗi: xem báo cáo bên dưới", "stopped by an error: see the report below"),
}
"""Where an ingest started from the web stands (``search_api.jobs.STATUSES``)."""


SIGNATURE_LABELS = {
    "valid": ("chữ ký số hợp lệ", "signature valid"),
    "valid_untrusted": ("chữ ký chưa xác minh nguồn", "signature untrusted"),
    "invalid": ("CHỮ KÝ SAI", "SIGNATURE INVALID"),
    "modified": ("SỬA SAU KHI KÝ", "MODIFIED AFTER SIGNING"),
    "expired": ("chứng thư hết hạn lúc ký", "certificate expired at signing"),
    "revoked": ("CHỨNG THƯ BỊ THU HỒI", "CERTIFICATE REVOKED"),
    "unknown_revocation": ("chưa rõ thu hồi", "revocation unknown"),
    "error": ("không đọc được chữ ký", "signature unreadable"),
    "unsigned": ("không có chữ ký số", "unsigned"),
    "unchecked": ("chưa kiểm tra chữ ký", "signature not checked"),
}

VALIDITY_LABELS = {
    "valid": ("còn hiệu lực", "valid"),
    "expired": ("hết hiệu lực", "expired"),
    "unknown": ("chưa rõ hiệu lực", "validity unknown"),
}


def render_text(result: SearchResult) -> str:
    """Human-readable hits for a terminal."""
    buf = io.StringIO()
    for n, hit in enumerate(result.hits, start=1):
        f = hit.fields
        title = " · ".join(str(v) for v in (f.get("doc_type"), f.get("number"), f.get("issue_date")) if v)
        vi, en = VALIDITY_LABELS.get(hit.validity, (hit.validity, hit.validity))
        sig_vi, sig_en = SIGNATURE_LABELS.get(hit.signature, (hit.signature, hit.signature))
        buf.write(f"{n}. {title or t('(không rõ loại)', '(unknown type)')}  [{t(vi, en)}; {t(sig_vi, sig_en)}]  "
                  f"{hit.id[:12]}\n")
        if f.get("issuer"):
            buf.write(f"   {f['issuer']}\n")
        if f.get("subject"):
            buf.write(f"   {f['subject']}\n")
        buf.write(f"   {hit.path}\n")
        if hit.snippet:
            buf.write("   " + hit.snippet.replace("<mark>", "\033[1m").replace("</mark>", "\033[0m") + "\n")
    return buf.getvalue()


LEVEL_LABELS = {"province": ("cấp tỉnh", "province"), "district": ("cấp huyện", "district"),
                "commune": ("cấp xã", "commune")}

FIELD_LABELS = {
    "doc_type": ("Loại văn bản", "Type"), "number": ("Số, ký hiệu", "Number"),
    "issue_date": ("Ngày ban hành", "Issue date"), "signed_on": ("Ngày ký số", "Signed on"),
    "issuer": ("Cơ quan ban hành", "Issuer"), "issuer_parent": ("Cơ quan chủ quản", "Parent agency"),
    "issuer_level": ("Cấp", "Level"),
    "issuer_successor": ("Cơ quan kế thừa (từ 1/7/2025)", "Successor (from 1 July 2025)"),
    "place": ("Địa danh", "Place"), "subject": ("Trích yếu", "Subject"),
    "signer_title": ("Chức vụ người ký", "Signer's title"), "signed_for": ("Ký thay / thay mặt", "Signed for"),
    "signer_name": ("Người ký", "Signer"), "holder_name": ("Người được cấp", "Holder"),
    "holder_id": ("Số định danh", "Personal ID"), "valid_until": ("Hiệu lực đến", "Valid until"),
}
"""The fields of a record, as the pages name them."""
ACTION_WORDS = {
    "sign_in": ("đăng nhập", "signed in"), "sign_in_failed": ("đăng nhập sai", "sign-in failed"),
    "sign_in_refused": ("đăng nhập bị chặn", "sign-in refused"), "sign_out": ("đăng xuất", "signed out"),
    "session_open": ("mở phiên", "session opened"), "session_end": ("đóng phiên", "session ended"),
    "sessions_end": ("đóng mọi phiên", "all sessions ended"), "token_issue": ("cấp mã truy cập", "token issued"),
    "token_revoke": ("thu hồi mã truy cập", "token revoked"),
    "second_factor_on": ("bật mã một lần", "one-time codes on"),
    "second_factor_off": ("tắt mã một lần", "one-time codes off"), "user_add": ("thêm tài khoản", "account added"),
    "user_access": ("đổi quyền", "access changed"), "user_disable": ("khóa tài khoản", "account disabled"),
    "user_enable": ("mở khóa tài khoản", "account enabled"), "user_password": ("đặt lại mật khẩu", "password reset"),
    "search": ("tìm kiếm", "search"), "search_refused": ("tìm kiếm bị từ chối", "search refused"),
    "record_view": ("xem hồ sơ", "record viewed"), "page_image": ("xem ảnh trang", "page image viewed"),
    "download": ("tải tệp", "download"), "export": ("xuất dữ liệu", "export"),
    "verify": ("kiểm tra chữ ký", "verify"),
    "correction": ("sửa trường", "correction"), "review_queue": ("xem danh sách cần kiểm tra", "review queue"),
    "ingest_start": ("bắt đầu nạp", "ingest started"), "ingest_upload": ("tải bản quét lên", "scans uploaded"),
    "progress": ("xem tiến độ", "progress viewed"), "progress_list": ("xem danh sách tiến độ", "progress list"),
    "progress_report": ("tải báo cáo tiến độ", "progress report"),
    "register_import": ("nhập sổ", "register imported"),
    "register_undo": ("hoàn tác nhập sổ", "register import undone"),
    "register_decision": ("quyết định ghép sổ", "register decision"),
    "audit_read": ("xem nhật ký", "access log read"), "audit_export": ("xuất nhật ký", "access log exported"),
}
"""What each action of the access log is, as the audit page says it."""
FACET_LABELS = {"doc_type": ("Loại văn bản", "Type"), "issuer": ("Cơ quan ban hành", "Issuer"),
                "level": ("Cấp", "Level"), "year": ("Năm ban hành", "Year of issue"),
                "validity": ("Hiệu lực", "Validity"), "signature": ("Chữ ký số", "Digital signature")}


def render_facets(facets: dict[str, dict[str, int]]) -> str:
    """Facet counts for a terminal, one block per facet."""
    buf = io.StringIO()
    for name, counts in facets.items():
        if not counts:
            continue
        buf.write(t(*FACET_LABELS.get(name, (name, name))) + ":\n")
        for key, count in counts.items():
            labels = {"validity": VALIDITY_LABELS, "signature": SIGNATURE_LABELS, "level": LEVEL_LABELS}.get(name, {})
            label = t(*labels[key]) if key in labels else key
            buf.write(f"   {count:>7}  {label}\n")
    return buf.getvalue()


def render_signature(sig: dict[str, Any]) -> str:
    """One signature on one line, then its message, for a terminal."""
    signer = sig.get("signer") or {}
    who = ", ".join(v for v in (signer.get("cn"), signer.get("o")) if v) or "?"
    when = sig.get("timestamp_time") or sig.get("signing_time") or "?"
    weak = f" [{', '.join(sig['weak_algorithms'])}]" if sig.get("weak_algorithms") else ""
    head = f"{sig['status']}: {who} ({sig.get('sub_filter') or '?'}, {when}){weak}"
    return head + "\n    " + t(sig.get("message_vi", ""), sig.get("message_en", ""))


def ingest_report(summary: Summary) -> Iterator[Said]:
    """What an ingest did, and each failure with its reason, for the clerk to act on."""
    yield Said(t(
        f"Đã xử lý: {summary.processed} tệp ({summary.pages} trang); đã có từ trước: {summary.already_known}; "
        f"lỗi: {len(summary.failed)}.",
        f"Processed: {summary.processed} files ({summary.pages} pages); already known: {summary.already_known}; "
        f"failed: {len(summary.failed)}.",
    ))
    if summary.stacks:
        results = summary.processed + sum(n - 1 for _, n in summary.stacks)
        files = f"{summary.processed} file" + ("s" if summary.processed != 1 else "")
        yield Said(t(f"{summary.processed} tệp, {results} kết quả: {len(summary.stacks)} tệp là một chồng nhiều kết "
                     "quả quét chung, đã tách (sửa chỗ tách ở trang hồ sơ hoặc bằng `sohoa split`):",
                     f"{files}, {results} results: {len(summary.stacks)} of them stacks of results scanned as one, "
                     "split (correct a split on the record page or with `sohoa split`):"))
        for path, n in summary.stacks:
            yield Said(t(f"  {readable(path)}: {n} kết quả", f"  {readable(path)}: {n} results"))
    if summary.retried:
        yield Said(t(f"Đã xử lý lại {summary.retried} tệp từng lỗi vì lý do của máy.",
                     f"Read again {summary.retried} files that had failed for a reason of the machine."))
    if summary.copies or summary.copy_errors:
        yield Said(t(f"Bản sao có ký số (SAO Y): {summary.copies} tạo được, {len(summary.copy_errors)} lỗi.",
                     f"Signed copies (SAO Y): {summary.copies} made, {len(summary.copy_errors)} failed."))
    for path, reason in summary.copy_errors:
        yield Said(t("LỖI BẢN SAO ", "COPY FAILED ") + f"{readable(path)}: {shown(reason)}", error=True)
    if summary.recovered:
        yield Said(t(f"Đã đưa vào chỉ mục {summary.recovered} hồ sơ còn dở từ lần chạy trước.",
                     f"Indexed {summary.recovered} records left over from an interrupted run."))
    for reason, count in sorted(summary.skipped.items()):
        if reason in ("unreadable", "broken_link", "outside_roots"):
            continue  # listed below as failed, one by one
        vi, en = REASONS.get(reason, (reason, reason))
        example = readable(summary.skipped_examples[reason])
        yield Said(t(f"Bỏ qua {count} tệp ({vi}), ví dụ: {example}", f"Skipped {count} files ({en}), e.g. {example}"))
    for path, reason in summary.failed:
        yield Said(t("LỖI ", "FAILED ") + f"{readable(path)}: {shown(reason)}", error=True)
    if summary.retryable:
        yield Said(t(
            f"{summary.retryable} tệp trong số đó lỗi từ lần trước vì lý do của máy, không phải của tệp: "
            "chạy lại với --retry-failed để xử lý lại.",
            f"{summary.retryable} of them failed earlier for a reason of the machine, not of the file: run again "
            "with --retry-failed to read them again."), error=True)
    if summary.earlier_target:
        yield Said(t(
            f"LƯU Ý: các hồ sơ trước đây của sổ theo dõi này nằm trong chỉ mục {summary.earlier_target}, lần này "
            "ghi vào chỉ mục khác. Chạy `sohoa reindex` (với cùng --es-url) để chỉ mục này có đủ mọi hồ sơ.",
            f"NOTE: this ledger's earlier records are in the index {summary.earlier_target}; this run wrote to "
            "another one. Run `sohoa reindex` (with the same --es-url) so that this index holds every record.",
        ), error=True)
    if summary.index_pending:
        yield Said(t(
            f"CHỜ CHỈ MỤC: {summary.index_pending} hồ sơ đã xử lý và lưu trong sổ theo dõi nhưng chưa vào chỉ mục. "
            "Chúng sẽ được gửi ở lần chạy sau, hoặc chạy `sohoa index --retry`.",
            f"PENDING INDEX: {summary.index_pending} records are processed and saved in the ledger but not yet "
            "in the index. They go out on the next run, or run `sohoa index --retry`.",
        ), error=True)
        if summary.index_error:
            yield Said(summary.index_error, error=True)


REGISTER_ERRORS_SHOWN = 50


def register_import_report(report: ImportReport) -> Iterator[Said]:
    """What an import of a register file did, and each bad row with its number and reason."""
    yield Said(t(
        f"{report.file}: {report.rows} dòng; thêm {report.added}, cập nhật {report.changed}, không đổi "
        f"{report.unchanged}, bị từ chối {report.rejected} (lần nhập số {report.id}).",
        f"{report.file}: {report.rows} rows; added {report.added}, changed {report.changed}, unchanged "
        f"{report.unchanged}, rejected {report.rejected} (import {report.id})."))
    for vi, en in report.warnings:
        yield Said(t(f"Cảnh báo: {vi}.", f"Warning: {en}."), error=True)
    yield from register_rejects(report.errors[:REGISTER_ERRORS_SHOWN])
    more = len(report.errors) - REGISTER_ERRORS_SHOWN
    if more > 0:
        yield Said(t(f"... và {more} dòng lỗi nữa: `sohoa register rejects {report.id}` liệt kê đủ.",
                     f"... and {more} more bad rows: `sohoa register rejects {report.id}` lists them all."),
                   error=True)


PROGRESS_STATUS = {"done": ("xong", "done"), "on_track": ("kịp hạn", "on track"), "late": ("chậm", "late"),
                   "overdue": ("quá hạn", "overdue"), "empty": ("không có gì để đếm", "nothing to count")}
BREAKDOWN_WORDS = {None: ("Tổng cộng", "Total"), "level": ("Cấp", "Level"), "agency": ("Cơ quan", "Agency"),
                   "procedure": ("Thủ tục", "Procedure"), "year": ("Năm ban hành", "Year of issue")}
LEVEL_WORDS = {"province": ("tỉnh", "province"), "district": ("huyện", "district"), "commune": ("xã", "commune")}
STAGE_WORDS = {"scanned": ("đã quét", "scanned"), "extracted": ("đã trích xuất", "extracted"),
               "verified": ("đã xác minh", "verified"), "signed": ("đã ký số", "signed")}


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "-"


def progress_text(p: Progress) -> str:
    """``sohoa progress``: the table, each figure with what it counts and as of when."""
    def label(r: Row) -> str:
        if p.by == "level" and r.key in LEVEL_WORDS:
            return t(*LEVEL_WORDS[r.key])
        return r.key if p.by else t(*BREAKDOWN_WORDS[None])

    head = [t(*BREAKDOWN_WORDS[p.by]), t("còn hiệu lực", "valid"), *(t(*STAGE_WORDS[s]) for s in STAGE_WORDS),
            t(f"% {STAGE_WORDS[p.stage][0]}", f"% {STAGE_WORDS[p.stage][1]}"), t("dự kiến xong", "forecast"),
            t("tình trạng", "status")]
    rows = [[label(r), str(r.valid), str(r.scanned), str(r.extracted), str(r.verified), str(r.signed),
             _share(getattr(r, p.stage), r.valid), r.forecast or "-", t(*PROGRESS_STATUS[r.status])]
            for r in (*(p.rows if p.by else ()), p.total)]
    if p.by:
        rows.insert(len(p.rows), ["-" * 4] * len(head))
        rows[-1][0] = t(*BREAKDOWN_WORDS[None])
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    out = io.StringIO()
    out.write(t(f"Kết quả còn hiệu lực ngày {p.as_of:%d/%m/%Y} và đã số hóa đến mỗi bước; hạn {p.deadline:%d/%m/%Y}; "
                f"dự kiến theo tốc độ {STAGE_WORDS[p.stage][0]} 30 ngày qua.\n",
                f"Results still valid on {p.as_of.isoformat()} and how far each was digitised; deadline "
                f"{p.deadline.isoformat()}; forecast at the pace ({p.stage}) of the last 30 days.\n"))
    for row in [head, *rows]:
        out.write("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in
                            enumerate(zip(row, widths, strict=True))).rstrip() + "\n")
    return out.getvalue()


INDEX_WORDS = {"electronic_result": ("kết quả điện tử", "electronic result"),
               "dossier_digitised": ("số hóa hồ sơ", "digitised"), "reused": ("tái sử dụng", "reused")}


def service_index_text(rows: Sequence[IndexRow], period: str) -> str:
    """``sohoa progress --service-index``: each indicator's share and the share of its full points."""
    head = [t("Cơ quan", "Agency"), t("Kỳ", "Period"), t("hồ sơ", "dossiers")]
    for vi, en in INDEX_WORDS.values():
        head += [t(f"% {vi}", f"% {en}"), t("điểm", "points")]

    def cells(measures: Mapping[str, Measure]) -> list[str]:
        out = []
        for m in INDEX_WORDS:
            share, points = measures[m].share, measures[m].points
            out += ["-" if share is None else f"{share:.1%}", "-" if points is None else f"{points:.0%}"]
        return out

    table = [[r.agency, r.period, str(r.dossiers), *cells(r.measures)] for r in rows]
    table.append([t("Tổng", "Total"), "", str(sum(r.dossiers for r in rows)), *cells(index_total(rows))])
    widths = [max(len(row[i]) for row in [head, *table]) for i in range(len(head))]
    out = io.StringIO()
    out.write(t(f"Chỉ số số hóa hồ sơ (QĐ 766/QĐ-TTg) theo {PERIOD_WORDS[period][0]}: trong các hồ sơ tiếp nhận "
                "trong kỳ, tỷ lệ có kết quả điện tử, được số hóa, tái sử dụng dữ liệu số hóa; đủ điểm từ 80%, "
                "dưới đó theo tỷ lệ. Đây là luồng hồ sơ trong kỳ, không phải kho kết quả còn hiệu lực "
                "(`sohoa progress`).\n",
                f"Digitisation indicators of the service index (Decision 766/QĐ-TTg) by {period}: of the dossiers "
                "received in the period, the share with an electronic result, digitised, reusing digitised data; "
                "full points from 80%, pro rata below. A flow of dossiers in a period, not the stock of "
                "still-valid results (`sohoa progress`).\n"))
    for row in [head, *table]:
        out.write("  ".join(cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in
                            enumerate(zip(row, widths, strict=True))).rstrip() + "\n")
    return out.getvalue()


PERIOD_WORDS = {"month": ("tháng", "month"), "quarter": ("quý", "quarter"), "year": ("năm", "year")}


def reconciled_text(done: Reconciled | None) -> str:
    if done is None:
        return t("Chưa có hồ sơ số hóa nào để đối chiếu (chạy `sohoa ingest` trước).\n",
                 "No archive to reconcile with yet (run `sohoa ingest` first).\n")
    return t(f"Đối chiếu: {done.records} hồ sơ số hóa, {done.entries} mục trong sổ; khớp tự động {done.auto}, "
             f"do người xác nhận {done.confirmed}, chờ người xem {done.waiting}; {done.unmatched_records} hồ sơ "
             f"chưa được tính cho mục nào; {done.entries_with_record} mục đã có bản số hóa.\n",
             f"Reconciled: {done.records} records, {done.entries} register entries; automatic matches "
             f"{done.auto}, confirmed by a person {done.confirmed}, waiting for a person {done.waiting}; "
             f"{done.unmatched_records} records count for no entry; {done.entries_with_record} entries have a "
             "record.\n")


def register_rejects(errors: Iterable[RowError]) -> Iterator[Said]:
    for e in errors:
        column = t(f", cột {e.column}", f", column {e.column}") if e.column else ""
        yield Said(t(f"DÒNG {e.row}{column}: {e.message_vi}", f"ROW {e.row}{column}: {e.message_en}"), error=True)


def reverify_report(done: Reverified) -> Iterator[Said]:
    moved = ", ".join(f"{status}: {count}" for status, count in sorted(done.changed.items())) or "0"
    yield Said(t(f"Đã kiểm tra lại {done.checked} PDF; đổi kết luận: {moved}.",
                 f"Verified {done.checked} PDFs again; verdicts changed: {moved}."))
    if done.missing:
        yield Said(t(f"{len(done.missing)} hồ sơ không còn tệp gốc nào đọc được; giữ kết luận cũ.",
                     f"{len(done.missing)} records have no readable file left; their verdicts are kept."), error=True)


INDEX_STATES = (("indexed", "đã vào chỉ mục", "indexed"), ("extracted", "chờ chỉ mục", "pending index"),
                ("pending", "chờ xử lý", "pending processing"), ("failed", "lỗi", "failed"),
                ("orphaned", "không còn tệp gốc", "files gone"))


def index_state_text(backend: str, counts: Mapping[str, int]) -> str:
    """``sohoa index``: where the index is, and how many documents are in each ledger state."""
    lines = [t(f"Chỉ mục: {backend}", f"Index: {backend}")]
    lines += [f"  {t(vi, en)}: {counts.get(state, 0)}" for state, vi, en in INDEX_STATES]
    if counts.get("extracted"):
        lines.append(t("Chạy `sohoa index --retry` để gửi các hồ sơ đang chờ.",
                       "Run `sohoa index --retry` to send the pending records."))
    return "\n".join(lines) + "\n"


def record_text(data: Mapping[str, Any]) -> str:
    """``sohoa show``: one record (its export form) in full."""
    out = [f"id: {data['id']}", f"status: {data['status']}" + (f" ({data['error']})" if data["error"] else "")]
    out += [f"path: {p}" for p in data["source"]["paths"]]
    out.append(f"format: {data['source']['format']}, pages: {data['pages']}, born_digital: {data['born_digital']}")
    out.append(f"ocr: {data['ocr']['engine']} (mean confidence {data['ocr']['mean_confidence']})")
    validity = data["validity"]
    why = t(*validity_message(validity.get("reason_code", validity["reason"]), validity.get("reason_value")))
    out.append(f"validity: {validity['status']} as of {validity['as_of']} ({why})")
    for name, value in data["fields"].items():
        conf = data["field_confidence"].get(name, 0.0)
        out.append(f"  {name:13} {value if value is not None else '—'}  ({conf:.2f})")
    out += [f"  note: {note}" for note in data.get("field_notes", [])]
    verdict = data.get("signatures")
    out.append(f"signatures: {verdict['status'] if verdict else 'unchecked'}")
    out += ["  " + render_signature(sig) for sig in (verdict or {}).get("signatures", [])]
    copy = data.get("signed_copy")
    if copy and "error" in copy:
        out.append(f"signed copy: {copy['error']}")
    elif copy:
        out.append(f"signed copy: {copy['path']} ({copy['copy_type']}, PAdES {copy['pades']}, {copy['signed_at']})")
    out += ["--- text ---", data["text"]]
    return "\n".join(out) + "\n"


def verify_text(results: list[dict[str, Any]]) -> str:
    """``sohoa verify``: each file's status, then each of its signatures."""
    out = []
    for item in results:
        out.append(f"{item['path']}: {item['status']}")
        if item.get("message"):
            out.append(f"  {item['message']}")
        out += ["  " + render_signature(sig) for sig in item["signatures"]]
    return "\n".join(out) + "\n" if out else ""


# ---------------------------------------------------------------- the register's lists

COLUMN_WORDS: dict[str, tuple[str, str]] = {
    "id": ("Mục", "Entry"), "entry_id": ("Mục", "Entry"), "dossier": ("Mã hồ sơ", "Dossier code"),
    "agency": ("Cơ quan", "Agency"), "parent": ("Cơ quan chủ quản", "Parent body"), "level": ("Cấp", "Level"),
    "procedure_code": ("Mã thủ tục", "Procedure code"), "procedure_name": ("Tên thủ tục", "Procedure"),
    "doc_type": ("Loại văn bản", "Document type"), "number": ("Số, ký hiệu", "Number"),
    "issued": ("Ngày ban hành", "Issued"), "holder": ("Người được cấp", "Holder"),
    "valid_until": ("Hiệu lực đến", "Valid until"), "reached_on": ("Ngày đạt", "Reached on"),
    "records": ("Bản số hóa", "Records"), "files": ("Tệp", "Files"), "record": ("Bản số hóa", "Record"),
    "file": ("Tệp", "File"), "record_agency": ("Cơ quan (bản số hóa)", "Agency (record)"),
    "record_number": ("Số (bản số hóa)", "Number (record)"), "record_issued": ("Ngày (bản số hóa)", "Issued (record)"),
    "reason": ("Lý do đề xuất", "Why proposed"), "score": ("Độ tin", "Score"),
    "side": ("Nguồn", "Side"), "name": ("Tên như ghi", "Name as written"), "identity": ("Là cơ quan", "Read as"),
    "key": ("Mã nhận diện", "Identity key"), "state": ("Tình trạng", "State"), "count": ("Số mục", "Count"),
    "valid": ("Còn hiệu lực", "Still valid"), "matched": ("Đã khớp", "Matched"),
    "waiting": ("Đề xuất chờ người xem", "Proposals waiting"),
}
"""Each column of a list as a person reads it (TSV and CSV; JSONL keeps the keys)."""
REASON_WORDS: dict[str, tuple[str, str]] = {
    "exact": ("cùng cơ quan, số và ngày", "same agency, number and date"),
    "returned": ("cùng cơ quan và số; sổ ghi ngày trả kết quả", "same agency and number; the register gives the "
                 "return date"),
    "number_ocr": ("số đọc nhầm ký tự (O/0, I/1…)", "number misread (O/0, I/1…)"),
    "agency_ocr": ("tên cơ quan lệch vài chữ", "agency's name a few letters off"),
    "number_holder": ("số lệch một ký tự, cùng người được cấp", "number one character off, same holder"),
    "number_near": ("số lệch một ký tự", "number one character off"),
    "date_ocr": ("ngày đọc nhầm", "date misread"), "date_near": ("cùng số, khác ngày", "same number, another date"),
    "no_date_holder": ("không đọc được ngày; cùng số và người được cấp", "no date read; same number and holder"),
    "no_date": ("không đọc được ngày; cùng số", "no date read; same number"),
    "holder_date": ("cùng ngày và người được cấp", "same date and holder"),
    "agency_date": ("cùng cơ quan và ngày", "same agency and date"), "person": ("người xác nhận", "a person's"),
}
STATE_WORDS = {"unresolved": ("chưa rõ là cơ quan nào", "not placed"),
               "ambiguous": ("có thể là nhiều nơi", "could be several places"),
               "mapped": ("theo [agencies]", "by [agencies]"), "resolved": ("đã rõ", "placed"),
               "register": ("sổ", "register"), "archive": ("kho số hóa", "archive")}


def list_cell(column: str, value: Any, tr: Any = t) -> str:
    """One cell of a list as a person reads it."""
    if value is None:
        return ""
    if column == "level" and value in LEVEL_WORDS:
        return tr(*LEVEL_WORDS[value])
    if column == "reason" and value in REASON_WORDS:
        return tr(*REASON_WORDS[value])
    if column in ("state", "side") and value in STATE_WORDS:
        return tr(*STATE_WORDS[value])
    if column == "score" and isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def list_head(columns: Sequence[str], tr: Any = t) -> list[str]:
    return [tr(*COLUMN_WORDS[c]) if c in COLUMN_WORDS else c for c in columns]
