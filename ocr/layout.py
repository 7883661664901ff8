"""Lines from words: how OCR output and a PDF's text layer become the page layouts
(``sohoa.core.layout``) that field extraction reads by zone.
"""

from __future__ import annotations

import itertools

from sohoa.core.layout import Line
from sohoa.core.text import clean


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
