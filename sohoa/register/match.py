"""Reconciliation: which archived record is which register entry.

Each record is tried against the register by steps, strictest first:

1. a person's decision: a confirmed pair always holds, a rejected pair is never proposed;
2. ``exact``: same agency, number and issue date. An agency is who it is
   (``sohoa.core.agencies``: the kind of body and its unit, however the name is written),
   the issuer as printed or its successor;
3. ``number_ocr``: the same, once the letters and digits OCR confuses (O/0, I/l/1, S/5,
   B/8, Z/2, G/6) are folded alike on both sides;
4. ``agency_ocr``: same number and date, an agency whose unit's name is one letter off (a
   few letters off with the same holder): a name misread;
5. ``number_holder``: the number one character off, same agency, date and holder;
6. ``date_ocr``: same agency and number in the same year, the date one character off or
   its day and month swapped (numbers restart every year, so agency + number + year is
   one result);
7. ``holder_date``: no number read, same agency, date and holder.

A step decides when it finds exactly one entry. Several at a step, or only a weaker clue
(no date, a number off without a holder to confirm it), give matches that **wait for a
person** (state ``waiting``) and count for nothing until one confirms them. The tolerant
steps never pair a record with an entry whose holder is plainly someone else.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein
from rapidfuzz.fuzz import ratio

from sohoa.core.agencies import unit_names

AUTO, CONFIRMED, WAITING = "auto", "confirmed", "waiting"
AGENCY_SIMILARITY = 88.0
"""rapidfuzz ratio (0-100) above which two agency names are taken for one misread."""
HOLDER_SIMILARITY = 80.0
"""The same for holders' names (read less well than agencies: one name in ten has a slip)."""
SAME_HOLDER = 88.0
"""Above it, two holders' names are one person's (what confirms a tolerant match)."""
MAX_WAITING = 5
"""More candidates than this at a step are no clue at all: the record stays unmatched."""
RETURN_DAYS = 60
"""A result is returned on the day it is issued or within this many days after it (a
register that gives only the return date is matched inside that window)."""

_OCR_FOLD = str.maketrans({"O": "0", "Q": "0", "I": "1", "L": "1", "|": "1", "S": "5", "B": "8", "Z": "2",
                           "G": "6"})


def ocr_fold(key: str) -> str:
    """A number key with the characters OCR confuses written alike."""
    return key.upper().translate(_OCR_FOLD)


@dataclass(frozen=True)
class EntryKeys:
    id: int
    agency_key: str
    """Who the agency is (``sohoa.core.agencies.Agency.key``: its keys, ``|`` between them)."""
    agency_name: str
    """Its kind and unit's name, folded (``Agency.short``): what a misread is compared on."""
    number_key: str | None
    issued: str
    holder_key: str | None
    returned: bool = False
    """``issued`` is the day the result was returned (the register gives no issue date)."""
    agency_words: str = ""
    """The agency's name as written, folded, abbreviations written out (``agencies.words``):
    a misread is compared on it too, as it was printed."""

    @property
    def agencies(self) -> tuple[str, ...]:
        return tuple(self.agency_key.split("|"))


@dataclass(frozen=True)
class RecordKeys:
    sha256: str
    agency_key: str | None
    successor_key: str | None
    agency_name: str | None
    number_key: str | None
    issued: str | None
    holder_key: str | None
    agency_words: str = ""


Step = tuple[list[EntryKeys], str, float, "bool | Callable[[EntryKeys], bool]"]
"""What a step found: candidates, the reason, the score of a match it makes, and whether
the step is strong enough to decide alone on a single candidate (for all its candidates,
or those a test picks)."""


@dataclass(frozen=True)
class Match:
    entry_id: int
    sha256: str
    state: str
    """``auto``, ``confirmed`` (by a person) or ``waiting`` (for one)."""
    reason: str
    score: float


def _one_char_off(a: str, b: str) -> bool:
    return Levenshtein.distance(a, b, score_cutoff=1) == 1


def _forms(e: EntryKeys, r: RecordKeys) -> list[tuple[str, str]]:
    """The two sides' names to compare, form with form: who each is (``Agency.short``) and
    how each was written (``agency_words``)."""
    return [(a, b) for a, b in ((e.agency_name, r.agency_name), (e.agency_words, r.agency_words)) if a and b]


def _agency_near(e: EntryKeys, r: RecordKeys) -> bool:
    """Two agencies' names one letter apart: one name misread."""
    return any(Levenshtein.distance(a, b, score_cutoff=1) <= 1 for a, b in _forms(e, r))


def _units(*keys: str | None) -> set[str]:
    """The gazetteer units of agency keys (``ubnd@Lc:10654`` -> ``Lc:10654``); none for a
    body placed nowhere (``…@?``)."""
    return {k.partition("@")[2] for key in keys if key for k in key.split("|") if "@?" not in k and "@" in k}


def _guessed(key: str | None) -> bool:
    """Whether an agency key carries a name's words beside its units (``ubnd@?tan an``:
    ``Agency.bare``), its units being a guess."""
    return any("@?" in k and not k.endswith("@?") for k in (key or "").split("|")) and "@" in (key or "").replace(
        "@?", "")


def _other_body(e: EntryKeys, r: RecordKeys) -> bool:
    """Namesakes: both sides placed, in no common unit, by one name (``UBND xã Hồng Phong``
    of Nam Sách and of Ninh Giang; ``UBND huyện Nam Sách`` and ``thị trấn Nam Sách``). Two
    bodies however alike the number and the day, never matched, whatever the step. Places
    of two names (``Đồng Tiến`` printed, ``Đông Tiến`` read) may be one name misread: the
    tolerant steps decide, as where one side could not be placed."""
    if _guessed(e.agency_key) or _guessed(r.agency_key):
        return False  # "UBND Tân An": a bare name's unit is a guess at one level, not a place
    theirs, mine = _units(e.agency_key), _units(r.agency_key, r.successor_key)
    old_theirs, old_mine = {u for u in theirs if u[0] == "L"}, {u for u in mine if u[0] == "L"}
    if old_theirs and old_mine:  # two legacy communes merged into one in 2025 were two bodies before it
        theirs, mine = old_theirs, old_mine
    if not (theirs and mine) or theirs & mine:
        return False
    return bool(unit_names(theirs) & unit_names(mine))


def _agency_close(e: EntryKeys, r: RecordKeys) -> bool:
    """Two names a few letters apart: one name misread (a line cut short, letters lost), or
    two neighbouring communes ("xa tan an", "xa tan ha"); only a holder tells which."""
    return _agency_near(e, r) or any(ratio(a, b) >= AGENCY_SIMILARITY for a, b in _forms(e, r))


def _same_holder(e: EntryKeys, r: RecordKeys) -> bool:
    """Both name a holder, and the same one (a letter or two apart at most)."""
    return bool(e.holder_key and r.holder_key) and ratio(e.holder_key, r.holder_key) >= SAME_HOLDER  # type: ignore[arg-type]


def _holders_agree(e: EntryKeys, r: RecordKeys) -> bool:
    """No two different holders: either side unknown, or the names a misread apart."""
    return not (e.holder_key and r.holder_key) or ratio(e.holder_key, r.holder_key) >= HOLDER_SIMILARITY


def _date_slip(a: str, b: str) -> bool:
    """Two ISO dates a misread apart: one character, or day and month swapped."""
    if _one_char_off(a, b):
        return True
    try:
        x, y = dt.date.fromisoformat(a), dt.date.fromisoformat(b)
    except ValueError:
        return False
    return (x.year, x.month, x.day) == (y.year, y.day, y.month)


class Matcher:
    """The register's entries, indexed for each step."""

    def __init__(self, entries: Iterable[EntryKeys]) -> None:
        self.exact: dict[tuple, list[EntryKeys]] = defaultdict(list)
        self.folded: dict[tuple, list[EntryKeys]] = defaultdict(list)
        self.by_number_date: dict[tuple, list[EntryKeys]] = defaultdict(list)
        self.by_agency_number: dict[tuple, list[EntryKeys]] = defaultdict(list)
        self.by_agency_date: dict[tuple, list[EntryKeys]] = defaultdict(list)
        self.by_date: dict[str, list[EntryKeys]] = defaultdict(list)
        for e in entries:
            self.by_date[e.issued].append(e)
            if e.number_key:
                self.by_number_date[(e.number_key, e.issued)].append(e)
            for agency in e.agencies:  # under each unit it may be
                self.by_agency_date[(agency, e.issued)].append(e)
                if e.number_key:
                    self.exact[(agency, e.number_key, e.issued)].append(e)
                    self.folded[(agency, ocr_fold(e.number_key), e.issued)].append(e)
                    self.by_agency_number[(agency, e.number_key)].append(e)

    def match(self, r: RecordKeys, decided: dict[int, str] | None = None) -> list[Match]:
        """The matches of one record; ``decided``: entry id -> ``confirm``/``reject`` for this record.
        Once a person has rejected a match of the record, what is found next waits for them."""
        decided = decided or {}
        confirmed = [Match(e, r.sha256, CONFIRMED, "person", 1.0) for e, d in decided.items() if d == "confirm"]
        if confirmed:
            return confirmed
        rejected = {e for e, d in decided.items() if d == "reject"}
        fallback: list[Match] = []
        steps: tuple[Callable[[RecordKeys], Step | None], ...] = (
            self._exact, self._returned, self._number_ocr, self._agency_ocr, self._number_holder, self._date_ocr,
            self._holder_date)
        for step in steps:
            found = step(r)
            if found is None:
                continue
            candidates, reason, score, sure = found
            candidates = list({e.id: e for e in candidates if e.id not in rejected and not _other_body(e, r)}.values())
            if not candidates or len(candidates) > MAX_WAITING:
                continue
            strong = [e for e in candidates if sure(e)] if callable(sure) else candidates if sure else []
            if len(strong) == 1 and not rejected:
                return [Match(strong[0].id, r.sha256, AUTO, reason, score)]
            waiting = [Match(e.id, r.sha256, WAITING, reason, min(score, 0.6)) for e in candidates]
            if len(strong) > 1:
                return waiting  # several at a strong step: a weaker one must not pick among them
            fallback = fallback or waiting
        return fallback

    def _agencies(self, r: RecordKeys) -> list[str]:
        return list(dict.fromkeys(k for a in (r.agency_key, r.successor_key) if a for k in a.split("|")))

    def _exact(self, r: RecordKeys) -> Step | None:
        if not (r.number_key and r.issued):
            return None
        found = [e for a in self._agencies(r) for e in self.exact.get((a, r.number_key, r.issued), ())]
        return (found, "exact", 1.0, True) if found else None

    def _returned(self, r: RecordKeys) -> Step | None:
        """An entry dated the day its result was returned: the same agency and number,
        returned on the day the result was issued or within ``RETURN_DAYS`` after it."""
        if not (r.number_key and r.issued):
            return None
        issued = dt.date.fromisoformat(r.issued)
        found = [e for a in self._agencies(r) for e in self.by_agency_number.get((a, r.number_key), ())
                 if e.returned and 0 <= (dt.date.fromisoformat(e.issued) - issued).days <= RETURN_DAYS
                 and _holders_agree(e, r)]
        return (found, "returned", 0.95, True) if found else None

    def _number_ocr(self, r: RecordKeys) -> Step | None:
        if not (r.number_key and r.issued):
            return None
        key = ocr_fold(r.number_key)
        found = [e for a in self._agencies(r) for e in self.folded.get((a, key, r.issued), ())
                 if _holders_agree(e, r)]
        return (found, "number_ocr", 0.95, True) if found else None

    def _agency_ocr(self, r: RecordKeys) -> Step | None:
        if not (r.number_key and r.issued and r.agency_name):
            return None
        found = [e for e in self.by_number_date.get((r.number_key, r.issued), ())
                 if _agency_close(e, r) and _holders_agree(e, r)]
        # Decided by a name one letter off, or by the holder; a neighbouring commune alone waits.
        return (found, "agency_ocr", 0.9,
                lambda e: _agency_near(e, r) or _same_holder(e, r)) if found else None

    def _number_holder(self, r: RecordKeys) -> Step | None:
        if not (r.number_key and r.issued):
            return None
        day = [e for a in self._agencies(r) for e in self.by_agency_date.get((a, r.issued), ())
               if e.number_key and _one_char_off(ocr_fold(e.number_key), ocr_fold(r.number_key))]
        if not day:
            return None
        with_holder = [e for e in day if _same_holder(e, r)]
        if with_holder:
            return (with_holder, "number_holder", 0.85, True)
        return ([e for e in day if _holders_agree(e, r)], "number_near", 0.5, False)

    def _date_ocr(self, r: RecordKeys) -> Step | None:
        if not r.number_key:
            return None
        same = [e for a in self._agencies(r) for e in self.by_agency_number.get((a, r.number_key), ())
                if _holders_agree(e, r)]
        if not same:
            return None
        if not r.issued:  # numbers restart every year: only the holder can tell which year
            with_holder = [e for e in same if _same_holder(e, r)]
            if with_holder:
                return (with_holder, "no_date_holder", 0.85, True)
            return (same, "no_date", 0.6, False)
        # A year misread is told from an older result of the same number by the holder only.
        slipped = [e for e in same if _date_slip(e.issued, r.issued)
                   and (e.issued[:4] == r.issued[:4] or _same_holder(e, r))]
        if slipped:
            return (slipped, "date_ocr", 0.9, True)
        that_year = [e for e in same if e.issued[:4] == r.issued[:4]]
        return (that_year, "date_near", 0.5, False) if that_year else None

    def _holder_date(self, r: RecordKeys) -> Step | None:
        if not (r.issued and r.agency_name):
            return None
        mine = set(self._agencies(r))
        day = [e for e in self.by_date.get(r.issued, ())
               if mine & set(e.agencies) or _agency_close(e, r)]
        if r.holder_key:
            found = [e for e in day if _same_holder(e, r) and (
                not r.number_key or not e.number_key
                or Levenshtein.distance(ocr_fold(e.number_key), ocr_fold(r.number_key), score_cutoff=2) <= 2)]
            if found:
                return (found, "holder_date", 0.85, True)
        if r.number_key:
            return None
        return ([e for e in day if _holders_agree(e, r)], "agency_date", 0.5, False)


def reconcile(entries: Iterable[EntryKeys], records: Iterable[RecordKeys],
              decisions: dict[tuple[int, str], str]) -> list[Match]:
    """Every match of every record; decisions ``(entry id, sha256) -> confirm|reject``."""
    matcher = Matcher(entries)
    by_record: dict[str, dict[int, str]] = defaultdict(dict)
    for (entry_id, sha), decision in decisions.items():
        by_record[sha][entry_id] = decision
    out: list[Match] = []
    for r in records:
        out.extend(matcher.match(r, by_record.get(r.sha256)))
    return out
