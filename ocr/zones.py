"""A second, closer read of one layout zone when the first pass missed it.

On grey scans a red seal turns mid-grey and can no longer be told from print by colour;
Tesseract then often drops the signer's title lines that the seal overlaps. The signer
zone (bottom right of the last page) is read again after lifting everything lighter
than print to white, which removes the seal but not the black print under it.
"""

from __future__ import annotations

import numpy as np

from ocr import tesseract
from ocr.layout import Line, PageLayout


def lift_light_ink(zone: np.ndarray) -> np.ndarray:
    """Whiten pixels closer to paper than to print (seal and signature in grey)."""
    print_level = float(np.percentile(zone, 0.2))  # print is sparse in a mostly blank zone
    paper_level = float(np.percentile(zone, 60))
    cut = print_level + 0.3 * (paper_level - print_level)
    out = zone.copy()
    out[out > cut] = 255
    return out


def reread_signer_zone(image: np.ndarray, layout: PageLayout, top: float, *, dpi: int,
                       language: str) -> PageLayout:
    """Read the right half of ``image`` below ``top`` again and splice its lines into ``layout``.

    Coordinates of the new lines are page coordinates; lines of the first pass inside the
    zone are replaced.
    """
    h, w = image.shape[:2]
    x0, y0 = int(w * 0.45), max(0, int(top))
    zone = lift_light_ink(image[y0:h, x0:w])
    read = tesseract.read_page(zone, page_number=layout.number, dpi=dpi, language=language, psm=6)
    moved = tuple(
        Line(ln.text, ln.x0 + x0, ln.y0 + y0, ln.x1 + x0, ln.y1 + y0, ln.confidence, 10_000 + ln.block,
             ln.word_confidences, tuple((a + x0, b + x0, t) for a, b, t in ln.words))
        for ln in read.lines
    )
    kept = tuple(ln for ln in layout.lines if not (ln.x0 >= x0 - 1 and ln.y0 >= y0 - 1))
    return PageLayout(layout.number, layout.width, layout.height, kept + moved, layout.turned)
