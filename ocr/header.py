"""The header zone of a Decree 30/2020 result: the number line (``Số: 21/QĐ-UBND``, or a
registration code, or a register entry), the place and date line, and the issuer block.

A number or a day filled in by hand is not guessed: its digits read at low confidence and
are left null with a note; ``handwritten_number_zone``/``handwritten_day_zone`` give the
zones a second reader looks at (``ocr.handwriting``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from sohoa.core import gazetteer
from sohoa.core.layout import Line, PageLayout
from sohoa.core.text import clean, fold, strip_spaces_in_number
from sohoa.ocr.dates import NUM_DATE, WORD_DATE
from sohoa.ocr.issuer import place_of as _place_of
from sohoa.ocr.issuer import read_block
from sohoa.ocr.reading import MOTTO, NONE, Found, PageSet, has_words, labelled, line_conf, upper_ratio
from sohoa.ocr.rules import Rule

_NUMBER_LINE = re.compile(r"^[\s\W_]{0,3}?[S§][o0ôơó6]\s*[:;.,]?\s*(?P<rest>.*)$", re.IGNORECASE)
_NUMBER_LABEL = re.compile(r"^\s*S[o0ôơó6]\s*(?:[:;]\s*\S|\s\d)", re.IGNORECASE)
"""A number's label and a value ("Số: 21", or "S0 90" when OCR lost the colon), on the folded line."""
_NUMBER = re.compile(
    r"(?P<digits>[^\s/]{0,8})\s*/{1,2}\s*(?:(?P<year>\d{4})\s*/\s*)?"
    r"(?P<notation>[A-ZĐÐ][\wĐÐđ&.]*(?:\s*-\s*[\wĐÐđ&.()]+)*)"
)
_DATE_LINE = re.compile(
    # "ngày05": a day filled in by hand often touches the word before it.
    r"^(?P<place>[^,]{2,40}?)\s*,\s*ngay\s*(?P<d>\S{0,4}?)\s*thang\s+(?P<m>\S{1,4})\s+nam\s+(?P<y>\d{4})(?P<more>\d*)",
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

_GLUED_NUMBER = re.compile(r"(\d{1,6})\s*([A-Z]{2,8})(-[A-Z][\w.-]*)[.,;]?")
"""Digits glued to a notation, on the folded number line: "4417GCN-TNMT"."""

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

_UBND_MISREAD = re.compile(r"(?:U|LI|L1|IJ)(?:B|8|R|BR|RB)N(?:D|0|O|Q)")


def _ubnd_repaired(part: str) -> list[str]:
    """A notation part that is UBND misread, as UBND (and the part after it, when the
    hyphen between them was read as a stop); any other part as read."""
    head, dot, tail = part.partition(".")
    if not _UBND_MISREAD.fullmatch(fold(head).upper()):
        return [part]
    if not dot:
        return ["UBND"]
    return ["UBND", tail] if re.fullmatch(r"[^\W\d_]{2,}", tail) else [part]


class HeaderZone(PageSet):
    """Reads the number, date, place and issuer of the first page."""

    number_illegible = False
    """Set when page 1 has the document's number line, read too garbled to give it: no
    code printed elsewhere then stands for the number (``number_of_shape``)."""

    def _known_codes(self) -> set[str]:
        """The type codes of every rule, folded (``QD``, ``TB``, ``GCN``)."""
        return {c for rule in self.rules for c in rule.notation_codes}

    def _motto_y(self) -> float | None:
        p = self.first
        for line, folded in zip(p.lines, p.folded, strict=True):
            if line.y0 < p.h * 0.35 and MOTTO.search(folded.upper()):
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
        """OCR slips in a notation, repaired only where the result is a known code: a
        stroke read as a digit after the type code ("541/CT1-UBND"), Đ read as B ("QB-UBND",
        the seal over it) or twice ("QĐÐ-UBND"), the hyphen after it read as a stop
        ("GP.SYT"), a code read without its mark ("QD-UBND"), and UBND read with U as LI, B as
        8 or D as 0 ("QĐ-LIBND", "QĐ-U8ND"). Any other part is kept as read."""
        parts = notation.replace("Ð", "Đ").split("-")
        codes = self._known_codes()
        head, dot, tail = parts[0].partition(".")
        if len(parts) == 1 and dot and fold(head).upper() in codes and re.fullmatch(r"[^\W\d_]{2,}", tail):
            parts = [head, tail]  # the hyphen read as a stop ("GP.SYT")
        first = fold(parts[0]).upper()
        stripped = re.sub(r"[0-9lI|]+$", "", first)
        if first not in codes and stripped in codes and len(parts) > 1:
            parts[0] = parts[0][:len(stripped)]
        elif first not in codes and "B" in first and first.replace("B", "D") in codes and len(parts) > 1:
            parts[0] = parts[0].replace("B", "Đ")  # Đ under the seal read as B ("QB-UBND")
        elif first not in codes and re.sub(r"(.)\1", r"\1", first) in codes and len(parts) > 1:
            parts[0] = re.sub(r"(.)\1", r"\1", parts[0])  # a letter read twice ("QĐÐ": Đ and the eth)
        # UBND, the one body every unit's notation names, read with U as LI, B as 8 or R, a
        # letter more, D as 0 or O ("QĐ-LIBND", "QĐ-U8ND", "GCN-LIRND", "TB-UBRND"), its
        # hyphen after it read as a stop ("UBNO.NC")
        parts = [piece for part in parts for piece in _ubnd_repaired(part)]
        # "QD-UBND": a code read without its mark is written as printed (QĐ)
        spelled = {fold(c).upper(): c for rule in self.rules for c in rule.notation_spelled}
        if len(parts) > 1 and fold(parts[0]).upper() in spelled and fold(parts[0]) == parts[0]:
            parts[0] = spelled[fold(parts[0]).upper()]
        return "-".join(parts)

    def _slash_lost(self) -> Found:
        """ "Số: 4417GCN-TNMT": a number line whose slash OCR lost, the digits glued to the
        notation. With a type code sohoa knows after the digits, the slash is put back;
        otherwise no number, and no code found elsewhere stands for it (a household
        business's "Mã số" is another number than the certificate's)."""
        p = self.first
        for line, folded in zip(p.lines, p.folded, strict=True):
            if line.y0 > p.h * 0.45 or line.cx > p.w * 0.6:
                continue
            head = _NUMBER_LINE.match(folded)
            m = _GLUED_NUMBER.fullmatch(head.group("rest").strip()) if head else None
            if not m:
                continue
            rest = clean(line.text)[head.start("rest"):].strip().rstrip(".,;")
            self.number_illegible = True
            digit_conf = _doubtful_digits(line)
            if digit_conf is not None:  # digits filled in by hand, touching the notation
                self.notes.append(f"number: {m.group(1)!r} read with confidence {digit_conf:.0f} against the "
                                  "notation, probably handwritten: not taken")
                return Found(None, 0.0)
            if m.group(2).upper() not in self._known_codes():
                self.notes.append(f"number: {rest!r} read without its slash, and {m.group(2)} is no type code; "
                                  "not taken")
                return Found(None, 0.0)
            self.notes.append(f"number: {rest!r} read without its slash; the slash put back before {m.group(2)}")
            value = f"{m.group(1)}/{self._repair_notation(rest[len(m.group(1)):].strip())}"
            # A line that lost its slash may have lost more ("-CCATVSIP" for CCATVSTP on a
            # photo): below the review queue, and under a photo's floor for numbers.
            return Found(strip_spaces_in_number(value), round(line_conf([line]) * 0.8, 3))
        return NONE

    def number(self) -> Found:
        found = self._number_line()
        if not found:
            return self._slash_lost()
        _, line = found
        rest = _NUMBER_LINE.match(fold(line.text))
        text = clean(line.text)[rest.start("rest"):] if rest else clean(line.text)
        m = _NUMBER.match(text.strip())
        if not m:
            return NONE
        digits = m.group("digits") or ""
        notation = self._repair_notation(re.sub(r"\s+", "", m.group("notation")).rstrip(".,;_"))
        year = m.group("year")
        conf = line_conf([line])
        if not re.fullmatch(r"\d{1,6}", digits.strip()):
            # Blank, or handwritten: OCR reads "4†", "#4". Say so; never guess digits.
            self.notes.append("number: digits not legible (handwritten or blank); notation "
                              f"{notation} read")
            return Found(None, 0.0)
        digit_conf = _doubtful_digits(line)
        if digit_conf is not None:
            # Typed digits read at 85-96; a handwritten number reads as some digit at low confidence.
            self.notes.append(f"number: digits {digits.strip()!r} read with confidence {digit_conf:.0f}, "
                              f"probably handwritten; notation {notation} read")
            return Found(None, 0.0)
        value = f"{digits.strip()}/{year + '/' if year else ''}{notation}"
        return Found(strip_spaces_in_number(value), conf)

    def number_of_shape(self, rule: Rule) -> Found:
        """A number that is not "digits/notation": a registration code, or a register entry."""
        if rule.number_code:
            found = self._code(rule)
            if found.value:
                return found
        if rule.register_number:
            return self._register_entry()
        return NONE

    def _code(self, rule: Rule) -> Found:
        """The code after "Số:" (top left) or after one of the rule's code labels, read with
        the OCR confusions of its shape undone; printed twice and agreeing, it is surer."""
        read: list[tuple[str, float]] = []
        for page in self.pages:
            for line, words, value in labelled(page):
                top_number = page is self.first and words in (("so",), ("s0",)) and line.y0 < page.h * 0.45
                if top_number or any(has_words(words, wanted, extra=1) for wanted in rule.code_labels):
                    code = code_in_shape(value, rule.number_code or "")
                    if code:
                        read.append((code, line_conf([line])))
        codes = {code for code, _ in read}
        if len(codes) > 1:
            self.notes.append(f"number: the code is printed as {' and '.join(sorted(codes))}; not chosen")
            return NONE
        if not codes:
            return NONE
        conf = max(c for _, c in read)
        if len(read) > 1:
            self.notes.append(f"number: code {read[0][0]} read {len(read)} times, the same each time")
            conf = min(1.0, conf + 0.1)
        return Found(read[0][0], round(conf, 3))

    def _register_entry(self) -> Found:
        """ "Số: 278" on page 1 beside a "Quyển số" (civil-status books): the entry number."""
        p = self.first
        book = next((m for f in p.folded if (m := re.search(r"Quyen so\s*:?\s*(\S+)", f, re.IGNORECASE))), None)
        if book is None:
            return NONE
        for line, folded in zip(p.lines, p.folded, strict=True):
            m = re.match(r"^\s*S[o0]\s*:\s*(\d{1,6})\b(?!\s*/)", folded, re.IGNORECASE)
            if m and line.y0 < p.h * 0.45 and line.cx < p.w * 0.6:
                mark = re.match(r"[^\s.,;]+", folded[m.end():])
                if mark:  # "Số: 13%8": a digit read as a mark; the entry is not 13
                    self.notes.append(f"number: register entry {m.group(1) + mark.group()!r} holds a mark among "
                                      "its digits; not taken")
                    return Found(None, 0.0)
                digit_conf = _doubtful_digits(line)
                if digit_conf is not None:
                    # A bare number has no notation to check it against: a doubtful read is no number.
                    self.notes.append(f"number: register entry {m.group(1)!r} read with confidence "
                                      f"{digit_conf:.0f}; not taken")
                    return Found(None, 0.0)
                self.notes.append(f"number: register entry {m.group(1)}, book {book.group(1).rstrip('.,;')}")
                return Found(m.group(1), line_conf([line]))
        return NONE

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

    def issue_date_and_place(self, rule: Rule | None = None) -> tuple[Found, Found]:
        """The date and place of the date line: a paper's date is there only. A day that
        cannot be read is null, unless a certificate prints its own date again as such
        (``Đăng ký lần đầu: ngày …``, ``Cấp ngày …``) in the same month and year. The dates
        of the body (effective dates, deadlines, other documents' dates) are never it, and
        neither is the signing time, often days after the paper's date."""
        found = self._date_line()
        if not found:
            return NONE, NONE
        line, m = found
        place_text = clean(line.text)[m.start("place"):m.end("place")].strip(" .:-")
        # OCR may run the number line into the date line ("Số: 12/QĐ-UBND _ Quảng Ngãi"):
        # the place is what follows the number.
        number = _NUMBER_LINE.match(fold(place_text))
        if number and _NUMBER.search(place_text):
            place_text = place_text[_NUMBER.search(place_text).end():].strip(" _.:-|")
        place = Found(place_text, line_conf([line])) if place_text else NONE
        year = int(m.group("y"))
        try:
            month = _as_int(m.group("m"))
        except ValueError:
            month = None
        doubt = _doubtful_day(line, m.group("d"))
        if m.group("more"):  # "năm 20130": a digit too many, so which four are the year is not known
            self.notes.append(f"issue_date: year {m.group('y') + m.group('more')!r} has too many digits: not taken")
            return NONE, place
        try:
            date = dt.date(year, month or 0, _as_int(m.group("d")))
        except ValueError:
            self.notes.append("issue_date: day not legible (handwritten or blank)")
            return (self._date_from_text(year, month, line) if rule and rule.own_date_again else NONE), place
        if doubt:
            # A day filled in by hand that OCR made a digit of: "2Ï" is 27, "1" is 10.
            self.notes.append(f"issue_date: day {m.group('d')!r} read {doubt}, probably handwritten: not taken")
            return NONE, place
        if date > self.today:
            # A result cannot be issued in the future: a digit of the year was misread.
            self.notes.append(f"issue_date: {date} is in the future, year misread")
            return NONE, place
        return Found(date.isoformat(), line_conf([line])), place

    def _date_from_text(self, year: int, month: int | None, date_line: Line) -> Found:
        """The one date a certificate prints again as its own (``Đăng ký lần đầu: ngày …``)
        in the date line's month and year, if there is one."""
        if month is None:
            return NONE
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
            return NONE
        try:
            date = dt.date(year, month, days.pop())
        except ValueError:
            return NONE
        if date > self.today:
            return NONE
        self.notes.append(f"issue_date: day taken from the paper's own date {date} printed again")
        return Found(date.isoformat(), 0.5)

    def signed_on(self) -> Found:
        """The day of the earliest digital signature (Vietnam time as the signer's clock said)."""
        for moment in sorted(self.signing_times):
            try:
                return Found(dt.datetime.fromisoformat(moment).date().isoformat(), 1.0)
            except ValueError:
                continue
        return NONE

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
            motto = MOTTO.search(folded.upper())
            if motto:  # OCR joined the issuer line and the motto: keep the part before it
                text = clean(line.text)[:motto.start()]
            elif not p.left(line):
                continue
            text = re.sub(r"[_—=~]+", " ", text).strip(" -.,")
            # Two letters are a line when they continue a name ("HÀ" wrapped from "XÃ VÂN").
            if (len(text) >= 3 or (picked and len(text) == 2 and text.isalpha())) and upper_ratio(text) > 0.7:
                picked.append(dataclasses.replace(line, text=text))
        return picked

    def issuer_block(self, issue_date: str | None) -> dict[str, Found]:
        """issuer, issuer_parent, issuer_level and issuer_successor (see ``ocr.issuer``)."""
        lines = self.issuer_lines()
        day = dt.date.fromisoformat(issue_date) if issue_date else None
        block = read_block([ln.text for ln in lines], day)
        if block.issuer is None:
            return {}
        self.notes.extend(block.notes)
        conf = line_conf(lines)
        return {"issuer": Found(block.issuer, conf), "issuer_parent": Found(block.parent, conf),
                "issuer_level": Found(block.level, conf), "issuer_successor": Found(block.successor, conf * 0.9)}

    def snap_place(self, place: Found, found: dict[str, Found]) -> Found:
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
            return Found(snapped, place.confidence)
        return place

    # ---------------------------------------------------------------- type and summary

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

def handwritten_number_zone(page: PageLayout) -> tuple[Line, str] | None:
    """The number line of page 1 and its notation, when the line has a notation (so the
    blank before it is where a number was filled in)."""
    zone = HeaderZone([page])
    if zone.first is None:  # a page with no text
        return None
    found, notation = zone._number_line(), zone.notation()
    if not found or not notation:
        return None
    return found[1], strip_spaces_in_number(notation).replace("Ð", "Đ").rstrip(".,;")


def handwritten_day_zone(page: PageLayout) -> tuple[Line, int, int, str | None] | None:
    """The date line of page 1 with its year and month, when its day is not legible or
    doubtful (so the blank after "ngày" is where a day was filled in), and the first pass's
    read of a doubtful day."""
    zone = HeaderZone([page])
    found = zone._date_line() if zone.first is not None else None  # a page with no text has none
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
