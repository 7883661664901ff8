"""Clean a scanned page before OCR, with OpenCV. Each step is measured (see
``scripts/eval_preprocess.py``); the README explains why the defaults are what they are.

A step takes and returns a uint8 array; it may receive colour (h, w, 3) RGB or grey.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

Step = Callable[[np.ndarray, int], np.ndarray]


def remove_ink(image: np.ndarray, dpi: int) -> np.ndarray:
    """Whiten red seal and blue signature ink, then go grey.

    On real results the red seal overlaps the signer's title and name; Tesseract reads its
    ring text and the printed words under it as noise. Printed text is black, so strongly
    saturated red or blue pixels can be dropped without losing any of it.
    """
    if image.ndim == 2:
        return image
    # Integer channel arithmetic (SIMD in OpenCV): three times faster than an HSV test.
    r, g, b = cv2.split(image)
    red = cv2.compare(cv2.subtract(r, cv2.max(g, b)), 45, cv2.CMP_GT)
    blue = cv2.compare(cv2.subtract(b, cv2.max(r, g)), 35, cv2.CMP_GT)
    # Dilate a little: the antialiased rim of a seal stroke is less saturated. Dark
    # pixels (dark in every channel) are print: black under red ink stays black.
    ink = cv2.dilate(cv2.bitwise_or(red, blue), np.ones((3, 3), np.uint8))
    ink = cv2.bitwise_and(ink, cv2.compare(cv2.max(r, cv2.max(g, b)), 100, cv2.CMP_GT))
    return cv2.max(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), ink)


def _shrink(image: np.ndarray, factor: int) -> np.ndarray:
    """``image`` shrunk by a whole factor: OpenCV's fast path for area averaging."""
    if factor <= 1:
        return image
    h, w = image.shape[:2]
    return cv2.resize(image[:h - h % factor, :w - w % factor], (w // factor, h // factor),
                      interpolation=cv2.INTER_AREA)


def _paper_level(grey: np.ndarray) -> float:
    """The paper's grey level: the 90th percentile of the pixels, from a histogram."""
    counts = cv2.calcHist([grey], [0], None, [256], [0, 256]).ravel().cumsum()
    return float(np.searchsorted(counts, counts[-1] * 0.9))


BLANK_MAX_MARKS = 3
"""A page with at most this many marks of print is blank (a lone page number counts as blank)."""


def is_blank(image: np.ndarray) -> bool:
    """Whether a page carries no print: the back of a duplex scan.

    Print is far darker than the paper; text showing through from the other side, a
    seal's ghost, yellowing and scanner dust are only a little darker. The page is shrunk
    to about 100 dpi (dust averages away), its margins (scanner edges) are left out, and
    what is darker than 55% of the paper's level is counted in marks the size of a letter.
    """
    small = _shrink(image, max(1, round(max(image.shape[:2]) / 1100)))
    if small.ndim == 3:
        small = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    h, w = small.shape
    inner = small[int(h * 0.04):int(h * 0.96), int(w * 0.04):int(w * 0.96)]
    ink = cv2.compare(inner, _paper_level(inner) * 0.55, cv2.CMP_LT)
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    marks = int(np.count_nonzero(stats[1:, cv2.CC_STAT_AREA] >= 4)) if count > 1 else 0
    return marks <= BLANK_MAX_MARKS


CONTENT_MARGIN_INCH = 0.2
"""White kept around the print when a page is cut to it for Tesseract."""


def content_box(image: np.ndarray, dpi: int) -> tuple[int, int, int, int]:
    """``(left, top, right, bottom)`` of the print on a page, with a margin.

    Tesseract's thresholding and layout analysis cost by the pixel, paper or print: a page
    cut to its print (about half an A4 page's pixels on the sample corpus) reads about a
    tenth faster. The print is found as ``whiten_paper`` sees it (what is lighter than
    ``PAPER_CUT`` of the paper's level is paper), in blocks of 4x4 pixels of which a
    fifth is print: the grain and uneven light of a poor scan are not print, and a few
    lines on grainy paper are read cut close (whole, Tesseract's own threshold falls in
    the grain and reads nothing). The whole page when nothing is print."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    height, width = grey.shape
    factor = 4
    if min(height, width) < 16 * factor:  # a strip, not a page: nothing worth cutting
        return 0, 0, width, height
    white = np.where(grey > _paper_level(grey) * PAPER_CUT, np.uint8(255), grey)
    marked = cv2.compare(_shrink(white, factor), 255 * 0.8, cv2.CMP_LT)
    rows, cols = np.flatnonzero(marked.any(axis=1)), np.flatnonzero(marked.any(axis=0))
    if not len(rows):
        return 0, 0, width, height
    margin = round(dpi * CONTENT_MARGIN_INCH)
    return (max(0, int(cols[0]) * factor - margin), max(0, int(rows[0]) * factor - margin),
            min(width, (int(cols[-1]) + 1) * factor + margin), min(height, (int(rows[-1]) + 1) * factor + margin))


PAPER_CUT = 0.8
"""Share of the paper's level above which ``whiten_paper`` makes a pixel white."""


def whiten_paper(image: np.ndarray) -> np.ndarray:
    """The paper made white, print kept: for a page with little print on grainy paper,
    where Tesseract's own global threshold falls inside the paper's grain and the few
    lines drown in speckle (the end of a letter carried over to a page of its own)."""
    grey = to_grey(image, 0)
    paper = float(np.percentile(grey, 90))
    out = grey.copy()
    out[out > paper * PAPER_CUT] = 255
    return out


def turn(image: np.ndarray, degrees: int) -> np.ndarray:
    """The page turned clockwise by 0, 90, 180 or 270 degrees."""
    turns = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return cv2.rotate(image, turns[degrees]) if degrees in turns else image


def to_grey(image: np.ndarray, dpi: int) -> np.ndarray:
    """Plain luminance conversion: the step used when ink removal is switched off, and the
    grey view the other steps measure a page on."""
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def estimate_skew(grey: np.ndarray, max_angle: float = 6.0) -> float:
    """Skew angle in degrees by projection profiles of a downscaled, inverted page.

    Text lines give sharp peaks in the row sums when the page is level; the angle that
    maximises the variance of the row sums is the skew.
    """
    scale = 900 / max(grey.shape)
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    # Otsu's split, but never within the paper's own grain: on a page with a few lines of
    # print (the end of a letter carried over) Otsu splits the paper in two, and the row
    # sums then follow the scan's uneven light, not the lines.
    otsu, _ = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    paper = float(np.percentile(small, 90))
    _, binary = cv2.threshold(small, min(otsu, paper * 0.75), 255, cv2.THRESH_BINARY_INV)
    h, w = binary.shape
    centre = (w / 2, h / 2)

    def score(angle: float) -> float:
        matrix = cv2.getRotationMatrix2D(centre, angle, 1.0)
        rotated = cv2.warpAffine(binary, matrix, (w, h), flags=cv2.INTER_NEAREST)
        return float(np.var(rotated.sum(axis=1, dtype=np.float64)))

    best = max(np.arange(-max_angle, max_angle + 0.01, 1.0), key=score)
    fine = max(np.arange(best - 0.8, best + 0.81, 0.2), key=score)
    return float(fine)


def deskew(image: np.ndarray, dpi: int) -> np.ndarray:
    """Rotate the page level when it was scanned at an angle of 0.2-6 degrees."""
    grey = to_grey(image, dpi)
    angle = estimate_skew(grey)
    if abs(angle) < 0.2:
        return image
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    border = (255, 255, 255) if image.ndim == 3 else 255
    return cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=border)


def denoise(image: np.ndarray, dpi: int) -> np.ndarray:
    """3x3 median filter: removes scanner speckle without eating diacritics at >=200 dpi."""
    return cv2.medianBlur(image, 3)


def threshold(image: np.ndarray, dpi: int) -> np.ndarray:
    """Adaptive Gaussian threshold, for uneven lighting (phone photos, yellowed paper)."""
    grey = to_grey(image, dpi)
    block = max(15, (dpi // 8) | 1)
    return cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C,
                                 cv2.THRESH_BINARY, block, 15)


A4_SHORT_SIDE_IN = 8.27


def _small(image: np.ndarray, size: int) -> tuple[np.ndarray, float]:
    """``image`` shrunk to ``size`` pixels on its long side, and the scale: area averaging
    by a whole factor first (fast), then the rest, so a 300 dpi page costs a few milliseconds."""
    step = max(1, max(image.shape[:2]) // size)
    image = _shrink(image, step)
    scale = size / max(image.shape[:2])
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
    return small, scale / step


def find_sheet(image: np.ndarray) -> np.ndarray | None:
    """The four corners (top-left, top-right, bottom-right, bottom-left) of a sheet of paper
    photographed on a darker surface, or None when the page fills the frame (a scan).

    The sheet's rim is the strongest edge in the photo, in the shade as in the light, so
    the sheet is the largest region the edge map closes (print inside it is enclosed);
    its convex hull bridges a gap in the rim (a thumb's, whose own outline is left out),
    and the hull's extreme points are the corners.
    """
    small, scale = _small(image, 640)
    grey = cv2.GaussianBlur(to_grey(small, 0), (5, 5), 0)
    h, w = grey.shape
    edges = cv2.Canny(grey, 30, 90)
    if small.ndim == 3:
        # A thumb holding the sheet: skin is bright, orange and moderately saturated (paper
        # is grey, a wooden table dark). Its outline is dropped; the hull bridges the gap.
        hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
        skin = cv2.inRange(hsv, (0, 50, 150), (15, 170, 255))
        count, labels, stats, _ = cv2.connectedComponentsWithStats(skin)
        big = [i for i in range(1, count) if stats[i, cv2.CC_STAT_AREA] >= 0.002 * h * w]  # not the rim's blend
        if big:
            thumb = np.isin(labels, big).astype(np.uint8) * 255
            edges[cv2.dilate(thumb, np.ones((7, 7), np.uint8)) > 0] = 0
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8), iterations=2)
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    hull = cv2.convexHull(max(contours, key=lambda c: cv2.contourArea(cv2.convexHull(c))))
    share = cv2.contourArea(hull) / (h * w)
    x0, y0, bw, bh = cv2.boundingRect(hull)
    # A sheet that fills the frame, or touches three of its sides, is a scan (or a
    # photo cropped to the page): nothing to flatten.
    touching = sum((x0 <= 2, y0 <= 2, x0 + bw >= w - 3, y0 + bh >= h - 3))
    if not 0.2 <= share <= 0.92 or touching >= 3:
        return None
    sheet = np.zeros_like(grey)
    cv2.fillConvexPoly(sheet, hull, 255)
    if cv2.mean(grey, mask=cv2.bitwise_not(sheet))[0] > 0.8 * cv2.mean(grey, mask=sheet)[0]:
        return None  # no darker surround: not a sheet on a table
    points = hull.reshape(-1, 2).astype(np.float32)
    sums, diffs = points.sum(axis=1), points[:, 0] - points[:, 1]
    corners = np.float32([points[sums.argmin()], points[diffs.argmax()], points[sums.argmax()],
                          points[diffs.argmin()]])
    return corners / scale


def flatten(image: np.ndarray, dpi: int) -> np.ndarray:
    """A phone photo of a page, warped to the page alone, upright and rectangular, with its
    light evened out; a scan passes unchanged (see ``find_sheet``)."""
    corners = find_sheet(image)
    if corners is not None:
        tl, tr, br, bl = corners
        width = round(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
        height = round(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
        target = np.float32([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]])
        matrix = cv2.getPerspectiveTransform(corners, target)
        image = cv2.warpPerspective(image, matrix, (width, height), flags=cv2.INTER_CUBIC,
                                    borderMode=cv2.BORDER_REPLICATE)
    # A photo's paper is grey and its light uneven: always even it (measured on generated
    # phone photos: 0.61 -> 0.81 of the page text read right); a scan only when uneven.
    return even_light(image, always=corners is not None)


def even_light(image: np.ndarray, always: bool = False) -> np.ndarray:
    """Divide the page by its paper's brightness where that varies by more than a third
    across the page (a lamp on one side, a phone's shadow), or ``always``; even scans pass
    unchanged.

    The paper's brightness is the page with its print closed away (a grey-level closing
    wider than any stroke), blurred; dividing by it leaves print dark on white paper.
    """
    small, _ = _small(image, 400)
    grey = to_grey(small, 0)
    background = cv2.GaussianBlur(cv2.morphologyEx(grey, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8)), (0, 0), 8)
    low, high = np.percentile(background, (3, 97))
    if high <= 0 or (low / high >= 0.67 and not always):
        return image
    full = cv2.resize(background, (image.shape[1], image.shape[0]), interpolation=cv2.INTER_LINEAR)
    full = np.maximum(full.astype(np.float32), 1.0)
    if image.ndim == 3:
        full = full[..., None]
    return np.clip(image.astype(np.float32) * (235.0 / full), 0, 255).astype(np.uint8)


def page_dpi(image: np.ndarray) -> int:
    """The resolution of a page image that shows the whole sheet, taken as A4."""
    return max(30, round(min(image.shape[:2]) / A4_SHORT_SIDE_IN))


ENLARGE_BELOW_DPI = 150
"""Enlarging helps Tesseract only on pages below this (measured: no gain at 150 dpi and up)."""
UPSCALE_BELOW_DPI = 250


def _to_300_dpi(image: np.ndarray, dpi: int, below: int) -> np.ndarray:
    if dpi >= below:
        return image
    factor = 300 / dpi
    return cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)


def enlarge(image: np.ndarray, dpi: int) -> np.ndarray:
    """Enlarge a low-resolution page (a phone photo, a screenshot) to 300 dpi."""
    return _to_300_dpi(image, dpi, ENLARGE_BELOW_DPI)


def upscale(image: np.ndarray, dpi: int) -> np.ndarray:
    """Enlarge pages scanned below 250 dpi to 300 dpi: Tesseract wants x-heights of 20+ px."""
    return _to_300_dpi(image, dpi, UPSCALE_BELOW_DPI)


_ENLARGES_BELOW = {"upscale": UPSCALE_BELOW_DPI, "enlarge": ENLARGE_BELOW_DPI}
"""Steps that take a page below this resolution to 300 dpi."""


STEPS: dict[str, Step] = {
    "remove_ink": remove_ink,
    "grey": to_grey,
    "deskew": deskew,
    "denoise": denoise,
    "threshold": threshold,
    "upscale": upscale,
    "flatten": flatten,
    "enlarge": enlarge,
}

DEFAULT_STEPS: tuple[str, ...] = ("flatten", "remove_ink", "deskew", "enlarge")
"""Chosen by measurement on the sample corpus (see README, "Preprocessing")."""


@dataclass(frozen=True)
class Prepared:
    image: np.ndarray
    dpi: int
    steps: tuple[str, ...]
    enlarged: bool = False
    """The page was below ``ENLARGE_BELOW_DPI`` (a phone photo, a screenshot) and was enlarged."""


def prepare(image: np.ndarray, dpi: int, steps: tuple[str, ...] = DEFAULT_STEPS) -> Prepared:
    """Run the named steps in order and return a grey page ready for Tesseract."""
    enlarged = False
    for name in steps:
        before = image.shape
        image = STEPS[name](image, dpi)
        if dpi < _ENLARGES_BELOW.get(name, 0):
            enlarged |= name == "enlarge"
            dpi = 300
        elif name == "flatten" and image.shape != before:
            dpi = page_dpi(image)  # the sheet was cut out of a photo: its size gives the resolution
    if image.ndim == 3:
        image = to_grey(image, dpi)
    return Prepared(image, dpi, steps, enlarged)
