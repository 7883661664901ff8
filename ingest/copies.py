"""The signed digitised copy of a scanned result ("bản sao điện tử", Decree 30/2020).

For each scanned result, ``sohoa ingest --sign-with agency.p12`` writes a new PDF:
- its pages are the scan images, upright as they were read, in their colour and at their
  resolution, with the OCR text laid over them invisibly, so the copy can be searched;
- the imageless "SAO Y" block goes at the top right of page 1, on paper the scan leaves
  free (found from the page image, ``block_place``); when there is none, the first page
  gets a taller top margin and the block goes there, never over the scan;
- it is PDF/A-2b (fonts embedded, an sRGB output intent, XMP metadata) with its title,
  author (the copying agency), subject, keywords and times in the document information
  and in XMP, and then signed by the agency (``sohoa.signatures.sign``, PAdES).

The copy is stored by its own SHA-256 under ``HOME/copies/``. The original is only read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import io
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from sohoa import __version__
from sohoa.core.layout import PageLayout
from sohoa.core.model import CopyFailure, CopyToSign, Record, SignedCopy
from sohoa.ocr import pages as pagesmod
from sohoa.ocr import preprocess
from sohoa.signatures.sign import (
    VIETNAM,
    font_path,
    load_signer,
    sign_copy,
    signing_time,
    stamp_lines,
    stamp_size,
)
from sohoa.signatures.verify import trust_store

# ---------------------------------------------------------------- the searchable copy

def _encoded(image: np.ndarray, folder: Path, number: int) -> Path:
    """Grey or colour scans as JPEG (quality 90), two-level scans losslessly as PNG, in a
    file: reportlab embeds a JPEG named so as it is, where from an in-memory image it
    decodes the whole page again to name it (0.1 s a page)."""
    if image.ndim == 2 and len(np.unique(image[:: 7, :: 7])) <= 2:
        target = folder / f"page{number}.png"
        cv2.imwrite(str(target), image)
    else:
        target = folder / f"page{number}.jpg"
        bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR) if image.ndim == 3 else image
        cv2.imwrite(str(target), bgr, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return target


UNSIGNED = ".unsigned"
"""Under ``HOME/copies/``: copies made and not yet signed (in flight within a run)."""
BLOCK_MARGIN = 10.0
"""Points between the block and the page's edges."""
BLOCK_CLEARANCE = 4.0
"""Points of paper with no ink the block keeps around it."""


def block_place(image: np.ndarray, dpi: int, size: tuple[int, int]) -> tuple[float, float] | None:
    """Where a block of ``size`` (points) fits in the top right corner of the page: above
    all the print of the columns it spans, ``BLOCK_CLEARANCE`` from it, ``BLOCK_MARGIN``
    from the edges, as far right as it can be in the right half. (x, y) of its top-left
    corner in points from the page's top-left; None when the scan leaves no such place (a
    gap lower down, between the date and the body, is not the corner a clerk looks at)."""
    per_pt = dpi / 72
    height_pt, width_pt = image.shape[0] / per_pt, image.shape[1] / per_pt
    box_w, box_h = size
    left, bottom = width_pt / 2, height_pt / 4
    if left + box_w > width_pt - BLOCK_MARGIN or BLOCK_MARGIN + box_h + BLOCK_CLEARANCE > bottom:
        return None
    region = image[: round(bottom * per_pt), round(left * per_pt):]
    grey = cv2.medianBlur(preprocess.to_grey(region, dpi), 3)  # dust specks are not ink
    paper = float(np.percentile(grey, 90))
    ink = grey < paper - 48
    # Per column of one point: how deep the paper is free from the top, in points.
    first_ink = np.where(ink.any(axis=0), ink.argmax(axis=0), ink.shape[0])
    starts = np.round(np.arange(0, ink.shape[1] / per_pt - 1) * per_pt).astype(int)
    depth = np.minimum.reduceat(first_ink, starts) / per_pt
    clear, w = int(np.ceil(BLOCK_CLEARANCE)), int(np.ceil(box_w))
    last = len(depth) - int(np.ceil(BLOCK_MARGIN)) - w  # the rightmost column the block may start at
    if last < 0:
        return None
    padded = np.pad(depth, clear, constant_values=np.inf)  # beyond the region: the page's middle, its edge
    band = np.lib.stride_tricks.sliding_window_view(padded, w + 2 * clear).min(axis=1)[: last + 1]
    fits = np.flatnonzero(band >= BLOCK_MARGIN + box_h + BLOCK_CLEARANCE)
    if not len(fits):
        return None
    return left + float(fits[-1]), BLOCK_MARGIN


def _copy_pages(path: Path, fmt: str, record: Record, max_pixels: int, scanned: Sequence[pagesmod.PageImage] = ()
                ) -> Iterator[tuple[int, pagesmod.Jpeg | None, pagesmod.PageImage | None]]:
    """Each page of the copy, as (number, its original JPEG, None) when the scanner's JPEG
    can be copied as it is (read upright, not a phone photo of a sheet: no decoding, not a
    bit lost), else as (number, None, the decoded page): one of ``scanned`` (the pages
    OCR decoded) or decoded again."""
    layouts = {page.number: page for page in record.layout}
    decoded = {page.number: page for page in scanned}

    def original(number: int) -> pagesmod.Jpeg | None:
        layout = layouts.get(number)
        if layout is not None and layout.turned:
            return None
        jpeg = pagesmod.original_jpeg(path, fmt, number, max_pixels)
        if jpeg is not None and _a_photo(record, _preview(jpeg)[0]):
            return None  # the copy shows the flattened sheet
        return jpeg

    if fmt == "pdf":
        for number in sorted(layouts):
            jpeg = original(number)
            yield (number, jpeg, None) if jpeg else (number, None, decoded.get(number) or next(iter(
                pagesmod.pdf_page_images(path, [number], max_pixels))))
        return
    jpeg = original(1) if fmt == "jpeg" else None
    if jpeg:
        yield 1, jpeg, None
        return
    if layouts and all(number in decoded for number in layouts):
        pages: Iterable[pagesmod.PageImage] = (decoded[number] for number in sorted(layouts))
    else:
        pages = pagesmod.raster_page_images(path, max_pixels)
    for page in pages:
        if not layouts or page.number in layouts:  # a stack's result: its own pages only
            yield page.number, None, page


@functools.lru_cache(maxsize=2)
def _preview(jpeg: pagesmod.Jpeg) -> tuple[np.ndarray, int]:
    """A JPEG decoded at a quarter of its size (fast: the decoder scales), and its dpi:
    enough to find free paper for the block."""
    from PIL import Image

    with Image.open(io.BytesIO(jpeg.data)) as pil:
        pil.draft("L", (jpeg.width // 4, jpeg.height // 4))
        grey = np.asarray(pil.convert("L"))
    return grey, max(1, round(jpeg.dpi * grey.shape[1] / jpeg.width))


def searchable_pdf(path: Path, fmt: str, record: Record, max_pixels: int, block: tuple[int, int],
                   scanned: Sequence[pagesmod.PageImage] = ()) -> tuple[bytes, tuple[int, int, int, int]]:
    """The scan pages (``scanned`` by OCR, or decoded again) with the record's OCR words
    laid over them as invisible text, and the box (x0, y0, x1, y1 in points on page 1)
    left for a block of size ``block``."""
    from reportlab import rl_config
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    # Streams as binary, not ASCII85: reportlab's ASCII85 is pure Python here, and took
    # most of the time of making a copy (1.3 s a page, profiled), for a file 25% larger.
    rl_config.useA85 = 0
    if "SohoaSerif" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("SohoaSerif", str(font_path())))
    layouts = {page.number: page for page in record.layout}
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pageCompression=1, initialFontName="SohoaSerif", invariant=False)
    box = (0, 0, 0, 0)
    with tempfile.TemporaryDirectory(prefix="sohoa-copy-") as tmp:
        for n, (number, jpeg, page) in enumerate(_copy_pages(path, fmt, record, max_pixels, scanned)):
            layout = layouts.get(number)
            if jpeg is not None:
                picture = Path(tmp) / f"page{number}.jpg"
                picture.write_bytes(jpeg.data)
                width, height = jpeg.width / jpeg.dpi * 72, jpeg.height / jpeg.dpi * 72
                image, dpi = _preview(jpeg) if n == 0 else (None, jpeg.dpi)
            else:
                assert page is not None
                image, dpi = _as_read(page, layout, record)
                picture = _encoded(image, Path(tmp), number)
                width, height = image.shape[1] / dpi * 72, image.shape[0] / dpi * 72
            strip = 0.0
            if n == 0:  # the block goes on the copy's first page
                assert image is not None
                place = block_place(image, dpi, block)
                if place is None:  # no free paper at the top right: a taller top margin holds the block
                    strip = block[1] + 2 * BLOCK_MARGIN
                    place = (width - BLOCK_MARGIN - block[0], BLOCK_MARGIN)
                # In whole points (pyHanko's layout): the place is free with its clearance to spare.
                x0, top = round(place[0]), round(height + strip - place[1])
                box = (x0, top - block[1], x0 + block[0], top)
            pdf.setPageSize((width, height + strip))
            pdf.drawImage(str(picture), 0, 0, width=width, height=height)
            if layout and layout.width and layout.height:
                _invisible_words(pdf, layout, width / layout.width, height / layout.height, height)
            pdf.showPage()
        pdf.save()
    return out.getvalue(), box


def _as_read(page: pagesmod.PageImage, layout: PageLayout | None, record: Record) -> tuple[np.ndarray, int]:
    """A decoded page upright as it was read; a phone photo as the flattened sheet the text
    was read from, so that the invisible words lie over their letters. A scan is kept as
    scanned."""
    image, dpi = preprocess.turn(page.image, layout.turned if layout else 0), page.dpi
    if _a_photo(record, image):
        image = preprocess.flatten(image, dpi)
        dpi = preprocess.page_dpi(image)
    return image, dpi


def _a_photo(record: Record, image: np.ndarray) -> bool:
    """A phone photo of a sheet on a table, read flattened (the flatten step runs on
    every page; it changes only those where it finds a sheet)."""
    return "flatten" in record.ocr.preprocessing and preprocess.find_sheet(image) is not None


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


def archival(data: bytes, meta: dict[str, str], created: dt.datetime) -> bytes:
    """``data`` as PDF/A-2b: an sRGB output intent for the scan's colours, and the
    document information (``meta``: Title, Author, Subject, Keywords) mirrored in XMP with
    the PDF/A identification. Fonts are embedded already (reportlab subsets them)."""
    import pikepdf
    from pikepdf.models.metadata import encode_pdf_date
    from PIL import ImageCms

    with pikepdf.open(io.BytesIO(data)) as pdf:
        icc = pdf.make_stream(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
        icc.N = 3
        pdf.Root.OutputIntents = pdf.make_indirect(pikepdf.Array([pikepdf.Dictionary(
            Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFA1, OutputConditionIdentifier="sRGB IEC61966-2.1",
            Info="sRGB IEC61966-2.1", DestOutputProfile=icc)]))
        stamp = encode_pdf_date(created)
        for key in list(pdf.docinfo.keys()):  # reportlab's "anonymous", "unspecified"
            del pdf.docinfo[key]
        producer = f"sohoa {__version__}; pikepdf {pikepdf.__version__}"
        for key, value in {**meta, "Creator": "sohoa", "Producer": producer, "CreationDate": stamp,
                           "ModDate": stamp}.items():
            pdf.docinfo[pikepdf.Name("/" + key)] = pikepdf.String(value)
        with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
            xmp.load_from_docinfo(pdf.docinfo)
            xmp["pdfaid:part"] = "2"
            xmp["pdfaid:conformance"] = "B"
        result = io.BytesIO()
        pdf.save(result, fix_metadata_version=False)
        return result.getvalue()


def copy_metadata(record: Record, agency: str) -> dict[str, str]:
    """Title (type and number), Author (the copying agency), Subject (the summary) and
    Keywords of the copy, in Vietnamese as printed."""
    f = record.fields
    title = " ".join(v for v in (f.get("doc_type"), f.get("number")) if v) or record.source.path.rsplit("/", 1)[-1]
    keywords = [v for v in (f.get("doc_type"), f.get("number"), f.get("issuer"), f.get("issue_date")) if v]
    return {"Title": f"Bản sao điện tử (SAO Y): {title}", "Author": agency,
            "Subject": f.get("subject") or title, "Keywords": "; ".join(["SAO Y", "bản sao điện tử", *keywords])}


def build_copy(path: Path, fmt: str, record: Record, settings: Any,
               scanned: Sequence[pagesmod.PageImage] = ()) -> CopyToSign:
    """Make the searchable PDF/A copy of one scanned result (from the pages ``scanned`` for
    OCR where given), with room for the block of ``settings.copy_agency``, ready to be
    signed by the machine that holds the key (``sign_built``). Written under the home's
    ``copies/.unsigned/``."""
    agency = settings.copy_agency
    now = dt.datetime.now(dt.UTC)
    lines = stamp_lines(agency, signing_time(now))  # the time's digits are as wide as the signer's will be
    data, box = searchable_pdf(path, fmt, record, settings.max_pixels, stamp_size(lines), scanned)
    data = archival(data, copy_metadata(record, agency), now.astimezone(VIETNAM))
    folder = settings.home / "copies" / UNSIGNED
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{record.id[:16]}-{os.getpid()}-{now.timestamp():.6f}.pdf"
    target.write_bytes(data)
    return CopyToSign(str(target), box, agency)


def sign_built(copy: CopyToSign, settings: Any) -> SignedCopy:
    """Sign a copy ``build_copy`` made, with the key (file or token) of this machine, and
    store it by its SHA-256; the unsigned file is removed."""
    signer = load_signer(settings.sign_with, settings.sign_passphrase)
    shown = signing_time()
    lines = stamp_lines(copy.agency, shown)
    unsigned = Path(copy.path)
    signed, level = sign_copy(unsigned.read_bytes(), signer, trust_store(settings.trust_dir), copy.box, lines,
                              online=settings.online)
    target, sha = store_copy(signed, settings.home)
    unsigned.unlink(missing_ok=True)
    return SignedCopy(str(target), sha, level, shown, copy.agency)


def make_signed_copy(path: Path, fmt: str, record: Record, settings: Any,
                     scanned: Sequence[pagesmod.PageImage] = ()) -> SignedCopy:
    """Build, sign and store the copy of one scanned result, here."""
    return sign_built(build_copy(path, fmt, record, settings, scanned), settings)


def signed_here(record: Record, settings: Any) -> Record:
    """``record`` with the copy a worker made for it signed here (or failed, the record
    staying good); any other record as it is. A key that cannot sign any more (a token
    pulled out) stops the run: the document stays pending for the next."""
    from sohoa.core.errors import CannotWrite, ConfigError, MissingDependencyError, cannot_write
    from sohoa.ingest.document import copy_failure

    copy = record.signed_copy
    if not isinstance(copy, CopyToSign):
        return record
    try:
        made: SignedCopy | CopyFailure = sign_built(copy, settings)
    except (MissingDependencyError, ConfigError, CannotWrite):
        raise
    except Exception as exc:
        full = cannot_write(exc, str(settings.home / "copies"))
        if full is not None:
            raise full from exc
        Path(copy.path).unlink(missing_ok=True)
        made = copy_failure(exc)
    return dataclasses.replace(record, signed_copy=made)


def discard_unsigned(home: Path) -> None:
    """Remove unsigned copies a killed run left (their documents are still pending)."""
    folder = home / "copies" / UNSIGNED
    if folder.is_dir():
        for stale in folder.glob("*.pdf"):
            stale.unlink(missing_ok=True)
