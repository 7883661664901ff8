"""Text with geometry: the common shape of OCR output and of a PDF's text layer.

Field extraction works on lines placed on the page, so that it can read by layout zone
(issuer block top-left, motto and date top-right, signer block bottom-right) whatever
produced the text.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from sohoa.core.text import clean


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


def lines_from_words(
    words: list[tuple[int, float, float, float, float, float, str]],
) -> tuple[Line, ...]:
    """Group ``(line_key, x0, y0, x1, y1, conf, text)`` words into lines, keeping order.

    ``line_key`` must be unique per line and increase in reading order.
    """
    grouped: dict[int, list[tuple[int, float, float, float, float, float, str]]] = {}
    for word in words:
        grouped.setdefault(word[0], []).append(word)
    lines = []
    for key, all_words in grouped.items():
        all_words.sort(key=lambda w: w[1])
        for ws in _split_at_gaps(all_words):
            line = _make_line(key, ws)
            if line is not None:
                lines.append(line)
    return tuple(lines)


def _split_at_gaps(words: list) -> list[list]:
    """Split a line where a gap wider than three average characters separates two runs.

    Layout analysis sometimes joins the issuer block and the motto, a received-stamp and
    the summary, or the recipients and the signer title, into one line; they are
    different zones of the page. Word spaces are about a third of a character wide.
    """
    letters = sum(len(w[6]) for w in words)
    char_w = max(1.0, sum(w[3] - w[1] for w in words) / max(1, letters))
    runs: list[list] = [[words[0]]]
    for prev, word in itertools.pairwise(words):
        if word[1] - prev[3] > 3 * char_w:
            runs.append([])
        runs[-1].append(word)
    return runs


def _make_line(key: int, ws: list) -> Line | None:
    text = clean(" ".join(w[6] for w in ws)).strip()
    if not text:
        return None
    confs = tuple(w[5] for w in ws)
    return Line(
        text=text,
        x0=min(w[1] for w in ws),
        y0=min(w[2] for w in ws),
        x1=max(w[3] for w in ws),
        y1=max(w[4] for w in ws),
        confidence=sum(confs) / len(confs),
        block=key >> 20,
        word_confidences=confs,
        words=tuple((w[1], w[3], w[6]) for w in ws),
    )


def line_key(block: int, paragraph: int, line: int) -> int:
    """Pack block/paragraph/line numbers into one sortable key (block in the high bits)."""
    return (block << 20) | (paragraph << 10) | line


def centred_part(line: Line, centre: float, tolerance: float) -> Line:
    """The run of the line's words centred on ``centre``, dropping words stuck on either side.

    A received-stamp or a margin note that OCR joined to a centred summary line makes the
    line off-centre; the words that make it so are dropped.
    """
    words = list(line.words)
    if not words:
        return line
    confs = list(line.word_confidences) or [line.confidence] * len(words)

    def offset(ws: list[tuple[float, float, str]]) -> float:
        return abs((ws[0][0] + ws[-1][1]) / 2 - centre)

    while len(words) > 1 and offset(words) > tolerance:
        left_off = offset(words[1:])
        right_off = offset(words[:-1])
        if min(left_off, right_off) >= offset(words):
            break
        if left_off <= right_off:
            words, confs = words[1:], confs[1:]
        else:
            words, confs = words[:-1], confs[:-1]
    if len(words) == len(line.words):
        return line
    return Line(clean(" ".join(w[2] for w in words)), words[0][0], line.y0, words[-1][1], line.y1,
                sum(confs) / len(confs), line.block, tuple(confs), tuple(words))


def page_to_json(page: PageLayout) -> dict:
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


def page_from_json(data: dict) -> PageLayout:
    """The inverse of ``page_to_json`` (boxes and confidences as stored, rounded)."""
    lines = []
    for item in data["lines"]:
        x0, y0, x1, y1 = item["box"]
        words = tuple((w[0], w[1], w[2]) for w in item["words"])
        confs = tuple(float(w[3]) for w in item["words"])
        mean = sum(confs) / len(confs) if confs else 100.0
        lines.append(Line(item["text"], x0, y0, x1, y1, mean, 0, confs, words))
    return PageLayout(data["page"], data["width"], data["height"], tuple(lines), data.get("turned", 0))
