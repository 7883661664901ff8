"""A page photographed with a phone instead of scanned: the sheet lies on a table, seen at
an angle, lit unevenly (a lamp on one side, the phone's shadow), a finger holding one edge,
and the whole photo is small (a messaging app's 600-1000 pixels) and JPEG-compressed.

Used by ``samplegen`` for the ``photo`` quality; the extractor's ``flatten`` and
``enlarge`` steps (``ocr.preprocess``) are what it exercises.
"""

from __future__ import annotations

import random

import cv2
import numpy as np
from PIL import Image

TABLE_RGB = ((92, 64, 44), (60, 62, 70), (120, 100, 80), (40, 40, 42))
"""Wood, grey desk, light wood, dark cloth."""
SKIN_RGB = ((224, 172, 140), (198, 140, 110), (236, 190, 160))


def photograph(page: Image.Image, rng: random.Random) -> Image.Image:
    """The page ``page`` (RGB, any resolution) as a phone photo of it."""
    return photograph_with_corners(page, rng)[0]


def photograph_with_corners(page: Image.Image, rng: random.Random) -> tuple[Image.Image, np.ndarray]:
    """The photo and where the sheet's corners are in it (top-left, top-right,
    bottom-right, bottom-left), for tests of finding the sheet."""
    sheet = np.asarray(page.convert("RGB"), dtype=np.uint8)
    sh, sw = sheet.shape[:2]
    # The photo's frame: portrait, the sheet covering 60-85% of its height.
    out_h = rng.randint(740, 1100)
    out_w = round(out_h * rng.uniform(0.72, 0.8))
    cover = rng.uniform(0.68, 0.86)
    page_h = out_h * cover
    page_w = page_h * sw / sh
    cx, cy = out_w / 2 + rng.uniform(-0.04, 0.04) * out_w, out_h / 2 + rng.uniform(-0.03, 0.03) * out_h
    # A perspective: each corner pushed by up to 7% of the sheet, the top narrower (tilted phone).
    squeeze = rng.uniform(0.0, 0.08) * page_w

    def jitter() -> float:
        return rng.uniform(-0.035, 0.035) * page_w

    corners = np.float32([
        [cx - page_w / 2 + squeeze + jitter(), cy - page_h / 2 + jitter()],
        [cx + page_w / 2 - squeeze + jitter(), cy - page_h / 2 + jitter()],
        [cx + page_w / 2 + jitter(), cy + page_h / 2 + jitter()],
        [cx - page_w / 2 + jitter(), cy + page_h / 2 + jitter()],
    ])
    source = np.float32([[0, 0], [sw, 0], [sw, sh], [0, sh]])
    matrix = cv2.getPerspectiveTransform(source, corners)
    # Shrink the sheet first with area averaging (what the phone's optics and resizing do),
    # then warp: warping a 150 dpi page straight to 60 dpi would alias the letters.
    shrink = max(1.0, sh / (page_h * 1.15))
    small = cv2.resize(sheet, (round(sw / shrink), round(sh / shrink)), interpolation=cv2.INTER_AREA)
    matrix = matrix @ np.diag([shrink, shrink, 1.0])
    table = np.empty((out_h, out_w, 3), np.float32)
    table[:] = rng.choice(TABLE_RGB)
    grain = np.random.default_rng(rng.randrange(2**31)).normal(0, 9, (out_h, out_w, 1)).astype(np.float32)
    table += cv2.GaussianBlur(grain, (0, 0), 3)[..., None] * np.float32([1, 0.9, 0.8])
    warped = cv2.warpPerspective(small, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full(small.shape[:2], 255, np.uint8), matrix, (out_w, out_h))
    inside = (mask.astype(np.float32) / 255)[..., None]
    photo = warped.astype(np.float32) * inside + table * (1 - inside)
    # Light: brighter on one side, a soft shadow across a corner; a warm or cold cast.
    yy, xx = np.mgrid[0:out_h, 0:out_w].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(angle) * (xx / out_w - 0.5) + np.sin(angle) * (yy / out_h - 0.5))
    light = 1.0 - rng.uniform(0.25, 0.45) * (ramp + 0.5)
    sx, sy = rng.choice([(0, 0), (out_w, 0), (0, out_h), (out_w, out_h)])
    shadow = np.exp(-(((xx - sx) / (0.45 * out_w)) ** 2 + ((yy - sy) / (0.45 * out_h)) ** 2))
    light *= 1.0 - rng.uniform(0.1, 0.3) * shadow
    cast = np.float32([1.0, rng.uniform(0.95, 1.0), rng.uniform(0.86, 0.98)])
    photo = photo * light[..., None] * cast
    _finger(photo, corners, rng)
    photo = cv2.GaussianBlur(np.clip(photo, 0, 255), (0, 0), rng.uniform(0.3, 0.6))
    noise = np.random.default_rng(rng.randrange(2**31)).normal(0, 3, photo.shape).astype(np.float32)
    return Image.fromarray(np.clip(photo + noise, 0, 255).astype(np.uint8), "RGB"), corners


def _finger(photo: np.ndarray, corners: np.ndarray, rng: random.Random) -> None:
    """A thumb over one long edge of the sheet, outside the text block, shaded at its rim."""
    h, w = photo.shape[:2]
    top, bottom = corners[0:2].mean(axis=0), corners[2:4].mean(axis=0)
    left_edge = corners[[0, 3]].mean(axis=0)
    right_edge = corners[[1, 2]].mean(axis=0)
    side = rng.choice(["left", "right", "bottom"])
    if side == "bottom":
        t = rng.uniform(0.2, 0.8)
        x = corners[3][0] + t * (corners[2][0] - corners[3][0])
        centre, axes, tilt = (x, bottom[1] + 0.03 * h), (0.035 * w, 0.075 * h), rng.uniform(-20, 20)
    else:
        edge = left_edge if side == "left" else right_edge
        y = top[1] + rng.uniform(0.45, 0.8) * (bottom[1] - top[1])
        dx = -0.035 * w if side == "left" else 0.035 * w
        centre, axes, tilt = (edge[0] + dx, y), (0.085 * w, 0.04 * h), rng.uniform(-25, 25)
    skin = np.float32(rng.choice(SKIN_RGB))
    layer = np.zeros((h, w), np.uint8)
    cv2.ellipse(layer, (round(centre[0]), round(centre[1])), (round(axes[0]), round(axes[1])), tilt, 0, 360,
                255, -1)
    soft = cv2.GaussianBlur(layer.astype(np.float32) / 255, (0, 0), 2.5)[..., None]
    rim = cv2.GaussianBlur(soft, (0, 0), 6)
    shade = (0.75 + 0.25 * rim)[..., None] if rim.ndim == 2 else 0.75 + 0.25 * rim
    photo[:] = photo * (1 - soft) + skin * shade * soft
