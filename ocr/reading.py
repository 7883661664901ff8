"""What the zone readers of ``ocr.extract`` share: a page with its geometry, a value found
with its confidence, and the page set they read together."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from rapidfuzz import fuzz

from sohoa.core.layout import Line, PageLayout
from sohoa.core.text import clean, fold
from sohoa.ocr.rules import Rule, label_words, registry, surnames_by_fold

MOTTO = re.compile(r"CONG HOA|XA HOI CHU NGHIA|CHU NGHIA VIET NAM|DOC LAP|TU DO", re.IGNORECASE)
"""The national motto's words, folded: the line a header starts at."""


@dataclass(frozen=True)
class Found:
    """A field's value as read (None: not found) and the confidence of the reading."""

    value: str | None
    confidence: float


NONE = Found(None, 0.0)


def fix_surname(name: str) -> str:
    """Correct the tone marks of a name's first word when it can only be one family name."""
    first, _, rest = name.partition(" ")
    known = surnames_by_fold().get(fold(first).lower())
    if not known or not rest:
        return name
    if first.isupper():
        known = known.upper()
    return f"{known} {rest}"

def line_conf(lines: list[Line]) -> float:
    confs = [c for line in lines for c in line.word_confidences] or [100.0]
    return round(max(0.0, min(1.0, sum(confs) / len(confs) / 100)), 3)


def upper_ratio(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum(c.isupper() for c in letters) / len(letters) if letters else 0.0


class Page:
    """A page with the geometry helpers extraction needs."""

    def __init__(self, layout: PageLayout) -> None:
        self.layout = layout
        self.lines = [ln for ln in layout.lines if ln.text.strip()]
        self.w = layout.width
        self.h = layout.height
        self.folded = [fold(ln.text) for ln in self.lines]

    def lines_between(self, start: int, end: int) -> list[Line]:
        """The lines covering characters start..end of ``"\\n".join(self.folded)``."""
        picked, pos = [], 0
        for line, folded in zip(self.lines, self.folded, strict=True):
            if pos <= end and pos + len(folded) >= start:
                picked.append(line)
            pos += len(folded) + 1
        return picked

    def left(self, line: Line) -> bool:
        return line.cx < self.w * 0.47

    def right(self, line: Line) -> bool:
        return line.cx > self.w * 0.5

    def centred(self, line: Line) -> bool:
        return abs(line.cx - self.w * 0.55) < self.w * 0.12 or abs(line.cx - self.w / 2) < self.w * 0.1

class PageSet:
    """The pages of one document as the zone readers see them, and the notes they leave."""

    def __init__(self, pages: list[PageLayout], signing_times: tuple[str, ...] = (),
                 rules: tuple[Rule, ...] | None = None, today: dt.date | None = None) -> None:
        self.today = today or dt.date.today()
        self.pages = [Page(p) for p in pages if p.lines]
        self.signing_times = signing_times
        self.rules = rules if rules is not None else registry()
        self.notes: list[str] = []
        self.first = self.pages[0] if self.pages else None
        self.signer_at: int | None = None

    # ---------------------------------------------------------------- header zone

def personal_id(text: str) -> str | None:
    """The 12 digits of a personal ID (số định danh cá nhân), spaces and dots dropped."""
    digits = re.sub(r"\D", "", text)
    return digits if len(digits) == 12 else None


def labelled(page: Page) -> Iterator[tuple[Line, tuple[str, ...], str]]:
    """The "label: value" lines of a page: the line, its label's folded words (numbering
    such as "5." dropped) and the text after the colon. A line holding a second label
    ("Thông tin về chủ hộ kinh doanh: Họ, chữ đệm và tên: NGUYỄN THỊ AN") gives that
    label and its value too, after the first."""
    for line in page.lines:
        parts = clean(line.text).split(":")
        for at in range(1, len(parts)):
            label, value = parts[at - 1], ":".join(parts[at:])
            yield line, label_words(re.sub(r"^\W*\d+\s*[.)]\s*", "", label)), value
            if at > 1 and re.search(r"[,;]", label):  # "Hộ kinh doanh An Phát, người đại diện: bà …"
                yield line, label_words(re.split(r"[,;]", label)[-1]), value


def has_words(words: tuple[str, ...], wanted: tuple[str, ...], *, extra: int = 5) -> bool:
    """``wanted`` appears in ``words`` in order (each word matched with one OCR slip allowed),
    with at most ``extra`` other words around it."""
    if len(words) - len(wanted) > extra or not wanted:
        return False
    i = 0
    for word in words:
        if i < len(wanted) and (word == wanted[i] or (len(word) > 3 and fuzz.ratio(word, wanted[i]) >= 75)):
            i += 1
    return i == len(wanted)
