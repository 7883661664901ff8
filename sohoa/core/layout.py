"""Text with geometry: the common shape of OCR output and of a PDF's text layer, as the
record keeps it.

Field extraction works on lines placed on the page, so that it can read by layout zone
(issuer block top-left, motto and date top-right, signer block bottom-right) whatever
produced the text. OCR and the text layer make these (``sohoa.ocr``); records carry them
and the ledger stores them as JSON (``page_to_json``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Line:
    """One line of text as laid out on a page (coordinates in page pixels or points)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float
    """Mean word confidence, 0-100 (100 for a text layer)."""
    block: int
    """Layout block the line belongs to; lines of one column share a block."""
    word_confidences: tuple[float, ...] = ()
    words: tuple[tuple[float, float, str], ...] = ()
    """(x0, x1, text) of each word, left to right."""

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass(frozen=True)
class PageLayout:
    """One page's lines in reading order, with the page size."""

    number: int
    width: float
    height: float
    lines: tuple[Line, ...]
    turned: int = 0
    """Degrees (clockwise) the scan was turned before it was read: 0, 90, 180 or 270."""

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def mean_confidence(self) -> float | None:
        confs = [c for line in self.lines for c in line.word_confidences]
        return sum(confs) / len(confs) if confs else None


def page_to_json(page: PageLayout) -> dict[str, Any]:
    """A page's lines with boxes and word confidences, as stored beside the fields."""
    return {
        "page": page.number,
        "width": round(page.width, 1),
        "height": round(page.height, 1),
        "turned": page.turned,
        "lines": [
            {
                "text": line.text,
                "box": [round(line.x0, 1), round(line.y0, 1), round(line.x1, 1), round(line.y1, 1)],
                "words": [[round(x0, 1), round(x1, 1), text, round(conf, 1)]
                          for (x0, x1, text), conf in zip(line.words, line.word_confidences, strict=False)],
            }
            for line in page.lines
        ],
    }


def page_from_json(data: dict[str, Any]) -> PageLayout:
    """The inverse of ``page_to_json`` (boxes and confidences as stored, rounded)."""
    lines = []
    for item in data["lines"]:
        x0, y0, x1, y1 = item["box"]
        words = tuple((w[0], w[1], w[2]) for w in item["words"])
        confs = tuple(float(w[3]) for w in item["words"])
        mean = sum(confs) / len(confs) if confs else 100.0
        lines.append(Line(item["text"], x0, y0, x1, y1, mean, 0, confs, words))
    return PageLayout(data["page"], data["width"], data["height"], tuple(lines), data.get("turned", 0))
