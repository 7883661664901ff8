"""The signed digitised copy of a scanned result ("bản sao điện tử", Decree 30/2020).

For each scanned result, ``sohoa ingest --sign-with agency.p12`` writes a new PDF. Its
pages are the scan images, upright as they were read, with the OCR text laid over
them invisibly, so the copy can be searched and its text copied. The digitising agency
signs it (``sohoa.signatures.sign``: PAdES, with the imageless "SAO Y" block).

The copy is stored by its own SHA-256 under ``HOME/copies/``. The original is only read.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from sohoa.core.layout import PageLayout
from sohoa.core.model import Record, SignedCopy
from sohoa.ocr import pages as pagesmod
from sohoa.ocr import preprocess
from sohoa.signatures.sign import agency_name, font_path, load_signer, sign_copy
from sohoa.signatures.verify import trust_store

# ---------------------------------------------------------------- the searchable copy

def _encoded(image: np.ndarray) -> bytes:
    """Grey or colour scans as JPEG (quality 90), two-level scans losslessly as PNG."""
    if image.ndim == 2 and len(np.unique(image[:: 7, :: 7])) <= 2:
        return cv2.imencode(".png", image)[1].tobytes()
    bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR) if image.ndim == 3 else image
    return cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()


def searchable_pdf(path: Path, fmt: str, record: Record, max_pixels: int) -> bytes:
    """The scan pages with the record's OCR words laid over them as invisible text."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "SohoaSerif" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("SohoaSerif", str(font_path())))
    layouts = {page.number: page for page in record.layout}
    if fmt == "pdf":
        images = pagesmod.pdf_page_images(path, sorted(layouts), max_pixels)
    else:
        images = pagesmod.raster_page_images(path, max_pixels)
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pageCompression=1, initialFontName="SohoaSerif")
    pdf.setTitle(f"SAO Y {record.fields.get('number') or record.id[:12]}")
    pdf.setCreator("sohoa")
    for page in images:
        layout = layouts.get(page.number)
        image = preprocess.turn(page.image, layout.turned if layout else 0)
        dpi = page.dpi
        if "flatten" in record.ocr.preprocessing:
            # A phone photo: the copy shows the sheet the text was read from, flattened, so
            # that the invisible words lie over their letters. A scan is kept as scanned.
            sheet = preprocess.flatten(image, dpi)
            if sheet.shape != image.shape:
                image, dpi = sheet, preprocess.page_dpi(sheet)
        height_px, width_px = image.shape[:2]
        width, height = width_px / dpi * 72, height_px / dpi * 72
        pdf.setPageSize((width, height))
        pdf.drawImage(ImageReader(io.BytesIO(_encoded(image))), 0, 0, width=width, height=height)
        if layout and layout.width and layout.height:
            _invisible_words(pdf, layout, width / layout.width, height / layout.height, height)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def _invisible_words(pdf: Any, layout: PageLayout, sx: float, sy: float, page_height: float) -> None:
    """Each OCR word, in render mode 3 (invisible), stretched over its box."""
    from reportlab.pdfbase import pdfmetrics

    for line in layout.lines:
        y0, y1 = line.y0, line.y1
        size = max(1.0, (y1 - y0) * sy * 0.8)
        baseline = page_height - y1 * sy + (y1 - y0) * sy * 0.2
        for x0, x1, word in line.words:
            natural = pdfmetrics.stringWidth(word, "SohoaSerif", size)
            if not word or natural <= 0:
                continue
            text = pdf.beginText()
            text.setTextRenderMode(3)
            text.setFont("SohoaSerif", size)
            text.setHorizScale(100.0 * (x1 - x0) * sx / natural)
            text.setTextOrigin(x0 * sx, baseline)
            text.textOut(word + " ")
            pdf.drawText(text)


def store_copy(data: bytes, home: Path) -> tuple[Path, str]:
    """Write ``data`` under ``home/copies/`` by its SHA-256, atomically; (path, sha256)."""
    sha = hashlib.sha256(data).hexdigest()
    target = home / "copies" / sha[:2] / f"{sha}.pdf"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.part")
        tmp.write_bytes(data)
        os.replace(tmp, target)
    return target, sha


def make_signed_copy(path: Path, fmt: str, record: Record, settings: Any) -> SignedCopy:
    """Build, sign and store the copy of one scanned result; what the record lists."""
    signer = load_signer(settings.sign_with, settings.sign_passphrase)
    data = searchable_pdf(path, fmt, record, settings.max_pixels)
    signed, level, shown = sign_copy(data, signer, trust_store(settings.trust_dir), online=settings.online)
    target, sha = store_copy(signed, settings.home)
    return SignedCopy(str(target), sha, level, shown, agency_name(signer))
