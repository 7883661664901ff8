"""A second, closer read of one layout zone when the first pass missed it.

Hand-filled zones: the digits of "Số: ___ /QĐ-UBND" and the day of "ngày ___ tháng 10"
are written by pen at registration and OCR reads them as "4†", "Jÿ" or nothing. They are
read again alone, digits only, from the scan before ink removal (the pen is often blue):
by Tesseract at three sizes, and by a second engine of another make
(``ocr.handwriting``). Tesseract alone is right about 98 times in 100 when its sizes
agree, and its confidence does not tell the wrong ones apart, so one engine is never
enough: a value is taken only when the second engine and one of Tesseract's reads give
the same digits (``HandRead.agreed``). Measured on generated handwriting
(``tests/test_handwritten_digits.py``) no agreed value was wrong; disagreements are kept
as a suggestion naming both reads.

On grey scans a red seal turns mid-grey and can no longer be told from print by colour;
Tesseract then often drops the signer's title lines that the seal overlaps. The signer
zone (bottom right of the last page) is read again after lifting everything lighter
than print to white, which removes the seal but not the black print under it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import cv2
import numpy as np

from sohoa.core.layout import Line, PageLayout
from sohoa.core.text import fold
from sohoa.ocr import handwriting, tesseract

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


def number_zone(line: Line) -> tuple[float, float] | None:
    """Left and right of the blank between "Số:" and the "/" of the notation on ``line``."""
    start = end = None
    for x0, x1, t in line.words:
        label = re.match(r"(?:số|so|s6|s0)[:.;]*", t.lower())
        if start is None and label:  # "Số:.4435": the digits glued to the label are in the zone
            start = x0 + (x1 - x0) * label.end() / len(t)
        elif start is not None and "/" in t:  # "7/QĐ": so are those glued to the notation
            end = x0 + (x1 - x0) * t.index("/") / len(t)
            break
    if start is None or end is None or end - start < line.height * 0.4:
        return None
    return start, end


def day_zone(line: Line) -> tuple[float, float] | None:
    """Left and right of the day on a date line, between "ngày" and "tháng" (a day written
    by hand often touches either word: "ngàyJÿ", "Jÿtháng")."""
    words = [(x0, x1, fold(t).lower()) for x0, x1, t in line.words]
    at = next((i for i, (_, _, t) in enumerate(words) if "ngay" in t), None)
    if at is None:
        return None
    x0, x1, t = words[at]
    start = x0 + (x1 - x0) * (t.index("ngay") + 4) / len(t)
    end = next((a + (b - a) * w.index("thang") / len(w) for a, b, w in words[at:] if "thang" in w), None)
    if end is None or end - start < line.height * 0.4:
        return None
    return start, end


def _zone(image: np.ndarray, line: Line, span: tuple[float, float]) -> np.ndarray | None:
    pad = int(line.height * 0.5)
    zone = image[max(0, int(line.y0) - pad):int(line.y1) + pad, max(0, int(span[0])):int(span[1])]
    return zone if zone.size else None


def digit_reads(image: np.ndarray, line: Line, span: tuple[float, float] | None = None) -> list[tuple[str, float]]:
    """Tesseract's digit-only reads of a zone of ``line`` (the number's blank unless
    ``span`` says which), the line scaled to each of ``DIGIT_HEIGHTS_PX``; empty when there
    is no such zone."""
    span = span or number_zone(line)
    zone = _zone(image, line, span) if span else None
    if zone is None:
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


@dataclass(frozen=True)
class HandRead:
    """Two engines' reads of one hand-filled zone."""

    tesseract: tuple[tuple[str, float], ...]
    """Tesseract's digits and confidence at each of ``DIGIT_HEIGHTS_PX``."""
    second: tuple[str, float]
    """The second engine's text (any characters: it is not limited to digits) and score (0-100)."""
    wider: str | None = None
    """The second engine's text of the zone reaching into the next word ("47/QĐ", "14 thá"):
    a digit spilled past the blank shows there."""
    left: str | None = None
    """The same reaching into the word before ("ngày22" when the first 2 touched "ngày")."""

    @property
    def digits(self) -> str:
        """The digits of the second engine's read."""
        return "".join(c for c in self.second[0] if c.isdigit())

    @property
    def agreed(self) -> str | None:
        """The digits, when the second engine read nothing but digits and Tesseract the
        same ones at one of its sizes at least; else None. Tesseract is limited to digits
        and drops a mark it cannot make one of (a 7 with a bar read ``4`` for ``47``); the
        second engine is not, and says ``4#``: a read with a mark that is no digit is
        incomplete. On 300 generated numbers (seed 8) this rule took 185, none wrong, and
        none wrong on an independent generator's pages or the real scans (README).
        """
        return self.agreed_with(None)

    def agreed_with(self, other: str | None) -> str | None:
        """``agreed``, where ``other`` (the first pass's read of the same zone) counts as one
        more Tesseract read; a digit spilled past the blank (``wider``) makes it disagree."""
        digits = self.digits
        whole = re.fullmatch(r"[\s.,]*\d+[\s.,]*", self.second[0])
        if not whole or not any(_same(d, digits) for d in (*(d for d, _ in self.tesseract), other) if d):
            return None
        if self.wider is not None and _spilled(self.wider.strip(), digits):
            return None
        if self.left is not None:
            before = re.search(r"[\d ]*$", self.left.rstrip(" .,")).group().replace(" ", "")
            if not _same(before, digits):
                return None  # a digit written over the word before the blank, or another read
        return digits

    @property
    def readings(self) -> str:
        """What each engine read, for a person (``Tesseract 47/41, RapidOCR 47``)."""
        tess = "/".join(dict.fromkeys(d or "?" for d, _ in self.tesseract)) or "?"
        return f"Tesseract {tess}, RapidOCR {self.second[0].strip() or '?'}"

    @property
    def guesses(self) -> tuple[str, ...]:
        """The distinct digits read, the second engine's first."""
        return tuple(dict.fromkeys(d for d in (self.digits, *(d for d, _ in self.tesseract)) if d))


NEXT_WORD_STARTS = "/1lI|0OQC(TtH"
"""What the second engine makes of the start of the word after a zone: the notation's "/"
(read "/", "1", "l"…, its Q "0", "C") or "tháng"."""


def _spilled(wider: str, digits: str) -> bool:
    """Whether the read reaching into the next word shows a digit past those read in the
    zone ("6621C" for "66": the 2 was written over the "/"), or not the same digits at all."""
    lead = re.match(r"[\d ]*", wider).group()
    if not lead.replace(" ", "").startswith(digits):
        return True
    rest = wider.replace(" ", "")[len(digits):].lstrip(".,")
    return bool(rest) and rest[0] not in NEXT_WORD_STARTS


def _same(a: str, b: str) -> bool:
    """Two reads of one number or day ("05" and "5" are one day)."""
    return a == b or (a.isdigit() and b.isdigit() and a.lstrip("0") == b.lstrip("0") and len(a) <= 2 >= len(b))


def hand_read(image: np.ndarray, line: Line, span: tuple[float, float] | None) -> HandRead | None:
    """Both engines' reads of the zone ``span`` of ``line``; None when there is no zone."""
    zone = _zone(image, line, span) if span else None
    if zone is None:
        return None
    text, score = handwriting.read_line(zone)
    reach = line.height * 0.8
    wider, left = _zone(image, line, (span[0], span[1] + reach)), _zone(image, line, (span[0] - reach, span[1]))
    return HandRead(tuple(digit_reads(image, line, span)), (text, round(score * 100, 1)),
                    handwriting.read_line(wider)[0] if wider is not None else None,
                    handwriting.read_line(left)[0] if left is not None else None)


def read_number_digits(image: np.ndarray, line: Line) -> HandRead | None:
    """The digits filled in by hand on a number line, as both engines read them."""
    return hand_read(image, line, number_zone(line))


def read_day_digits(image: np.ndarray, line: Line) -> HandRead | None:
    """The day filled in by hand on a date line, as both engines read it."""
    return hand_read(image, line, day_zone(line))


NAME_LINE_HEIGHT_PX = 64
"""The height (pixels) a name line is enlarged to before it is read again alone."""
NAME_LIFT_STRENGTHS = (0.3, 0.15, 0.0)
"""The cuts of ``lift_light_ink`` a name line is read at (0.0: Otsu among the dark pixels)."""


def read_line_variants(image: np.ndarray, box: tuple[float, float, float, float], *, dpi: int,
                       language: str) -> list[str]:
    """The text of one line (``box``: x0, y0, x1, y1 in ``image`` pixels) read alone in
    five ways: enlarged to ``NAME_LINE_HEIGHT_PX``, the pen's lighter ink lifted at three
    cuts between print and paper (``NAME_LIFT_STRENGTHS``), then split in two by Otsu, and
    thresholded against its neighbourhood. A signature's stroke across a printed name
    (``Trần Tha.:h Yến``) is lighter than print in grey by more or less, and darker in
    some places than others; each way keeps the print whole under a different stroke."""
    h, w = image.shape[:2]
    x0, y0, x1, y1 = box
    pad_y, pad_x = (y1 - y0) * 0.35, (y1 - y0) * 0.8
    crop = image[max(0, int(y0 - pad_y)):min(h, int(y1 + pad_y)), max(0, int(x0 - pad_x)):min(w, int(x1 + pad_x))]
    if crop.size == 0 or crop.shape[0] < 4:
        return []
    grey = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    scale = NAME_LINE_HEIGHT_PX / max(1.0, y1 - y0)
    big = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    _, otsu = cv2.threshold(big, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    adaptive = cv2.adaptiveThreshold(big, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY,
                                     int(NAME_LINE_HEIGHT_PX * 1.5) | 1, 15)
    reads = []
    for variant in (*(lift_light_ink(big, strength) for strength in NAME_LIFT_STRENGTHS), otsu, adaptive):
        framed = cv2.copyMakeBorder(variant, 20, 20, 20, 20, cv2.BORDER_CONSTANT, value=255)
        layout = tesseract.read_page(framed, page_number=1, dpi=int(dpi * scale), language=language, psm=7)
        reads.append(" ".join(line.text for line in layout.lines).strip())
    return reads
