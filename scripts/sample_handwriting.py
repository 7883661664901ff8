"""Digits written by hand, for the number zone of a sample result (``Số: 47 /QĐ-UBND``).

Each digit is a pen path through a few points of its usual shape, smoothed, slanted,
jittered and drawn with a pen of varying width in blue or black ink. Nobody's real
handwriting: a stand-in varied enough to measure how far a digit-only second read can
be trusted.
"""

from __future__ import annotations

import math
import random

import numpy as np
from PIL import Image, ImageDraw

# Pen paths in a unit box (x right, y down); a digit may have two strokes.
STROKES: dict[str, list[list[tuple[float, float]]]] = {
    "0": [[(0.5, 0.0), (0.15, 0.2), (0.1, 0.6), (0.35, 1.0), (0.7, 0.95), (0.9, 0.55), (0.8, 0.12), (0.5, 0.0)]],
    "1": [[(0.3, 0.22), (0.6, 0.0), (0.58, 1.0)]],
    "2": [[(0.1, 0.25), (0.35, 0.0), (0.75, 0.05), (0.85, 0.3), (0.55, 0.6), (0.1, 1.0), (0.95, 0.97)]],
    "3": [[(0.12, 0.12), (0.5, 0.0), (0.85, 0.18), (0.75, 0.4), (0.45, 0.5), (0.85, 0.65), (0.8, 0.92),
           (0.45, 1.0), (0.1, 0.88)]],
    "4": [[(0.6, 0.0), (0.1, 0.68), (0.95, 0.68)], [(0.7, 0.3), (0.68, 1.0)]],
    "5": [[(0.85, 0.0), (0.25, 0.02), (0.18, 0.45), (0.6, 0.38), (0.9, 0.65), (0.7, 0.97), (0.15, 0.9)]],
    "6": [[(0.75, 0.02), (0.35, 0.15), (0.12, 0.6), (0.3, 0.98), (0.72, 0.95), (0.85, 0.68), (0.5, 0.5),
           (0.15, 0.68)]],
    "7": [[(0.05, 0.02), (0.95, 0.0), (0.35, 1.0)]],
    "8": [[(0.5, 0.47), (0.18, 0.25), (0.5, 0.0), (0.82, 0.22), (0.5, 0.47), (0.12, 0.75), (0.5, 1.0),
           (0.88, 0.75), (0.5, 0.47)]],
    "9": [[(0.85, 0.3), (0.5, 0.5), (0.15, 0.28), (0.5, 0.0), (0.85, 0.2), (0.82, 0.55), (0.65, 1.0)]],
}
INKS = ((25, 45, 160), (20, 20, 25), (40, 40, 120))


def _smooth(points: list[tuple[float, float]], steps: int = 8) -> list[tuple[float, float]]:
    """A Catmull-Rom curve through the points: a pen moves in curves, not corners."""
    pts = [points[0], *points, points[-1]]
    out = []
    for i in range(1, len(pts) - 2):
        p0, p1, p2, p3 = (np.array(p) for p in pts[i - 1:i + 3])
        for t in np.linspace(0, 1, steps, endpoint=False):
            out.append(tuple(0.5 * ((2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t * t
                                    + (-p0 + 3 * p1 - 3 * p2 + p3) * t ** 3)))
    out.append(points[-1])
    return out


def write_digits(digits: str, height_px: int, rng: random.Random) -> Image.Image:
    """An RGBA image of ``digits`` written by hand, ``height_px`` tall (transparent paper)."""
    width = int(height_px * (0.75 * len(digits) + 0.4))
    img = Image.new("RGBA", (width, int(height_px * 1.4)), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    ink = (*rng.choice(INKS), 255)
    pen = max(2, round(height_px * rng.uniform(0.06, 0.11)))
    slant = math.tan(math.radians(rng.uniform(-5, 18)))
    x = height_px * 0.2
    top = height_px * 0.2
    for ch in digits:
        w = height_px * rng.uniform(0.5, 0.62)
        h = height_px * rng.uniform(0.85, 1.05)
        dy = height_px * rng.uniform(-0.08, 0.08)
        for stroke in STROKES[ch]:
            jittered = [(px + rng.gauss(0, 0.035), py + rng.gauss(0, 0.03)) for px, py in stroke]
            path = [(x + px * w + (1 - py) * h * slant, top + dy + py * h) for px, py in _smooth(jittered)]
            draw.line(path, fill=ink, width=pen, joint="curve")
        x += w * rng.uniform(1.1, 1.35)
    return img
