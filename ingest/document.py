"""Process one document from file to record. Runs in a worker process.

The stages in order: recognise the format, take the text layer where a PDF has one,
otherwise prepare and OCR each page, extract the fields, judge validity. Any expected
failure becomes a failed record with a reason; nothing here raises past ``process``.
"""

from __future__ import annotations

import datetime as dt
import re
import socket
import traceback
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np
from rapidfuzz import fuzz

from sohoa.core.errors import CannotWrite, ConfigError, DocumentError, MissingDependencyError, cannot_write
from sohoa.core.layout import Line, PageLayout
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
)
from sohoa.core.settings import Settings
from sohoa.core.text import clean, fold
from sohoa.core.validity import judge
from sohoa.ocr import issuer, names, preprocess, tesseract, tones, zones
from sohoa.ocr import pages as pagesmod
from sohoa.ocr.extract import (
    extract,
    fix_surname,
    handwritten_day_zone,
    handwritten_number_zone,
    plausible_name,
    signer_page,
)
from sohoa.ocr.rules import registry
from sohoa.signatures.verify import verify_file


@dataclass(frozen=True)
class Task:
    """One document to process: small and picklable, sent to a worker."""

    path: str
    sha256: str
    size: int


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
                                language=settings.ocr_language)

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
                                language=settings.ocr_language)
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
                                     language=settings.ocr_language)
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


LOW_RESOLUTION_FLOORS = {"number": 0.72, "issue_date": 0.72, "valid_until": 0.72, "issuer": 0.75, "signer_name": 0.6}
"""On a page read enlarged from below 150 dpi, a value read with less confidence is
withheld. Measured on 16 generated phone photos (seed 31): the wrong number and date read
at 0.62 and 0.66, every right one at 0.75 or more; every issuer read below 0.75 was
garbled, and every signer name below 0.6."""
_WORDS = re.compile(r"[^\W\d_]+")


def _not_syllables(value: str) -> list[str]:
    return [w for w in _WORDS.findall(value) if w.lower() not in names.syllables()]


def withhold_doubtful(text: PageText, extraction: Extraction) -> Extraction:
    """From a phone photo or a screenshot (a page below 150 dpi, enlarged), a value that
    is garbled is worse than none: Tesseract slips on letters and marks at that size. Its
    subject's marks are repaired from the words around them (``tones.repair_marks``);
    then a value is withheld, with a note, when read with less confidence than
    ``LOW_RESOLUTION_FLOORS``, when an issuer is no agency the lexicon and the gazetteer
    know, when a name or the subject holds a word that is no Vietnamese syllable, or when
    a name does not open with a family name or holds a word no one is named by
    (``names.named_by``)."""
    if not text.low_resolution:
        return extraction
    fields, notes = dict(extraction.fields), list(extraction.notes)
    if fields.get("subject"):
        # "nằm 2025": before a year, the word is năm.
        year = re.sub(r"\b(?:nằm|nấm|nắm|nam|nầm|nẵm)(?=\s+(?:19|20)\d\d\b)", "năm", fields["subject"])
        repaired, changed = tones.repair_marks(year)
        changed = (("nằm", "năm"),) * (year != fields["subject"]) + changed
        if changed:
            fields["subject"] = repaired
            notes.append("subject: marks repaired from the words around them (a page below 150 dpi): "
                         + ", ".join(f"{a} → {b}" for a, b in changed))
    reasons: dict[str, str] = {}
    for name, floor in LOW_RESOLUTION_FLOORS.items():
        if fields.get(name) and extraction.confidence.get(name, 0.0) < floor:
            reasons[name] = f"read with confidence {extraction.confidence.get(name, 0.0):.2f}"
    for name in ("issuer", "issuer_parent"):
        if fields.get(name) and name not in reasons and not issuer.recognised(fields[name]):
            reasons[name] = "no agency the lexicon names, or no place the gazetteer knows"
    for name in ("signer_name", "holder_name", "subject"):
        odd = _not_syllables(fields[name]) if fields.get(name) and name not in reasons else []
        if odd:
            reasons[name] = f"{', '.join(repr(w) for w in odd[:3])} is no Vietnamese syllable"
        elif name != "subject" and fields.get(name) and name not in reasons:
            words = fields[name].split()
            unnamed = [w for w in words[1:] if not names.named_by(w)]
            if not names.is_family_name(words[0]):
                reasons[name] = f"{words[0]!r} is no family name"
            elif unnamed:  # "Đặng Đực Tháng": a mark misread into a word no one is named by
                reasons[name] = f"{unnamed[0]!r} is no name people are given"
    if "issuer" in reasons and fields.get("issuer_successor"):
        reasons["issuer_successor"] = "made from the issuer's name, which is withheld"
    if ("issuer" in reasons or "issuer_parent" in reasons) and fields.get("issuer_level") == "other":
        reasons["issuer_level"] = "no level in the names read, which are withheld"
    if not reasons:
        return replace(extraction, fields=fields, notes=tuple(notes))
    notes.extend(f"{f}: {fields[f]!r} {why} from a page below 150 dpi: not taken, a person should read it"
                 for f, why in reasons.items())
    fields.update(dict.fromkeys(reasons))
    confidence = {**extraction.confidence, **dict.fromkeys(reasons, 0.0)}
    return replace(extraction, fields=fields, confidence=confidence, notes=tuple(notes))


def judge_extraction(extraction: Extraction, today: dt.date) -> Validity:
    """Validity from the extracted end date and the matched type's rule."""
    rule = next((r for r in registry() if r.name == extraction.rule), None)
    return judge(extraction.fields.get("valid_until"), rule.validity_without_end_date if rule else None, today)


HANDWRITTEN_CONFIDENCE = 0.75
"""A hand-filled value both engines read alike: taken, below the review queue's 0.8, so
that a person sees it once."""
HANDWRITTEN_DAY_BEFORE_SIGNING = 60
"""A paper is signed on its date or up to this many days after it (17 on the real scans)."""


def handwritten_second_look(text: PageText, extraction: Extraction, today: dt.date) -> Extraction:
    """Read a number or a day filled in by hand again, with two engines (``ocr.zones``),
    when the first pass judged them illegible or handwritten. Both engines alike: the value
    is taken (confidence ``HANDWRITTEN_CONFIDENCE``, and a note). Not alike: a note with
    both reads for the person reviewing, and the field stays null."""
    if text.first_page is None or not text.layouts or text.layouts[0].turned:
        return extraction
    number = not extraction.fields.get("number") and any(n.startswith("number: digits") for n in extraction.notes)
    day = handwritten_day_zone(text.layouts[0]) if not extraction.fields.get("issue_date") else None
    if not number and not day:
        return extraction
    page = text.first_page
    # The zones' boxes are in the prepared page's pixels: prepare the scan the same way, but
    # keep the pen's ink (blue ink removal would erase what was written in blue).
    grey = preprocess.prepare(page.image, page.dpi, tuple(s for s in text.steps if s != "remove_ink")).image
    fields, confidence, notes = dict(extraction.fields), dict(extraction.confidence), list(extraction.notes)
    zone = handwritten_number_zone(text.layouts[0]) if number else None
    read = zones.read_number_digits(grey, zone[0]) if zone else None
    if zone and read and read.guesses:
        notation = zone[1]
        if read.agreed and 2 <= len(read.agreed) <= 6:  # Decree 30 pads numbers below 10: "04"
            fields["number"], confidence["number"] = f"{read.agreed}/{notation}", HANDWRITTEN_CONFIDENCE
            notes.append(f"number: handwritten, read {read.agreed} by two engines alike ({read.readings})")
        else:
            perhaps = " or ".join(f"{g}/{notation}" for g in read.guesses)
            notes.append(f"number: handwritten, perhaps {perhaps} ({read.readings}, not alike); "
                         "not taken as the number: a person should confirm it")
    if day:
        line, year, month, first = day
        read = zones.read_day_digits(grey, line)
        if read and read.guesses:
            agreed = read.agreed_with(first)
            date = _day_of(agreed, year, month) if agreed else None
            why = _implausible_day(date, extraction.fields.get("signed_on"), today) if date else "not alike"
            if date and not why:
                fields["issue_date"], confidence["issue_date"] = date.isoformat(), HANDWRITTEN_CONFIDENCE
                notes.append(f"issue_date: handwritten day read {date.day:02d} by two engines alike ({read.readings})")
            else:
                guesses = dict.fromkeys((*read.guesses, first or ""))
                perhaps = " or ".join(f"{g}/{month:02d}/{year}" for g in guesses if g)
                notes.append(f"issue_date: handwritten day, perhaps {perhaps} ({read.readings}, {why}); "
                             "not taken as the date: a person should confirm it")
    return replace(extraction, fields=fields, confidence=confidence, notes=tuple(notes))


def _day_of(digits: str, year: int, month: int) -> dt.date | None:
    try:
        return dt.date(year, month, int(digits)) if 1 <= len(digits) <= 2 else None
    except ValueError:
        return None


def _implausible_day(date: dt.date, signed_on: str | None, today: dt.date) -> str | None:
    """Why a day both engines read cannot be the paper's date, or None. The day of the
    earliest signature (``signed_on``) bounds it (a paper is signed on its date or after),
    never gives it."""
    if date > today:
        return "in the future"
    signed = dt.date.fromisoformat(signed_on) if signed_on else None
    if signed and not 0 <= (signed - date).days <= HANDWRITTEN_DAY_BEFORE_SIGNING:
        return f"not within {HANDWRITTEN_DAY_BEFORE_SIGNING} days before the signing on {signed}"
    return None


def _signer_zone_page(text: PageText, number: int, path: Path, fmt: str, settings: Settings) -> PreparedPage | None:
    """The prepared image of page ``number`` for a second look: the one kept when it is the
    last page, else the page scanned and prepared again as the first pass did (turned the
    way it was read). None when the page was not OCR'd (its text came from the text layer)."""
    if text.last_page is not None and text.last_page.number == number:
        return text.last_page
    if number not in text.ocr_pages:
        return None
    scans = (pagesmod.pdf_page_images(path, [number], settings.max_pixels) if fmt == "pdf"
             else pagesmod.raster_page_images(path, settings.max_pixels))
    page = next((p for p in scans if p.number == number), None)
    if page is None:
        return None
    layout = next(layout for layout in text.layouts if layout.number == number)
    prepared = preprocess.prepare(preprocess.turn(page.image, layout.turned or 0), page.dpi, steps(settings))
    return PreparedPage(number, prepared.image, prepared.dpi)


def title_seen_again(first: str | None, seen: str | None) -> Literal["keep", "take", "drop"]:
    """What the signer zone read again with the seal lifted says of the title read first:
    the same, nothing, or the first with its start ("CHỦ TỊCH" of PHÓ CHỦ TỊCH): keep it;
    a longer title ending with it (the seal hid "PHÓ"): take that; another: drop both."""
    if not first or not seen or seen == first or first.endswith(" " + seen):
        return "keep"
    return "take" if seen.endswith(" " + first) else "drop"


def second_look(text: PageText, extraction: Extraction, signing_times: tuple[str, ...],
                settings: Settings, path: Path, fmt: str) -> tuple[PageText, Extraction]:
    """Read the signer zone again when the first pass found no signer title there, or no
    plausible name (``ocr.extract.plausible_name``): the seal and signature lifted away.
    The zone is on the page of the signer block, which is not always the last page (a
    letter followed by its annexes)."""
    fields = extraction.fields
    if (fields.get("signer_title") and plausible_name(fields.get("signer_name"))) or not text.ocr_pages:
        return text, extraction
    number = signer_page(text.layouts)
    zone_page = _signer_zone_page(text, number, path, fmt, settings) if number is not None else None
    if zone_page is None:
        return text, extraction
    at = next(i for i, layout in enumerate(text.layouts) if layout.number == number)
    page = text.layouts[at]
    # The zone starts below the body: after the last line that spans most of the page width.
    # A page with no body (the signature block alone, carried over to a last page) is
    # read from its top: the block is then the first thing on it.
    body = [ln for ln in page.lines if ln.x1 - ln.x0 > page.width * 0.5]
    top = max((ln.y1 for ln in body), default=0.0)
    wanted = [f for f in ("signer_title", "signer_name") if not fields.get(f)
              or (f == "signer_name" and not plausible_name(fields.get(f)))]
    for strength in zones.LIFT_STRENGTHS:
        redone = zones.reread_signer_zone(zone_page.image, page, top, dpi=zone_page.dpi,
                                          language=settings.ocr_language, strength=strength)
        layouts = [*text.layouts[:at], redone, *text.layouts[at + 1:]]
        again = extract(layouts, signing_times, settings.today)
        gained = [f for f in wanted if again.fields.get(f)
                  and (f == "signer_title" or plausible_name(again.fields.get(f)))]
        if gained:
            break
    else:
        return text, extraction
    if "signer_title" in gained and again.fields.get("signed_for") and not fields.get("signed_for"):
        gained.append("signed_for")  # the authority line over the title read with it
    seen, first = again.fields.get("signer_title"), fields.get("signer_title")
    extra: tuple[str, ...] = ()
    if "signer_title" not in gained:
        verdict = title_seen_again(first, seen)
        if verdict == "take":
            gained.append("signer_title")
            if again.fields.get("signed_for") and not fields.get("signed_for"):
                gained.append("signed_for")
        elif verdict == "drop":
            fields = {**fields, "signer_title": None}
            extra = (f"signer_title: read {first!r}, then {seen!r} with the seal lifted: not set",)
    fields = {**fields, **{f: again.fields[f] for f in gained}}
    confidence = {**extraction.confidence, **{f: again.confidence[f] for f in gained}}
    notes = tuple(n for n in extraction.notes if not any(n.startswith(f) for f in gained))
    notes += tuple(f"{f}: read from a second look at the signer zone" for f in gained) + extra
    if extra:
        confidence["signer_title"] = 0.0
    return replace(text, layouts=layouts), Extraction(fields, confidence, notes, extraction.rule)


NAME_AGAIN_CONFIDENCE = 0.75
"""A name two of the five readings of its line give alike: taken, below the review
queue's 0.8, so that a person still sees it."""


def _name_line(page: PageLayout, name: str | None) -> Line | None:
    """The signer's name line on its page: the line of the right column most like the name
    read, or, with none read, the lowest line of that column holding two words of letters."""
    top = max((ln.y1 for ln in page.lines if ln.x1 - ln.x0 > page.width * 0.5), default=0.0)  # below the body
    column = [ln for ln in page.lines if (ln.x0 + ln.x1) / 2 > page.width * 0.5 and ln.y0 >= top
              and len(re.findall(r"[^\W\d_]{2,}", ln.text)) >= 2]
    if not column:
        return None
    if name:
        return max(column, key=lambda ln: fuzz.ratio(fold(ln.text).lower(), fold(name).lower()))
    return max(column, key=lambda ln: ln.y1)


def _as_name(read: str) -> str | None:
    """A person's name in one reading of a name line, each word one people are named by,
    repaired syllable by syllable (``names.repair``) where marks of the stroke remain."""
    tokens = [re.sub(r"^[\W\d_]+|[\W\d_]+$", "", t) for t in read.split()]
    tokens = [t for t in tokens if any(unicodedata.category(c) in ("Lu", "Ll") for c in t)]
    name = fix_surname(" ".join(t[:1].upper() + t[1:].lower() if t.isupper() else t for t in tokens))
    whole = all(t.isalpha() for t in tokens) and plausible_name(name)
    repaired = (name, ()) if whole and all(map(names.named_by, name.split()[1:])) else names.repair(name)
    if repaired and plausible_name(repaired[0]) and all(names.named_by(w) for w in repaired[0].split()[1:]):
        return repaired[0]
    return None


def _fits(first_pass: str, name: str, doubt: tuple[str, frozenset[str]] | None = None) -> bool:
    """Whether the first reading of the line can be ``name`` read through the stroke: word
    for word, each the same, or with letters lost at its edges ("hân" of Thân), or with the
    stroke's marks among its letters, which then come in the name's order ("Đứ-." of Đức),
    or, the syllable in ``doubt`` (``names.doubtful_syllable``: "Vần"), one of the names it
    may be ("Vân"). "Đặng Đứ-. Tuấn" cannot be Đặng Đức Tấn: its Tuấn is whole."""
    tokens = [t for t in first_pass.split() if any(c.isalpha() for c in t)]
    words = name.split()
    if len(tokens) != len(words):
        return False
    for token, word in zip(tokens, words, strict=True):
        t, w = unicodedata.normalize("NFC", token).lower(), unicodedata.normalize("NFC", word).lower()
        letters = "".join(c for c in t if c.isalpha())
        if t == w or (t.isalpha() and len(t) >= 2 and (w.endswith(t) or w.startswith(t))):
            continue
        if doubt and t == unicodedata.normalize("NFC", doubt[0]).lower() and w in doubt[1]:
            continue
        if t.isalpha() or not letters:
            return False
        rest = iter(w)
        if not all(c in rest for c in letters):  # the legible letters, in order
            return False
    return True


def agreed_name(reads: list[str], first_pass: str, doubt: tuple[str, frozenset[str]] | None = None) -> str | None:
    """The name two readings of the line give alike and the first reading can be."""
    found = Counter(n for n in map(_as_name, reads) if n)
    return next((n for n, count in found.most_common(1) if count >= 2 and _fits(first_pass, n, doubt)), None)


def name_line_again(text: PageText, extraction: Extraction, settings: Settings, path: Path,
                    fmt: str) -> Extraction:
    """Read the signer's name line again alone when no name was read, it was repaired
    syllable by syllable (the signature's stroke across it), or a syllable of it may be
    another name misread (``names.doubtful_syllable``): enlarged and binarised five
    ways (``zones.read_line_variants``). A name two readings give alike, a person's name
    whose words are all ones people are named by, that the first reading can be
    (``_fits``), is taken, with a note."""
    name = extraction.fields.get("signer_name")
    repaired = any(n.startswith("signer_name: read across the signature") for n in extraction.notes)
    doubt = names.doubtful_syllable(name) if name else None
    number = signer_page(text.layouts) if text.ocr_pages else None
    if (name and not repaired and not doubt) or number is None:
        return extraction
    page = next(layout for layout in text.layouts if layout.number == number)
    line = _name_line(page, name)
    zone_page = _signer_zone_page(text, number, path, fmt, settings) if line is not None else None
    if line is None or zone_page is None:
        return extraction
    reads = zones.read_line_variants(zone_page.image, (line.x0, line.y0, line.x1, line.y1), dpi=zone_page.dpi,
                                     language=settings.ocr_language)
    agreed = agreed_name(reads, line.text, doubt)
    if agreed is None or agreed == name:
        return extraction
    alike = sum(_as_name(r) == agreed for r in reads)
    notes = tuple(n for n in extraction.notes if not n.startswith("signer_name:"))
    notes += (f"signer_name: its line {line.text!r} read again alone, {alike} of {len(reads)} readings alike"
              + (f" (the repaired reading was {name!r})" if name else ""),)
    return replace(extraction, fields={**extraction.fields, "signer_name": agreed},
                   confidence={**extraction.confidence, "signer_name": NAME_AGAIN_CONFIDENCE}, notes=notes)


def withhold_doubtful_names(text: PageText, extraction: Extraction) -> Extraction:
    """Names read by OCR (not a text layer) with a syllable that may be another name
    misread (``names.doubtful_syllable``: "Hiểu" for Hiếu, "QUẦN" for QUÂN, "Ha" for Hà)
    are withheld, with a note naming the candidates, rather than given as read."""
    if not text.ocr_pages or text.born_digital:
        return extraction
    fields, confidence, notes = dict(extraction.fields), dict(extraction.confidence), list(extraction.notes)
    for name in ("signer_name", "holder_name"):
        value = fields.get(name)
        doubt = names.doubtful_syllable(value) if value else None
        if doubt:
            word, options = doubt
            fields[name], confidence[name] = None, 0.0
            why = (f"{word!r} may be {' or '.join(sorted(options))} misread" if options
                   else f"{word!r} cannot end a name: part of it was not read")
            notes.append(f"{name}: {value!r} read, but {why}: not taken, a person should read it")
    return replace(extraction, fields=fields, confidence=confidence, notes=tuple(notes))


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
        extraction = extract(text.layouts, signing_times, settings.today)
        text, extraction = second_look(text, extraction, signing_times, settings, path, fmt)
        extraction = name_line_again(text, extraction, settings, path, fmt)
        extraction = withhold_doubtful_names(text, extraction)
        extraction = handwritten_second_look(text, extraction, settings.today)
        extraction = withhold_doubtful(text, extraction)
        validity = judge_extraction(extraction, settings.today)
        signatures = verify_file(path, fmt, settings)
        record = Record(
            id=task.sha256,
            source=source,
            pages=len(text.layouts),
            born_digital=text.born_digital,
            ocr=OcrInfo(text.engine, round(text.mean_confidence, 2) if text.mean_confidence else None,
                        text.steps, tesseract.model_digest(settings.ocr_language) if text.ocr_pages else None,
                        machine()),
            text=clean("\f".join(layout.text for layout in text.layouts)),
            extraction=extraction,
            validity=validity,
            processed_at=now,
            signing_times=signing_times,
            layout=tuple(text.layouts),
            signatures=signatures,
            blank_pages=text.blank_pages,
        )
        if settings.copy_agency and not record.born_digital:
            record = replace(record, signed_copy=copy_to_sign(path, fmt, record, settings, text.scanned))
        return record
    except (MissingDependencyError, ConfigError, CannotWrite):
        raise
    except DocumentError as exc:
        return failed_record(source, exc.message, exc.code, settings, now)
    except OSError as exc:
        full = cannot_write(exc, str(settings.home))
        if full is not None:  # the temporary files of OCR, or the copies: every file would fail so
            raise full from exc
        return failed_record(
            source,
            f"Không đọc được tệp: {exc.strerror or exc}. Tệp đã bị chuyển hoặc xóa? Hãy nạp lại từ nơi nó đang nằm. / "
            f"Cannot read the file: {exc.strerror or exc}. Was it moved or deleted? Ingest it from where it is now.",
            "unreadable", settings, now)
    except MemoryError:
        return failed_record(source, "Không đủ bộ nhớ để xử lý tệp này. / Not enough memory for this file.",
                             "out_of_memory", settings, now)
    except Exception as exc:  # a bug or an unforeseen file: record it, keep the batch going
        detail = "".join(traceback.format_exception_only(exc)).strip()
        return failed_record(
            source,
            f"Lỗi không lường trước khi xử lý tệp ({detail}). Hãy báo lỗi kèm tệp này. / "
            f"Unexpected error while processing the file ({detail}). Please report it with this file.",
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
    return CopyFailure(f"Không tạo được bản sao có ký số ({detail}). / Could not make the signed copy ({detail}).")


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
        validity=Validity(ValidityStatus.unknown, settings.today, "not processed"),
        processed_at=when or dt.datetime.now(dt.UTC),
        status=RecordStatus.failed,
        error=message,
        error_code=code,
    )
