"""A person's correction of where a stack's results begin and end.

The ingest splits a file of several results by what its pages show (``ocr.boundaries``);
a clerk who sees it wrong sets the page ranges by hand, on the record page or with
``sohoa split``: moving a boundary, joining two results, splitting one. Only the results
whose pages changed are read again (from the pages' stored OCR, with the second looks the
ingest makes, which read the file again); the others are kept as they are, corrections
and all. The ranges are kept in the ledger, so a later ingest of the same file splits it
the same way, and the results that are no more leave the index.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from sohoa.core.errors import ConfigError, RecordNotFound
from sohoa.core.layout import PageLayout
from sohoa.core.model import Record, RecordStatus
from sohoa.core.settings import Settings
from sohoa.indexer.base import IndexBackend
from sohoa.ingest.document import PageText, part_of, read_result, stack_result_id
from sohoa.ingest.ledger import Ledger
from sohoa.ingest.run import locked_ledger


@dataclass(frozen=True)
class Resplit:
    """What a correction of a split did."""

    file: str
    """The SHA-256 of the file."""
    ranges: tuple[tuple[int, int], ...]
    kept: tuple[str, ...]
    """Results whose pages did not change: not read again."""
    made: tuple[str, ...]
    """Results read again (new, or with other pages)."""
    gone: tuple[str, ...]
    """Results that are no more: out of the archive and the index."""


def parse_ranges(text: str) -> list[tuple[int, int]]:
    """``1-4, 5-6, 7`` as page ranges; a ``ConfigError`` saying what is wrong otherwise."""
    ranges = []
    for part in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        found = re.fullmatch(r"(\d{1,4})\s*(?:[-–]\s*(\d{1,4}))?", part)
        if not found:
            raise ConfigError(f"Không hiểu khoảng trang {part!r}: viết như 1-4,5-6,7.",
                              f"Cannot read the page range {part!r}: write them as 1-4,5-6,7.")
        first = int(found.group(1))
        ranges.append((first, int(found.group(2) or first)))
    return ranges


def _checked(ranges: list[tuple[int, int]], pages: int) -> list[tuple[int, int]]:
    ranges = sorted(ranges)
    if not ranges:
        raise ConfigError("Cần ít nhất một khoảng trang.", "At least one page range is needed.")
    for (first, last), after in zip(ranges, [*ranges[1:], None], strict=True):
        if not 1 <= first <= last <= pages:
            raise ConfigError(f"Khoảng trang {first}-{last} nằm ngoài tệp ({pages} trang).",
                              f"The page range {first}-{last} is outside the file ({pages} pages).")
        if after is not None and after[0] <= last:
            raise ConfigError(f"Các khoảng trang {first}-{last} và {after[0]}-{after[1]} chồng lên nhau.",
                              f"The page ranges {first}-{last} and {after[0]}-{after[1]} overlap.")
    return ranges


def _page_count(path: Path, fmt: str) -> int:
    from PIL import Image

    from sohoa.ocr import pages as pagesmod

    if fmt == "pdf":
        return pagesmod.pdf_facts(path).pages
    with Image.open(path) as image:
        return int(getattr(image, "n_frames", 1))


def resplit(settings: Settings, index: IndexBackend, record_id: str, ranges: list[tuple[int, int]],
            by: str) -> Resplit:
    """Split the file of ``record_id`` into the results of ``ranges`` (page numbers of the
    file), as ``by`` said: see the module docstring."""
    with locked_ledger(settings) as ledger:
        first = ledger.record(record_id.lower())
        if first is None:
            raise RecordNotFound(f"Không có hồ sơ nào có mã {record_id}.", f"No record with id {record_id}.")
        if first.status is not RecordStatus.indexed:
            raise ConfigError("Tệp này chưa đọc được (lỗi khi nạp): hãy nạp lại trước khi tách.",
                              "This file could not be read (it failed at ingest): ingest it again before splitting it.")
        file_sha = ledger.file_of(first.id)
        results = [r for r in (ledger.get(i, as_read=True) for i in [file_sha, *ledger.results_of(file_sha)]) if r]
        path = ledger.on_disk(file_sha)
        if path is None:
            raise ConfigError("Tệp gốc không còn ở nơi đã nạp: không đọc lại được để tách.",
                              "The original file is no longer where it was ingested from: it cannot be read "
                              "again to split it.")
        source = results[0].source
        total = _page_count(path, source.format)
        ranges = _checked(ranges, total)
        made, kept, records = [], [], []
        text = _pages(results)
        now = dt.datetime.now(dt.UTC)
        for i, (a, b) in enumerate(ranges):
            rid = stack_result_id(file_sha, i, a)
            span = None if ranges == [(1, total)] else (a, b)  # one result of the whole file: no stack
            old = next((r for r in results if r.id == rid and (r.page_range or (1, r.pages)) == (a, b)), None)
            if old is not None:
                records.append(dataclasses.replace(old, page_range=span))
                kept.append(rid)
                continue
            part = part_of(text, a, b, path, source.format, settings)
            records.append(read_result(rid, source, part, results[0].signing_times, results[0].signatures, settings,
                                       now, span))
            made.append(rid)
        gone = ledger.store(dataclasses.replace(records[0], more=tuple(records[1:])))
        ledger.set_split(file_sha, ranges, by)
        _send(ledger, index, records, gone)
    return Resplit(file_sha, tuple(ranges), tuple(kept), tuple(made), tuple(gone))


def _pages(results: list[Record]) -> PageText:
    """The pages of a file as its results hold them (a page in none, a blank sheet, empty)."""
    layouts = {page.number: page for r in results for page in r.layout}
    some = next(iter(layouts.values()), None)
    last = max(layouts, default=0)
    pages = [layouts.get(n) or PageLayout(n, some.width if some else 0, some.height if some else 0, ())
             for n in range(1, last + 1)]
    ocr = results[0].ocr
    scanned = not all(r.born_digital for r in results)
    return PageText(pages, not scanned, ocr.engine, ocr.mean_confidence, ocr.preprocessing,
                    blank_pages=tuple(p.number for p in pages if not p.lines),
                    ocr_pages=tuple(p.number for p in pages if p.lines) if scanned else ())


def _send(ledger: Ledger, index: IndexBackend, records: list[Record], gone: list[str]) -> None:
    """The results as people corrected them into the index, those that are no more out of it;
    an index that cannot be reached gets them at ``sohoa index --retry``."""
    from sohoa.core.errors import IndexBackendError

    try:
        if gone:
            index.delete(gone)
        index.upsert([ledger.corrected(r) for r in records])
        ledger.mark_indexed([r.id for r in records])
    except IndexBackendError:  # the ledger keeps them "pending index", and the results gone orphaned
        return
