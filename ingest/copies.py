"""The signed digitised copy of a scanned result ("bản sao điện tử", Decree 30/2020).

For each scanned result, ``sohoa ingest --sign-with agency.p12`` writes a new PDF. Its
pages are the scan images, upright as they were read, with the OCR text laid over
them invisibly, so the copy can be searched and its text copied. The digitising agency
signs it (PAdES, ETSI.CAdES.detached). The signature's appearance is the imageless
block Decree 30 prescribes for electronic copies, at the top right of page 1: "SAO Y",
the agency, and the signing time in ISO 8601 with +07:00, in Times New Roman 10 pt
(Liberation Serif, metrically the same). When the signer's path validates against the
trust store, the certificates and any revocation data at hand go into the document's
DSS (PAdES B-LT when revocation data was embedded, else B-B).

The copy is stored by its own SHA-256 under ``HOME/copies/``. The original is only read.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import logging
import os
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ocr import pages as pagesmod
from ocr import preprocess
from sohoa.errors import ConfigError
from sohoa.model import Record

VIETNAM = dt.timezone(dt.timedelta(hours=7))
STAMP_BOX = (230.0, 52.0)  # width, height in points
STAMP_MARGIN = 24.0
FONT_CANDIDATES = (  # Liberation 2 has every Vietnamese letter; Liberation 1.07 lacks Ủ, Ộ, Ư...
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/msttcorefonts/Times_New_Roman.ttf",
)
FIELD_NAME = "SaoY"


def font_path() -> Path:
    """A Times New Roman compatible TrueType font with Vietnamese glyphs."""
    chosen = os.environ.get("SOHOA_STAMP_FONT")
    for candidate in (chosen, *FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    from sohoa.errors import MissingDependencyError

    raise MissingDependencyError(
        "Không tìm thấy phông Liberation Serif 2 để in khối chữ ký. Cài gói fonts-liberation2 (scripts/bootstrap làm "
        "việc này) hoặc đặt SOHOA_STAMP_FONT trỏ tới một tệp .ttf có chữ tiếng Việt.",
        "The Liberation Serif 2 font for the signature block is missing. Install fonts-liberation2 (scripts/bootstrap "
        "does) or set SOHOA_STAMP_FONT to a .ttf file with Vietnamese glyphs.")


@functools.lru_cache(maxsize=2)
def load_signer(p12: Path, passphrase: bytes | None) -> Any:
    """The agency's key and certificate chain from a PKCS#12 file (once per process)."""
    from pyhanko.sign import signers

    for noisy in ("pyhanko", "fontTools"):  # tracebacks and font-table notes, not for clerks
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    try:
        signer = signers.SimpleSigner.load_pkcs12(str(p12), passphrase=passphrase)
    except (OSError, ValueError) as exc:
        signer = None
        reason = str(exc)
    else:
        reason = "no key or certificate in it"
    if signer is None:
        raise ConfigError(
            f"Không mở được tệp khoá ký {p12}: sai mật khẩu, hoặc tệp không phải PKCS#12 ({reason}). Kiểm tra "
            "SOHOA_SIGN_PASSPHRASE hoặc mật khẩu đã nhập.",
            f"Cannot open the signing key file {p12}: wrong passphrase, or not a PKCS#12 file ({reason}). Check "
            "SOHOA_SIGN_PASSPHRASE or the passphrase you typed.")
    return signer


def agency_name(signer: Any) -> str:
    subject = signer.signing_cert.subject.native
    return subject.get("common_name") or subject.get("organization_name") or "?"


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
    layouts = {page["page"]: page for page in record.layout}
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
        image = preprocess.turn(page.image, (layout or {}).get("turned", 0))
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
        if layout and layout["width"] and layout["height"]:
            _invisible_words(pdf, layout, width / layout["width"], height / layout["height"], height)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def _invisible_words(pdf: Any, layout: dict[str, Any], sx: float, sy: float, page_height: float) -> None:
    """Each OCR word, in render mode 3 (invisible), stretched over its box."""
    from reportlab.pdfbase import pdfmetrics

    for line in layout["lines"]:
        _, y0, _, y1 = line["box"]
        size = max(1.0, (y1 - y0) * sy * 0.8)
        baseline = page_height - y1 * sy + (y1 - y0) * sy * 0.2
        for x0, x1, word, _conf in line["words"]:
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


# ---------------------------------------------------------------- signing

def sign_copy(data: bytes, signer: Any, trust: Any, *, online: bool = False,
              when: dt.datetime | None = None) -> tuple[bytes, str, str]:
    """Sign ``data`` with the Decree 30 copy block; (signed bytes, PAdES level, time shown)."""
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import TextStampStyle
    from pyhanko_certvalidator import ValidationContext

    shown = (when or dt.datetime.now(dt.UTC)).astimezone(VIETNAM).replace(microsecond=0).isoformat()
    first_page = PdfFileReader(io.BytesIO(data)).root["/Pages"]["/Kids"][0].get_object()
    _, _, page_width, page_height = (float(v) for v in first_page["/MediaBox"])
    box_w, box_h = STAMP_BOX
    box = (page_width - STAMP_MARGIN - box_w, page_height - STAMP_MARGIN - box_h,
           page_width - STAMP_MARGIN, page_height - STAMP_MARGIN)
    style = TextStampStyle(
        stamp_text="SAO Y\n%(agency)s\n%(when)s",
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(str(font_path())), font_size=10),
        border_width=0, background=None)
    context = ValidationContext(trust_roots=trust.roots, other_certs=list(trust.intermediates),
                                crls=list(trust.crls), allow_fetching=online)
    params = {"agency": agency_name(signer), "when": shown}

    def attempt(embed: bool) -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(data))
        fields.append_signature_field(writer, fields.SigFieldSpec(FIELD_NAME, on_page=0, box=box))
        meta = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME, subfilter=fields.SigSeedSubFilter.PADES, reason="SAO Y",
            embed_validation_info=embed, validation_context=context if embed else None)
        out = signers.PdfSigner(meta, signer=signer, stamp_style=style).sign_pdf(
            writer, appearance_text_params=params)
        return out.getvalue()

    level = "B-B"
    if trust.roots:
        try:
            signed = attempt(True)
        except Exception:  # the path does not validate: sign without validation data
            signed = attempt(False)
        else:
            reader = PdfFileReader(io.BytesIO(signed))
            dss = reader.root.get("/DSS")
            dss = dss.get_object() if dss is not None else None
            if dss is not None and ("/CRLs" in dss or "/OCSPs" in dss):
                level = "B-LT"
    else:
        signed = attempt(False)
    return signed, level, shown


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


def make_signed_copy(path: Path, fmt: str, record: Record, settings: Any) -> dict[str, Any]:
    """Build, sign and store the copy of one scanned result; what the record lists."""
    from sohoa.signatures import trust_store

    signer = load_signer(settings.sign_with, settings.sign_passphrase)
    data = searchable_pdf(path, fmt, record, settings.max_pixels)
    signed, level, shown = sign_copy(data, signer, trust_store(settings.trust_dir), online=settings.online)
    target, sha = store_copy(signed, settings.home)
    return {"path": str(target), "sha256": sha, "pades": level, "signed_at": shown,
            "agency": agency_name(signer), "copy_type": "SAO Y"}
