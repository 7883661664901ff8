"""Where one result ends and the next begins in a stack scanned as one file.

Clerks feed a stack of paper into the scanner's document feeder and get one PDF of many
results. Each page is read for the signs Decree 30/2020 prints (``signs_of``):

- **a heading block at the top**: the national motto (``CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT
  NAM``) or a ``Số: …/…`` number line in the top part of the page, or, where that block
  was not read (faint, cut off), a result's title (``QUYẾT ĐỊNH``, ``THÔNG BÁO``) among
  its first lines: the first page of a result;
- **a printed page number** (``2``, ``- 2 -``, ``Trang 2/3``, at the top or the foot): 2
  and up is a page of the result before, 1 may start one;
- **a closing**: ``Nơi nhận:`` or the signer block in the lower part of the page: the
  result ends there, so a page after it without a heading or a page number of its own is
  still taken as its continuation only when nothing says otherwise;
- **an annex** (``PHỤ LỤC``, ``DANH SÁCH … kèm theo Quyết định số …``): it stays with the
  result before it, even with a heading of its own;
- **a blank sheet**: a separator, or the blank back of a sheet printed on one side; it
  belongs to no result, and says nothing of where one begins (the page after it does).

``split`` turns the signs into page ranges. A person corrects a split on the review page
(``sohoa split``); the ranges they set replace these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sohoa.core.layout import Line, PageLayout
from sohoa.core.text import fold

_MOTTO_PARTS = re.compile(r"CONG HOA|XA HOI|CHU NGHIA|VIET NAM|DOC LAP|TU DO|HANH PHUC")
"""The words of the national motto. A line of the motto holds two of them as OCR kept them
(``CỘNG HÒA AXÃ HỘI C CHỦ Như: VIỆT NAM``, ``Độc lập - mu to - Hạnh phúc``), in capitals
or as a short line: not a sentence of the body naming ``thôn Độc Lập, xã Cộng Hòa``."""
_NUMBER_LINE = re.compile(r"^[\s\W_]{0,3}S[O0]\s*(?:[:;.]?\s*\S{0,8}\s*/\s*[A-Z0-9Đ]|:\s*\d{1,5}\s*\S*[A-Z]{2})")
"""The number line's start, on the folded line."""
_DATE_LINE = re.compile(r"\bNGAY\s*\S{0,4}\s*THANG\b.{0,12}\bNAM\b")
_PAGE_NUMBER = re.compile(r"^\W{0,3}(?:TRANG\s*)?(\d{1,3})(?:\s*/\s*(\d{1,3}))?\W{0,3}$", re.IGNORECASE)
_ANNEX_HEAD = re.compile(r"^\W*(?:PHU LUC|DANH SACH|BIEU\s*MAU|MAU SO)\b")
_ANNEX_OF = re.compile(r"\(\s*(?:BAN HANH\s+)?\w{2,4}\s+THEO\s+(?:QUYET DINH|CONG VAN|THONG BAO|KE HOACH|TO TRINH|"
                       r"BAO CAO|CHI THI|NGHI QUYET)\s+SO\b")
"""An annex's heading (in capitals), or the line in brackets saying whose annex it is
(``(Kèm theo Quyết định số …``, ``(Ban hành kèm theo …``, its ``kèm`` misread or not):
another paper by its number, not ``kèm theo Quyết định này`` in a sentence."""
_TITLE = re.compile(r"^\W*(?:QUYET DINH|THONG BAO|KE HOACH|BAO CAO|GIAY PHEP|GIAY CHUNG NHAN|TO TRINH|CHI THI|"
                    r"NGHI QUYET|GIAY KHEN|GIAY XAC NHAN|TRICH LUC)\b[^:]*$")
"""A result's title (``QUYẾT ĐỊNH``), not the ``QUYẾT ĐỊNH:`` that opens its articles (nor
that line with its colon lost: ``Điều 1.`` follows it)."""
_ARTICLE = re.compile(r"^\W*DIEU\s*\d")
_CLOSING = re.compile(r"^\W*NOI NHAN\b", re.IGNORECASE)
_SIGNER = re.compile(r"^\W*(?:TM|KT|TL|TUQ|Q)\s*[.,]\s*\w|^\W*(?:PHO )?(?:CHU TICH|GIAM DOC|TRUONG PHONG|"
                     r"CHANH VAN PHONG|TRUONG BAN|CUC TRUONG|CHI CUC TRUONG|HIEU TRUONG)\W*$", re.IGNORECASE)


@dataclass(frozen=True)
class PageSigns:
    """What a page shows of where it stands in a result."""

    number: int
    blank: bool = False
    heading: bool = False
    """The motto or a ``Số: …/…`` line in the top part: a result's first page."""
    page_number: int | None = None
    """The page number printed on it, if one was read."""
    annex: bool = False
    closes: bool = False
    """``Nơi nhận:`` or a signer's title in its lower part."""


def signs_of(page: PageLayout) -> PageSigns:
    """The signs of one page (see the module docstring)."""
    lines = [ln for ln in page.lines if ln.text.strip()]
    if not lines:
        return PageSigns(page.number, blank=True)
    h, w = page.height or 1.0, page.width or 1.0
    folded = [fold(ln.text).upper() for ln in lines]
    heading = any(_motto(ln, f, w) for ln, f in zip(lines, folded, strict=True) if ln.y0 < h * 0.2) or any(
        _number_line(ln, f, w) for ln, f in zip(lines, folded, strict=True) if ln.y0 < h * 0.3) or any(
        _title(ln, f, w) and not (i + 1 < len(folded) and _ARTICLE.match(folded[i + 1]))
        for i, (ln, f) in enumerate(list(zip(lines, folded, strict=True))[:3]) if ln.y0 < h * 0.35)
    page_number = None
    for line, text in zip(lines, folded, strict=True):
        near_edge = line.y1 < h * 0.1 or line.y0 > h * 0.88
        if near_edge and line.x1 - line.x0 < w * 0.2 and (found := _PAGE_NUMBER.match(text.strip())):
            page_number = int(found.group(1))
            break
    top = [(ln, f) for ln, f in zip(lines, folded, strict=True) if ln.y0 < h * 0.4][:10]
    annex = any((_ANNEX_HEAD.match(f) and _upper(ln.text)) or _ANNEX_OF.search(f) for ln, f in top)
    lower = [f for ln, f in zip(lines, folded, strict=True) if ln.y0 > h * 0.4]
    closes = any(_CLOSING.match(f) or _SIGNER.match(f) for f in lower)
    return PageSigns(page.number, False, heading, page_number, annex, closes)


def _upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) > 0.6 * len(letters)


def _motto(line: Line, folded: str, width: float) -> bool:
    """A line of the national motto (see ``_MOTTO_PARTS``)."""
    parts = {m.group() for m in _MOTTO_PARTS.finditer(folded)}
    return len(parts) >= 2 and (_upper(line.text) or line.x1 - line.x0 < width * 0.45)


def _title(line: Line, folded: str, width: float) -> bool:
    """A result's title at the top of a page whose heading block was not read (faint, cut
    off by the feeder): in capitals, centred, among the page's first lines."""
    return bool(_TITLE.match(folded)) and _upper(line.text) and abs(line.cx - width / 2) < width * 0.2


def _number_line(line: Line, folded: str, width: float) -> bool:
    """The number line: ``Số: 12/QĐ-UBND`` in the left column, alone or on one line with
    the date line; not a sentence of the body that cites another paper's number."""
    return bool(_NUMBER_LINE.match(folded)) and (
        line.cx < width * 0.4 or line.x1 - line.x0 < width * 0.45 or bool(_DATE_LINE.search(folded)))


def starts_result(signs: PageSigns, before: PageSigns | None) -> bool:
    """Whether a page begins a result of its own, given the page with print before it (a
    blank sheet between them says nothing: a separator, or the blank back of a sheet of a
    result printed on one side, which the page after it continues)."""
    if before is None:
        return True
    if signs.annex or (signs.page_number is not None and signs.page_number > 1):
        return False  # a page of the result before, even after a blank back side
    if signs.heading:
        return True
    # No heading read (a poor scan, the motto under a fold): a page numbered 1 after a
    # result that closed starts another one.
    return signs.page_number == 1 and before.closes


def split(pages: list[PageLayout]) -> list[tuple[int, int]]:
    """The page ranges (first, last; page numbers as in the file) of the results in
    ``pages``, blank sheets left out."""
    ranges: list[tuple[int, int]] = []
    before: PageSigns | None = None
    for page in pages:
        signs = signs_of(page)
        if signs.blank:
            continue
        if not ranges or starts_result(signs, before):
            ranges.append((page.number, page.number))
        else:
            ranges[-1] = (ranges[-1][0], page.number)
        before = signs
    return ranges


def is_stack(ranges: list[tuple[int, int]]) -> bool:
    return len(ranges) > 1
