"""Reading a PDF's structure with pikepdf, shared by the pages stage (``sohoa.ocr.pages``)
and the signatures stage: opening it with errors a clerk can act on, its signature
fields, and PDF dates."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pikepdf

from sohoa.core.errors import CorruptFile, EncryptedFile
from sohoa.core.paths import is_utf8


def open_pdf(path: Path) -> pikepdf.Pdf:
    """Open a PDF with pikepdf; a locked or broken file raises a DocumentError saying so."""
    try:
        if is_utf8(path):
            return pikepdf.open(path)
        # pikepdf takes only names it can encode as UTF-8; a TCVN3/CP1258 name is opened
        # here, and the Pdf holds the stream (closed when the Pdf is freed).
        return pikepdf.open(open(path, "rb"))
    except pikepdf.PasswordError as exc:
        raise EncryptedFile(
            f"{path.name} được mã hóa bằng mật khẩu. Hãy xin bản không mật khẩu hoặc mở khóa rồi nạp lại.",
            f"{path.name} is password-protected. Obtain an unprotected copy, then ingest it again.",
        ) from exc
    except pikepdf.PdfError as exc:
        raise CorruptFile(
            f"{path.name} hỏng hoặc bị cắt cụt, không đọc được ({exc}). Hãy quét hoặc sao chép lại.",
            f"{path.name} is corrupt or truncated ({exc}). Scan or copy it again.",
        ) from exc


_PDF_DATE = re.compile(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Z+-])?(\d{2})?'?(\d{2})?")


def parse_pdf_date(value: str) -> str | None:
    """'D:20250117170630+07'00'' -> '2025-01-17T17:06:30+07:00'."""
    m = _PDF_DATE.match(value.strip())
    if not m:
        return None
    year, month, day, hour, minute, second, sign, tzh, tzm = m.groups()
    try:
        tz = dt.UTC
        if sign in ("+", "-"):
            offset = dt.timedelta(hours=int(tzh or 0), minutes=int(tzm or 0))
            tz = dt.timezone(offset if sign == "+" else -offset)
        moment = dt.datetime(int(year), int(month or 1), int(day or 1), int(hour or 0),
                             int(minute or 0), int(second or 0), tzinfo=tz)
    except ValueError:
        return None
    return moment.isoformat()


def signature_fields(pdf: pikepdf.Pdf) -> Iterator[tuple[str, pikepdf.Dictionary]]:
    """Signed signature fields: (fully qualified field name, signature dictionary /V)."""
    acroform = pdf.Root.get("/AcroForm")
    fields = acroform.get("/Fields", []) if acroform is not None else []
    for name, fld in _walk_fields(fields):
        value = fld.get("/V")
        if fld.get("/FT") == "/Sig" and isinstance(value, pikepdf.Dictionary):
            yield name, value


def _walk_fields(fields: pikepdf.Array | list, prefix: str = "",
                 depth: int = 0) -> Iterator[tuple[str, pikepdf.Dictionary]]:
    for fld in fields:
        if not isinstance(fld, pikepdf.Dictionary):
            continue
        part = str(fld.get("/T", ""))
        name = f"{prefix}.{part}" if prefix and part else (part or prefix)
        yield name, fld
        if depth < 5 and "/Kids" in fld:
            yield from _walk_fields(fld.Kids, name, depth + 1)
