"""Open an input file and hand out its pages: a PDF text layer, or page images to OCR.

Formats are recognised by content, never by name. Every way a file can be unreadable
(corrupt, truncated, encrypted, empty, a decompression bomb, not an image at all)
becomes a :class:`~sohoa.core.errors.DocumentError` naming the file and what to do.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pikepdf
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from sohoa.core.errors import CorruptFile, EmptyFile, TooLarge, UnsupportedFormat
from sohoa.core.layout import PageLayout
from sohoa.core.pdf import open_pdf, parse_pdf_date, signature_fields
from sohoa.core.text import diacritic_share
from sohoa.ocr import poppler

_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
)
RASTER_DPI = 300
"""Resolution for rendering PDF pages that are not a single scanned image."""
EXIF_ORIENTATION = 0x0112
"""The EXIF tag a camera or scanner records the picture's turn in (1: upright)."""
MIN_TEXT_LETTERS = 40
"""A PDF page whose own content shows at least this many letters has a real text layer."""


@dataclass(frozen=True)
class PageImage:
    """One page to OCR."""

    number: int
    image: np.ndarray
    """RGB (h, w, 3) or grey (h, w) uint8."""
    dpi: int


def format_of(head: bytes) -> str | None:
    """``pdf``, ``tiff``, ``jpeg`` or ``png`` from a file's first bytes (1 KiB), or None."""
    for magic, fmt in _MAGIC:
        if head.startswith(magic) or (fmt == "pdf" and magic in head):
            return fmt
    return None


def sniff_format(path: Path) -> str:
    """Return ``pdf``, ``tiff``, ``jpeg`` or ``png`` from the file's first bytes."""
    with path.open("rb") as fh:
        head = fh.read(1024)
    if not head:
        raise EmptyFile(f"Tệp {path.name} rỗng (0 byte). Hãy quét lại.",
                        f"{path.name} is empty (0 bytes). Scan it again.")
    fmt = format_of(head)
    if fmt:
        return fmt
    raise UnsupportedFormat(
        f"{path.name} không phải PDF, TIFF, JPEG hay PNG (nội dung không khớp đuôi tệp).",
        f"{path.name} is not a PDF, TIFF, JPEG or PNG (its content does not match its name).",
    )




def _shows_text(obj: pikepdf.Object, depth: int = 0) -> int:
    """Count visible text-showing operators in a page or form XObject, recursively.

    Text drawn in render mode 3 (invisible) is the OCR layer another tool laid over a
    scan; it is often poor (no diacritics), so such a page is OCR'd again.
    """
    count = 0
    try:
        instructions = pikepdf.parse_content_stream(obj, "Tj TJ ' \" Do Tr q Q")
    except pikepdf.PdfError:
        return 0
    mode, stack = 0, []
    for operands, operator in instructions:
        op = str(operator)
        if op == "q":
            stack.append(mode)
        elif op == "Q":
            mode = stack.pop() if stack else 0
        elif op == "Tr":
            mode = int(operands[0]) if operands else 0
        elif op == "Do":
            if depth > 3:
                continue
            try:
                xobj = obj.Resources.XObject[operands[0]]
            except (AttributeError, KeyError, TypeError):
                continue
            if xobj.get("/Subtype") == "/Form":
                count += _shows_text(xobj, depth + 1)
        elif mode not in (3, 7):
            count += 1
    return count


@dataclass(frozen=True)
class PdfFacts:
    """What sohoa learns from a PDF's structure before reading any text."""

    pages: int
    text_pages: tuple[bool, ...]
    """Per page: does the page's own content show text (not just a scanned image)?"""
    signing_times: tuple[str, ...]
    """ISO times from the /M entries of signature dictionaries, in field order."""


def pdf_facts(path: Path) -> PdfFacts:
    with open_pdf(path) as pdf:
        if len(pdf.pages) == 0:
            raise EmptyFile(f"{path.name} không có trang nào.", f"{path.name} has no pages.")
        text_pages = tuple(_shows_text(page.obj) > 0 for page in pdf.pages)
        times = [parse_pdf_date(str(value.get("/M", ""))) for _, value in signature_fields(pdf)]
        return PdfFacts(len(pdf.pages), text_pages, tuple(t for t in times if t))


def pdf_text_pages(path: Path) -> list[PageLayout]:
    return poppler.text_layer(path)


MIN_DIACRITIC_SHARE = 0.5
"""A text layer with fewer of its words marked is another tool's OCR (the real Đà Nẵng copy's
layer: 26-35%) or a legacy font, and the page is read again; Unicode Vietnamese: 75-90%."""
JUDGED_WORDS = 40
"""Layers of fewer words (a form with mostly numbers and names) are not judged on marks."""


def has_real_text(layout: PageLayout, shows_text: bool) -> bool:
    """Whether a page's own text layer is worth more than reading the page again."""
    letters = sum(ch.isalpha() for ch in layout.text)
    if not shows_text or letters < MIN_TEXT_LETTERS:
        return False
    share, words = diacritic_share(layout.text)
    return words < JUDGED_WORDS or share >= MIN_DIACRITIC_SHARE


def _page_scan(page: pikepdf.Page, max_pixels: int) -> tuple[pikepdf.Object, int, int] | None:
    """The image XObject of a page that is one full-page image, its dpi and the page's
    /Rotate; None for any other page (text, several images, masks)."""
    try:
        images = list((page.get_images() if hasattr(page, "get_images") else page.images).items())
    except pikepdf.PdfError:
        return None
    if len(images) != 1 or _shows_text(page.obj) > 0:
        return None
    _, raw = images[0]
    width, height = int(raw.get("/Width", 0)), int(raw.get("/Height", 0))
    if width * height > max_pixels:
        raise TooLarge(
            f"Trang có ảnh {width}×{height} điểm ảnh, quá lớn (có thể là bom giải nén).",
            f"A page holds a {width}×{height} pixel image, too large (possible decompression bomb).",
        )
    if "/SMask" in raw or "/Mask" in raw or "/Decode" in raw:
        return None
    box = page.mediabox
    page_w = float(box[2]) - float(box[0])
    page_h = float(box[3]) - float(box[1])
    if page_w <= 0 or page_h <= 0 or height <= 0 or abs(width / height - page_w / page_h) > 0.03:
        return None
    return raw, round(width / (page_w / 72)), int(page.obj.get("/Rotate", 0)) % 360


def _single_page_image(page: pikepdf.Page, max_pixels: int) -> tuple[Image.Image, int] | None:
    """The page's scan, taken out losslessly when the page is one full-page image.

    Much faster than rendering, and leaves out signature stamps drawn on top.
    """
    found = _page_scan(page, max_pixels)
    if found is None:
        return None
    raw, dpi, rotate = found
    try:
        pil = pikepdf.PdfImage(raw).as_pil_image()
    except (pikepdf.PdfError, NotImplementedError, ValueError, OSError):
        return None
    if rotate:
        pil = pil.rotate(-rotate, expand=True)
    return pil, dpi


@dataclass(frozen=True)
class Jpeg:
    """A page's scan as the JPEG it was stored as, to copy without decoding it."""

    data: bytes
    width: int
    height: int
    dpi: int


def original_jpeg(path: Path, fmt: str, number: int, max_pixels: int) -> Jpeg | None:
    """Page ``number`` as the scanner stored it, when that is a JPEG (grey or RGB) shown
    upright as it is: a PDF page that is one DCT image, not rotated; a JPEG file with no
    EXIF turn. None otherwise (the page is then decoded: ``pdf_page_images``)."""
    if fmt == "pdf":
        with open_pdf(path) as pdf:
            found = _page_scan(pdf.pages[number - 1], max_pixels)
            if found is None:
                return None
            raw, dpi, rotate = found
            if rotate or raw.get("/Filter") != pikepdf.Name.DCTDecode or str(raw.get("/ColorSpace")) not in (
                    "/DeviceRGB", "/DeviceGray") or int(raw.get("/BitsPerComponent", 8)) != 8:
                return None
            return Jpeg(raw.read_raw_bytes(), int(raw.Width), int(raw.Height), dpi)
    if fmt != "jpeg" or number != 1:
        return None
    with Image.open(path) as pil:
        turned = pil.getexif().get(EXIF_ORIENTATION, 1) != 1
        if pil.mode not in ("L", "RGB") or turned or pil.width * pil.height > max_pixels:
            return None
        width, height, dpi = pil.width, pil.height, _estimate_dpi(pil)
    return Jpeg(path.read_bytes(), width, height, dpi)


def _to_array(pil: Image.Image) -> np.ndarray:
    """Grey or RGB pixels; converted only when the mode is neither (a conversion copies
    the whole page: a tenth of the decoding time of a 300 dpi page)."""
    mode = "L" if pil.mode in ("1", "L", "I;16", "I") else "RGB"
    return np.asarray(pil if pil.mode == mode else pil.convert(mode))


def pdf_page_images(path: Path, pages: list[int], max_pixels: int) -> Iterator[PageImage]:
    """Images of the given PDF pages (1-based), by extraction or by rendering."""
    with open_pdf(path) as pdf:
        for number in pages:
            page = pdf.pages[number - 1]
            found = _single_page_image(page, max_pixels)
            if found:
                pil, dpi = found
                yield PageImage(number, _to_array(pil), dpi)
                continue
            box = page.mediabox
            pixels = (float(box[2]) - float(box[0])) * (float(box[3]) - float(box[1])) * (RASTER_DPI / 72) ** 2
            if pixels > max_pixels:
                raise TooLarge(
                    f"Trang {number} của {path.name} quá khổ để dựng ảnh.",
                    f"Page {number} of {path.name} is too large to render.",
                )
            yield PageImage(number, poppler.rasterise(path, number, RASTER_DPI), RASTER_DPI)


def _estimate_dpi(pil: Image.Image) -> int:
    dpi = pil.info.get("dpi")
    # A phone writes 72 dpi whatever it photographed: a resolution that makes the image
    # larger than an A3 sheet is not the page's.
    if dpi and dpi[0] and 70 <= float(dpi[0]) <= 1200 and max(pil.size) / float(dpi[0]) <= 17.5:
        return round(float(dpi[0]))
    # No usable resolution recorded: assume an A4 page.
    return max(70, round(min(pil.size) / 8.27))


def raster_page_images(path: Path, max_pixels: int) -> Iterator[PageImage]:
    """Pages of a TIFF (all frames), JPEG or PNG."""
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as pil:
                for number, frame in enumerate(ImageSequence.Iterator(pil), start=1):
                    frame.load()
                    dpi = _estimate_dpi(frame)
                    turned = frame.getexif().get(EXIF_ORIENTATION, 1) != 1
                    upright = ImageOps.exif_transpose(frame) if turned else frame  # (it copies the page)
                    yield PageImage(number, _to_array(upright), dpi)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise TooLarge(
            f"{path.name} có kích thước ảnh quá lớn (có thể là bom giải nén): {exc}",
            f"{path.name} declares an image too large to decode (possible decompression bomb): {exc}",
        ) from exc
    except UnidentifiedImageError as exc:
        raise UnsupportedFormat(f"Không nhận ra ảnh {path.name}.",
                                f"{path.name} is not an image sohoa can read.") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise CorruptFile(
            f"{path.name} hỏng hoặc bị cắt cụt ({exc}). Hãy quét lại.",
            f"{path.name} is corrupt or truncated ({exc}). Scan it again.",
        ) from exc
