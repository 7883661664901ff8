"""A second, closer read of one layout zone when the first pass missed it.

The number zone: digits filled in by hand in the blank of "Số: ___ /QĐ-UBND" read as
"4†" or nothing. They are read again alone, digits only, from the scan before ink
removal (the pen is often blue), at three sizes that must agree. Measured on generated
handwriting (``tests/test_handwritten_digits.py``) that read is right about 98 times in
100 and Tesseract's confidence does not tell the wrong ones apart (they score 96 too), so
it is a suggestion for the person reviewing the record, never the number itself.

On grey scans a red seal turns mid-grey and can no longer be told from print by colour;
Tesseract then often drops the signer's title lines that the seal overlaps. The signer
zone (bottom right of the last page) is read again after lifting everything lighter
than print to white, which removes the seal but not the black print under it.
"""

from __future__ import annotations

import cv2
import numpy as np

from sohoa.core.layout import Line, PageLayout
from sohoa.ocr import tesseract

LIFT_STRENGTHS = (0.3, 0.0)
"""How far from print toward paper the cut lies, tried in turn. At 0.3 a light seal goes.
0.0 stands for "between two inks": a red seal scanned in grey (luminance ~95) with a solid
star can outweigh the print in the zone, and is then told from it by a two-class split
(Otsu) of the pixels darker than paper."""


def lift_light_ink(zone: np.ndarray, strength: float = LIFT_STRENGTHS[0]) -> np.ndarray:
    """Whiten pixels closer to paper than to print (seal and signature in grey)."""
    paper_level = float(np.percentile(zone, 60))
    if strength > 0:
        print_level = float(np.percentile(zone, 0.2))  # print is sparse in a mostly blank zone
        cut = print_level + strength * (paper_level - print_level)
    else:
        dark = zone[zone < paper_level * 0.75].reshape(-1, 1)
        if dark.size < 50:
            return zone
        split, _ = cv2.threshold(dark, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
        cut = float(split)
    out = zone.copy()
    out[out > cut] = 255
    return out


def reread_signer_zone(image: np.ndarray, layout: PageLayout, top: float, *, dpi: int,
                       language: str, strength: float = LIFT_STRENGTHS[0]) -> PageLayout:
    """Read the right half of ``image`` below ``top`` again and splice its lines into ``layout``.

    Coordinates of the new lines are page coordinates; lines of the first pass inside the
    zone are replaced.
    """
    h, w = image.shape[:2]
    x0, y0 = int(w * 0.45), max(0, int(top))
    zone = lift_light_ink(image[y0:h, x0:w], strength)
    read = tesseract.read_page(zone, page_number=layout.number, dpi=dpi, language=language, psm=6)
    moved = tuple(
        Line(ln.text, ln.x0 + x0, ln.y0 + y0, ln.x1 + x0, ln.y1 + y0, ln.confidence, 10_000 + ln.block,
             ln.word_confidences, tuple((a + x0, b + x0, t) for a, b, t in ln.words))
        for ln in read.lines
    )
    kept = tuple(ln for ln in layout.lines if not (ln.x0 >= x0 - 1 and ln.y0 >= y0 - 1))
    return PageLayout(layout.number, layout.width, layout.height, kept + moved, layout.turned)


HANDWRITTEN_DIGIT_CONFIDENCE = 90.0
"""Every read at or above this for a suggestion. On 600 generated hand-filled numbers
(seeds 7 and 8) 117 pass, 2 of them wrong; no higher threshold removes those two."""
DIGIT_HEIGHTS_PX = (50, 75, 105)
"""The sizes (line height in pixels) the zone is read at; every read must give the same digits."""


def digit_reads(image: np.ndarray, line: Line) -> list[tuple[str, float]]:
    """Digit-only reads of the blank between "Số:" and the "/" of the notation on ``line``,
    the line scaled to each of ``DIGIT_HEIGHTS_PX``; empty when there is no such blank."""
    start = next((x1 for x0, x1, t in line.words if t.lower().startswith(("số", "so", "s6", "s0"))), None)
    end = next((x0 for x0, x1, t in line.words if "/" in t), None)
    if start is None or end is None or end - start < line.height * 0.4:
        return []
    pad = int(line.height * 0.5)
    zone = image[max(0, int(line.y0) - pad):int(line.y1) + pad, max(0, int(start)):int(end)]
    if zone.size == 0:
        return []
    reads = []
    for px in DIGIT_HEIGHTS_PX:
        f = px / max(1.0, line.height)
        sized = cv2.resize(zone, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC if f > 1 else cv2.INTER_AREA)
        reads.append(tesseract.read_digits(sized))
    return reads


def agreed(reads: list[tuple[str, float]], threshold: float = HANDWRITTEN_DIGIT_CONFIDENCE) -> tuple[str, float] | None:
    """The digits when every read gives the same 2-6 digits at ``threshold`` or above.

    Decree 30 pads numbers below 10 with a zero, so a number has two digits at least; a
    lone digit read from a hand is most often a 1 taken for a 7, or the reverse."""
    if not reads or not 2 <= len(reads[0][0]) <= 6:
        return None
    if any(d != reads[0][0] or c < threshold for d, c in reads):
        return None
    return reads[0][0], min(c for _, c in reads)


def read_number_digits(image: np.ndarray, line: Line) -> tuple[str, float] | None:
    """The digits filled in by hand on a number line, or None when the reads disagree or
    any is unsure."""
    return agreed(digit_reads(image, line))
