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


BLANK_MAX_MARKS = 3
"""A page with at most this many marks of print is blank (a lone page number counts as blank)."""


def is_blank(image: np.ndarray) -> bool:
    """Whether a page carries no print: the back of a duplex scan.

    Print is far darker than the paper; text showing through from the other side, a
    seal's ghost, yellowing and scanner dust are only a little darker. The page is shrunk
    to about 100 dpi (dust averages away), its margins (scanner edges) are left out, and
    what is darker than 55% of the paper's level is counted in marks the size of a letter.
    """
    # Shrink by a whole factor (OpenCV's fast path for area averaging), then go grey.
    factor = max(1, round(max(image.shape[:2]) / 1100))
    h, w = image.shape[:2]
    cropped = image[:h - h % factor, :w - w % factor]
    small = cv2.resize(cropped, (cropped.shape[1] // factor, cropped.shape[0] // factor),
                       interpolation=cv2.INTER_AREA) if factor > 1 else cropped
    if small.ndim == 3:
        small = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    h, w = small.shape
    inner = small[int(h * 0.04):int(h * 0.96), int(w * 0.04):int(w * 0.96)]
    counts = cv2.calcHist([inner], [0], None, [256], [0, 256]).ravel().cumsum()
    paper = float(np.searchsorted(counts, counts[-1] * 0.9))  # the 90th percentile, from a histogram
    ink = cv2.compare(inner, paper * 0.55, cv2.CMP_LT)
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    marks = int(np.count_nonzero(stats[1:, cv2.CC_STAT_AREA] >= 4)) if count > 1 else 0
    return marks <= BLANK_MAX_MARKS


def turn(image: np.ndarray, degrees: int) -> np.ndarray:
    """The page turned clockwise by 0, 90, 180 or 270 degrees."""
    turns = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return cv2.rotate(image, turns[degrees]) if degrees in turns else image


def to_grey(image: np.ndarray, dpi: int) -> np.ndarray:
    """Plain luminance conversion (used when ink removal is switched off)."""
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def estimate_skew(grey: np.ndarray, max_angle: float = 6.0) -> float:
    """Skew angle in degrees by projection profiles of a downscaled, inverted page.

    Text lines give sharp peaks in the row sums when the page is level; the angle that
    maximises the variance of the row sums is the skew.
    """
    scale = 900 / max(grey.shape)
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    _, binary = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
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


def upscale(image: np.ndarray, dpi: int) -> np.ndarray:
    """Enlarge pages scanned below 250 dpi to 300 dpi: Tesseract wants x-heights of 20+ px."""
    if dpi >= 250:
        return image
    factor = 300 / dpi
    return cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)


STEPS: dict[str, Step] = {
    "remove_ink": remove_ink,
    "grey": to_grey,
    "deskew": deskew,
    "denoise": denoise,
    "threshold": threshold,
    "upscale": upscale,
}

DEFAULT_STEPS: tuple[str, ...] = ("remove_ink", "deskew")
"""Chosen by measurement on the sample corpus (see README, "Preprocessing")."""


@dataclass(frozen=True)
class Prepared:
    image: np.ndarray
    dpi: int
    steps: tuple[str, ...]


def prepare(image: np.ndarray, dpi: int, steps: tuple[str, ...] = DEFAULT_STEPS) -> Prepared:
    """Run the named steps in order and return a grey page ready for Tesseract."""
    for name in steps:
        image = STEPS[name](image, dpi)
        if name == "upscale" and dpi < 250:
            dpi = 300
    if image.ndim == 3:
        image = to_grey(image, dpi)
    return Prepared(image, dpi, steps)
