"""The signer block of a result (bottom right of its last page): the signer's own title,
the authority line they sign under (``KT. CHỦ TỊCH``, kept as ``signed_for``) and their
name, read and, when the signature's stroke crossed it, repaired (``ocr.names``)."""

from __future__ import annotations

import difflib
import functools
import re

from sohoa.core.layout import Line
from sohoa.core.text import clean, fold
from sohoa.ocr import names
from sohoa.ocr.reading import MOTTO, NONE, Found, Page, PageSet, fix_surname, line_conf, upper_ratio
from sohoa.ocr.rules import signer_titles, surnames

_PREFIX = re.compile(r"^(?:TM|KT|TL|TUQ|Q)\s*[.,]\s*", re.IGNORECASE)
# A title after a prefix OCR garbled ("E.CHỦ TỊCH", "k7 GIÁM ĐỐC", "KỸ CHỦ TỊCH" for "KT.
# CHỦ TỊCH"): an authority line whose kind is not legible, never the signer's own title.
# Its letters may carry ink between them and the stop ("“T\\(. GIÁM ĐỐC" for TL. on a photo),
# and L or I may be read as 1 ("T1. GIÁM ĐỐC", "I1. CHỦ TỊCH").
_GARBLED_AUTHORITY = re.compile(
    r"^[\W_]*(?:[A-Z][A-Z1]{0,2}[^\w\s.,:]{0,2}\s*[.,:]|[A-Z]{1,2}\d\s|K[TIYL1]\s)\s*(?=\w{2})", re.IGNORECASE)
# An authority line of the signer block, folded: one signs for ("thay mặt", "ký thay",
# "thừa lệnh", "thừa ủy quyền", "quyền") the body or chief it names.
_AUTHORITY = re.compile(r"^[\W_]*(?P<prefix>T\s?M|K\s?T|T\s?L|TUQ|Q)\s*[.,:]\s*(?=\w{2})", re.IGNORECASE)
_PLACE_WORDS = re.compile(r"\b(?:XA|HUYEN|TINH|PHUONG|THANH PHO|NHAN DAN)\b")
"""Words of a unit's name, never of a person's title: a line holding them under TM. is
the rest of the body's name (TM. ỦY / BAN NHÂN DÂN XÃ TIÊN LỤC, wrapped)."""
_NAME_LINE = re.compile(r"^[A-Z][a-z]+(?: [A-Z][a-z]+){1,5}$")

@functools.cache
def _title_words() -> frozenset[str]:
    """The words of the known titles, folded to capitals."""
    return frozenset(w for title in signer_titles() for w in fold(title).upper().split())


_CAPITALS = 0.6
"""The share of capitals from which a line reads as a title: titles are printed in
capitals, names are not."""


def _capital_words(text: str) -> list[str]:
    """The words of ``text`` folded to capitals, letters only, when it reads as capitals
    (``_CAPITALS``); none when it does not."""
    return re.sub(r"[^A-Z ]", " ", fold(text).upper()).split() if upper_ratio(text) >= _CAPITALS else []


def _snapped(body: str) -> tuple[str, float] | None:
    """The known title ``body`` reads as, and how alike; None when it reads as none."""
    if not body or upper_ratio(body) < _CAPITALS:
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
    # Fewer words than the title, and fewer letters: "THƯƠNG" is no reading of THỦ TƯỚNG
    # (0.8 alike). A mark may stand for a hidden word ("PHÔ 4 TỊCH"), glued words keep
    # their letters ("CHBTỊCH").
    if not best or score < 0.8:
        return None
    short = (len(body.split()) < len(best.split())
             and len(key.replace(" ", "")) < 0.8 * len(fold(best).replace(" ", "")))
    return None if short else (best, score)


def plausible_name(name: str | None) -> bool:
    """A Vietnamese person's name: two to five capitalised words, the first a known family name
    (``lexicon/surnames.toml``). "gô Ngọc Thủy" (its N under the seal) is not one."""
    if not name:
        return False
    words = name.split()
    return (2 <= len(words) <= 5 and all(w[:1].isupper() for w in words)
            and fold(words[0]).lower() in surnames())

class SignerBlock(PageSet):
    """Reads the signer block of the last page that has one."""


    def _title(self, text: str) -> tuple[str, float] | None:
        """A signer title in this line (prefix TM./KT./... removed), snapped to the known
        titles when OCR garbled it (a seal often covers the title), with its similarity."""
        body = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", text)
        body = re.sub(r"^[A-Z]{1,3}\s*[.,:]\s*(?=\w{2})", "", body) if _PREFIX.match(body) or re.match(
            r"^[A-Z]{2,3}[.,]\s", body) else body
        words = body.split()
        while len(words) > 1 and words[0][:1].islower() and upper_ratio(" ".join(words[1:])) > 0.9:
            words = words[1:]  # seal ink read as a word in small letters ("vớ GIÁ ĐỌC")
        found = _snapped(" ".join(words))
        if (found and len(words) > 1 and not words[0].isupper() and upper_ratio(" ".join(words[1:])) > 0.9
                and re.sub(r"\W", "", fold(words[0]).upper()) not in _title_words()):
            # A first word in mixed letters that is no title's word, ink or a garbled word:
            # the title must be the same without it ("Mfti, TRƯỜNG" matched TỔ TRƯỞNG through
            # the ink's letters; "PÑt CHỦ TỊCH", PHÓ CHỦ TỊCH, is CHỦ TỊCH without it: doubtful).
            without = _snapped(" ".join(words[1:]))
            return found if without and without[0] == found[0] else None
        return found

    def signer_page(self) -> int | None:
        """The number of the page whose signer block ``signer`` reads: the last page with a
        signer title, or with a name where the title should be; else the last page with print."""
        self.signer()
        return self.signer_at

    def signer(self) -> tuple[Found, Found, Found]:
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
                if not page.right(line) or header_zone or MOTTO.search(folded.upper()):
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
                    return NONE, name, NONE
                continue
            # The signer block's last title line is the title; the name follows below it.
            self.signer_at = page.layout.number
            last, title, similarity = titles[-1]
            title_line = page.lines[last]
            title_found = Found(title, round(line_conf([title_line]) * similarity, 3))
            name = self._name_below(page, title_line.y1)
            if self._start_hidden(title_line, title) or self._chief_above(page, last, title):
                return NONE, name, NONE
            return title_found, name, NONE
        return NONE, NONE, NONE

    def _under_authority(self, page: Page, authority: list[int],
                         titles: list[tuple[int, str, float]]) -> tuple[Found, Found, Found]:
        """The block of a signer who signs for another: ``authority`` the indices of its
        authority lines (``TM. ỦY BAN NHÂN DÂN``, then ``KT. CHỦ TỊCH``), in order."""
        last = authority[-1]
        lines = [page.lines[i] for i in authority if _AUTHORITY.match(page.folded[i])]
        signed_for = Found(" / ".join(_authority_text(ln.text) for ln in lines), line_conf(lines)) if lines else NONE
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
                    return Found(deputy, round(line_conf([title_line]) * similarity * 0.8, 3)), name, signed_for
                self.notes.append(f"signer_title: {title!r} under {prefix}. {title} contradicts the block: not set")
                return NONE, name, signed_for
            if prefix == "KT" and not _deputy_title(title, chief[0] if chief else None):
                self.notes.append(f"signer_title: {title!r} under KT.: one signs for a chief as a deputy "
                                  "(PHÓ …), so the title read contradicts the block: not set")
                return NONE, name, signed_for
            if self._start_hidden(title_line, title):
                return NONE, name, signed_for
            return Found(title, round(line_conf([title_line]) * similarity, 3)), name, signed_for
        printed = self._printed_title(page, last)
        name = self._name_below(page, (printed[1] if printed else last_line).y1)
        if printed:
            return printed[0], name, signed_for
        self.notes.append(f"signer_title: the line under {clean(last_line.text)!r} is not legible (the seal?): "
                          "not set")
        return NONE, name, signed_for

    @staticmethod
    def _deputy_below(page: Page, i: int, title: str) -> bool:
        """Whether the next line of the right column opens with PHÓ although the title read
        does not: "KT. CHỦ TỊCH" over "PHÓ CHỦ TỊCH" with its prefix lost to the seal
        (",“ CHỦ TỊCH" / "PHÓ" / "TỊCH"), so the line read is the chief's, not the signer's;
        or the next line, in capitals (``_capital_words``: a name is not), ends with
        the title's last word: the deputy's title repeating the chief's, its PHÓ garbled
        ("hŸ TRƯƠNG PHONG" over "PHC( CC ˆÚNG PHONG," on a phone photo of KT. TRƯỞNG PHÒNG /
        PHÓ TRƯỞNG PHÒNG; ". *»F GIÁM ĐỐC" over "-- Pf*Óu (AM ĐỐC")."""
        if fold(title).startswith("PHO "):
            return False
        below = next((j for j in range(i + 1, len(page.lines))  # marks alone ("“`.") are ink
                      if page.right(page.lines[j]) and re.search(r"[^\W\d_]", page.lines[j].text)), None)
        if below is None:
            return False
        words = _capital_words(page.lines[below].text)
        last = fold(title).upper().split()[-1]
        # "PÑt CHỦ TỊCH"; or the last word alone, the rest of PHÓ GIÁM ĐỐC lost ("ĐỐC")
        repeats = words and words[-1] == last and (len(words) >= 2 or len(fold(title).split()) >= 2)
        return repeats or re.match(r"^[\W\d_]*PHO\b", page.folded[below].upper()) is not None

    def _chief_above(self, page: Page, i: int, title: str) -> bool:
        """Whether the line above the only title read, in capitals but read as no title,
        ends with the title's last word while the title has a deputy's form: the chief's
        line with its prefix garbled ("„ ““KY.£€NHL TỊCH" for KT. CHỦ TỊCH) over the
        deputy's with PHÓ lost ("CU TịcH"), so the title read may be the chief's."""
        if f"PHÓ {title}" not in signer_titles():
            return False
        line = page.lines[i]
        above = next((page.lines[j] for j in range(i - 1, -1, -1)  # marks alone ("“`.") are ink
                      if page.right(page.lines[j]) and page.lines[j].y1 < (line.y0 + line.y1) / 2
                      and re.search(r"[^\W\d_]", page.lines[j].text)), None)
        if above is None or line.y0 - above.y1 > 2 * line.height:
            return False
        words = _capital_words(above.text)
        if not words or words[-1] != fold(title).upper().split()[-1]:
            return False
        self.notes.append(f"signer_title: {title!r} read under {clean(above.text)!r}, a garbled line ending "
                          f"as it does: it may be PHÓ {title} under the chief's line; not set")
        return True

    @staticmethod
    def _printed_title(page: Page, last: int) -> tuple[Found, Line] | None:
        """The line right under an authority line, as printed, when it is no title sohoa
        knows but reads as one: capitals, words that are syllables (``PHÓ TRƯỞNG BAN THƯỜNG
        TRỰC``; not "MÌO CHẲNH VĂN", PHÓ CHÁNH VĂN garbled)."""
        for line in page.lines[last + 1:]:
            if not page.right(line) or line.y0 <= page.lines[last].y0:
                continue
            text = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", clean(line.text))
            words = text.split()
            letters = re.sub(r"[^A-Za-z ]", "", fold(text))
            if _PLACE_WORDS.search(fold(text).upper()):  # "DÂN XÃ TIÊN LỤC": the body's name wrapped
                return None
            if (len(words) >= 2 and all(len(w) >= 2 and w.isalpha() and w.lower() in names.syllables() for w in words)
                    and upper_ratio(text) > 0.9 and len(letters.replace(" ", "")) >= 6 and line_conf([line]) >= 0.6):
                return Found(_known_start(text), round(line_conf([line]) * 0.7, 3)), line
            return None  # the next line is not a title: the seal, the signature or the name
        return None

    def _start_hidden(self, line: Line, title: str) -> bool:
        """Whether the seal hid the start of the title line, so that the title read
        ("GIÁM ĐỐC") may be the end of a longer one ("PHÓ GIÁM ĐỐC"): the line's first
        word is the end of the title's first word ("IÁM ĐỐC"), or, that word read nowhere in
        the line, does not even start like it ("HỒ TỊCH", "H TỊCH": PHÓ CHỦ TỊCH as much as
        CHỦ TỊCH), or a word in capitals of two letters or more stands before the whole
        title ("€TM CỤC TRƯỞNG" of CHI CỤC TRƯỞNG on a phone photo: ink, or the hidden
        start), or the title's first word is read longer than it is ("CHỤC TRƯỜNG",
        "CMWCÙ& TRƯỜNG": CHI CỤC squeezed into one word). Stray marks, one letter or a
        word in small letters (seal ink: "à~ CHỦ TỊCH", "gốm GIÁM ĐỐC") before a whole
        title hide nothing."""
        longer = [t for t in signer_titles() if t != title and t.endswith(" " + title)]
        if not longer:
            return False
        words = re.sub(r"[^A-Z ]", "", fold(re.sub(r"^[\W\d_]+", "", line.text)).upper()).split()
        first = fold(title).split()[0]
        garbled_start = first not in words and words[0][:1] != first[:1]  # "HỒ TỊCH"; not "à~ CHỦ TỊCH"
        read_first = re.sub(r"[\W\d_]", "", line.text.split()[0]) if line.text.split() else ""
        word_before = len(words[0]) >= 2 and read_first.isupper() and first in words[1:]  # "€TM CỤC TRƯỞNG"
        rest = fold(title).upper().split()[1:]
        grown = (first not in words and len(words[0]) > len(first)  # "CHỤC TRƯỜNG": CHI CỤC squeezed in
                 and bool(rest) and words[1:] == rest)  # not the whole title glued ("CHBTỊCH")
        if words and words[0] != first and (first.endswith(words[0]) or garbled_start or word_before or grown):
            self.notes.append(f"signer_title: only {title!r} legible, the start of its line is hidden "
                              f"(it could be {' or '.join(repr(t) for t in longer[:2])}): not set")
            return True
        return False

    def _name_below(self, page: Page, top: float) -> Found:
        """The signer's name: the last name-shaped line of the right column below ``top``.
        A line the signature's stroke crossed (``Trần Tha.:h Yến``) is repaired syllable by
        syllable when each syllable has one clear reading (``ocr.names``), with a note."""
        name, crossed, repaired = NONE, NONE, ()
        for line in page.lines:
            if not page.right(line) or line.y0 < top:
                continue
            candidate = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", re.sub(r"\s['‘’`´\"]+(?=\w)", " ", line.text))
            if _NAME_LINE.match(fold(candidate)):
                name = Found(fix_surname(candidate), line_conf([line]))
                continue
            fixed = names.repair(candidate) if candidate[:1].isalpha() else None
            if fixed and fixed[1] and _NAME_LINE.match(fold(fixed[0])):
                crossed, repaired = Found(fixed[0], round(line_conf([line]) * 0.8, 3)), fixed[1]
        if name.value or not crossed.value:
            return name  # a name read whole is never replaced by a repaired one
        self.notes.append("signer_name: read across the signature, repaired "
                          + ", ".join(f"{a!r} → {b!r}" for a, b in repaired))
        return crossed

def _deputy_title(title: str, chief: str | None) -> bool:
    """Whether ``title`` can sign under ``KT. {chief}``: a deputy's (PHÓ …, the issue's real
    KT. CỤC TRƯỞNG / PHÓ TRƯỞNG BAN too), or a vice minister's under BỘ TRƯỞNG."""
    return fold(title).upper().startswith("PHO ") or (title == "THỨ TRƯỞNG" and chief in (None, "BỘ TRƯỞNG"))


def fits_authority(title: str, signed_for: str | None) -> bool:
    """Whether ``title`` can be the signer's own under ``signed_for`` (its last line):
    under ``KT. …`` only a deputy's (``_deputy_title``); under any other, any title."""
    last = signed_for.split("/")[-1].strip() if signed_for else ""
    kt = re.match(r"KT\s*[.,]\s*(.+)", last)
    return not kt or _deputy_title(title, kt.group(1).strip())


_BODIES = ("ỦY BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN")
"""The bodies a chief signs for (``TM. ỦY BAN NHÂN DÂN``), besides the chiefs' titles."""


def _known_start(text: str) -> str:
    """A printed title that opens with a known title, words as read, gets the known title's
    marks: "TRƯỜNG PHÒNG HÀNH CHÍNH" (a photo's hook read as a grave) is TRƯỞNG PHÒNG HÀNH
    CHÍNH; the words after it are kept as read."""
    words = text.split()
    folded = fold(text).upper().split()
    for title in signer_titles():  # longest first
        known = title.split()
        if len(known) < len(words) and folded[:len(known)] == fold(title).upper().split():
            return " ".join(known + words[len(known):])
    return text


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
