"""Tone marks of OCR'd Vietnamese phrases, repaired against a word list.

On poor scans Tesseract's Vietnamese model reads the hook above (dấu hỏi: ể, ẩ, ổ) as an
acute (dấu sắc: ế, ấ, ố): "chuyến đổi số" for "chuyển đổi số", "đấy mạnh" for "đẩy mạnh",
"tuyến dụng" for "tuyển dụng". Each such syllable is itself a word, so a syllable list
cannot tell; the words around it can. A syllable read with sắc is given hỏi only when, as
read, it makes no word of the list, nor a pair seen in running Vietnamese text, with
either neighbour, and with hỏi it does ("chuyển đổi"); two neighbours both slipped
("chuyến đối") are given hỏi together when together they then make a word. Anything else
is left as read.

Only that direction is repaired: it is the slip seen on generated poor scans, and the
reverse (hỏi to sắc) changed right words of real letters ("UBND tỉnh giao" became
"tính giao", a word of the list). Measured on correct text: of 48,093 syllables of half
the VLSP sentences, with the pairs of the other half, 1 was changed ("khá quan trọng");
the text layers of the real born-digital letters are left unchanged (``tests/test_text.py``).

The word list is Viet74K (74,000 Vietnamese words and compounds) and the running text is
the VLSP 2013 test set, both shipped as data by the ``underthesea`` package (Apache-2.0);
they are read as files, the package is not imported.
"""

from __future__ import annotations

import functools
import importlib.util
import itertools
import re
import unicodedata
from collections import Counter
from pathlib import Path

_ACUTE, _HOOK = "\u0301", "\u0309"
WORD_LIST = "corpus/data/Viet74K.txt"
RUNNING_TEXT = "pipeline/pos_tag/models/pos_crf_vlsp2013_20230303/test_output.txt"
"""The VLSP 2013 test set (2,120 sentences of news and law, one word a line): pairs of
syllables seen side by side there are phrases as people write them ("trong số đó", which
the word list does not hold and "sổ đỏ" would otherwise replace)."""
_SYLLABLE = re.compile(r"[^\W\d_]+")


def _data(relative: str) -> Path | None:
    spec = importlib.util.find_spec("underthesea")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    return path if path.is_file() else None


@functools.cache
def _words() -> frozenset[str]:
    """Words of two or more syllables, in lower case."""
    path = _data(WORD_LIST)
    if path is None:
        return frozenset()
    return frozenset(unicodedata.normalize("NFC", line.strip().lower())
                     for line in path.read_text(encoding="utf-8").splitlines() if " " in line.strip())


@functools.cache
def _pair_counts() -> Counter[tuple[str, str]]:
    """How often each pair of syllables follows each other in the running text."""
    path = _data(RUNNING_TEXT)
    if path is None:
        return Counter()
    # One pass over the whole text: a blank line ends a sentence, the first column is a
    # word (its syllables separated by spaces). Pairs across a blank line are not taken.
    text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8")).lower()
    pairs: Counter[tuple[str, str]] = Counter()
    for sentence in text.split("\n\n"):
        syllables = _SYLLABLE.findall(" ".join(line.partition("\t")[0] for line in sentence.splitlines()))
        pairs.update(itertools.pairwise(syllables))
    return pairs


@functools.cache
def _attested() -> frozenset[tuple[str, str]]:
    """Pairs of syllables that follow each other in the running text of the corpus."""
    return frozenset(_pair_counts())


def _swapped(syllable: str) -> str | None:
    """The syllable with hỏi for sắc; None when it bears no sắc."""
    nfd = unicodedata.normalize("NFD", syllable)
    if _ACUTE in nfd:
        return unicodedata.normalize("NFC", nfd.replace(_ACUTE, _HOOK))
    return None


def _makes_word(left: str | None, syllable: str, right: str | None) -> bool:
    """Whether the syllable makes a word of the list with a neighbour."""
    words = _words()
    return any(" ".join(p) in words for p in ((left, syllable), (syllable, right), (left, syllable, right))
               if None not in p)


def _as_written(left: str | None, syllable: str, right: str | None) -> bool:
    """Whether the syllable as read makes a word, or a pair seen in running text, with a neighbour."""
    attested = _attested()
    return _makes_word(left, syllable, right) or (left, syllable) in attested or (syllable, right) in attested


def _recased(like: str, syllable: str) -> str:
    if like.isupper() and len(like) > 1:
        return syllable.upper()
    return syllable[0].upper() + syllable[1:] if like[0].isupper() else syllable


def repair(text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """``text`` with the tone slips described above repaired, and the (read, written)
    pairs changed. Words are compared in lower case; each keeps its case as read."""
    normal = unicodedata.normalize("NFC", text)
    matches = list(_SYLLABLE.finditer(normal))
    if not matches or not _words():
        return text, ()
    text = normal
    lower = [m.group().lower() for m in matches]
    changes: list[tuple[int, str]] = []
    for i, syllable in enumerate(lower):
        other = _swapped(syllable)
        if other is None:
            continue
        left = lower[i - 1] if i > 0 and _adjacent(text, matches[i - 1], matches[i]) else None
        right = lower[i + 1] if i + 1 < len(lower) and _adjacent(text, matches[i], matches[i + 1]) else None
        # The word list first: the running text is read only when a change is in view.
        if _makes_word(left, other, right) and not _as_written(left, syllable, right):
            changes.append((i, other))
    return _rewritten(text, matches, sorted([*changes, *_both_slipped(text, matches, lower, {i for i, _ in changes})]))


def _rewritten(text: str, matches: list[re.Match[str]],
               changes: list[tuple[int, str]]) -> tuple[str, tuple[tuple[str, str], ...]]:
    """``text`` with the syllables at ``changes`` (index in ``matches``, in order) replaced,
    each keeping its case as read, and the (read, written) pairs."""
    out, pairs = text, []
    for i, other in reversed(changes):
        m = matches[i]
        written = _recased(m.group(), other)
        out = out[:m.start()] + written + out[m.end():]
        pairs.append((m.group(), written))
    return out, tuple(reversed(pairs))


def _both_slipped(text: str, matches: list[re.Match[str]], lower: list[str],
                  changed: set[int]) -> list[tuple[int, str]]:
    """Two neighbours both read with sắc for hỏi ("chuyến đối" for "chuyển đổi"), which
    the one-at-a-time rule above cannot see: each, given hỏi alone, still makes no word with
    the other as read. Given hỏi together they make a word of the list, and as read the
    first makes no word or pair of running text with either neighbour, nor the second with
    the first ("đối số" after it is a word, but "chuyến đối" none)."""
    found: list[tuple[int, str]] = []
    i = 0
    while i + 1 < len(lower):
        a, b = _swapped(lower[i]), _swapped(lower[i + 1])
        if (a and b and not {i, i + 1} & changed and _adjacent(text, matches[i], matches[i + 1])
                and f"{a} {b}" in _words()):
            left = lower[i - 1] if i > 0 and _adjacent(text, matches[i - 1], matches[i]) else None
            if not _as_written(left, lower[i], lower[i + 1]) and not _as_written(lower[i], lower[i + 1], None):
                found += [(i, a), (i + 1, b)]
                i += 2
                continue
        i += 1
    return found


def _adjacent(text: str, a: re.Match[str], b: re.Match[str]) -> bool:
    """Two syllables of one phrase: only spaces between them (no comma, no full stop)."""
    return text[a.end():b.start()].strip() == ""


def same_letters(syllable: str) -> frozenset[str]:
    """The syllables of the word list with the letters of ``syllable``, marks aside (``fold``)."""
    from sohoa.core.text import fold

    return _by_letters().get(fold(syllable.lower()), frozenset())


@functools.cache
def _by_letters() -> dict[str, frozenset[str]]:
    """Every syllable of the word list, by its letters without marks (``fold``: đ as d)."""
    from sohoa.core.text import fold

    found: dict[str, set[str]] = {}
    for syllable in _in_words():  # the word list read once, for both
        found.setdefault(fold(syllable), set()).add(syllable)
    return {k: frozenset(v) for k, v in found.items()}


COMMON = 100
"""A syllable seen more often than this in the running text (of 48,000 syllables: "là",
"để", "trong", "về", "thì") is a word of its own, kept as read by ``repair_marks``."""


@functools.cache
def _counts() -> Counter[str]:
    """How often each syllable occurs in the running text."""
    path = _data(RUNNING_TEXT)
    if path is None:
        return Counter()
    text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8")).lower()
    return Counter(_SYLLABLE.findall(" ".join(line.partition("\t")[0] for line in text.splitlines())))


def _pair_changes(lower: list[str], joined: list[bool], changed: dict[int, str]) -> list[tuple]:
    """Two neighbours both misread ("tuyến đụng" for "tuyển dụng"), neither making a word
    as read: the one pair of their same-letter syllables that is a word of the list."""
    words, counts = _words(), _counts()
    for i in range(1, len(lower)):
        a, b = lower[i - 1], lower[i]
        if (not joined[i] or i - 1 in changed or i in changed or counts[a] > COMMON or counts[b] > COMMON
                or _as_written(lower[i - 2] if i > 1 and joined[i - 1] else None, a, b)
                or _as_written(a, b, lower[i + 1] if i + 1 < len(lower) and joined[i + 1] else None)):
            continue
        fits = {(x, y) for x in same_letters(a) | {a} for y in same_letters(b) | {b}
                if (x, y) != (a, b) and f"{x} {y}" in words}
        if len(fits) == 1:
            x, y = fits.pop()
            return [(1.0, *((k, v) for k, v in ((i - 1, x), (i, y)) if v != lower[k]))]
    return []


def repair_marks(text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Any mark misread, for text read from a page below 150 dpi (a phone photo), where
    Tesseract slips on every kind of mark: "phẻ duyệt kính phí" for "phê duyệt kinh phí",
    "Sư dụng", "định kỷ". A syllable that as read makes no word of the list nor a pair of
    running text with either neighbour is replaced by the one syllable of the same letters
    (marks aside) that makes a word of the list with a neighbour; two that do, or none:
    left as read. One change at a time, each seen by the next ("định kỷ": kỷ becomes kỳ,
    after which "định" makes a word as read), the change to a syllable more used in
    running text than the one read first. Scans keep to ``repair`` (one slip, one
    direction), which this would overreach on well-read text."""
    from sohoa.core.text import fold

    normal = unicodedata.normalize("NFC", text)
    matches = list(_SYLLABLE.finditer(normal))
    if not matches or not _words():
        return text, ()
    lower = [m.group().lower() for m in matches]
    joined = [i > 0 and _adjacent(normal, matches[i - 1], matches[i]) for i in range(len(lower))]
    changed: dict[int, str] = {}
    counts = _counts()
    while True:
        proposed: list[tuple] = []
        for i, syllable in enumerate(lower):
            left = lower[i - 1] if joined[i] else None
            right = lower[i + 1] if i + 1 < len(lower) and joined[i + 1] else None
            if (i in changed or (left is None and right is None) or counts[syllable] > COMMON
                    or _as_written(left, syllable, right)):
                continue
            fits = {other for other in _by_letters().get(fold(syllable), ()) if other != syllable
                    and _makes_word(left, other, right)}
            if len(fits) > 1:  # "hỗ sơ": hồ sơ and hò… both words; only "hồ sơ" seen in running text
                fits = {other for other in fits if (left, other) in _attested() or (other, right) in _attested()}
            if len(fits) == 1:
                other = fits.pop()
                proposed.append(((counts[other] + 1) / (counts[syllable] + 1), (i, other)))
        if not proposed:
            proposed = _pair_changes(lower, joined, changed)
        if not proposed:
            break
        # Two neighbours may each be read wrong for the other ("định kỷ": "dân đinh" is a
        # word too): the change to the syllable more used than the one read goes first.
        for i, other in max(proposed, key=lambda p: p[0])[1:]:
            changed[i], lower[i] = other, other
    return _rewritten(normal, matches, sorted(changed.items()))


@functools.cache
def _in_words() -> Counter[str]:
    """How many entries of the word list each syllable is part of."""
    path = _data(WORD_LIST)
    if path is None:
        return Counter()
    return Counter(_SYLLABLE.findall(unicodedata.normalize("NFC", path.read_text(encoding="utf-8")).lower()))


CLEARLY_MORE_USED = 3.0
"""How many times more used the syllable a non-syllable is taken for must be than the next."""


def repair_non_syllables(text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Words that are no Vietnamese syllable ("trong địp nghỉ hè": no syllable is spelled
    địp) replaced by the syllable of the same letters, marks aside, that is clearly the
    most used: in entries of the word list, and ten times over in running text (dịp: 12
    entries and once in the text; díp: 5 and never). A word that is a syllable is never
    touched, so this is safe on correct text; a foreign word or an abbreviation has no
    syllable of its letters ("THPT") and stays."""
    from sohoa.ocr.names import syllables  # the word list's, and those of names (Nguyễn is in no word)

    normal = unicodedata.normalize("NFC", text)
    if not _by_letters():
        return text, ()
    used = lambda s: _in_words()[s] + 10 * _counts()[s]  # noqa: E731
    out, pairs = normal, []
    for m in reversed(list(_SYLLABLE.finditer(normal))):
        low = m.group().lower()
        if low in syllables() or (m.group().isupper() and len(low) <= 4):  # a syllable, or an abbreviation
            continue
        ranked = sorted(((used(s), s) for s in same_letters(low)), reverse=True)
        if (not ranked or ranked[0][0] < 3
                or (len(ranked) > 1 and ranked[0][0] < CLEARLY_MORE_USED * ranked[1][0])):
            continue
        written = _recased(m.group(), ranked[0][1])
        out = out[:m.start()] + written + out[m.end():]
        pairs.append((m.group(), written))
    return out, tuple(reversed(pairs))


_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
"""The five tone marks (huyền, sắc, ngã, hỏi, nặng), as combining marks."""


def tone_mark(word: str) -> str | None:
    """The tone mark ``word`` carries (a combining mark of ``_TONES``), or None."""
    return next((c for c in unicodedata.normalize("NFD", word) if c in _TONES), None)


def toned(word: str) -> bool:
    """Whether ``word`` carries a tone mark: only a Vietnamese syllable does (an
    abbreviation such as HĐND or a foreign word has none)."""
    return tone_mark(word) is not None


def split_glued(text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Two syllables OCR read as one word (``Tưpháp``, ``Giámđốc``, ``ĐA KHOATỈNH``) split
    where that makes two syllables which, together or each with its neighbour, make a
    word of the list or a pair seen in running text, when there is one such place. Only a
    word with a tone mark that is no syllable is split: an abbreviation (UBND) or a
    foreign word (website) has none."""
    from sohoa.ocr.names import syllables

    normal = unicodedata.normalize("NFC", text)
    words = list(_SYLLABLE.finditer(normal))
    lower = [m.group().lower() for m in words]
    out, pairs = normal, []
    for k in reversed(range(len(words))):
        word, low = words[k].group(), lower[k]
        if low in syllables() or not toned(word):
            continue
        left, right = (lower[k - 1] if k else None), (lower[k + 1] if k + 1 < len(words) else None)
        splits = [i for i in range(1, len(low)) if low[:i] in syllables() and low[i:] in syllables()
                  and (_as_written(left, low[:i], low[i:]) or _as_written(low[:i], low[i:], right))]
        if len(splits) != 1:
            continue
        written = f"{word[:splits[0]]} {word[splits[0]:]}"
        out = out[:words[k].start()] + written + out[words[k].end():]
        pairs.append((word, written))
    return out, tuple(reversed(pairs))


USED_TOGETHER = 10
"""How often a pair must be seen side by side in the running text (85,000 pairs: "thông
tin" 89 times, "hệ thống" 141, "tổ chức" 400) to stand against a syllable as read."""
FAR_MORE_USED = 50
"""How many times more often than the syllable as read (seen beside a neighbour at all)
the other pair must be seen: "công dân" 100 times, "công dẫn" once."""


def repair_by_use(text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """One wrong mark that still spells a word ("thông tín phục vụ": tín phục is a word of
    the list; "tô chức"; "nâng cấp hệ thông"), which ``repair`` (one slip, one direction)
    and ``repair_marks`` (only a syllable making no word at all) leave. A syllable as read
    making no word with one of its neighbours takes the one syllable of the same letters
    (marks aside; not the same syllable with its mark placed the old way, Uỷ for Ủy) that
    makes a word of the list with that neighbour seen side by side at least
    ``USED_TOGETHER`` times, and ``FAR_MORE_USED`` times more often than the syllable as
    read is seen beside either neighbour (a common word as read, "có", "để", seen beside
    one at all, stays: it is more likely written so). Each syllable is judged
    with its neighbours as read. On correct text it has not seen (half the VLSP sentences,
    with the pairs of the other half) it changed 2 syllables of 48,226; it runs on every
    page, as one mark misread is as likely on a scan as on a photo."""
    from sohoa.core.text import fold, modern_tones

    normal = unicodedata.normalize("NFC", text)
    matches = list(_SYLLABLE.finditer(normal))
    words, pairs = _words(), _pair_counts()
    if len(matches) < 2 or not words:
        return text, ()
    lower = [m.group().lower() for m in matches]
    joined = [i > 0 and _adjacent(normal, matches[i - 1], matches[i]) for i in range(len(lower))]
    changes: list[tuple[int, str]] = []
    for i, syllable in enumerate(lower):
        left = lower[i - 1] if joined[i] else None
        right = lower[i + 1] if i + 1 < len(lower) and joined[i + 1] else None
        seen = max(pairs[(left, syllable)], pairs[(syllable, right)])
        if seen and _counts()[syllable] > COMMON:
            continue
        fits = {other for other in _by_letters().get(fold(syllable), ())
                if modern_tones(other) != modern_tones(syllable) and any(
                    pairs[pair] >= max(USED_TOGETHER, FAR_MORE_USED * seen) and " ".join(pair) in words
                    and " ".join(as_read) not in words
                    for pair, as_read in (((left, other), (left, syllable)), ((other, right), (syllable, right)))
                    if None not in pair)}
        if len(fits) == 1:
            changes.append((i, fits.pop()))
    return _rewritten(normal, matches, changes)


WRITTEN_MORE = 100
"""How many times more often a syllable of the same letters must be written (``wordfreq``'s
Vietnamese list, from web text, subtitles and Wikipedia) than the syllable as read, for
the one read to be doubted: "nghèo" is written at 4.8 on its Zipf scale, "nghẻo" never;
"chống" 5.6, "chong" 3.6."""


@functools.cache
def _written(syllable: str) -> float:
    """How often the syllable is written, its mark placed either way (hoè, hòe)."""
    import wordfreq

    from sohoa.core.text import modern_tones

    return sum(wordfreq.word_frequency(spelled, "vi") for spelled in {syllable, modern_tones(syllable)})


def rarely_written(text: str) -> list[tuple[str, str]]:
    """The syllables of ``text`` that make no word of the list with either neighbour and
    are written far less often (``WRITTEN_MORE`` times) than a syllable of the same letters,
    marks aside, with that syllable: ("nghẻo", "nghèo") in "hộ nghẻo", ("chong", "chống")
    in "phòng, chong dịch". It names a doubt, and repairs nothing: the likelier syllable
    is often not the one printed ("hệ thong" was hệ thống, not thông). Of the 86,996
    syllables of the VLSP running text (correct text) it doubts 23 (0.03%: "rà", "giỏ";
    some of them the text's own typing slips, "dều")."""
    from sohoa.core.text import fold, modern_tones

    normal = unicodedata.normalize("NFC", text)
    lower = [m.group().lower() for m in _SYLLABLE.finditer(normal)]
    doubted = []
    for i, syllable in enumerate(lower):
        left, right = lower[i - 1] if i else None, lower[i + 1] if i + 1 < len(lower) else None
        if _makes_word(left, syllable, right):
            continue
        others = [o for o in _by_letters().get(fold(syllable), ()) if modern_tones(o) != modern_tones(syllable)]
        likelier = max(others, key=_written, default=None)
        if likelier and _written(likelier) >= WRITTEN_MORE * max(_written(syllable), 1e-9):
            doubted.append((syllable, likelier))
    return doubted
