"""Page images with personal data blacked out, for users who may not see it.

An officer without ``personal_data`` still needs to look at the paper. Instead of
withholding the page, sohoa serves it with black boxes over:

- the words the text masking hides (``sohoa.core.privacy.personal_spans``): ID numbers,
  with or without their label, dates of birth, addresses;
- whatever follows an ID, birth or address label on its line, read or not (a hand-filled
  number, digits OCR could not read), and the next line too when the value wraps onto it
  or nothing was read after the label.

The page is read again as it is served: Tesseract on the page image turned upright, so
that every box falls on the pixels it covers (the stored layout's boxes are those of the
page as the ingest prepared it: cut out of a photo, levelled, enlarged). A page read too
poorly to know where its words are is not served at all.

What it does not cover: handwriting OCR cannot read away from a label, stamps and seals,
photographs of people, and personal data written without a label (a name is not masked).

Redacted images are made once and kept in ``HOME/redacted`` by the file's content hash
and ``VERSION``, which changes whenever the masking rules or this module do.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sohoa.core import privacy
from sohoa.core.layout import Line, PageLayout
from sohoa.core.settings import Settings

VERSION = hashlib.sha256(Path(privacy.__file__).read_bytes() + Path(__file__).read_bytes()).hexdigest()[:12]
"""The masking rules' version: the cache of redacted images is keyed by it."""
MIN_WORDS = 8
MIN_CONFIDENCE = 55.0
"""A page with fewer words, or a lower mean confidence, was not read well enough to know
where its personal data lies: it is refused rather than served half-redacted."""

KINDS = {
    "id": ("số định danh, CCCD, CMND hoặc hộ chiếu", "personal ID number"),
    "birth": ("ngày sinh", "date of birth"),
    "address": ("địa chỉ", "address"),
    "label": ("phần sau nhãn dữ liệu cá nhân (đọc được hay không)", "what follows a personal-data label, read or not"),
}
"""What each kind of region hides, in Vietnamese and English (said on the record page)."""


@dataclass(frozen=True)
class Region:
    """A box blacked out, in the served image's pixels, and why."""

    x0: int
    y0: int
    x1: int
    y1: int
    kind: str


@dataclass(frozen=True)
class RedactedPage:
    number: int
    png: bytes
    regions: tuple[Region, ...]
    width: int
    height: int


class CannotRedact(Exception):
    """A page read too poorly to redact: it is not served (``message`` in both languages)."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.number = number
        self.message = (f"Trang {number} đọc được quá ít để che dữ liệu cá nhân một cách an toàn: không hiển thị.",
                        f"Page {number} was read too poorly to black out its personal data safely: not shown.")


def _box(line: Line, x0: float, x1: float, kind: str) -> tuple[float, float, float, float, str]:
    """A word's (or a run of words') box on ``line``, with margins a third of the line's height."""
    pad = max(line.height, 1.0) * 0.35
    return (x0 - pad, line.y0 - pad, x1 + pad, line.y1 + pad, kind)


def regions_of(page: PageLayout) -> list[tuple[float, float, float, float, str]]:
    """The boxes to black out on ``page`` (in its own coordinates): see the module docstring."""
    lines = [ln for ln in page.lines if ln.words]
    joined, places = privacy.words_text([[w[2] for w in ln.words] for ln in lines])
    boxes: list[tuple[float, float, float, float, str]] = []
    for span in privacy.personal_spans(joined):
        for line, row in zip(lines, places, strict=True):
            touched = [w for w, (s, e) in zip(line.words, row, strict=True) if span.start < e and s < span.end]
            if touched:
                x1 = line.x1 if span.kind == "address" else touched[-1][1]
                boxes.append(_box(line, touched[0][0], x1, span.kind))
    right = max((ln.x1 for ln in lines), default=page.width)
    for i, (line, row) in enumerate(zip(lines, places, strict=True)):
        text = " ".join(w[2] for w in line.words)
        after = _after_label(text)
        if after is None:
            continue
        base = row[0][0]  # where the line starts in the page's joined words
        following = [w for w, (s, _) in zip(line.words, row, strict=True) if s - base >= after]
        start = following[0][0] if following else line.x1
        boxes.append(_box(line, start, max(right, line.x1), "label"))
        wraps = not following or text.rstrip().endswith((",", ";", "-"))
        if wraps and i + 1 < len(lines) and lines[i + 1].y0 - line.y1 < line.height * 1.5:
            nxt = lines[i + 1]
            boxes.append(_box(nxt, nxt.x0, max(right, nxt.x1), "label"))
    return boxes


def _after_label(text: str) -> int | None:
    """Where the value after an ID, birth or address label begins in a line's text, if the
    line has such a label (an address's only before a colon)."""
    ends = [m.end() for m in privacy.ID_LABEL.finditer(text)]
    ends += [m.end() for m in privacy.BIRTH_LABEL.finditer(text)]
    ends += [c.end() for c in re.finditer(":", text)
             if privacy.ADDRESS_LABEL.search(text, max(0, c.start() - 60), c.start())]
    return min(ends) if ends else None


def _upright(image: np.ndarray, turned: int) -> np.ndarray:
    from sohoa.ocr import preprocess

    return preprocess.turn(image, turned) if turned else image


def redact_image(image: np.ndarray, number: int, dpi: int, turned: int, settings: Settings,
                 *, blank: bool = False, width: int = 1200) -> RedactedPage:
    """``image`` (RGB or grey, as the file holds it) turned upright, read again, its
    personal data blacked out, at most ``width`` pixels wide."""
    import cv2

    from sohoa.ocr import preprocess, tesseract

    image = _upright(image, turned)
    grey = preprocess.remove_ink(image, dpi)  # the seal over a name or a number reads as noise
    prepared = preprocess.enlarge(grey, dpi)  # a phone photo's page, to 300 dpi
    scale = image.shape[1] / prepared.shape[1]
    layout = tesseract.read_page(prepared, page_number=number, dpi=300 if prepared is not grey else dpi,
                                 language=settings.ocr_language)
    words = sum(len(ln.words) for ln in layout.lines)
    if not blank and (words < MIN_WORDS or (layout.mean_confidence or 0.0) < MIN_CONFIDENCE):
        raise CannotRedact(number)
    shrink = min(1.0, width / image.shape[1])
    out = image.copy()
    if out.shape[1] > width:
        out = cv2.resize(out, (width, round(out.shape[0] * shrink)), interpolation=cv2.INTER_AREA)
    factor = scale * shrink
    regions = []
    for x0, y0, x1, y1, kind in regions_of(layout):
        box = Region(max(0, int(x0 * factor)), max(0, int(y0 * factor)),
                     min(out.shape[1], int(np.ceil(x1 * factor))), min(out.shape[0], int(np.ceil(y1 * factor))), kind)
        regions.append(box)
        cv2.rectangle(out, (box.x0, box.y0), (box.x1, box.y1), (0, 0, 0) if out.ndim == 3 else 0, thickness=-1)
    if out.ndim == 3:
        out = cv2.cvtColor(out, cv2.COLOR_RGB2BGR)
    ok, png = cv2.imencode(".png", out)
    if not ok:
        raise CannotRedact(number)
    return RedactedPage(number, png.tobytes(), tuple(regions), out.shape[1], out.shape[0])


def _cache_dir(settings: Settings, sha256: str) -> Path:
    return settings.home / "redacted" / sha256[:2] / f"{sha256}-{VERSION}"


def cached_page(settings: Settings, sha256: str, number: int) -> RedactedPage | None:
    """A page redacted before, by this content and these rules; None if not made yet."""
    folder = _cache_dir(settings, sha256)
    try:
        meta = json.loads((folder / f"p{number}.json").read_text(encoding="utf-8"))
        png = (folder / f"p{number}.png").read_bytes()
    except (OSError, ValueError):
        return None
    return RedactedPage(number, png, tuple(Region(**r) for r in meta["regions"]), meta["width"], meta["height"])


def keep(settings: Settings, sha256: str, page: RedactedPage) -> None:
    """Keep a redacted page for the next reader (written whole, then renamed into place)."""
    folder = _cache_dir(settings, sha256)
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"regions": [asdict(r) for r in page.regions], "width": page.width, "height": page.height}
    for name, data in ((f"p{page.number}.png", page.png),
                       (f"p{page.number}.json", json.dumps(meta).encode())):
        part = folder / f".{name}.{os.getpid()}.part"
        part.write_bytes(data)
        os.replace(part, folder / name)


def redacted_pages(settings: Settings, record: dict[str, Any], numbers: list[int],
                   original: Callable[[], Path]) -> list[RedactedPage]:
    """Pages ``numbers`` of a record (its export form with its layout), redacted: from the
    cache when made before, else from ``original()`` (a path to the file as ingested);
    ``CannotRedact`` for the first page that cannot be."""
    from sohoa.ocr import pages as pagesmod

    sha = record["source"]["sha256"]
    out = {n: hit for n in numbers if (hit := cached_page(settings, sha, n)) is not None}
    missing = [n for n in numbers if n not in out]
    if missing:
        path, fmt = original(), record["source"]["format"]
        turned = {p.get("page"): p.get("turned", 0) for p in record.get("layout") or ()}
        blank = set(record.get("blank_pages") or ())
        if fmt == "pdf":
            images = pagesmod.pdf_page_images(path, missing, settings.max_pixels)
        else:
            images = (p for p in pagesmod.raster_page_images(path, settings.max_pixels) if p.number in missing)
        for page in images:
            done = redact_image(page.image, page.number, page.dpi, turned.get(page.number, 0), settings,
                                blank=page.number in blank)
            keep(settings, sha, done)
            out[page.number] = done
    return [out[n] for n in numbers]


def as_pdf(pages: list[RedactedPage]) -> bytes:
    """The redacted pages as one PDF of images: no text layer to hold what was blacked out."""
    from PIL import Image

    images = [Image.open(io.BytesIO(p.png)).convert("RGB") for p in pages]
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", save_all=True, append_images=images[1:], resolution=150.0)
    return buffer.getvalue()


def summary(regions: tuple[Region, ...]) -> dict[str, int]:
    """How many regions of each kind a page had blacked out."""
    counts: dict[str, int] = {}
    for region in regions:
        counts[region.kind] = counts.get(region.kind, 0) + 1
    return counts
