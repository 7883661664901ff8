"""Process one document from file to record. Runs in a worker process.

The stages in order: recognise the format, take the text layer where a PDF has one,
otherwise prepare and OCR each page, extract the fields, judge validity. Any expected
failure becomes a failed record with a reason; nothing here raises past ``process``.
"""

from __future__ import annotations

import datetime as dt
import socket
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

import numpy as np

from sohoa.core.errors import CannotWrite, ConfigError, DocumentError, MissingDependencyError, cannot_write
from sohoa.core.i18n import both
from sohoa.core.layout import PageLayout
from sohoa.core.model import (
    CopyFailure,
    CopyToSign,
    Extraction,
    OcrInfo,
    Record,
    RecordStatus,
    SourceInfo,
    Validity,
    ValidityStatus,
    empty_extraction,
    result_id,
)
from sohoa.core.settings import Settings
from sohoa.core.text import clean
from sohoa.core.validity import judge
from sohoa.core.verdict import DocumentVerdict
from sohoa.ocr import boundaries, preprocess, tesseract
from sohoa.ocr import pages as pagesmod
from sohoa.ocr.extract import (
    extract,
)
from sohoa.ocr.rules import registry
from sohoa.signatures.verify import verify_file


@dataclass(frozen=True)
class Task:
    """One document to process: small and picklable, sent to a worker."""

    path: str
    sha256: str
    size: int
    ranges: tuple[tuple[int, int], ...] = ()
    """The page ranges of its results a person set (``sohoa split``); none: found from the pages."""


def steps(settings: Settings) -> tuple[str, ...]:
    chosen = preprocess.DEFAULT_STEPS if settings.preprocessing is None else settings.preprocessing
    unknown = [s for s in chosen if s not in preprocess.STEPS]
    if unknown:
        bad, known = ", ".join(unknown), ", ".join(preprocess.STEPS)
        raise ConfigError(
            f"SOHOA_PREPROCESS: bước tiền xử lý không tồn tại: {bad}. Có: {known}.",
            f"SOHOA_PREPROCESS: unknown preprocessing step(s): {bad}. Known: {known}.",
        )
    return chosen


@dataclass(frozen=True)
class PreparedPage:
    """A page as OCR read it (prepared), kept or made again for a second look at its signer zone."""

    number: int
    image: np.ndarray
    dpi: int


@dataclass(frozen=True)
class PageText:
    layouts: list[PageLayout]
    born_digital: bool
    engine: str
    mean_confidence: float | None
    steps: tuple[str, ...]
    last_page: PreparedPage | None = None
    """Set when the document's last page with print was OCR'd."""
    blank_pages: tuple[int, ...] = ()
    """Pages with no print (backs of duplex scans): not OCR'd."""
    first_page: pagesmod.PageImage | None = None
    """Page 1 as scanned, when it was OCR'd: for a second look at a number filled in by hand."""
    low_resolution: bool = False
    """Some page was below 150 dpi (a phone photo, a screenshot) and read enlarged."""
    ocr_pages: tuple[int, ...] = ()
    """The pages read by OCR (not from a text layer, not blank)."""
    scanned: tuple[pagesmod.PageImage, ...] = ()
    """The pages as decoded for OCR, kept for the signed copy (``keep_scanned``), so that
    the copy does not decode them again."""


KEEP_SCANNED_BYTES = 256 * 2**20
"""The decoded pages of one document kept for its signed copy at most (about ten colour
A4 pages at 300 dpi); the pages beyond it are decoded again by the copy."""


def keep_scanned(settings: Settings) -> int:
    """Bytes of decoded pages to keep for the signed copy: none without ``--sign-with``."""
    return KEEP_SCANNED_BYTES if settings.copy_agency else 0


def _looks_unread(layout: PageLayout) -> bool:
    """A page perhaps scanned sideways or upside down: few words, words read with little
    confidence (upright pages read at 85-95 even when poor), or a landscape page (results
    are mostly portrait A4; a landscape certificate costs one orientation check)."""
    words = sum(len(line.word_confidences) for line in layout.lines)
    return words < 15 or (layout.mean_confidence or 0.0) < 70 or layout.width > layout.height * 1.1


def _upright(page: pagesmod.PageImage, prepared: preprocess.Prepared, layout: PageLayout, settings: Settings
             ) -> tuple[preprocess.Prepared, PageLayout]:
    """Turn the page the way Tesseract's orientation detection says, prepare it again
    (deskew must see upright lines) and read it again."""
    angle = tesseract.orientation(prepared.image, dpi=prepared.dpi)
    if not angle:
        return prepared, layout
    turned = preprocess.prepare(preprocess.turn(page.image, angle), page.dpi, steps(settings))
    again = tesseract.read_page(turned.image, page_number=page.number, dpi=turned.dpi,
                                language=settings.ocr_language, cut=not turned.enlarged)

    # Tesseract reads some sideways text well enough, but its boxes are then sideways and
    # the layout zones mean nothing: trust the orientation check unless the turned page
    # reads clearly worse.
    if _weight(again) >= 0.8 * _weight(layout):
        return turned, replace(again, turned=angle)
    return prepared, layout


def _reads_weakly(layout: PageLayout) -> bool:
    """Next to nothing read from a page that has print (it is not blank): a few words, or
    words read with little confidence. A short page read well (a signer block carried
    over) is not read again."""
    words = sum(len(line.word_confidences) for line in layout.lines)
    return words < 5 or (layout.mean_confidence or 0.0) < 70


def _weight(reading: PageLayout) -> float:
    """How much a reading of a page says: the sum of its words' confidences."""
    return sum(c for line in reading.lines for c in line.word_confidences)


def _on_white_paper(prepared: preprocess.Prepared, layout: PageLayout, settings: Settings
                    ) -> tuple[preprocess.Prepared, PageLayout]:
    """Read a page that read little again with its paper whitened (``preprocess.whiten_paper``);
    keep the reading that says more."""
    white = replace(prepared, image=preprocess.whiten_paper(prepared.image))
    again = tesseract.read_page(white.image, page_number=layout.number, dpi=white.dpi,
                                language=settings.ocr_language, cut=not white.enlarged)
    return (white, again) if _weight(again) > _weight(layout) else (prepared, layout)


class _Read(NamedTuple):
    """What OCR made of a document's scanned pages (see ``PageText`` for each part)."""

    layouts: list[PageLayout]
    confidences: list[float]
    last: PreparedPage | None
    first: pagesmod.PageImage | None
    low_resolution: bool
    scanned: tuple[pagesmod.PageImage, ...] = ()


def _ocr_pages(images: Iterable[pagesmod.PageImage], settings: Settings) -> _Read:
    layouts, confs = [], []
    last = first = None
    low_resolution = False
    scanned: list[pagesmod.PageImage] = []
    room = keep_scanned(settings)
    for page in images:
        if page.number == 1:
            first = page
        if page.image.nbytes <= room:
            scanned.append(page)
            room -= page.image.nbytes
        else:
            room = 0  # the copy decodes from here on
        if preprocess.is_blank(page.image):
            h, w = page.image.shape[:2]
            layouts.append(PageLayout(page.number, w, h, ()))
            continue
        prepared = preprocess.prepare(page.image, page.dpi, steps(settings))
        low_resolution |= prepared.enlarged
        layout = tesseract.read_page(prepared.image, page_number=page.number, dpi=prepared.dpi,
                                     language=settings.ocr_language, cut=not prepared.enlarged)
        if _looks_unread(layout):
            prepared, layout = _upright(page, prepared, layout, settings)
        if _reads_weakly(layout) and not layout.turned:
            prepared, layout = _on_white_paper(prepared, layout, settings)
        layouts.append(layout)
        confs.extend(c for line in layout.lines for c in line.word_confidences)
        last = PreparedPage(page.number, prepared.image, prepared.dpi)
    return _Read(layouts, confs, last, first, low_resolution, tuple(scanned))


def read_text(path: Path, fmt: str, settings: Settings) -> tuple[PageText, tuple[str, ...]]:
    """Text of every page, from the text layer where it is real, else from OCR."""
    if fmt != "pdf":
        engine = tesseract.probe(settings.ocr_language)
        read = _ocr_pages(pagesmod.raster_page_images(path, settings.max_pixels), settings)
        confs = read.confidences
        mean = sum(confs) / len(confs) if confs else None
        return PageText(read.layouts, False, engine, mean, steps(settings), read.last, _blank(read.layouts),
                        read.first, read.low_resolution, _read_pages(read.layouts), read.scanned), ()
    facts = pagesmod.pdf_facts(path)
    layer = pagesmod.pdf_text_pages(path) if any(facts.text_pages) else []
    by_number: dict[int, PageLayout] = {}
    for layout, shows_text in zip(layer, facts.text_pages, strict=False):
        if pagesmod.has_real_text(layout, shows_text):
            by_number[layout.number] = layout
    to_ocr = [n for n in range(1, facts.pages + 1) if n not in by_number]
    read = _Read([], [], None, None, False)
    engine = "text-layer"
    if to_ocr:
        engine = tesseract.probe(settings.ocr_language) + ("" if not by_number else " + text-layer")
        read = _ocr_pages(pagesmod.pdf_page_images(path, to_ocr, settings.max_pixels), settings)
        by_number.update({layout.number: layout for layout in read.layouts})
    confs, last = read.confidences, read.last
    ordered = [by_number[n] for n in sorted(by_number)]
    mean = sum(confs) / len(confs) if confs else None
    applied = steps(settings) if to_ocr else ()
    with_print = [layout.number for layout in ordered if layout.lines]
    last_page = last if last is not None and with_print and last.number == with_print[-1] else None
    return (PageText(ordered, not to_ocr, engine, mean, applied, last_page, _blank(ordered), read.first,
                     read.low_resolution, _read_pages(read.layouts), read.scanned),
            facts.signing_times)


def _read_pages(layouts: list[PageLayout]) -> tuple[int, ...]:
    return tuple(layout.number for layout in layouts if layout.lines)


def _blank(layouts: list[PageLayout]) -> tuple[int, ...]:
    return tuple(layout.number for layout in layouts if not layout.lines)


def judge_extraction(extraction: Extraction, today: dt.date) -> Validity:
    """Validity from the extracted end date and the matched type's rule."""
    rule = next((r for r in registry() if r.name == extraction.rule), None)
    return judge(extraction.fields.get("valid_until"), rule.validity_without_end_date if rule else None, today)


def read_result(record_id: str, source: SourceInfo, text: PageText, signing_times: tuple[str, ...],
                signatures: DocumentVerdict | None, settings: Settings, now: dt.datetime,
                page_range: tuple[int, int] | None = None) -> Record:
    """The record of one result: the pages of ``text`` read into fields, looked at again
    where the first pass doubted, and judged."""
    from sohoa.ingest.looks import (  # it builds on this module's types
        handwritten_second_look,
        name_line_again,
        second_look,
        withhold_doubtful,
        withhold_doubtful_names,
        withhold_garbled,
    )

    path, fmt = Path(source.path), source.format
    extraction = extract(text.layouts, signing_times, settings.today)
    text, extraction = second_look(text, extraction, signing_times, settings, path, fmt)
    extraction = name_line_again(text, extraction, settings, path, fmt)
    extraction = withhold_doubtful_names(text, extraction)
    extraction = handwritten_second_look(text, extraction, settings.today)
    extraction = withhold_doubtful(text, extraction)
    extraction = withhold_garbled(text, extraction)
    return Record(
        id=record_id,
        source=source,
        pages=len(text.layouts),
        born_digital=text.born_digital,
        ocr=OcrInfo(text.engine, round(text.mean_confidence, 2) if text.mean_confidence else None,
                    text.steps, tesseract.model_digest(settings.ocr_language) if text.ocr_pages else None,
                    machine()),
        text=clean("\f".join(layout.text for layout in text.layouts)),
        extraction=extraction,
        validity=judge_extraction(extraction, settings.today),
        processed_at=now,
        signing_times=signing_times,
        layout=tuple(text.layouts),
        signatures=signatures,
        blank_pages=text.blank_pages,
        page_range=page_range,
    )


def stack_result_id(file_sha256: str, index: int, first_page: int) -> str:
    """The id of a stack's ``index``-th result: the file's hash for the first, so that the
    file keeps naming a record; ``result_id`` of the hash and the first page for the others."""
    return file_sha256 if index == 0 else result_id(file_sha256, first_page)


def part_of(text: PageText, first: int, last: int, path: Path, fmt: str, settings: Settings) -> PageText:
    """The pages ``first``..``last`` of a file's text, as a result of its own: its first
    page scanned again when the second look at a hand-filled number needs it."""
    inside = range(first, last + 1)
    first_page = text.first_page if text.first_page is not None and text.first_page.number == first else None
    if first_page is None and first in text.ocr_pages:
        scans = (pagesmod.pdf_page_images(path, [first], settings.max_pixels) if fmt == "pdf"
                 else pagesmod.raster_page_images(path, settings.max_pixels))
        first_page = next((p for p in scans if p.number == first), None)
    return replace(
        text, layouts=[layout for layout in text.layouts if layout.number in inside],
        last_page=text.last_page if text.last_page is not None and text.last_page.number in inside else None,
        blank_pages=tuple(n for n in text.blank_pages if n in inside), first_page=first_page,
        ocr_pages=tuple(n for n in text.ocr_pages if n in inside), scanned=())


def process(task: Task, settings: Settings) -> Record:
    """Turn one file into a record (``status`` ``indexed`` or ``failed``). Never raises
    for a problem with the file; raises only when sohoa itself cannot work (a missing
    program), since then every file would fail the same way."""
    path = Path(task.path)
    source = SourceInfo(str(path), task.sha256, task.size, "unknown")
    now = dt.datetime.now(dt.UTC)
    try:
        fmt = pagesmod.sniff_format(path)
        source = SourceInfo(str(path), task.sha256, task.size, fmt)
        text, signing_times = read_text(path, fmt, settings)
        signatures = verify_file(path, fmt, settings)
        ranges = list(task.ranges) or (boundaries.split(text.layouts) if len(text.layouts) > 1 else [])
        if len(ranges) > 1:  # a stack of results scanned as one file: a record for each
            results = [read_result(stack_result_id(task.sha256, i, first), source,
                                   part_of(text, first, last, path, fmt, settings), signing_times, signatures,
                                   settings, now, (first, last)) for i, (first, last) in enumerate(ranges)]
            if settings.copy_agency and not text.born_digital:  # a copy of each result, of its own pages
                results = [replace(r, signed_copy=copy_to_sign(path, fmt, r, settings, text.scanned)) for r in results]
            return replace(results[0], more=tuple(results[1:]))
        record = read_result(task.sha256, source, text, signing_times, signatures, settings, now)
        if settings.copy_agency and not record.born_digital:
            record = replace(record, signed_copy=copy_to_sign(path, fmt, record, settings, text.scanned))
        return record
    except (MissingDependencyError, ConfigError, CannotWrite):
        raise
    except DocumentError as exc:
        return failed_record(source, both(exc.message_vi, exc.message_en), exc.code, settings, now)
    except OSError as exc:
        full = cannot_write(exc, str(settings.home))
        if full is not None:  # the temporary files of OCR, or the copies: every file would fail so
            raise full from exc
        why = exc.strerror or exc
        return failed_record(
            source,
            both(f"Không đọc được tệp: {why}. Tệp đã bị chuyển hoặc xóa? Hãy nạp lại từ nơi nó đang nằm.",
                 f"Cannot read the file: {why}. Was it moved or deleted? Ingest it from where it is now."),
            "unreadable", settings, now)
    except MemoryError:
        return failed_record(source, both("Không đủ bộ nhớ để xử lý tệp này.", "Not enough memory for this file."),
                             "out_of_memory", settings, now)
    except Exception as exc:  # a bug or an unforeseen file: record it, keep the batch going
        detail = "".join(traceback.format_exception_only(exc)).strip()
        return failed_record(
            source,
            both(f"Lỗi không lường trước khi xử lý tệp ({detail}). Hãy báo lỗi kèm tệp này.",
                 f"Unexpected error while processing the file ({detail}). Please report it with this file."),
            "internal_error", settings, now,
        )


def copy_to_sign(path: Path, fmt: str, record: Record, settings: Settings,
                 scanned: tuple[pagesmod.PageImage, ...] = ()) -> CopyToSign | CopyFailure:
    """Make the digitised copy for the process that holds the key to sign (from the pages
    ``scanned`` for OCR, others decoded again); a failure is noted on the record, which
    stays good."""
    from sohoa.ingest.copies import build_copy

    try:
        return build_copy(path, fmt, record, settings, scanned)
    except (MissingDependencyError, ConfigError, CannotWrite):
        raise
    except Exception as exc:  # the scan is read; only its copy failed (unless the disk is full)
        full = cannot_write(exc, str(settings.home / "copies"))
        if full is not None:
            raise full from exc
        return copy_failure(exc)


def copy_failure(exc: BaseException) -> CopyFailure:
    detail = "".join(traceback.format_exception_only(exc)).strip()
    return CopyFailure(both(f"Không tạo được bản sao có ký số ({detail}).",
                            f"Could not make the signed copy ({detail})."))


@dataclass(frozen=True)
class CopyJob:
    """A document ingested earlier that needs its signed copy: sent to a worker, which
    reads the record itself (records with their OCR layout are large)."""

    path: str
    sha256: str


def with_signed_copy(job: CopyJob, settings: Settings) -> Record:
    """The record of an earlier scan, now with its signed copy (or the reason it has none)."""
    from sohoa.ingest.ledger import read_record

    record = read_record(settings.ledger_path, job.sha256)
    if record is None:
        raise RuntimeError(f"record {job.sha256} vanished from the ledger")
    return replace(record, signed_copy=copy_to_sign(Path(job.path), record.source.format, record, settings))


def machine() -> str:
    """This machine's name, and the cluster worker's address when a worker runs this."""
    name = socket.gethostname()
    try:
        from distributed import get_worker

        return f"{name} ({get_worker().address})"
    except (ImportError, ValueError):  # not inside a Dask worker
        return name


def failed_record(source: SourceInfo, message: str, code: str, settings: Settings,
                  when: dt.datetime | None = None) -> Record:
    return Record(
        id=source.sha256,
        source=source,
        pages=0,
        born_digital=False,
        ocr=OcrInfo("none", None, machine=machine()),
        text="",
        extraction=empty_extraction(),
        validity=Validity(ValidityStatus.unknown, settings.today, "not_processed"),
        processed_at=when or dt.datetime.now(dt.UTC),
        status=RecordStatus.failed,
        error=message,
        error_code=code,
    )
