"""Names crossed by the signature: a signer's name repaired syllable by syllable.

The stroke of a signature often runs across the printed name under it, and OCR reads
``Trần Tha.:h Yến``, ``Đặng Đứ-. Tuấn``, ``bùi thana mai``. Each syllable of such a line
is checked against the Vietnamese syllable inventory (every syllable of the Viet74K word
list, data of the ``underthesea`` package). One that is not a syllable is matched
against the inventory: its stray marks stand for up to two letters the stroke hid, or,
with no stray mark, one letter may be wrong. Among the syllables that fit, the one
clearly most used in names wins, by how often each syllable occurs in the gazetteer's
place names (which are mostly people's given names of old: Thanh, Xuân, Đức, Trường…)
and the family names of ``lexicon/surnames.toml``. "Clearly" is three times the next
one; otherwise the name is not repaired and stays unread, as before.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter

from rapidfuzz.distance import Levenshtein

from sohoa.core import gazetteer
from sohoa.core.text import fold
from sohoa.ocr import tones
from sohoa.ocr.rules import surnames, surnames_by_fold

CLEARLY_BEST = 3.0
"""How many times more often the chosen syllable must occur in names than the next one."""
_LETTERS = re.compile(r"[^\W\d_]+")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@functools.cache
def syllables() -> frozenset[str]:
    """Every syllable of the word list and of the names below, lower case (a family name
    such as Nguyễn is in no word)."""
    path = tones._data(tones.WORD_LIST)
    words = _LETTERS.findall(_nfc(path.read_text(encoding="utf-8")).lower()) if path else []
    return frozenset(words) | frozenset(name_counts())


@functools.cache
def name_counts() -> Counter[str]:
    """How often each syllable occurs in names: the gazetteer's units and the family names."""
    counts: Counter[str] = Counter()
    pools = (gazetteer.legacy_provinces().values(), gazetteer.legacy_districts(), gazetteer.legacy_communes(),
             gazetteer.new_communes())
    for pool in pools:
        for unit in pool:
            if isinstance(unit.name, str):
                counts.update(_LETTERS.findall(_nfc(unit.name).lower()))
    for name in surnames_by_fold().values():
        counts[_nfc(name).lower()] += 50
    return counts


def _candidates(token: str) -> list[str]:
    """The syllables a misread token may be: its stray marks up to two hidden letters each,
    else one letter different, added or missing."""
    low = _nfc(token).lower()
    runs = re.split(r"([^\W\d_]+)", low)
    if any(part for part in runs[::2]):  # stray marks between, before or after the letters
        pattern = "".join(re.escape(part) if i % 2 else r"[^\W\d_]{0,2}" for i, part in enumerate(runs) if part
                          or i % 2 == 0)
        fits = re.compile(pattern)
        return [s for s in syllables() if fits.fullmatch(s) and s != low]
    return [s for s in syllables() if Levenshtein.distance(s, low, score_cutoff=1) == 1]


def repair_syllable(token: str) -> str | None:
    """The syllable ``token`` is (itself when it is one), or None when none is clearly it."""
    low = _nfc(token).lower()
    if low in syllables():
        return low
    if not _LETTERS.search(low):
        return None
    counts = name_counts()
    ranked = sorted(((counts[s], s) for s in _candidates(token)), reverse=True)
    if not ranked or ranked[0][0] == 0:
        return None
    if len(ranked) > 1 and ranked[0][0] < CLEARLY_BEST * ranked[1][0]:
        return None
    return ranked[0][1]


def repair(name: str) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """A person's name with each syllable repaired, in title case, and what was changed;
    None when it is no name (not two to five words, the first no family name) or a
    syllable cannot be repaired."""
    tokens = name.split()
    if not 2 <= len(tokens) <= 5:
        return None
    out: list[str] = []
    changed: list[tuple[str, str]] = []
    for token in tokens:
        fixed = repair_syllable(token)
        if fixed is None:
            return None
        out.append(fixed[:1].upper() + fixed[1:])
        if fixed != _nfc(token).lower():
            changed.append((token, out[-1]))
    if fold(out[0]).lower() not in surnames():
        return None
    return " ".join(out), tuple(changed)



def is_family_name(word: str) -> bool:
    """Whether ``word`` is a family name of ``lexicon/surnames.toml`` (marks aside)."""
    return fold(word).lower() in surnames()


@functools.cache
def given_names() -> frozenset[str]:
    """The syllables people are named by (``lexicon/given_names.txt``, written by
    ``scripts/given_names.py`` from the names-dataset package), lower case."""
    return frozenset(_given_ranks())


@functools.cache
def _given_ranks() -> dict[str, int]:
    """Each syllable of ``lexicon/given_names.txt`` by its place in the list (the best rank
    of the name in any country of names-dataset: 0 is the most given)."""
    from sohoa.ocr.rules import LEXICON_DIR

    text = (LEXICON_DIR / "given_names.txt").read_text(encoding="utf-8")
    listed = [line for line in text.splitlines() if line and not line.startswith("#")]
    return {name: i for i, name in reversed(list(enumerate(listed)))}


RANKED_BETTER = 2
"""How many times better a name of the same letters must rank to make a photo's reading
doubtful ("Tuân", 1155th, where Tuấn is 509th; "Hài", 1600th, where Hải is 481st)."""
PLACES_MORE = 10
"""How many times more place names a marked name must be in than the same letters read
with no mark ("Hai", in 8; Hải, in 258)."""


def likelier_names(word: str) -> frozenset[str]:
    """Names of the same letters, marks aside, that people are clearly more often named by
    than ``word`` as read, on a phone photo where a wrong mark often still makes a name:
    for a word read with marks, a marked name ranking ``RANKED_BETTER`` times better in
    ``lexicon/given_names.txt`` ("Tuân" → Tuấn; "Thủ", not in the list → Thư), and for a
    word read with none, a marked name in ``PLACES_MORE`` times more place names ("Hai" →
    Hải). The same name with its mark placed the old way (Hoà, Hòa) is no other name, nor
    is a family name (Nguyễn for Nguyên). On the 356 right names of the generated sets and
    the real documents this doubts 10 (2.8%: Nhân, Tấn, Phượng…): a price paid on photos only."""
    from sohoa.core.text import modern_tones

    low = _nfc(word).lower()
    others = {o for o in _names_by_letters().get(fold(low), ()) if fold(o) != o
              and modern_tones(o) != modern_tones(low) and not is_family_name(o)}
    if fold(low) == low:
        counts = name_counts()
        return frozenset(o for o in others if counts[o] >= PLACES_MORE * max(counts[low], 1))
    ranks, unlisted = _given_ranks(), len(_given_ranks()) * RANKED_BETTER + 1
    return frozenset(o for o in others if RANKED_BETTER * ranks[o] <= ranks.get(low, unlisted))


RANKED_AS_WELL = 1.5
"""A name of the grave or acute mark ranking within this many times the rank of the same
letters read with the hook is as likely a name (Thúy, 573rd, and Thùy, 765th, for Thủy,
533rd; not Hài, 1600th, for Hải, 481st)."""


def hook_for_another(word: str) -> frozenset[str]:
    """Names of the same letters with the grave or the acute mark that people are named
    by about as often as ``word``, read with the hook: on phone photos Tesseract reads
    those marks as the hook over a name (four of four Thủy read wrong on the photo sets
    were Thúy or Thùy), and never the other way in those sets. Doubts Thủy, Tử, Hảo,
    Hưởng, Tưởng, Nhỏ (and Hiển, which ``likelier_names`` doubts already); of the 579
    right names of the generated sets and the real documents, four (Thủy)."""
    from sohoa.core.text import modern_tones

    low = _nfc(word).lower()
    ranks = _given_ranks()
    if tones.tone_mark(low) != "\u0309" or low not in ranks:  # the hook
        return frozenset()
    return frozenset(modern_tones(o) for o in _names_by_letters().get(fold(low), ())
                     if tones.tone_mark(o) in ("\u0300", "\u0301")  # the grave, the acute
                     and o in ranks and ranks[o] <= RANKED_AS_WELL * ranks[low])


def named_by(syllable: str) -> bool:
    """Whether people are named by ``syllable``: a given or middle name of the list, or
    a syllable of the gazetteer's place names (most of them names of people of old)."""
    low = _nfc(syllable).lower()
    return low in given_names() or name_counts()[low] > 2


@functools.cache
def _names_by_letters() -> dict[str, frozenset[str]]:
    """The syllables people are named by, by their letters without marks (``fold``)."""
    found: dict[str, set[str]] = {}
    for name in given_names():  # people's names only: "quận" is a place's word
        found.setdefault(fold(name), set()).add(name)
    return {k: frozenset(v) for k, v in found.items()}


MARKED_BY_PLACES = 20
"""A syllable written with marks in more place names than this is a name with its marks."""


def _marks_lost(word: str) -> bool:
    """Whether ``word``, read with no mark, is a name that lost them: in the list only as
    people abroad write it ("Ha", "Son"), it is rare in place names (two at most) where
    the same letters with marks are common (Hà, Sơn). "Lan", "Thanh", "Vy" are names."""
    low = _nfc(word).lower()
    if fold(low) != low:
        return False
    counts = name_counts()
    return counts[low] <= 2 and any(counts[other] > MARKED_BY_PLACES
                                    for other in _names_by_letters().get(low, ()) if other != low)


def doubtful_syllable(name: str) -> tuple[str, frozenset[str]] | None:
    """The first given or middle syllable of a name read by OCR that may be another name
    misread, with the names it may be: it is no name of the list (``named_by``), or one
    read with its marks lost (``_marks_lost``: "Ha"), and names of the list have its
    letters ("Hiểu": Hiếu, Hiệu; "Viết": Việt; "QUẦN": Quân, Quan). Which was printed is
    not known. A syllable with no such name ("Khiêm", missing from the list) is taken as
    read: nothing says it was misread. So is a family name read with other marks than the
    one family name of its letters has ("Ho" for Hồ): the line's marks were misread; and a
    name that ends with Thị, a middle name only ("Văn Thị" of Văn Thị Thanh Vân): it was
    cut short."""
    words = name.split()
    if len(words) >= 2 and fold(words[-1]).lower() == "thi":  # "Văn Thị": Thị is never a given name
        return words[-1], frozenset()
    family = surnames_by_fold().get(fold(words[0]).lower()) if words else None
    if family and _nfc(family).lower() != _nfc(words[0]).lower():
        return words[0], frozenset({_nfc(family).lower()})
    for word in words[1:]:
        low = _nfc(word).lower()
        if not word.isalpha() or (named_by(word) and not _marks_lost(word)):
            continue
        options = _names_by_letters().get(fold(low), frozenset()) - {low}
        if options:
            return word, options
    return None
