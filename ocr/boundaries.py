"""Where one result ends and the next begins in a stack scanned as one file.

Clerks feed a stack of paper into the scanner's document feeder and get one PDF of many
results. Each page is read for the signs Decree 30/2020 prints (``signs_of``):

- **a heading block at the top**: the national motto (``CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT
  NAM``) or a ``Số: …/…`` number line in the top part of the page: the first page of a
  result;
- **a printed page number** (``2``, ``- 2 -``, ``Trang 2/3``, at the top or the foot): 2
  and up is a page of the result before, 1 may start one;
- **a closing**: ``Nơi nhận:`` or the signer block in the lower part of the page: the
  result ends there, so a page after it without a heading or a page number of its own is
  still taken as its continuation only when nothing says otherwise;
- **an annex** (``PHỤ LỤC``, ``DANH SÁCH … kèm theo Quyết định số …``): it stays with the
  result before it, even with a heading of its own;
- **a blank sheet**: a separator; it belongs to no result.

``split`` turns the signs into page ranges. A person corrects a split on the review page
(``sohoa split``); the ranges they set replace these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sohoa.core.layout import PageLayout
from sohoa.core.text import fold

_MOTTO = re.compile(r"CONG HOA|CHU NGHIA VIET|DOC LAP\W|HANH PHUC")
"""Any part of the motto OCR kept (``CỘNG HÒA AXÃ HỘI C CHỦ Như: VIỆT NAM``, ``Độc lập - mu to -
Hạnh phúc``), in the top fifth of a page."""
_NUMBER_LINE = re.compile(r"^[\s\W_]{0,3}S[O0]\s*(?:[:;.]?\s*\S{0,8}\s*/\s*[A-Z0-9Đ]|:\s*\d{1,5}\s*\S*[A-Z]{2})")
_PAGE_NUMBER = re.compile(r"^\W{0,3}(?:TRANG\s*)?(\d{1,3})(?:\s*/\s*(\d{1,3}))?\W{0,3}$", re.IGNORECASE)
_ANNEX = re.compile(r"^\W*(?:PHU LUC\b|DANH SACH\b|BIEU\s*MAU\b|MAU SO\b)|KEM THEO (?:QUYET DINH|CONG VAN|THONG BAO|KE "
                    r"HOACH|TO TRINH|BAO CAO)", re.IGNORECASE)
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
    top = [f for ln, f in zip(lines, folded, strict=True) if ln.y0 < h * 0.2]
    heading = any(_MOTTO.search(f) for f in top) or any(
        _NUMBER_LINE.match(f) for ln, f in zip(lines, folded, strict=True) if ln.y0 < h * 0.4 and ln.cx < w * 0.6)
    page_number = None
    for line, text in zip(lines, folded, strict=True):
        near_edge = line.y1 < h * 0.1 or line.y0 > h * 0.88
        if near_edge and line.x1 - line.x0 < w * 0.2 and (found := _PAGE_NUMBER.match(text.strip())):
            page_number = int(found.group(1))
            break
    first_lines = [f for ln, f in zip(lines, folded, strict=True) if ln.y0 < h * 0.35]
    annex = any(_ANNEX.search(f) for f in first_lines[:8]) and not any(_MOTTO.search(f) for f in first_lines[:3])
    lower = [f for ln, f in zip(lines, folded, strict=True) if ln.y0 > h * 0.4]
    closes = any(_CLOSING.match(f) or _SIGNER.match(f) for f in lower)
    return PageSigns(page.number, False, heading, page_number, annex, closes)


def starts_result(signs: PageSigns, before: PageSigns | None, *, after_blank: bool = False) -> bool:
    """Whether a page begins a result of its own, given the page before it (and whether a
    blank sheet lay between them)."""
    if before is None:
        return True
    if signs.annex or (signs.page_number is not None and signs.page_number > 1):
        return False  # a page of the result before, even after a blank back side
    if signs.heading or after_blank:
        return True
    # No heading read (a poor scan, the motto under a fold): a page numbered 1 after a
    # result that closed starts another one.
    return signs.page_number == 1 and before.closes


def split(pages: list[PageLayout]) -> list[tuple[int, int]]:
    """The page ranges (first, last; page numbers as in the file) of the results in
    ``pages``, blank sheets left out."""
    ranges: list[tuple[int, int]] = []
    before: PageSigns | None = None
    after_blank = False
    for page in pages:
        signs = signs_of(page)
        if signs.blank:
            after_blank = True
            continue
        if not ranges or starts_result(signs, before, after_blank=after_blank):
            ranges.append((page.number, page.number))
        else:
            ranges[-1] = (ranges[-1][0], page.number)
        before, after_blank = signs, False
    return ranges


def is_stack(ranges: list[tuple[int, int]]) -> bool:
    return len(ranges) > 1
