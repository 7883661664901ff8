"""Pen-stroke handwriting of digits (no fonts involved).

Each digit style is a list of strokes in a unit box: x to the right (width about
0.5), y downwards, 0 = top of the digit, 1 = baseline.  A stroke is
("S", points) for a smooth Catmull-Rom curve through the points, or ("L", points)
for a polyline with sharp corners.  Per-sample variation (slant, rotation,
size, jitter, pressure, ink skips) is applied when the strokes are rendered.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

# ---------------------------------------------------------------- glyph shapes
S, L = "S", "L"

DIGITS: dict[str, dict[str, list]] = {
    "0": {
        "oval": [(S, [(0.30, 0.02), (0.10, 0.15), (0.03, 0.50), (0.12, 0.90), (0.28, 1.0),
                      (0.45, 0.88), (0.50, 0.50), (0.44, 0.12), (0.30, 0.02), (0.20, 0.06)])],
        "narrow": [(S, [(0.26, 0.0), (0.12, 0.18), (0.08, 0.55), (0.15, 0.92), (0.26, 1.0),
                        (0.37, 0.90), (0.42, 0.50), (0.37, 0.10), (0.24, 0.02)])],
        "open_top": [(S, [(0.36, 0.0), (0.14, 0.12), (0.04, 0.50), (0.12, 0.90), (0.28, 1.0),
                          (0.45, 0.86), (0.50, 0.48), (0.43, 0.12), (0.30, 0.04)])],
    },
    "1": {
        "stick": [(S, [(0.22, 0.0), (0.21, 0.5), (0.19, 1.0)])],
        "flag": [(L, [(0.02, 0.28), (0.26, 0.0)]), (S, [(0.26, 0.0), (0.24, 0.5), (0.22, 1.0)])],
        "flag_base": [(L, [(0.04, 0.25), (0.28, 0.0)]), (S, [(0.28, 0.0), (0.27, 0.5), (0.25, 1.0)]),
                      (S, [(0.04, 1.0), (0.25, 0.99), (0.46, 0.98)])],
    },
    "2": {
        "plain": [(S, [(0.04, 0.24), (0.18, 0.03), (0.38, 0.02), (0.49, 0.22), (0.40, 0.48),
                       (0.20, 0.74), (0.02, 0.98)]),
                  (S, [(0.02, 0.98), (0.28, 0.97), (0.54, 0.96)])],
        "looped": [(S, [(0.05, 0.22), (0.20, 0.02), (0.40, 0.03), (0.48, 0.24), (0.36, 0.52),
                        (0.16, 0.78), (0.05, 0.92), (0.10, 1.0), (0.20, 0.90), (0.12, 0.84),
                        (0.06, 0.94), (0.18, 1.0), (0.36, 0.97), (0.56, 0.95)])],
        "z_like": [(L, [(0.04, 0.06), (0.48, 0.04), (0.03, 0.98), (0.52, 0.97)])],
    },
    "3": {
        "round": [(S, [(0.04, 0.14), (0.22, 0.0), (0.42, 0.06), (0.44, 0.28), (0.20, 0.46)]),
                  (S, [(0.20, 0.46), (0.46, 0.58), (0.50, 0.82), (0.30, 1.0), (0.02, 0.90)])],
        "flat_top": [(L, [(0.04, 0.02), (0.48, 0.02), (0.20, 0.42)]),
                     (S, [(0.20, 0.42), (0.46, 0.54), (0.50, 0.80), (0.30, 1.0), (0.03, 0.90)])],
    },
    "4": {
        "open": [(L, [(0.30, 0.0), (0.03, 0.66), (0.52, 0.66)]), (S, [(0.40, 0.28), (0.39, 0.65), (0.37, 1.0)])],
        "closed": [(L, [(0.38, 1.0), (0.40, 0.0), (0.02, 0.68), (0.54, 0.68)])],
        "open_hook": [(L, [(0.16, 0.0), (0.06, 0.60), (0.52, 0.58)]), (S, [(0.44, 0.12), (0.42, 0.6), (0.40, 1.0)])],
    },
    "5": {
        "classic": [(L, [(0.14, 0.02), (0.10, 0.44)]),
                    (S, [(0.10, 0.44), (0.30, 0.36), (0.48, 0.50), (0.49, 0.80), (0.28, 1.0), (0.02, 0.90)]),
                    (S, [(0.14, 0.02), (0.32, 0.01), (0.50, 0.0)])],
        "one_stroke": [(L, [(0.50, 0.0), (0.14, 0.03), (0.09, 0.46)]),
                       (S, [(0.09, 0.46), (0.32, 0.37), (0.49, 0.55), (0.46, 0.86), (0.24, 1.0), (0.02, 0.88)])],
    },
    "6": {
        "loop": [(S, [(0.44, 0.02), (0.22, 0.20), (0.06, 0.55), (0.10, 0.90), (0.30, 1.0),
                      (0.47, 0.82), (0.42, 0.58), (0.22, 0.54), (0.07, 0.70)])],
        "straight": [(S, [(0.38, 0.0), (0.18, 0.38), (0.08, 0.75), (0.18, 0.98), (0.36, 0.98),
                          (0.46, 0.76), (0.32, 0.56), (0.12, 0.64)])],
    },
    "7": {
        "plain": [(L, [(0.02, 0.06), (0.50, 0.02)]), (S, [(0.50, 0.02), (0.36, 0.45), (0.20, 1.0)])],
        "crossbar": [(L, [(0.02, 0.06), (0.50, 0.02)]), (S, [(0.50, 0.02), (0.36, 0.45), (0.20, 1.0)]),
                     (S, [(0.14, 0.52), (0.32, 0.50), (0.52, 0.47)])],
        "serif": [(L, [(0.0, 0.22), (0.02, 0.03), (0.50, 0.05)]), (S, [(0.50, 0.05), (0.34, 0.5), (0.22, 1.0)])],
        "serif_crossbar": [(L, [(0.0, 0.22), (0.02, 0.03), (0.50, 0.05)]),
                           (S, [(0.50, 0.05), (0.34, 0.5), (0.22, 1.0)]),
                           (S, [(0.16, 0.54), (0.34, 0.52), (0.52, 0.50)])],
    },
    "8": {
        "figure": [(S, [(0.44, 0.12), (0.26, 0.0), (0.07, 0.12), (0.12, 0.36), (0.40, 0.58),
                        (0.48, 0.84), (0.28, 1.0), (0.05, 0.86), (0.12, 0.60), (0.40, 0.38),
                        (0.46, 0.14), (0.30, 0.01)])],
        "two_loops": [(S, [(0.26, 0.46), (0.08, 0.30), (0.12, 0.04), (0.30, 0.0), (0.44, 0.16),
                           (0.38, 0.38), (0.26, 0.46)]),
                      (S, [(0.26, 0.46), (0.06, 0.62), (0.08, 0.92), (0.28, 1.0), (0.48, 0.88),
                           (0.46, 0.62), (0.26, 0.46)])],
    },
    "9": {
        "straight": [(S, [(0.46, 0.18), (0.28, 0.0), (0.08, 0.10), (0.06, 0.36), (0.26, 0.48),
                          (0.44, 0.34), (0.47, 0.12)]),
                     (S, [(0.47, 0.12), (0.45, 0.55), (0.40, 1.0)])],
        "curved": [(S, [(0.46, 0.20), (0.28, 0.0), (0.08, 0.10), (0.07, 0.38), (0.26, 0.48),
                        (0.45, 0.34), (0.47, 0.14), (0.46, 0.60), (0.34, 0.96), (0.10, 0.94)])],
    },
}

STYLE_WEIGHT = {"z_like": 0.2, "open_top": 0.5, "flag_base": 0.6}
ADVANCE = {"1": 0.34, "0": 0.54, "7": 0.52}  # width used when placing the next digit


# ---------------------------------------------------------------- geometry
def _catmull(pts: np.ndarray, n_per: int) -> np.ndarray:
    if len(pts) < 3:
        return _poly(pts, n_per)
    p = np.vstack([2 * pts[0] - pts[1], pts, 2 * pts[-1] - pts[-2]])
    out = []
    t = np.linspace(0, 1, n_per, endpoint=False)[:, None]
    for i in range(1, len(p) - 2):
        p0, p1, p2, p3 = p[i - 1], p[i], p[i + 1], p[i + 2]
        a = 2 * p1
        b = p2 - p0
        c = 2 * p0 - 5 * p1 + 4 * p2 - p3
        d = -p0 + 3 * p1 - 3 * p2 + p3
        out.append(0.5 * (a + b * t + c * t * t + d * t * t * t))
    out.append(pts[-1][None])
    return np.vstack(out)


def _poly(pts: np.ndarray, n_per: int) -> np.ndarray:
    out = []
    t = np.linspace(0, 1, n_per, endpoint=False)[:, None]
    for i in range(len(pts) - 1):
        out.append(pts[i] + (pts[i + 1] - pts[i]) * t)
    out.append(pts[-1][None])
    return np.vstack(out)


def _resample(path: np.ndarray, step: float) -> np.ndarray:
    seg = np.linalg.norm(np.diff(path, axis=0), axis=1)
    s = np.concatenate([[0], np.cumsum(seg)])
    if s[-1] < 1e-6:
        return path[:1]
    n = max(2, int(s[-1] / step) + 1)
    u = np.linspace(0, s[-1], n)
    return np.stack([np.interp(u, s, path[:, 0]), np.interp(u, s, path[:, 1])], axis=1)


def _smooth_noise(rng: np.random.Generator, n: int, scale: float, corr: int) -> np.ndarray:
    """1-D low-frequency noise of length n."""
    k = max(2, n // max(1, corr) + 2)
    knots = rng.normal(0, scale, k)
    return np.interp(np.linspace(0, k - 1, n), np.arange(k), knots)


# ---------------------------------------------------------------- writer
class Writer:
    """One clerk: a consistent hand (digit styles, slant, pen) for a whole page."""

    def __init__(self, rng: np.random.Generator, dpi: int):
        self.rng = rng
        self.dpi = dpi
        self.styles = {}
        for d, v in DIGITS.items():
            names = list(v.keys())
            wts = np.array([STYLE_WEIGHT.get(n, 1.0) for n in names])
            self.styles[d] = str(rng.choice(names, p=wts / wts.sum()))
        # weight the most common forms a bit
        if rng.random() < 0.45:
            self.styles["7"] = str(rng.choice(["crossbar", "serif_crossbar"]))
        self.slant_deg = float(rng.normal(10, 7))          # forward slant
        self.rot_deg = float(rng.normal(0, 2.5))
        self.width_ratio = float(rng.uniform(0.80, 1.20))   # digit width multiplier
        self.spacing = float(rng.uniform(0.08, 0.24))       # gap between digits (x height)
        pen = rng.choice(["ballpoint", "ballpoint", "ballpoint", "gel", "fine"])
        self.pen = str(pen)
        mm = {"ballpoint": rng.uniform(0.38, 0.55), "gel": rng.uniform(0.55, 0.80),
              "fine": rng.uniform(0.26, 0.36)}[self.pen]
        self.pen_px = float(mm / 25.4 * dpi)
        ink = rng.choice(["blue", "blue", "blue", "dark_blue", "black"], p=None)
        self.ink_name = str(ink)
        base = {"blue": (35, 60, 175), "dark_blue": (25, 35, 110), "black": (28, 28, 34)}[self.ink_name]
        self.ink_rgb = tuple(int(np.clip(c * rng.uniform(0.85, 1.15) + rng.normal(0, 5), 0, 255)) for c in base)
        self.jitter = float(rng.uniform(0.012, 0.035))
        self.pressure_var = float(rng.uniform(0.08, 0.30))
        self.skip_prob = float(rng.uniform(0.0, 0.5)) if self.pen == "ballpoint" else 0.0

    def describe(self) -> dict:
        return {"digit_styles": dict(self.styles), "slant_deg": round(self.slant_deg, 1),
                "rotation_deg": round(self.rot_deg, 1), "pen": self.pen,
                "pen_px": round(self.pen_px, 2), "ink": self.ink_name,
                "ink_rgb": list(self.ink_rgb), "jitter": round(self.jitter, 3)}

    # -------------------------------------------------------------- strokes
    def strokes_for(self, text: str, height: float) -> tuple[list[np.ndarray], float]:
        """Return polylines (pixel units, origin at left end of baseline) and total width."""
        rng = self.rng
        paths = []
        x = 0.0
        slant = math.tan(math.radians(self.slant_deg + rng.normal(0, 2)))
        rot = math.radians(self.rot_deg + rng.normal(0, 1.0))
        baseline_drift = rng.normal(0, 0.04)  # per-digit vertical wander
        for i, ch in enumerate(text):
            shape = DIGITS[ch][self.styles[ch]]
            h = height * rng.uniform(0.92, 1.08)
            wr = self.width_ratio * rng.uniform(0.92, 1.08)
            dy = rng.normal(0, 0.04) * height + i * baseline_drift * height
            # per-digit small distortion of the control points (shared by its strokes)
            for kind, pts in shape:
                p = np.array(pts, dtype=float)
                p = p + rng.normal(0, self.jitter, p.shape)
                p[:, 0] *= wr
                px = np.empty_like(p)
                # unit box -> pixels, y up from baseline is negative
                yy = (p[:, 1] - 1.0) * h + dy
                xx = p[:, 0] * h + x - yy * slant
                px[:, 0], px[:, 1] = xx, yy
                dense = (_catmull if kind == S else _poly)(px, 16)
                paths.append(dense)
            x += (ADVANCE.get(ch, 0.5) * wr + self.spacing + abs(rng.normal(0, 0.025))) * height
        width = x - self.spacing * height
        # global rotation around the baseline centre
        c, s = math.cos(rot), math.sin(rot)
        cx = width / 2
        out = []
        for p in paths:
            q = p.copy()
            q[:, 0] -= cx
            q = np.stack([c * q[:, 0] - s * q[:, 1], s * q[:, 0] + c * q[:, 1]], axis=1)
            q[:, 0] += cx
            out.append(q)
        return out, width

    # -------------------------------------------------------------- render
    def render(self, text: str, height: float, ss: int = 4):
        """Render digits; return (alpha float32 HxW in [0,1], origin offset (ox, oy) of the
        baseline-left point inside the alpha image, nominal width)."""
        paths, width = self.strokes_for(text, height)
        # a thick pen on small digits would fill the loops: clamp the nib to the size
        pen_px = self.pen_px
        self.pen_px = min(pen_px, 0.13 * height)
        try:
            alpha, origin = self.render_paths(paths, ss)
        finally:
            self.pen_px = pen_px
        return alpha, origin, width

    def scribble(self, width: float, height: float):
        """A signature-like scribble (distractor ink near the signature block)."""
        rng = self.rng
        paths = []
        x = 0.0
        for _ in range(int(rng.integers(1, 3))):
            n = int(rng.integers(6, 12))
            xs = x + np.sort(rng.uniform(0, width / 2, n)) + np.linspace(0, width / 3, n)
            ys = rng.uniform(-height, 0, n)
            paths.append(_catmull(np.stack([xs, ys], 1), 12))
            x = xs[-1] * 0.6
        y0 = -height * 0.4
        paths.append(_catmull(np.array([[0.0, y0], [width * 0.5, y0 + rng.normal(0, 3)],
                                        [width, y0 - height * 0.3]]), 20))
        return self.render_paths(paths, 4)

    def render_paths(self, paths, ss: int = 4):
        rng = self.rng
        allp = np.vstack(paths)
        pad = self.pen_px * 2 + 4
        x0, y0 = allp.min(0) - pad
        x1, y1 = allp.max(0) + pad
        W = math.ceil((x1 - x0) * ss)
        H = math.ceil((y1 - y0) * ss)
        acc = np.zeros((H, W), np.float32)
        for p in paths:
            q = (p - [x0, y0]) * ss
            q = _resample(q, step=max(0.6, self.pen_px * ss * 0.15))
            n = len(q)
            # tiny tremor perpendicular-ish
            q = q + np.stack([_smooth_noise(rng, n, 0.25 * ss, 6), _smooth_noise(rng, n, 0.25 * ss, 6)], 1)
            press = 1.0 + _smooth_noise(rng, n, self.pressure_var, max(4, n // 3))
            # taper at both ends (pen lands / lifts)
            t = np.linspace(0, 1, n)
            taper = np.clip(np.minimum(t, 1 - t) / 0.08, 0.45, 1.0)
            r = np.clip(self.pen_px * ss * 0.5 * press * (0.55 + 0.45 * taper), 0.6 * ss * 0.5, None)
            dens = np.clip(0.9 + _smooth_noise(rng, n, 0.12, max(3, n // 4)), 0.5, 1.0)
            if rng.random() < self.skip_prob:  # ballpoint skip: ink fades along a stretch
                a = rng.integers(0, max(1, n - 3))
                b = min(n, a + int(rng.integers(2, max(3, n // 6))))
                dens[a:b] *= rng.uniform(0.25, 0.6)
            stroke = np.zeros_like(acc)
            for (xq, yq), rq, dq in zip(q, r, dens, strict=False):
                cv2.circle(stroke, (round(xq * 4), round(yq * 4)), round(rq * 4),
                           float(dq), -1, lineType=cv2.LINE_AA, shift=2)
            acc = np.maximum(acc, stroke)
        small = cv2.resize(acc, (max(1, W // ss), max(1, H // ss)), interpolation=cv2.INTER_AREA)
        return np.clip(small, 0, 1), (-x0, -y0)
