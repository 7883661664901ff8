"""Vietnamese text normalisation shared by extraction and every index backend.

Folding must be identical wherever it happens (embedded index, Elasticsearch, queries),
so it lives here and nowhere else.
"""

from __future__ import annotations

import re
import unicodedata

# OCR engines and old fonts produce look-alikes of Đ/đ; map them before anything else.
_LOOKALIKES = str.maketrans({
    "\u00d0": "\u0110",  # Ð (Icelandic eth) -> Đ
    "\u00f0": "\u0111",  # ð -> đ
    "\u0189": "\u0110",  # Ɖ (African D) -> Đ
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u00a0": " ",
})

_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_WORD = re.compile(r"[^\W\d_]+")


def clean(text: str) -> str:
    """NFC-normalise, map OCR look-alikes (Ð -> Đ) and unify dashes and spaces."""
    return unicodedata.normalize("NFC", text).translate(_LOOKALIKES)


def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "d" if ch == "đ" else "D"
    decomposed = unicodedata.normalize("NFD", ch)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base if len(base) == 1 else ch


# Every precomposed Latin letter with a diacritic, mapped to its base letter: folding is
# then one str.translate, at C speed (snippets fold whole documents per search hit).
_FOLD_TABLE = {
    cp: _fold_char(chr(cp))
    for rng in (range(0x00C0, 0x0250), range(0x1E00, 0x1F00))
    for cp in rng
    if len(_fold_char(chr(cp))) == 1 and _fold_char(chr(cp)) != chr(cp)
}


def fold(text: str) -> str:
    """Remove Vietnamese diacritics (and đ -> d), keeping one character per character.

    The result has the same length as ``clean(text)`` so offsets found in folded text
    point at the same characters in the original.
    """
    return clean(text).translate(_FOLD_TABLE)


def _move_tone(pair: str) -> str:
    first, second = pair[0], pair[1]
    d2 = unicodedata.normalize("NFD", second)
    tones = [c for c in d2 if c in _TONE_MARKS]
    d1 = unicodedata.normalize("NFD", first)
    if not tones or any(c in _TONE_MARKS for c in d1):
        return pair
    bare2 = "".join(c for c in d2 if c not in _TONE_MARKS)
    return unicodedata.normalize("NFC", d1 + tones[0]) + unicodedata.normalize("NFC", bare2)


def modern_tones(text: str) -> str:
    """Rewrite old tone placement (hoà, thuỷ, Uỷ) to the new one (hòa, thủy, Ủy).

    Both are correct Vietnamese; an index must treat them as the same word. Only open
    syllables ending in oa/oe/uy move their mark; in "quý" the u belongs to "qu" and
    nothing moves.
    """

    def fix(m: re.Match[str]) -> str:
        word = m.group(0)
        base = fold(word).lower()
        if base[-2:] in {"oa", "oe", "uy"} and not base.startswith("qu"):
            return word[:-2] + _move_tone(word[-2:])
        return word

    return _WORD.sub(fix, clean(text))


def index_form(text: str) -> str:
    """The accented form an index stores and matches exactly: clean, modern tones, lower."""
    return modern_tones(text).lower()


def search_form(text: str) -> str:
    """The folded, lower-case form used for diacritic-insensitive matching."""
    return fold(text).lower()


def agency_key(name: str) -> str:
    """An agency's name as records are matched to the register: folded, lower-case, one
    space between words (the whole name, never a part of it)."""
    return " ".join(search_form(name).split())


def scope_key(name: str) -> str:
    """An agency's name as records are matched to the agencies a user is limited to: with
    its accents (``xã Quang Châu`` and ``xã Quảng Châu`` are two communes), tone marks in
    one placement, lower-case, one space between words; the whole name."""
    return " ".join(index_form(name).split())


_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")


def diacritic_share(text: str) -> tuple[float, int]:
    """The share of words that carry a Vietnamese diacritic, and how many words there are.

    Vietnamese typed in Unicode marks most syllables (about 80% of the words of a real
    result); another tool's OCR layer, or a legacy-font text layer, marks few or garbles them.
    """
    words = _LETTER_WORD.findall(clean(text))
    if not words:
        return 0.0, 0
    return sum(fold(w) != w for w in words) / len(words), len(words)


NUMBER_RE = re.compile(
    r"^\s*(?:số[:\s]*)?(\d{1,6})\s*/\s*(?:(\d{4})\s*/\s*)?([A-ZĐa-zđ][\wĐđ&.]*(?:\s*-\s*[\wĐđ&.()]+)*)\s*$",
    re.IGNORECASE,
)


def normalise_number(text: str) -> str | None:
    """Canonical form of a document number for lookups: '645 /qđ-ubnd' -> '645/QD-UBND'.

    Returns None when the text is not shaped like a Decree 30 number.
    """
    m = NUMBER_RE.match(clean(text))
    if not m:
        return None
    digits, year, notation = m.groups()
    notation = re.sub(r"\s+", "", notation)
    parts = [str(int(digits))] + ([year] if year else []) + [notation]
    return fold("/".join(parts)).upper()


def strip_spaces_in_number(number: str) -> str:
    """'686 /STTT-CNTT&BCVT' -> '686/STTT-CNTT&BCVT' (the number as printed, no stray spaces)."""
    return re.sub(r"\s+", "", clean(number))
