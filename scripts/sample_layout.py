"""Page geometry, fonts and the layout primitives of a Decree 30 result, for the sample generator."""

from __future__ import annotations

import datetime as dt
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

from PIL import ImageFont

FONT_DIRS = ("/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/liberation",
             "/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/freefont")
TYPEFACES = {
    # Times New Roman's metric twin (Decree 30's font): the families the extractor is tuned on.
    "liberation": {"regular": "LiberationSerif-Regular.ttf", "bold": "LiberationSerif-Bold.ttf",
                   "italic": "LiberationSerif-Italic.ttf", "bolditalic": "LiberationSerif-BoldItalic.ttf"},
    # Other serif faces with full Vietnamese glyphs, for the families held out from tuning.
    "dejavu": {"regular": "DejaVuSerif.ttf", "bold": "DejaVuSerif-Bold.ttf",
               "italic": "DejaVuSerif-Italic.ttf", "bolditalic": "DejaVuSerif-BoldItalic.ttf"},
    "freefont": {"regular": "FreeSerif.ttf", "bold": "FreeSerifBold.ttf",
                 "italic": "FreeSerifItalic.ttf", "bolditalic": "FreeSerifBoldItalic.ttf"},
}
FONT_FILES = TYPEFACES["liberation"]
_typeface = ["liberation"]


def use_typeface(name: str) -> None:
    """The face every later layout measure and rendering uses (one document at a time)."""
    _typeface[0] = name


def typeface() -> str:
    return _typeface[0]
PAGE_W, PAGE_H = 595.0, 842.0  # A4 in points
LEFT, RIGHT, TOP, BOTTOM = 85.0, 57.0, 57.0, 60.0
TEXT_W = PAGE_W - LEFT - RIGHT
LEFT_COL_X = LEFT + TEXT_W * 0.21
RIGHT_COL_X = LEFT + TEXT_W * 0.70
QUALITIES = ("clean", "typical", "poor", "born_digital")
PHOTO = "photo"
"""A phone photo of the page (``sample_photo``): generated on request, not in the default tiers."""


def font_path(style: str) -> str:
    for d in FONT_DIRS:
        p = Path(d) / TYPEFACES[typeface()][style]
        if p.exists():
            return str(p)
    sys.exit(f"font {TYPEFACES[typeface()][style]} not found: apt-get install fonts-liberation2 "
             "fonts-dejavu-core fonts-freefont-ttf")


_FONTS: dict[tuple[str, str, int], ImageFont.FreeTypeFont] = {}


def pil_font(style: str, px: int) -> ImageFont.FreeTypeFont:
    key = (typeface(), style, px)
    if key not in _FONTS:
        _FONTS[key] = ImageFont.truetype(font_path(style), px)
    return _FONTS[key]


def text_width(text: str, style: str, size: float) -> float:
    return pil_font(style, 200).getlength(text) * size / 200



def date_line(place: str, day: dt.date) -> str:
    # Decree 30: zero-pad days below 10 and months 1 and 2.
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def short_date(day: dt.date) -> str:
    return f"{day.day:02d}/{day.month}/{day.year}"



# --------------------------------------------------------------------------- layout


@dataclass
class Op:
    """One drawing instruction in points, y measured from the top of the page."""

    kind: str  # text | rule | seal | signature
    page: int
    x: float
    y: float  # baseline for text
    text: str = ""
    style: str = "regular"
    size: float = 13.0
    align: str = "left"
    width: float = 0.0  # rules, seals, signatures


@dataclass
class Doc:
    name: str
    doc_type: str
    quality: str
    fmt: str
    truth: dict[str, str | None]
    ops: list[Op] = field(default_factory=list)
    pages: int = 1
    colour: bool = True
    dpi: int = 300
    seed: int = 0
    duplex: bool = False
    """Scanned both sides: each page is followed by its blank back, the front showing through."""
    family: str = "A"
    """The generator family (``sample_content.FAMILIES``): wording, face, seal and issuer shapes."""
    typeface: str = "liberation"
    seal_rgb: tuple[int, int, int] = (215, 45, 50)
    signature_rgb: tuple[int, int, int] = (30, 50, 170)


class Writer:
    """Flows text down the pages, breaking to a new page at the bottom margin."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.page = 1
        self.y = TOP

    def space(self, pts: float) -> None:
        self.y += pts

    def _need(self, height: float) -> None:
        if self.y + height > PAGE_H - BOTTOM:
            self.page += 1
            self.doc.pages = self.page
            # Decree 30: page numbers top centre, none on page 1.
            self.doc.ops.append(Op("text", self.page, LEFT + TEXT_W / 2, TOP - 10, str(self.page),
                                   "regular", 13, "center"))
            self.y = TOP + 20

    def line(self, text: str, *, x: float | None = None, style: str = "regular", size: float = 13,
             align: str = "left", advance: bool = True) -> None:
        self._need(size * 1.4)
        if x is None:
            x = {"left": LEFT, "center": LEFT + TEXT_W / 2, "right": PAGE_W - RIGHT}[align]
        self.doc.ops.append(Op("text", self.page, x, self.y + size, text, style, size, align))
        if advance:
            self.y += size * 1.45

    def paragraph(self, text: str, *, style: str = "regular", size: float = 13, indent: float = 28,
                  width: float = TEXT_W, x: float = LEFT, align: str = "left") -> None:
        words = text.split()
        lines: list[str] = []
        current = ""
        first = True
        for word in words:
            trial = f"{current} {word}".strip()
            avail = width - (indent if first and not lines else 0)
            if text_width(trial, style, size) > avail and current:
                lines.append(current)
                current = word
                first = False
            else:
                current = trial
        if current:
            lines.append(current)
        for i, ln in enumerate(lines):
            if align == "center":
                self.line(ln, x=x + width / 2, style=style, size=size, align="center")
            else:
                self.line(ln, x=x + (indent if i == 0 else 0), style=style, size=size)


def wrap(text: str, style: str, size: float, width: float) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if text_width(trial, style, size) > width and current:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def header(w: Writer, issuer_lines: list[str], number: str, place: str, day: dt.date,
           cv_subject: str | None, rng: random.Random, uy_old: bool, below_number: str | None = None) -> None:
    d = w.doc
    y0 = TOP + 12
    motto = "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM" if uy_old else "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    d.ops.append(Op("text", 1, RIGHT_COL_X, y0, motto, "bold", 12, "center"))
    d.ops.append(Op("text", 1, RIGHT_COL_X, y0 + 16, "Độc lập - Tự do - Hạnh phúc", "bold", 13, "center"))
    mw = text_width("Độc lập - Tự do - Hạnh phúc", "bold", 13)
    d.ops.append(Op("rule", 1, RIGHT_COL_X - mw / 2, y0 + 21, width=mw))
    y = y0
    for i, text in enumerate(issuer_lines):
        style = "regular" if (i == 0 and len(issuer_lines) > 1 and _is_parent(text)) else "bold"
        d.ops.append(Op("text", 1, LEFT_COL_X, y, text, style, 12, "center"))
        y += 16
    d.ops.append(Op("rule", 1, LEFT_COL_X - 30, y - 11, width=60))
    y += 14
    d.ops.append(Op("text", 1, LEFT_COL_X, y, f"Số: {number}", "regular", 13, "center"))
    d.ops.append(Op("text", 1, RIGHT_COL_X, y, date_line(place, day), "italic", 13, "center"))
    y += 18
    if below_number:
        d.ops.append(Op("text", 1, LEFT_COL_X, y, below_number, "regular", 13, "center"))
        y += 18
    if cv_subject:
        for ln in wrap(cv_subject, "regular", 12, 190):
            d.ops.append(Op("text", 1, LEFT_COL_X, y, ln, "regular", 12, "center"))
            y += 15
    w.y = y + 16


def _is_parent(text: str) -> bool:
    return text.startswith(("UBND", "ỦY BAN NHÂN DÂN TỈNH", "UỶ BAN NHÂN DÂN TỈNH", "BỘ ", "SỞ "))


def signer_block(w: Writer, prefix_lines: list[str], name: str, rng: random.Random,
                 recipients: list[str] | None, seal_text: str) -> None:
    height = 16 * len(prefix_lines) + 95 + 20
    w._need(height)
    top = w.y + 8
    d = w.doc
    x = RIGHT_COL_X
    y = top
    for ln in prefix_lines:
        d.ops.append(Op("text", w.page, x, y + 13, ln, "bold", 13, "center"))
        y += 16
    d.ops.append(Op("signature", w.page, x - 10, y + 10, width=90))
    d.ops.append(Op("seal", w.page, x - 45, y + 25, seal_text, width=104))
    y += 85
    d.ops.append(Op("text", w.page, x, y, name, "bold", 13, "center"))
    if recipients:
        ry = top + 12
        d.ops.append(Op("text", w.page, LEFT, ry, "Nơi nhận:", "bolditalic", 12))
        for r in recipients:
            ry += 13
            d.ops.append(Op("text", w.page, LEFT, ry, r, "regular", 11))
    w.y = y + 20


