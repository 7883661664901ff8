"""Structured fields from the text of a result, following the Decree 30/2020 layout.

Reads by zone: the issuer block (top-left, above the number), the place/date line
(top-right), the type heading and summary (centred), the signer block (bottom-right of
the last page). Type-specific fields come from the rule files (``ocr/rules.py``).
A field that is not found is None with confidence 0: nothing is guessed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from rapidfuzz import fuzz

from sohoa.core import gazetteer
from sohoa.core.layout import Line, PageLayout
from sohoa.core.model import FIELD_NAMES, Extraction
from sohoa.core.text import clean, fold, strip_spaces_in_number
from sohoa.ocr import names, tones
from sohoa.ocr.dates import NUM_DATE, WORD_DATE, parse_date, validity_clause
from sohoa.ocr.issuer import place_of as _place_of
from sohoa.ocr.issuer import read_block
from sohoa.ocr.layout import centred_part
from sohoa.ocr.rules import Rule, label_words, registry, signer_titles, surnames, surnames_by_fold

_NUMBER_LINE = re.compile(r"^[\s\W_]{0,3}?[S§][o0ôơó6]\s*[:;.,]?\s*(?P<rest>.*)$", re.IGNORECASE)
_NUMBER_LABEL = re.compile(r"^\s*S[o0ôơó6]\s*(?:[:;]\s*\S|\s\d)", re.IGNORECASE)
"""A number's label and a value ("Số: 21", or "S0 90" when OCR lost the colon), on the folded line."""
_NUMBER = re.compile(
    r"(?P<digits>[^\s/]{0,8})\s*/{1,2}\s*(?:(?P<year>\d{4})\s*/\s*)?"
    r"(?P<notation>[A-ZĐÐ][\wĐÐđ&.]*(?:\s*-\s*[\wĐÐđ&.()]+)*)"
)
_DATE_LINE = re.compile(
    # "ngày05": a day filled in by hand often touches the word before it.
    r"^(?P<place>[^,]{2,40}?)\s*,\s*ngay\s*(?P<d>\S{0,4}?)\s*thang\s+(?P<m>\S{1,4})\s+nam\s+(?P<y>\d{4})",
    re.IGNORECASE,
)
# A certificate's own date printed again as such, at the start of a line: "Đăng ký lần đầu:
# ngày 12 tháng 9 năm 2024", "Cấp ngày 12/9/2024", "Ngày cấp: …" (not "… do UBND cấp ngày …",
# another paper's).
_OWN_DATE = re.compile(r"^\W*(?:\d{1,2}\s*[.)]\s*)?(?:dang ky lan dau|cap ngay|ngay cap)\s*[:,.]?\s*(?:ngay\s*)?",
                       re.IGNORECASE)
# The text a visible digital signature prints ("Thời gian ký: 19/10/2023 10:56:22 +07:00"):
# the signing time, not the paper's date.
_SIGNATURE_STAMP = re.compile(r"thoi gian ky|ky boi|ngay ky\s*:|[+]07:?00|@", re.IGNORECASE)
_PREFIX = re.compile(r"^(?:TM|KT|TL|TUQ|Q)\s*[.,]\s*", re.IGNORECASE)
# A title after a prefix OCR garbled ("E.CHỦ TỊCH", "k7 GIÁM ĐỐC", "KỸ CHỦ TỊCH" for "KT.
# CHỦ TỊCH"): an authority line whose kind is not legible, never the signer's own title.
_GARBLED_AUTHORITY = re.compile(r"^[\W_]*(?:[A-Z]{1,3}\s*[.,:]|[A-Z]{1,2}\d\s|K[TIYL1]\s)\s*(?=\w{2})",
                                re.IGNORECASE)
# An authority line of the signer block, folded: one signs for ("thay mặt", "ký thay",
# "thừa lệnh", "thừa ủy quyền", "quyền") the body or chief it names.
_AUTHORITY = re.compile(r"^[\W_]*(?P<prefix>T\s?M|K\s?T|T\s?L|TUQ|Q)\s*[.,:]\s*(?=\w{2})", re.IGNORECASE)
_NAME_LINE = re.compile(r"^[A-Z][a-z]+(?: [A-Z][a-z]+){1,5}$")
_MOTTO = re.compile(r"CONG HOA|XA HOI CHU NGHIA|CHU NGHIA VIET NAM|DOC LAP|TU DO", re.IGNORECASE)


MIN_DIGIT_CONFIDENCE = 70.0
"""Below this OCR confidence the digits of a number are taken to be handwritten."""
_DIGIT_LOOKALIKES = str.maketrans({"l": "1", "I": "1", "|": "1", "O": "0", "o": "0", "S": "5", "B": "8"})


def _digit_confidence(line: Line) -> float | None:
    """OCR confidence of the number's digits when they stand as a word of their own.

    A number filled in by hand stands apart in the blank before "/notation"; printed
    digits joined to the notation ("421/QĐ-UBND") share one confidence with it, which
    the notation's letters drag down, so no verdict is drawn from it.
    """
    for (_, _, text), conf in zip(line.words, line.word_confidences, strict=False):
        if _NUMBER_LINE.match(fold(text)) and not re.search(r"\d{2}", text):
            continue  # the label "Số:" itself (OCR may read it "S6:")
        if re.search(r"\d", text) and "/" not in text:
            return conf
        if "/" in text:
            return None
    return None


def _as_int(token: str) -> int:
    """A day or month as OCR read it: letters that look like digits count as digits."""
    digits = token.translate(_DIGIT_LOOKALIKES)
    if not re.fullmatch(r"\d{1,2}", digits):  # "4†", "{†", "0?": not legible
        raise ValueError(token)
    return int(digits)


@dataclass(frozen=True)
class _Found:
    value: str | None
    confidence: float


_NONE = _Found(None, 0.0)


_NAME_REST = re.compile(r"\n(?P<rest>[^\W\d_]+(?: [^\W\d_]+){0,3})[ \t]*(?=,|\n|$)")


def _wrapped_rest(m: re.Match[str], original: str) -> str:
    """The end of a name the line wrapped ("… của ông (bà) PHAN NGỌC" / "MỸ ĐÀO"): the
    next line's words, when the name read ends its line, the next line holds only them
    (or them and a comma), each starts with a capital, and the name keeps to five words."""
    rest = _NAME_REST.match(original, m.end("value"))
    if not rest:
        return ""
    words, read = rest.group("rest").split(), m.group("value").split()
    upper = all(w.isupper() for w in read)
    if len(read) + len(words) > 5 or not all(w[:1].isupper() and (w.isupper() or not upper) for w in words):
        return ""
    return " " + " ".join(words)


def fix_surname(name: str) -> str:
    """Correct the tone marks of a name's first word when it can only be one family name."""
    first, _, rest = name.partition(" ")
    known = surnames_by_fold().get(fold(first).lower())
    if not known or not rest:
        return name
    if first.isupper():
        known = known.upper()
    return f"{known} {rest}"


def _day_word_confidence(line: Line) -> float | None:
    """OCR confidence of the word holding the date line's day (after "ngày", or glued to it)."""
    seen = False
    for (_, _, text), conf in zip(line.words, line.word_confidences, strict=False):
        folded = fold(text).lower()
        if seen or (folded.startswith("ngay") and len(folded) > 4):
            return None if folded.startswith("thang") else conf
        seen = folded == "ngay"
    return None


def _doubtful_day(line: Line, day: str) -> str | None:
    """How the day of a date line was read when that makes it doubtful (a letter taken for a
    digit, or a confidence below ``MIN_DIGIT_CONFIDENCE``), else None."""
    if not re.fullmatch(r"\d{1,2}", day):
        return f"as {day.translate(_DIGIT_LOOKALIKES)} from letters that look like digits"
    conf = _day_word_confidence(line)
    if conf is not None and conf < MIN_DIGIT_CONFIDENCE:
        return f"with confidence {conf:.0f}"
    return None


def _doubtful_digits(line: Line) -> float | None:
    """The confidence of the number's digits when it is below ``MIN_DIGIT_CONFIDENCE``."""
    conf = _digit_confidence(line)
    return conf if conf is not None and conf < MIN_DIGIT_CONFIDENCE else None


def plausible_name(name: str | None) -> bool:
    """A Vietnamese person's name: two to five capitalised words, the first a known family name
    (``lexicon/surnames.toml``). "gô Ngọc Thủy" (its N under the seal) is not one."""
    if not name:
        return False
    words = name.split()
    return (2 <= len(words) <= 5 and all(w[:1].isupper() for w in words)
            and fold(words[0]).lower() in surnames())


def _conf(lines: list[Line]) -> float:
    confs = [c for line in lines for c in line.word_confidences] or [100.0]
    return round(max(0.0, min(1.0, sum(confs) / len(confs) / 100)), 3)


def _upper_ratio(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum(c.isupper() for c in letters) / len(letters) if letters else 0.0


class _Page:
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


class Extractor:
    """Extract the fields of ``FIELD_NAMES`` from one document's pages."""

    def __init__(self, pages: list[PageLayout], signing_times: tuple[str, ...] = (),
                 rules: tuple[Rule, ...] | None = None, today: dt.date | None = None) -> None:
        self.today = today or dt.date.today()
        self.pages = [_Page(p) for p in pages if p.lines]
        self.signing_times = signing_times
        self.rules = rules if rules is not None else registry()
        self.notes: list[str] = []
        self.first = self.pages[0] if self.pages else None
        self.signer_at: int | None = None

    # ---------------------------------------------------------------- header zone

    def _motto_y(self) -> float | None:
        p = self.first
        for line, folded in zip(p.lines, p.folded, strict=True):
            if line.y0 < p.h * 0.35 and _MOTTO.search(folded.upper()):
                return line.y0
        return None

    def _number_line(self) -> tuple[int, Line] | None:
        p = self.first
        for i, (line, folded) in enumerate(zip(p.lines, p.folded, strict=True)):
            if line.y0 > p.h * 0.45 or line.cx > p.w * 0.6:
                continue
            m = _NUMBER_LINE.match(folded)
            if m and "/" in m.group("rest"):
                return i, line
        return None

    def _repair_notation(self, notation: str) -> str:
        """Four OCR slips in a notation, repaired only where the result is a known code: a
        stroke read as a digit after the type code ("541/CT1-UBND"), Đ read as B ("QB-UBND",
        the seal over it) or twice ("QĐÐ-UBND"), and U read as LI ("QĐ-LIBND"). Any other
        part is kept as read."""
        parts = notation.replace("Ð", "Đ").split("-")
        codes = {c for rule in self.rules for c in rule.notation_codes}
        first = fold(parts[0]).upper()
        stripped = re.sub(r"[0-9lI|]+$", "", first)
        if first not in codes and stripped in codes and len(parts) > 1:
            parts[0] = parts[0][:len(stripped)]
        elif first not in codes and "B" in first and first.replace("B", "D") in codes and len(parts) > 1:
            parts[0] = parts[0].replace("B", "Đ")  # Đ under the seal read as B ("QB-UBND")
        elif first not in codes and re.sub(r"(.)\1", r"\1", first) in codes and len(parts) > 1:
            parts[0] = re.sub(r"(.)\1", r"\1", parts[0])  # a letter read twice ("QĐÐ": Đ and the eth)
        parts = ["UBND" if fold(part).upper() == "LIBND" else part for part in parts]
        return "-".join(parts)

    def number(self) -> _Found:
        found = self._number_line()
        if not found:
            return _NONE
        _, line = found
        rest = _NUMBER_LINE.match(fold(line.text))
        text = clean(line.text)[rest.start("rest"):] if rest else clean(line.text)
        m = _NUMBER.match(text.strip())
        if not m:
            return _NONE
        digits = m.group("digits") or ""
        notation = self._repair_notation(re.sub(r"\s+", "", m.group("notation")).rstrip(".,;_"))
        year = m.group("year")
        conf = _conf([line])
        if not re.fullmatch(r"\d{1,6}", digits.strip()):
            # Blank, or handwritten: OCR reads "4†", "#4". Say so; never guess digits.
            self.notes.append("number: digits not legible (handwritten or blank); notation "
                              f"{notation} read")
            return _Found(None, 0.0)
        digit_conf = _doubtful_digits(line)
        if digit_conf is not None:
            # Typed digits read at 85-96; a handwritten number reads as some digit at low confidence.
            self.notes.append(f"number: digits {digits.strip()!r} read with confidence {digit_conf:.0f}, "
                              f"probably handwritten; notation {notation} read")
            return _Found(None, 0.0)
        value = f"{digits.strip()}/{year + '/' if year else ''}{notation}"
        return _Found(strip_spaces_in_number(value), conf)

    def number_of_shape(self, rule: Rule) -> _Found:
        """A number that is not "digits/notation": a registration code, or a register entry."""
        if rule.number_code:
            found = self._code(rule)
            if found.value:
                return found
        if rule.register_number:
            return self._register_entry()
        return _NONE

    def _code(self, rule: Rule) -> _Found:
        """The code after "Số:" (top left) or after one of the rule's code labels, read with
        the OCR confusions of its shape undone; printed twice and agreeing, it is surer."""
        read: list[tuple[str, float]] = []
        for page in self.pages:
            for line, words, value in _labelled(page):
                top_number = page is self.first and words in (("so",), ("s0",)) and line.y0 < page.h * 0.45
                if top_number or any(_has_words(words, wanted, extra=1) for wanted in rule.code_labels):
                    code = code_in_shape(value, rule.number_code or "")
                    if code:
                        read.append((code, _conf([line])))
        codes = {code for code, _ in read}
        if len(codes) > 1:
            self.notes.append(f"number: the code is printed as {' and '.join(sorted(codes))}; not chosen")
            return _NONE
        if not codes:
            return _NONE
        conf = max(c for _, c in read)
        if len(read) > 1:
            self.notes.append(f"number: code {read[0][0]} read {len(read)} times, the same each time")
            conf = min(1.0, conf + 0.1)
        return _Found(read[0][0], round(conf, 3))

    def _register_entry(self) -> _Found:
        """ "Số: 278" on page 1 beside a "Quyển số" (civil-status books): the entry number."""
        p = self.first
        book = next((m for f in p.folded if (m := re.search(r"Quyen so\s*:?\s*(\S+)", f, re.IGNORECASE))), None)
        if book is None:
            return _NONE
        for line, folded in zip(p.lines, p.folded, strict=True):
            m = re.match(r"^\s*S[o0]\s*:\s*(\d{1,6})\b(?!\s*/)", folded, re.IGNORECASE)
            if m and line.y0 < p.h * 0.45 and line.cx < p.w * 0.6:
                digit_conf = _doubtful_digits(line)
                if digit_conf is not None:
                    # A bare number has no notation to check it against: a doubtful read is no number.
                    self.notes.append(f"number: register entry {m.group(1)!r} read with confidence "
                                      f"{digit_conf:.0f}; not taken")
                    return _Found(None, 0.0)
                self.notes.append(f"number: register entry {m.group(1)}, book {book.group(1).rstrip('.,;')}")
                return _Found(m.group(1), _conf([line]))
        return _NONE

    def notation(self) -> str | None:
        found = self._number_line()
        if not found:
            return None
        m = _NUMBER.search(clean(found[1].text))
        return self._repair_notation(re.sub(r"\s+", "", m.group("notation")).rstrip(".,;_")) if m else None

    def _date_line(self) -> tuple[Line, re.Match[str]] | None:
        p = self.first
        for line, folded in zip(p.lines, p.folded, strict=True):
            if line.y0 > p.h * 0.45:
                continue
            m = _DATE_LINE.search(folded)
            if m:
                return line, m
        return None

    def issue_date_and_place(self, rule: Rule | None = None) -> tuple[_Found, _Found]:
        """The date and place of the date line: a paper's date is there only. A day that
        cannot be read is null, unless a certificate prints its own date again as such
        (``Đăng ký lần đầu: ngày …``, ``Cấp ngày …``) in the same month and year. The dates
        of the body (effective dates, deadlines, other documents' dates) are never it, and
        neither is the signing time, often days after the paper's date."""
        found = self._date_line()
        if not found:
            return _NONE, _NONE
        line, m = found
        place_text = clean(line.text)[m.start("place"):m.end("place")].strip(" .:-")
        # OCR may run the number line into the date line ("Số: 12/QĐ-UBND _ Quảng Ngãi"):
        # the place is what follows the number.
        number = _NUMBER_LINE.match(fold(place_text))
        if number and _NUMBER.search(place_text):
            place_text = place_text[_NUMBER.search(place_text).end():].strip(" _.:-|")
        place = _Found(place_text, _conf([line])) if place_text else _NONE
        year = int(m.group("y"))
        try:
            month = _as_int(m.group("m"))
        except ValueError:
            month = None
        doubt = _doubtful_day(line, m.group("d"))
        try:
            date = dt.date(year, month or 0, _as_int(m.group("d")))
        except ValueError:
            self.notes.append("issue_date: day not legible (handwritten or blank)")
            return (self._date_from_text(year, month, line) if rule and rule.own_date_again else _NONE), place
        if doubt:
            # A day filled in by hand that OCR made a digit of: "2Ï" is 27, "1" is 10.
            self.notes.append(f"issue_date: day {m.group('d')!r} read {doubt}, probably handwritten: not taken")
            return _NONE, place
        if date > self.today:
            # A result cannot be issued in the future: a digit of the year was misread.
            self.notes.append(f"issue_date: {date} is in the future, year misread")
            return _NONE, place
        return _Found(date.isoformat(), _conf([line])), place

    def _date_from_text(self, year: int, month: int | None, date_line: Line) -> _Found:
        """The one date a certificate prints again as its own (``Đăng ký lần đầu: ngày …``)
        in the date line's month and year, if there is one."""
        if month is None:
            return _NONE
        days = set()
        for page in self.pages:
            for line, folded in zip(page.lines, page.folded, strict=True):
                own = _OWN_DATE.match(folded)
                if line is date_line or not own or _SIGNATURE_STAMP.search(folded):
                    continue
                for m in (*WORD_DATE.finditer(folded, own.end()), *NUM_DATE.finditer(folded, own.end())):
                    if m.start() - own.end() > 3:
                        continue  # a date further along the line is another's
                    d, mo, y = (int(g) for g in m.groups())
                    if (y, mo) == (year, month):
                        days.add(d)
        if len(days) != 1:
            return _NONE
        try:
            date = dt.date(year, month, days.pop())
        except ValueError:
            return _NONE
        if date > self.today:
            return _NONE
        self.notes.append(f"issue_date: day taken from the paper's own date {date} printed again")
        return _Found(date.isoformat(), 0.5)

    def signed_on(self) -> _Found:
        """The day of the earliest digital signature (Vietnam time as the signer's clock said)."""
        for moment in sorted(self.signing_times):
            try:
                return _Found(dt.datetime.fromisoformat(moment).date().isoformat(), 1.0)
            except ValueError:
                continue
        return _NONE

    def issuer_lines(self) -> list[Line]:
        """The lines of the issuer block: top left, below the top of the motto, above the number."""
        p = self.first
        number = self._number_line()
        motto_y = self._motto_y()
        if number is None and motto_y is None:
            return []
        bottom = number[1].y0 if number else p.h * 0.2
        top = (motto_y - p.h * 0.02) if motto_y is not None else 0
        picked = []
        for line, folded in zip(p.lines, p.folded, strict=True):
            if not (top <= line.y0 < bottom - 1) or line.x0 > p.w * 0.4:
                continue
            if picked and _NUMBER_LABEL.match(folded):
                break  # "Số: 278", a number without a notation: the block ended above it
            text = line.text
            motto = _MOTTO.search(folded.upper())
            if motto:  # OCR joined the issuer line and the motto: keep the part before it
                text = clean(line.text)[:motto.start()]
            elif not p.left(line):
                continue
            text = re.sub(r"[_—=~]+", " ", text).strip(" -.,")
            # Two letters are a line when they continue a name ("HÀ" wrapped from "XÃ VÂN").
            if (len(text) >= 3 or (picked and len(text) == 2 and text.isalpha())) and _upper_ratio(text) > 0.7:
                picked.append(dataclasses.replace(line, text=text))
        return picked

    def issuer_block(self, issue_date: str | None) -> dict[str, _Found]:
        """issuer, issuer_parent, issuer_level and issuer_successor (see ``ocr.issuer``)."""
        lines = self.issuer_lines()
        day = dt.date.fromisoformat(issue_date) if issue_date else None
        block = read_block([ln.text for ln in lines], day)
        if block.issuer is None:
            return {}
        self.notes.extend(block.notes)
        conf = _conf(lines)
        return {"issuer": _Found(block.issuer, conf), "issuer_parent": _Found(block.parent, conf),
                "issuer_level": _Found(block.level, conf), "issuer_successor": _Found(block.successor, conf * 0.9)}

    def snap_place(self, place: _Found, found: dict[str, _Found]) -> _Found:
        """The place of the date line, snapped to a province or to the issuer's own locality."""
        if not place.value:
            return place
        names = list(gazetteer.names_of("province"))
        for name in (found["issuer"].value, found["issuer_parent"].value):
            where = _place_of(name) if name else None
            if where:
                names.append(where.title())
        snapped = gazetteer.snap(place.value, tuple(dict.fromkeys(names)))
        if snapped and snapped != place.value:
            self.notes.append(f"place: {place.value!r} read as {snapped!r} (gazetteer)")
            return _Found(snapped, place.confidence)
        return place

    # ---------------------------------------------------------------- type and summary

    def classify(self) -> tuple[Rule | None, int | None, float]:
        """The matching rule, the index of its heading's last line, and a confidence."""
        p = self.first
        best: tuple[int, int, Rule, int, float] | None = None
        number = self._number_line()
        start = number[0] + 1 if number else 0
        for i in range(start, len(p.lines)):
            line = p.lines[i]
            if line.y0 > p.h * 0.6:
                break
            if not p.centred(line):
                continue
            joined = re.sub(r"^[\W_]+", "", p.folded[i].upper())  # "_ QUYẾT ĐỊNH": a speck before it
            joined2 = f"{joined} {p.folded[i + 1].upper()}" if i + 1 < len(p.lines) else joined
            for rule in self.rules:
                for heading in rule.headings:
                    for text, last in ((joined, i), (joined2, i + 1)):
                        m = heading.search(text)
                        if m and (best is None or (i, -len(m.group(0))) < (best[0], -best[1])):
                            best = (i, len(m.group(0)), rule, last, _conf([line]))
            if best:
                break
        if best:
            return best[2], best[3], best[4]
        # No heading. A "V/v" line under the number, or "Kính gửi:" above the body, is a
        # công văn's (Decree 30): stronger than a word of the notation ("2191/CT-CS" is the tax
        # department's letter, not a chỉ thị).
        if self._vv_line() is not None or self._addressed():
            for rule in self.rules:
                if rule.has_vv_line:
                    return rule, None, 0.8
        notation = fold(self.notation() or "").upper()
        code = notation.split("-")[0] if notation else ""
        for rule in self.rules:
            if code and code in rule.notation_codes:
                return rule, None, 0.6
        return None, None, 0.0

    def _addressed(self) -> bool:
        """A "Kính gửi:" line in the top half of page 1, below the number."""
        p = self.first
        number = self._number_line()
        return number is not None and any(
            re.match(r"^\W*Kinh gui\b", folded, re.IGNORECASE) and line.y0 < p.h * 0.5
            for line, folded in zip(p.lines[number[0] + 1:], p.folded[number[0] + 1:], strict=True))

    def _vv_line(self) -> int | None:
        p = self.first
        number = self._number_line()
        if not number:
            return None
        for i in range(number[0] + 1, min(len(p.lines), number[0] + 6)):
            if p.left(p.lines[i]) and re.match(r"^\s*V\s*/\s*v\b", p.folded[i], re.IGNORECASE):
                return i
        return None

    def subject(self, rule: Rule, heading_end: int | None) -> _Found:
        """The summary, its hook-read-as-acute tone slips repaired (``ocr.tones``), with a note."""
        found = self._subject_as_read(rule, heading_end)
        if found.value is None:
            return found
        text, changed = tones.repair(found.value.lstrip(" :;.,-–"))  # ": Về việc …": the label's colon
        text, respelled = tones.repair_non_syllables(text)
        changed += respelled
        if changed:
            self.notes.append("subject: tone marks repaired from the words around them: "
                              + ", ".join(f"{a} → {b}" for a, b in changed))
        return _Found(text, found.confidence)

    def _subject_as_read(self, rule: Rule, heading_end: int | None) -> _Found:
        p = self.first
        if rule.subject == "vv_line":
            i = self._vv_line()
            if i is None:
                return _NONE
            picked = [p.lines[i]]
            for j in range(i + 1, len(p.lines)):
                prev, line = picked[-1], p.lines[j]
                far = line.y0 - prev.y1 > prev.height * 1.2
                if not p.left(line) and not far:
                    continue  # the right column at the same height
                if far or re.match(r"^\s*Kinh gui", p.folded[j], re.IGNORECASE):
                    break
                picked.append(line)
            return _Found(" ".join(ln.text for ln in picked), _conf(picked))
        if heading_end is None or rule.subject == "none":
            return _NONE
        picked = []
        heading = p.lines[heading_end]
        body = max(ln.x1 for ln in p.lines) - min(ln.x0 for ln in p.lines)
        for j in range(heading_end + 1, len(p.lines)):
            line = centred_part(p.lines[j], heading.cx, p.w * 0.02)
            folded = fold(line.text)
            prev = picked[-1] if picked else heading
            if not p.centred(line) and line.cx < p.w * 0.3 and line.y0 - prev.y1 < prev.height * 0.9:
                continue  # a received stamp in the left margin, beside the summary ("CV ĐẾN")
            if (not p.centred(line) or line.y0 - prev.y1 > prev.height * 0.9
                    or re.match(r"^\s*(Can cu|Kinh gui|Dieu \d)", folded, re.IGNORECASE)
                    or (_upper_ratio(line.text) > 0.8 and len(line.text) > 12)
                    # A paragraph of the body (a photo leaves no gap above it): a new
                    # sentence across the whole width, wider than the summary above.
                    or (picked and line.text[:1].isupper() and line.x1 - line.x0 > 0.8 * body
                        and line.x1 - line.x0 > 1.1 * max(ln.x1 - ln.x0 for ln in picked))):
                break
            picked.append(line)
            if rule.subject == "line_after_heading":
                break
        if not picked:
            return _NONE
        text = " ".join(re.sub(r"^(?:[^\w(]|_)+|(?:[^\w).,;]|_)+$", "", ln.text) for ln in picked).strip(" ()")
        text = re.sub(r"\s+", " ", text)
        if re.match(r"ve\b", fold(text), re.IGNORECASE):  # a summary opens "Về" ("Vẽ việc", "về công tác")
            text = "Về" + text[2:]
        return _Found(text, _conf(picked))

    # ---------------------------------------------------------------- signer block

    def _title(self, text: str) -> tuple[str, float] | None:
        """A signer title in this line (prefix TM./KT./... removed), snapped to the known
        titles when OCR garbled it (a seal often covers the title), with its similarity."""
        body = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", text)
        body = re.sub(r"^[A-Z]{1,3}\s*[.,:]\s*(?=\w{2})", "", body) if _PREFIX.match(body) or re.match(
            r"^[A-Z]{2,3}[.,]\s", body) else body
        words = body.split()
        while len(words) > 1 and words[0][:1].islower() and _upper_ratio(" ".join(words[1:])) > 0.9:
            words = words[1:]  # seal ink read as a word in small letters ("vớ GIÁ ĐỌC")
        body = " ".join(words)
        if not body or _upper_ratio(body) < 0.6:  # titles are printed in capitals; names are not
            return None
        # Compare letters only: seal ink reads as stray punctuation and digits.
        key = re.sub(r"\s+", " ", re.sub(r"[^A-Z ]", "", fold(body).upper())).strip()
        if len(key) < 4:
            return None
        best, score = None, 0.0
        for title in signer_titles():
            ratio = difflib.SequenceMatcher(None, key, fold(title)).ratio()
            if ratio > score:
                best, score = title, ratio
        if best and score >= 0.8:
            return best, score
        return None

    def signer_page(self) -> int | None:
        """The number of the page whose signer block ``signer`` reads: the last page with a
        signer title, or with a name where the title should be; else the last page with print."""
        self.signer()
        return self.signer_at

    def signer(self) -> tuple[_Found, _Found, _Found]:
        """signer_title, signer_name and signed_for of the signer block. Under an authority
        line (``KT. CHỦ TỊCH``, ``TM. ỦY BAN NHÂN DÂN``, ``Q.``, ``TL.``, ``TUQ.``: kept as
        ``signed_for``) the title is the signer's own, the line under it, never the chief's
        the authority line names; hidden by the seal, it is null."""
        self.signer_at = self.pages[-1].layout.number if self.pages else None
        for page in reversed(self.pages):
            titles: list[tuple[int, str, float]] = []
            authority: list[int] = []
            for i, (line, folded) in enumerate(zip(page.lines, page.folded, strict=True)):
                header_zone = page is self.first and line.y0 < page.h * 0.2
                if not page.right(line) or header_zone or _MOTTO.search(folded.upper()):
                    continue
                found = self._title(line.text)
                if _AUTHORITY.match(folded) or (found and (_GARBLED_AUTHORITY.match(folded)
                                                           or self._deputy_below(page, i, found[0]))):
                    authority.append(i)
                if found:
                    titles.append((i, *found))
            if authority:
                self.signer_at = page.layout.number
                return self._under_authority(page, authority, titles)
            if not titles:
                name = self._name_below(page, page.h * 0.45)
                if name.value:
                    self.notes.append("signer_title: not legible (covered by the seal?)")
                    self.signer_at = page.layout.number
                    return _NONE, name, _NONE
                continue
            # The signer block's last title line is the title; the name follows below it.
            self.signer_at = page.layout.number
            last, title, similarity = titles[-1]
            title_line = page.lines[last]
            title_found = _Found(title, round(_conf([title_line]) * similarity, 3))
            name = self._name_below(page, title_line.y1)
            if self._start_hidden(title_line, title):
                return _NONE, name, _NONE
            return title_found, name, _NONE
        return _NONE, _NONE, _NONE

    def _under_authority(self, page: _Page, authority: list[int],
                         titles: list[tuple[int, str, float]]) -> tuple[_Found, _Found, _Found]:
        """The block of a signer who signs for another: ``authority`` the indices of its
        authority lines (``TM. ỦY BAN NHÂN DÂN``, then ``KT. CHỦ TỊCH``), in order."""
        last = authority[-1]
        lines = [page.lines[i] for i in authority if _AUTHORITY.match(page.folded[i])]
        signed_for = _Found(" / ".join(_authority_text(ln.text) for ln in lines), _conf(lines)) if lines else _NONE
        last_line = page.lines[last]
        legible = _AUTHORITY.match(page.folded[last])
        prefix = legible.group("prefix").replace(" ", "").upper() if legible else "?"  # "E.CHỦ TỊCH": KT.? TM.?
        chief = self._title(last_line.text)
        below = [(i, t, s) for i, t, s in titles if i > last]
        if below:
            i, title, similarity = below[0]
            title_line = page.lines[i]
            name = self._name_below(page, title_line.y1)
            if chief and title == chief[0]:  # "KT. CHỦ TỊCH" over "CHỦ TỊCH": the seal hid PHÓ
                deputy = f"PHÓ {title}"
                if prefix in ("KT", "Q") and deputy in signer_titles():
                    self.notes.append(f"signer_title: {deputy} inferred from the {prefix}. line (PHÓ not legible)")
                    return _Found(deputy, round(_conf([title_line]) * similarity * 0.8, 3)), name, signed_for
                self.notes.append(f"signer_title: {title!r} under {prefix}. {title} contradicts the block: not set")
                return _NONE, name, signed_for
            if self._start_hidden(title_line, title):
                return _NONE, name, signed_for
            return _Found(title, round(_conf([title_line]) * similarity, 3)), name, signed_for
        printed = self._printed_title(page, last)
        name = self._name_below(page, (printed[1] if printed else last_line).y1)
        if printed:
            return printed[0], name, signed_for
        self.notes.append(f"signer_title: the line under {clean(last_line.text)!r} is not legible (the seal?): "
                          "not set")
        return _NONE, name, signed_for

    @staticmethod
    def _deputy_below(page: _Page, i: int, title: str) -> bool:
        """Whether the next line of the right column opens with PHÓ although the title read
        does not: "KT. CHỦ TỊCH" over "PHÓ CHỦ TỊCH" with its prefix lost to the seal
        (",“ CHỦ TỊCH" / "PHÓ" / "TỊCH"), so the line read is the chief's, not the signer's."""
        if fold(title).startswith("PHO "):
            return False
        below = next((j for j in range(i + 1, len(page.lines)) if page.right(page.lines[j])), None)
        return below is not None and re.match(r"^[\W\d_]*PHO\b", page.folded[below].upper()) is not None

    @staticmethod
    def _printed_title(page: _Page, last: int) -> tuple[_Found, Line] | None:
        """The line right under an authority line, as printed, when it is no title sohoa
        knows but reads as one: capitals, words of letters (``PHÓ TRƯỞNG BAN THƯỜNG TRỰC``)."""
        for line in page.lines[last + 1:]:
            if not page.right(line) or line.y0 <= page.lines[last].y0:
                continue
            text = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", clean(line.text))
            words = text.split()
            letters = re.sub(r"[^A-Za-z ]", "", fold(text))
            if (len(words) >= 2 and all(len(w) >= 2 and w.isalpha() for w in words)
                    and _upper_ratio(text) > 0.9 and len(letters.replace(" ", "")) >= 6 and _conf([line]) >= 0.6):
                return _Found(text, round(_conf([line]) * 0.7, 3)), line
            return None  # the next line is not a title: the seal, the signature or the name
        return None

    def _start_hidden(self, line: Line, title: str) -> bool:
        """Whether the seal hid the start of the title line, so that the title read
        ("GIÁM ĐỐC") may be the end of a longer one ("PHÓ GIÁM ĐỐC"): the line's first
        word is the end of the title's first word ("IÁM ĐỐC"), or, that word read nowhere in
        the line, does not even start like it ("HỒ TỊCH", "H TỊCH": PHÓ CHỦ TỊCH as much as
        CHỦ TỊCH). Stray marks before a whole title ("à~ CHỦ TỊCH") hide nothing."""
        longer = [t for t in signer_titles() if t != title and t.endswith(" " + title)]
        if not longer:
            return False
        words = re.sub(r"[^A-Z ]", "", fold(re.sub(r"^[\W\d_]+", "", line.text)).upper()).split()
        first = fold(title).split()[0]
        garbled_start = first not in words and words[0][:1] != first[:1]  # "HỒ TỊCH"; not "à~ CHỦ TỊCH"
        if words and words[0] != first and (first.endswith(words[0]) or garbled_start):
            self.notes.append(f"signer_title: only {title!r} legible, the start of its line is hidden "
                              f"(it could be {' or '.join(repr(t) for t in longer[:2])}): not set")
            return True
        return False

    def _name_below(self, page: _Page, top: float) -> _Found:
        """The signer's name: the last name-shaped line of the right column below ``top``.
        A line the signature's stroke crossed (``Trần Tha.:h Yến``) is repaired syllable by
        syllable when each syllable has one clear reading (``ocr.names``), with a note."""
        name, crossed, repaired = _NONE, _NONE, ()
        for line in page.lines:
            if not page.right(line) or line.y0 < top:
                continue
            candidate = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", re.sub(r"\s['‘’`´\"]+(?=\w)", " ", line.text))
            if _NAME_LINE.match(fold(candidate)):
                name = _Found(fix_surname(candidate), _conf([line]))
                continue
            fixed = names.repair(candidate) if candidate[:1].isalpha() else None
            if fixed and fixed[1] and _NAME_LINE.match(fold(fixed[0])):
                crossed, repaired = _Found(fixed[0], round(_conf([line]) * 0.8, 3)), fixed[1]
        if name.value or not crossed.value:
            return name  # a name read whole is never replaced by a repaired one
        self.notes.append("signer_name: read across the signature, repaired "
                          + ", ".join(f"{a!r} → {b!r}" for a, b in repaired))
        return crossed

    # ---------------------------------------------------------------- rule patterns

    def _pattern(self, rule: Rule, field: str) -> tuple[re.Match[str], str, list[Line]] | None:
        """First match on any page, with the page's original text and the lines it spans."""
        for page in self.pages:
            folded = "\n".join(page.folded)
            for pattern in rule.patterns.get(field, ()):
                m = pattern.search(folded)
                if m:
                    return m, "\n".join(clean(ln.text) for ln in page.lines), page.lines_between(*m.span())
        return None

    def by_pattern(self, rule: Rule, field: str) -> _Found:
        hit = self._pattern(rule, field)
        if not hit:
            return _NONE
        m, original, lines = hit
        value = re.sub(r"\s+", " ", original[m.start("value"):m.end("value")]).strip()
        if field == "holder_name":
            value = fix_surname(without_honorific(value + _wrapped_rest(m, original)))
        if field == "holder_id":
            value = _personal_id(value)
            if value is None:
                return _NONE
        if field == "valid_until":
            date = parse_date(value)
            if date is None:
                return _NONE
            value = date.isoformat()
        return _Found(value, _conf(lines))

    def by_label(self, rule: Rule, field: str) -> _Found:
        """The value of the first "label: value" line whose label is one of the rule's
        wordings for ``field``: numbering, extra words and OCR slips in the label allowed."""
        spec = rule.labels.get(field)
        if spec is None:
            return _NONE
        for page in self.pages:
            for line, words, value in _labelled(page):
                joined = " ".join(words)
                if not value.strip() or not words or len(words) > 10 or any(x in joined for x in spec.exclude if x):
                    continue
                if any(_has_words(words, synonym) for synonym in spec.synonyms):
                    found = _label_value(field, value)
                    if found:
                        return _Found(found, _conf([line]) * 0.95)
        return _NONE

    def valid_until(self, rule: Rule, issue_date: str | None) -> _Found:
        found = self.by_pattern(rule, "valid_until")
        if found.value:
            return found
        hit = self._pattern(rule, "valid_for_months")
        if hit and issue_date:
            months = int(hit[0].group("months"))
            until = dt.date.fromisoformat(issue_date) + relativedelta(months=months)
            self.notes.append(f"valid_until: {months} months from the issue date")
            return _Found(until.isoformat(), _conf(hit[2]))
        return self._validity_sentence(issue_date)

    def _validity_sentence(self, issue_date: str | None) -> _Found:
        """An end date or a duration stated in any sentence about validity (``ocr.dates``)."""
        start = dt.date.fromisoformat(issue_date) if issue_date else None
        for page in self.pages:
            clause = validity_clause("\n".join(ln.text for ln in page.lines), start)
            if clause:
                self.notes.append(f"valid_until: read from a sentence about validity ({clause.how})")
                return _Found(clause.until.isoformat(), _conf(page.lines) * 0.9)
        return _NONE

    # ---------------------------------------------------------------- all together

    def run(self) -> Extraction:
        found: dict[str, _Found] = {name: _NONE for name in FIELD_NAMES}
        if not self.pages:
            return _to_extraction(found, (), None)
        rule, heading_end, type_conf = self.classify()
        if rule:
            found["doc_type"] = _Found(rule.doc_type, type_conf)
        found["number"] = self.number()
        if found["number"].value is None and rule:
            found["number"] = self.number_of_shape(rule)
        found["issue_date"], place = self.issue_date_and_place(rule)
        found["signed_on"] = self.signed_on()
        found.update(self.issuer_block(found["issue_date"].value))
        found["place"] = self.snap_place(place, found)
        found["signer_title"], found["signer_name"], found["signed_for"] = self.signer()
        if rule:
            found["subject"] = self.subject(rule, heading_end)
            for name in ("holder_name", "holder_id"):
                found[name] = self.by_pattern(rule, name)
                if found[name].value is None:
                    found[name] = self.by_label(rule, name)
            found["valid_until"] = self.valid_until(rule, found["issue_date"].value)
        else:
            self.notes.append("doc_type: no rule matched this document")
        return _to_extraction(found, tuple(self.notes), rule.name if rule else None)


_BODIES = ("ỦY BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN")
"""The bodies a chief signs for (``TM. ỦY BAN NHÂN DÂN``), besides the chiefs' titles."""


def _authority_text(text: str) -> str:
    """An authority line as printed, its prefix written the one way (``KT,CHỦ TỊCH`` ->
    ``KT. CHỦ TỊCH``), and what it names written with its marks when OCR read its letters
    right and a mark or a comma wrong (``TL. GIAM ĐỌC``, ``TM. ỦY BẠN NHÂN DÂN``)."""
    text = re.sub(r"^[\W_]+|[\W_]+$", "", clean(text))
    m = _AUTHORITY.match(fold(text))
    if not m:
        return text
    rest = text[m.end():].strip()
    key = re.sub(r"[^A-Z ]", "", fold(rest).upper()).split()
    known = next((t for t in (*signer_titles(), *_BODIES) if fold(t).split() == key), None)
    return f"{m.group('prefix').replace(' ', '').upper()}. {known or rest}"


_AS_DIGIT = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "l": "1", "I": "1", "i": "1", "|": "1",
                           "!": "1", "§": "8", "B": "8", "S": "5", "s": "5", "Z": "2", "z": "2", "G": "6", "b": "6"})
# Only confusions with one answer: a 0 in a letter's place could be O, D or Q, and stays unread.
_AS_LETTER = str.maketrans({"1": "I", "8": "B", "5": "S", "2": "Z"})


def code_in_shape(text: str, shape: str) -> str | None:
    """The code at the start of ``text`` in ``shape`` (``9`` digit, ``A`` capital letter),
    with OCR's digit/letter confusions undone position by position; None if it is not one."""
    raw = re.sub(r"\s+", "", clean(text))[: len(shape) + 2].rstrip(".,;")
    if len(raw) < len(shape):
        return None
    out = []
    for ch, want in zip(raw, shape, strict=False):
        fixed = ch.translate(_AS_DIGIT) if want == "9" else ch.upper().translate(_AS_LETTER)
        if (want == "9" and not fixed.isdigit()) or (want == "A" and not ("A" <= fixed <= "Z")):
            return None
        out.append(fixed)
    rest = raw[len(shape):]
    if rest and rest[0].isalnum():
        return None  # longer than the shape: another kind of number
    return "".join(out)


def _personal_id(text: str) -> str | None:
    """The 12 digits of a personal ID (số định danh cá nhân), spaces and dots dropped."""
    digits = re.sub(r"\D", "", text)
    return digits if len(digits) == 12 else None


def _labelled(page: _Page) -> Iterator[tuple[Line, tuple[str, ...], str]]:
    """The "label: value" lines of a page: the line, its label's folded words (numbering
    such as "5." dropped) and the text after the colon."""
    for line in page.lines:
        label, colon, value = clean(line.text).partition(":")
        if colon:
            yield line, label_words(re.sub(r"^\W*\d+\s*[.)]\s*", "", label)), value


def _has_words(words: tuple[str, ...], wanted: tuple[str, ...], *, extra: int = 5) -> bool:
    """``wanted`` appears in ``words`` in order (each word matched with one OCR slip allowed),
    with at most ``extra`` other words around it."""
    if len(words) - len(wanted) > extra or not wanted:
        return False
    i = 0
    for word in words:
        if i < len(wanted) and (word == wanted[i] or (len(word) > 3 and fuzz.ratio(word, wanted[i]) >= 75)):
            i += 1
    return i == len(wanted)


_HONORIFIC = re.compile(r"^\s*(?:h[ộo]\s+(?:gia\s+đình\s+)?)?(?:[ôo]ng|b[àa])?\s*"
                        r"(?:\(\s*(?:[ôo]ng|b[àa])\s*\)|/\s*(?:[ôo]ng|b[àa]))?\s*[:.]?\s*", re.IGNORECASE)
"""What stands before a holder's name: Ông, Bà, Ông (Bà), Ông/Bà, hộ ông, hộ gia đình bà."""


def without_honorific(name: str) -> str:
    """``Bà NGUYỄN THỊ AN`` -> ``NGUYỄN THỊ AN``; a name is left whole (ÔNG is no family name)."""
    stripped = _HONORIFIC.sub("", name.strip(), count=1).strip(" .,;")
    return stripped if len(stripped.split()) >= 2 else name.strip()


def _label_value(field: str, value: str) -> str | None:
    """The value after a label, when it has the field's shape (a name; a 12-digit ID)."""
    if field == "holder_id":
        return _personal_id(value)
    text = re.split(r"\s*[,;(]|\s{2,}", without_honorific(value))[0]
    if field == "holder_name" and re.fullmatch(r"[A-Z][A-Za-z]*(?: [A-Z][A-Za-z]*){1,5}", fold(text)):
        return fix_surname(text)
    return None


def handwritten_number_zone(page: PageLayout) -> tuple[Line, str] | None:
    """The number line of page 1 and its notation, when the line has a notation (so the
    blank before it is where a number was filled in)."""
    extractor = Extractor([page])
    if extractor.first is None:  # a page with no text
        return None
    found, notation = extractor._number_line(), extractor.notation()
    if not found or not notation:
        return None
    return found[1], strip_spaces_in_number(notation).replace("Ð", "Đ").rstrip(".,;")


def handwritten_day_zone(page: PageLayout) -> tuple[Line, int, int, str | None] | None:
    """The date line of page 1 with its year and month, when its day is not legible or
    doubtful (so the blank after "ngày" is where a day was filled in), and the first pass's
    read of a doubtful day."""
    extractor = Extractor([page])
    found = extractor._date_line() if extractor.first is not None else None  # a page with no text has none
    if not found:
        return None
    line, m = found
    try:
        month, year = _as_int(m.group("m")), int(m.group("y"))
    except ValueError:
        return None
    if not 1 <= month <= 12:
        return None
    try:
        day = _as_int(m.group("d"))
    except ValueError:
        return line, year, month, None
    if _doubtful_day(line, m.group("d")):
        return line, year, month, str(day)  # read, but doubtful: the first pass is one read of it
    return None  # the day was read


def _to_extraction(found: dict[str, _Found], notes: tuple[str, ...], rule: str | None) -> Extraction:
    return Extraction(
        fields={k: v.value for k, v in found.items()},
        confidence={k: (v.confidence if v.value is not None else 0.0) for k, v in found.items()},
        notes=notes,
        rule=rule,
    )


def signer_page(pages: list[PageLayout]) -> int | None:
    """The page of the signer block (see ``Extractor.signer_page``): where a second look goes."""
    return Extractor(pages).signer_page()


def extract(pages: list[PageLayout], signing_times: tuple[str, ...] = (), today: dt.date | None = None) -> Extraction:
    """The fields of one document; see the module docstring."""
    return Extractor(pages, signing_times, today=today).run()
