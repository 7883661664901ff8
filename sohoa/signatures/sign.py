"""Signing a digitised copy as its agency: the key from PKCS#12, and the PAdES signature
whose appearance is the imageless "SAO Y" block of Decree 30/2020 for electronic copies.

The block sits at the top right of page 1: "SAO Y", the agency, and the signing time in
ISO 8601 with +07:00, in Times New Roman 10 pt (Liberation Serif, metrically the same).
When the signer's path validates against the trust store, the certificates and any
revocation data at hand go into the document's DSS (PAdES B-LT when revocation data was
embedded, else B-B). What is signed (the searchable copy) is made by ``sohoa.ingest.copies``.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
import os
from pathlib import Path
from typing import Any

from sohoa.core.errors import ConfigError, MissingDependencyError

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
