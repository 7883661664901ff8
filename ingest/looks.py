"""The looks after the first extraction of a document: what is read again (the signer's
zone with the seal lifted, the name line alone, hand-filled numbers and days with a second
engine) and what is checked before it is kept (values from a page below 150 dpi, names
with a syllable that may be another name misread). Each takes the page text and the
extraction and gives the extraction back, with a note for what it changed or withheld."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Literal

from rapidfuzz import fuzz

from sohoa.core import gazetteer
from sohoa.core.layout import Line, PageLayout
from sohoa.core.model import Extraction
from sohoa.core.settings import Settings
from sohoa.core.text import fold
from sohoa.ingest.document import PageText, PreparedPage, steps
from sohoa.ocr import issuer, names, preprocess, tones, zones
from sohoa.ocr import pages as pagesmod
from sohoa.ocr.extract import extract, signer_page
from sohoa.ocr.header import handwritten_day_zone, handwritten_number_zone
from sohoa.ocr.reading import fix_surname
from sohoa.ocr.rules import signer_titles
from sohoa.ocr.signer_block import fits_authority, plausible_name

LOW_RESOLUTION_FLOORS = {"number": 0.72, "issue_date": 0.72, "valid_until": 0.72, "holder_id": 0.8, "issuer": 0.75,
                         "issuer_parent": 0.7, "signer_name": 0.6, "subject": 0.85}
"""On a page read enlarged from below 150 dpi, a value read with less confidence is
withheld. Measured on 16 generated phone photos (seed 31): the wrong number and date read
at 0.62 and 0.66, every right one at 0.75 or more; every issuer read below 0.75 was
garbled, and every signer name below 0.6. On eight seeds and photos of two independent
generator's sets, the three wrong personal IDs read at 0.69, 0.75 and 0.79, of the 47
right ones one below 0.8 (0.77); the one wrong parent body at 0.67, every right one at
0.69 or more (one below 0.7). Summaries: on photos of tuned seeds 907 and 1009 and
independent seeds 9 and 10, five of the eleven wrong ones read below 0.85 and two of
the 33 right ones; on seeds 211, 523, 6 and 8 (not used to choose it), three wrong of
thirteen and two right of 29."""
_WORDS = re.compile(r"[^\W\d_]+")
_ODD_YEAR = re.compile(r"\b(?:năm|nằm|nấm|nắm|nam|nầm|nẵm)\s+(?!19\d\d\b|20\d\d\b)(\d{4})\b", re.IGNORECASE)
"""A year after "năm" that is no year of the 20th or 21st century: its digits misread."""
_BARE_COMMITTEE = re.compile(r"\s*(?:UY BAN NHAN DAN|UBND)\s*")
"""An issuer that is a People's Committee naming no unit ("ỦY BAN NHÂN DÂN", its "XÃ LỘC
AN" line lost on a photo): no issuer."""
_YEAR_WORD = re.compile(r"\bn(?!ăm\b)[aăâàáảãạằắẳẵặầấẩẫậ][mn](?=\s+(?:19|20)\d\d\b)")
"""The word before a year, its marks or its last letter misread ("nằm 2025", "nắn 2023"):
năm, the one word that stands there."""


def _not_syllables(value: str) -> list[str]:
    return [w for w in _WORDS.findall(value) if w.lower() not in names.syllables()]


def withhold_doubtful(text: PageText, extraction: Extraction) -> Extraction:
    """From a phone photo or a screenshot (a page below 150 dpi, enlarged), a value that
    is garbled is worse than none: Tesseract slips on letters and marks at that size. Its
    subject's marks, and a printed title's outside the known ones, are repaired from the
    words around them (``tones.repair_marks``);
    then a value is withheld, with a note, when read with less confidence than
    ``LOW_RESOLUTION_FLOORS``, when an issuer is no agency the lexicon and the gazetteer
    know, when a place is not spelled as the gazetteer spells it, when a name or the
    subject holds a word that is no Vietnamese syllable, when
    a name does not open with a family name or holds a word no one is named by
    (``names.named_by``), or one people are clearly more often named by with other marks
    (``names.likelier_names``: "Tuân", "Hài", "Thủ"), or a hook that may be the grave or
    acute of as common a name (``names.hook_for_another``: "Thủy")."""
    if not text.low_resolution:
        return extraction
    fields, notes = dict(extraction.fields), list(extraction.notes)
    for name in ("subject", "signer_title"):
        value = fields.get(name)
        if not value or (name == "signer_title" and value in signer_titles()):
            continue  # a known title is spelled as the list spells it; a printed one is repaired
        # "nằm 2025": before a year, the word is năm.
        misread = _YEAR_WORD.search(value) if name == "subject" else None
        repaired, changed = tones.repair_marks(_YEAR_WORD.sub("năm", value) if misread else value)
        changed = ((misread.group(), "năm"), *changed) if misread else changed
        if changed:  # "TRƯỞNG PHÒNG HANH CHÍNH": HÀNH
            fields[name] = repaired
            notes.append(f"{name}: marks repaired from the words around them (a page below 150 dpi): "
                         + ", ".join(f"{a} → {b}" for a, b in changed))
    reasons: dict[str, str] = {}
    for name, floor in LOW_RESOLUTION_FLOORS.items():
        if fields.get(name) and extraction.confidence.get(name, 0.0) < floor:
            reasons[name] = f"read with confidence {extraction.confidence.get(name, 0.0):.2f}"
    odd_year = _ODD_YEAR.search(fields.get("subject") or "")
    if odd_year:  # "nằm 2921": the year's digits misread, and its word with them
        reasons["subject"] = f"the year {odd_year.group(1)!r} is no year of a document"
    elif fields.get("subject") and (rare := tones.rarely_written(fields["subject"])):
        # "hộ nghẻo": a mark misread into a syllable hardly ever written
        reasons["subject"] = ", ".join(f"{a!r} is written far less often than {b!r}" for a, b in rare[:2])
    if fields.get("place") and not gazetteer.is_spelled_name(fields["place"]):  # "Hương Sœn"
        reasons["place"] = "no place of the gazetteer, as its marks were read"
    for name in ("issuer", "issuer_parent"):
        if fields.get(name) and name not in reasons and not issuer.recognised(fields[name]):
            reasons[name] = "no agency the lexicon names, or no place the gazetteer knows"
        elif fields.get(name) and name not in reasons and _BARE_COMMITTEE.fullmatch(fold(fields[name]).upper()):
            reasons[name] = "a People's Committee without its unit: the line naming it was not read"
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
            elif likelier := next(((w, found) for w in words[1:] if (found := names.likelier_names(w)
                                                                       or names.hook_for_another(w))), None):
                # "Vũ Tuân Hạnh": a wrong mark that still makes a name, rarer than Tuấn;
                # "Hồ Thủy Loan": the hook read for the acute or grave of as common a name
                reasons[name] = f"{likelier[0]!r} may be {' or '.join(sorted(likelier[1]))} misread"
    return _withheld(extraction, fields, notes, reasons, " from a page below 150 dpi")


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
    plausible name (``ocr.signer_block.plausible_name``): the seal and signature lifted away.
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
    extra: tuple[str, ...] = ()
    authority = again.fields.get("signed_for") if "signed_for" in gained else fields.get("signed_for")
    if "signer_title" in gained and not fits_authority(again.fields["signer_title"], authority):
        # "THỨ TRƯỞNG" read again under the "KT. HIỆU TRƯỞNG" of the first pass
        gained = [f for f in gained if f not in ("signer_title", "signed_for")]
        extra = (f"signer_title: {again.fields['signer_title']!r} read with the seal lifted, under "
                 f"{authority!r}, where a deputy signs: not set",)
        if not gained:
            return text, replace(extraction, notes=extraction.notes + extra)
    seen, first = again.fields.get("signer_title"), fields.get("signer_title")
    if "signer_title" not in gained and not extra:
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


WORDED_FIELDS = ("issuer", "issuer_parent", "signer_title", "signed_for", "subject")
"""The fields that are Vietnamese words as printed (names have their own checks)."""
_STRAY = re.compile(r"(?<=\w)\s+[_°~|•*^`:.]+(?=\s+\w|\s*$)")
"""A mark standing alone between two words of a phrase, or at its end: "kết _ quả",
"hành : chính", "viên ." (a hyphen or a slash may belong: "2021 - 2025"; a comma
is a comma with a space read before it)."""
_GLUED_MARK = re.compile(r"[^\W\d_][^\w\s\-/.,'’()&:;\"“”%]+[^\W\d_]")
"""A mark no printed word holds, between two letters with no space: "Giấy ki»en"."""
_INNER_STOP = re.compile(r"\b([^\W\d_]+)\.(?=\s+([^\W\d_]+))")


def _inner_stops_removed(text: str) -> str:
    """Without a full stop between two words in small letters ("công. nhận"); an
    abbreviation (TP., Tp.) opens with a capital and keeps its stop."""
    return _INNER_STOP.sub(lambda m: m.group(1) if m.group(1).islower() and m.group(2).islower() else m.group(),
                           text)


def withhold_garbled(text: PageText, extraction: Extraction) -> Extraction:
    """Values OCR read with its slips still in them, from any scanned page. Two syllables
    read as one are split (``tones.split_glued``: ``Tưpháp``, ``ĐA KHOATỈNH``), marks
    standing alone inside a summary go; then a value holding a word with a tone mark that
    is no syllable (``Sở Xây Ày Dựng``: only Vietnamese syllables bear tone marks), a
    name with a word that is no syllable (``Tôn Thât Nhàn``), a summary cut inside its
    last word (``tặng Giấy k``), a mark between two letters (``Giấy ki»en``), an agency
    or title ending in a letter standing alone (``XÃ NGHĨA TRUNG Ố``: seal ink read as a
    letter) and a number whose notation holds
    a word in small letters (``GCNATTP-SNNPTNPBắc``: notations are capitals) are withheld,
    with a note: a value that is wrong is worse than none."""
    if not text.ocr_pages or text.born_digital:
        return extraction
    fields, notes = dict(extraction.fields), list(extraction.notes)
    for name in WORDED_FIELDS:
        if not fields.get(name):
            continue
        split, pairs = tones.split_glued(fields[name])
        tidied = _inner_stops_removed(_STRAY.sub("", split)) if name == "subject" else split
        if tidied != fields[name]:
            what = ", ".join(f"{a} → {b}" for a, b in pairs) or "marks standing alone removed"
            notes.append(f"{name}: {fields[name]!r} read, {what}")
            fields[name] = tidied
    reasons: dict[str, str] = {}
    for name in WORDED_FIELDS:
        value = fields.get(name) or ""
        odd = [w for w in _not_syllables(value) if tones.toned(w)]
        last = _WORDS.findall(value)[-1:] if name == "subject" else []
        if odd:
            reasons[name] = f"{odd[0]!r} bears a tone mark but is no Vietnamese syllable"
        elif glued := _GLUED_MARK.search(value):
            reasons[name] = f"{glued.group()!r} holds a mark no word is written with"
        elif last and len(last[0]) == 1 and last[0].islower() and fold(last[0]) not in "aeiouy":
            reasons[name] = f"it ends in {last[0]!r}, part of a word: the line was not read whole"
        elif (name in ("issuer", "issuer_parent", "signer_title") and re.search(r"\s[^\W\d_]$", value)
              and (name == "signer_title" or not issuer.recognised(value))):  # XÃ ĐỒNG Ý, XÃ PỜ Ê are places
            reasons[name] = f"it ends in a letter standing alone ({value[-1]!r}), which no agency or title does"
    for name in ("signer_name", "holder_name"):  # every syllable of a name is one of the list's
        odd = _not_syllables(fields.get(name) or "")
        if odd:
            reasons[name] = f"{odd[0]!r} is no Vietnamese syllable"
    notation = (fields.get("number") or "").partition("/")[2]
    if any(a.islower() and b.islower() for a, b in itertools.pairwise(notation)):
        reasons["number"] = "its notation holds small letters, which notations never do"
    return _withheld(extraction, fields, notes, reasons, "")


def _withheld(extraction: Extraction, fields: dict, notes: list[str], reasons: dict[str, str], where: str
              ) -> Extraction:
    """``fields`` with those named in ``reasons`` null, each with a note saying why; the
    issuer's successor and level go with the issuer's name."""
    if not reasons:
        return replace(extraction, fields=fields, notes=tuple(notes))
    if "issuer" in reasons and fields.get("issuer_successor"):
        reasons["issuer_successor"] = "made from the issuer's name, which is withheld"
    if ("issuer" in reasons or "issuer_parent" in reasons) and fields.get("issuer_level") == "other":
        reasons["issuer_level"] = "no level in the names read, which are withheld"
    notes.extend(f"{f}: {fields[f]!r} {why}{where}: not taken, a person should read it"
                 for f, why in reasons.items())
    fields.update(dict.fromkeys(reasons))
    confidence = {**extraction.confidence, **dict.fromkeys(reasons, 0.0)}
    return replace(extraction, fields=fields, confidence=confidence, notes=tuple(notes))
