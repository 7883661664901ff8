"""Who an agency is, however its name is written: the kind of body and the administrative
unit it belongs to.

A result's issuer is printed one way (``ỦY BAN NHÂN DÂN XÃ TRÀ HIỆP`` under ``HUYỆN TRÀ
BỒNG, TỈNH QUẢNG NGÃI``), a register names the same body another (``UBND xã Trà Hiệp``,
``Ủy ban nhân dân xã Trà Hiệp, huyện Trà Bồng``, ``ỦY BAN NHÂN DÂN XÃ TRÀ HIỆP - HUYỆN TRÀ
BỒNG, TỈNH QUẢNG NGÃI``), a district office ``Phòng Tài chính - Kế hoạch huyện Bình Gia``,
a province's department ``Sở GD&ĐT``. ``resolve`` reads any of them into an
:class:`Agency`:

- **the kind of body** (``ubnd``, ``hdnd``, ``so:xay dung``, ``phong:tai chinh ke hoach``
  …), through case, diacritics or none, abbreviations (``UBND``, ``HĐND``, ``TP.``,
  ``TX.``, ``TT.``, ``Q.``, ``H.``, ``P.``, ``GD&ĐT``, ``TC-KH``) and a one-stop desk
  named before it (``Bộ phận Một cửa UBND xã …``);
- **the unit**, as gazetteer keys (``sohoa.core.gazetteer.Unit.key``): every unit its
  name could be at its level, narrowed by the parents given (before or after it, after a
  comma, a dash or a line), by the province a whole register or archive is about, and by
  its accents when it has them; a legacy unit with the one that took it over on 1 July 2025.

Two names are one agency when they share a kind and a unit key (``Agency.same``). A name
whose unit is not found keeps its words (``name:…``), so it still matches itself.
The words are data: ``agencies.toml`` beside this module.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from sohoa.core import gazetteer
from sohoa.core.text import clean, index_form, search_form

LEXICON = Path(__file__).with_name("agencies.toml")


@functools.cache
def _lexicon() -> dict:
    with LEXICON.open("rb") as fh:
        return tomllib.load(fh)


@dataclass(frozen=True)
class Agency:
    """Who a name means."""

    kind: str
    """The body: ``ubnd``, ``hdnd``, ``so:<sector>``, ``phong:<sector>``…; ``name:<words>``
    when the name opens with no body sohoa knows."""
    units: frozenset[str]
    """The gazetteer keys of every unit the name may belong to (empty: none found)."""
    unit_words: str | None
    """The unit as named, folded (None when no unit was named)."""
    label: str
    """How a person reads it: the body and the unit, with the unit's district and province."""
    bare: bool = False
    """The unit was named without its kind (``UBND Yên Dũng``): it may be a unit the
    gazetteer lacks at another level (a district merged away before 2025), so the name's
    words are a key too."""

    @property
    def keys(self) -> tuple[str, ...]:
        """The strings two agencies are matched on: one per unit it may be. A body named
        without its unit (``Phòng Tài chính - Kế hoạch``) is ``<kind>@?``, which a name
        with its unit also answers to (``any_unit``)."""
        if self.units:
            words = (f"{self.kind}@?{self.unit_words}",) if self.bare and self.unit_words else ()
            return (*(f"{self.kind}@{u}" for u in sorted(self.units)), *words)
        return (f"{self.kind}@?{self.unit_words or ''}",)

    @property
    def any_unit(self) -> str:
        """The key of this kind of body named without a unit: what a register that names
        only ``Phòng Tài chính - Kế hoạch`` gives (a match on it alone never decides
        between two districts: their number and date must)."""
        return f"{self.kind}@?"

    @property
    def key(self) -> str:
        """All of ``keys`` in one string, as stored (``|`` between them)."""
        return "|".join(self.keys)

    @property
    def short(self) -> str:
        """The body in full and the unit's name, folded (``uy ban nhan dan tra hiep``): what a
        name a letter or two off (a misread) is compared on, whichever way each was written."""
        head, _, sector = self.kind.partition(":")
        body = HEAD_WORDS.get(head, head.removeprefix("name"))
        return " ".join(f"{body} {sector} {self.unit_words or ''}".split())

    @property
    def resolved(self) -> bool:
        """Found as exactly one place (a legacy unit together with its successor counts once)."""
        return bool(self.units) and len({u for u in self.units if u.startswith("L")} or self.units) == 1

    @property
    def ambiguous(self) -> bool:
        return len({u for u in self.units if u.startswith("L")} or self.units) > 1

    def same(self, other: Agency) -> bool:
        return bool(set(self.keys) & set(other.keys))


# ---------------------------------------------------------------- the gazetteer, indexed

@functools.cache
def _units_by_name() -> dict[tuple[str, str], tuple[gazetteer.Unit, ...]]:
    """(level, folded name without spaces) -> the units of that level so named, legacy and new."""
    out: dict[tuple[str, str], list[gazetteer.Unit]] = {}
    pools = (gazetteer.legacy_provinces().values(), gazetteer.new_provinces().values(), gazetteer.legacy_districts(),
             gazetteer.legacy_communes(), gazetteer.new_communes())
    for pool in pools:
        for unit in pool:
            if not isinstance(unit.name, str):  # island districts' empty commune lists read as NaN
                continue
            name = unit.name
            out.setdefault((unit.level, gazetteer.key(name)), []).append(unit)
            if name[:1].isdigit():  # "Phường 05" is also "Phường 5"
                out.setdefault((unit.level, str(int(re.sub(r"\D", "", name) or 0))), []).append(unit)
    return {k: tuple(v) for k, v in out.items()}


@functools.cache
def _units_by_key() -> dict[str, gazetteer.Unit]:
    return {u.key: u for units in _units_by_name().values() for u in units}


def unit_names(units: Iterable[str]) -> frozenset[str]:
    """The accented names of gazetteer units by their keys (``Lc:07234`` -> ``Hồng Phong``):
    two places of one name are namesakes, two of two names may be one name misread."""
    by_key = _units_by_key()
    return frozenset(by_key[u].name for u in units if u in by_key)


def own_keys(key: str) -> frozenset[str]:
    """The parts of a stored ``Agency.key`` that name the agency's own unit, without those
    it answers to only as a successor's (``UBND tỉnh Bắc Giang`` is ``ubnd@Lp:24``; the
    ``ubnd@Np:24`` of Bắc Ninh, which took it over, is not its own): what a user limited to
    an agency is scoped on, so that a merged neighbour's results stay out of sight."""
    parts = set(key.split("|"))
    units = _units_by_key()
    inherited = set()
    for part in parts:
        kind, _, unit_key = part.partition("@")
        unit = units.get(unit_key)
        later = gazetteer.successor(unit) if unit is not None else None
        if later is not None and gazetteer.key(later.name) != gazetteer.key(unit.name):
            inherited.add(f"{kind}@{later.key}")
    return frozenset(parts - inherited)


def province_of(agency: Agency) -> str | None:
    """The province every unit the agency may be lies in, or None."""
    provinces = {_units_by_key()[u].province for u in agency.units if u in _units_by_key()}
    return next(iter(provinces)) if len(provinces) == 1 else None


def level_of(agency: Agency) -> str | None:
    """The level of the agency's unit (a department of a province is the province's; a
    district's office the district's), or None."""
    levels = {_units_by_key()[u].level for u in agency.units if u in _units_by_key()}
    return next(iter(levels)) if len(levels) == 1 else None


def province_hint(found: list[Agency], share: float = 0.5) -> str | None:
    """The province most of ``found`` lie in (at least ``share`` of those placed): what a
    register or an archive is about."""
    from collections import Counter

    provinces = Counter(p for p in map(province_of, found) if p)
    if not provinces:
        return None
    name, count = provinces.most_common(1)[0]
    return name if count >= share * sum(provinces.values()) else None


@functools.cache
def _city_keys() -> frozenset[str]:
    return frozenset(gazetteer.key(name) for name in gazetteer.city_names())


# ---------------------------------------------------------------- reading a name

_SEPARATORS = re.compile(r"\s*(?:[,;\n\r|]|\s[-–—]\s|\s[-–—](?=\S)|(?<=\S)[-–—]\s)\s*")
_DOTTED = re.compile(r"\b(tp|tx|tt|q|h|p|x|t)\.\s*(?=\w)")


_ALWAYS = ("ubnd", "hdnd", "tp", "tx", "vp", "bql", "vpdkdd", "ttpvhcc", "cn")
"""Abbreviations written out wherever they stand; the others (``H.``, ``Q.``…) only with their dot."""


def _words(text: str) -> str:
    """A name's words as compared: folded, lower-case, ``&`` apart, abbreviations written out."""
    folded = search_form(clean(text))
    folded = _DOTTED.sub(lambda m: m.group(1) + "§ ", folded)  # a dotted abbreviation is a unit word
    folded = re.sub(r"\s*&\s*", " & ", folded)
    folded = re.sub(r"[\"'()\[\]:.]", " ", folded)
    abbreviations = _lexicon()["abbreviations"]
    out = []
    for word in folded.split():
        dotted = word.endswith("§")
        bare = word.rstrip("§")
        if bare in _ALWAYS or (dotted and bare in abbreviations):
            out.append(abbreviations[bare])
        else:
            out.append(bare)
    return " ".join(out)


@functools.lru_cache(maxsize=20000)
def words(name: str) -> str:
    """A name as written, folded, with its abbreviations written out (``UBND TỈNH NGHỆ
    AN`` -> ``uy ban nhan dan tinh nghe an``): what a misread of it is compared on."""
    return " ".join(_words(name).replace("&", " ").split())


def _segments(text: str) -> list[str]:
    """The parts of a name: the body, and its parents after a comma, a line or a dash
    (a dash inside a sector's name, "Tài chính - Kế hoạch", stays)."""
    raw = [p for p in _SEPARATORS.split(clean(text)) if p and p.strip()]
    parts: list[str] = []
    for part in raw:
        words = _words(part)
        if parts and not (_starts_with_unit(words) or _body_of(words)[0] or _is_place_name(words)):
            parts[-1] = f"{parts[-1]} {part}"  # "Tài chính" - "Kế hoạch": one name
        else:
            parts.append(part)
    return parts


def _starts_with_unit(words: str) -> bool:
    return any(words == u or words.startswith(u + " ") for u in _lexicon()["units"])


def _is_place_name(words: str) -> bool:
    squeezed = words.replace(" ", "")
    return any((level, squeezed) in _units_by_name() for level in ("province",))


def _body_of(words: str) -> tuple[str | None, str]:
    """The kind of body a name opens with (the longest head), and the words after it; a
    one-stop desk before the body is passed over."""
    lex = _lexicon()
    for title in sorted(lex["titles"], key=len, reverse=True):  # "Chủ tịch UBND xã …": the council
        if words.startswith(title + " ") and _body_of(words[len(title) + 1:])[0]:
            return _body_of(words[len(title) + 1:])
    for desk in sorted(lex["desks"], key=len, reverse=True):
        if words.startswith(desk + " "):
            rest = words[len(desk) + 1:]
            if _body_of(rest)[0]:
                words = rest
                break
            return "ubnd", rest  # "Một cửa xã Tân An": the council's desk
    for head in sorted(lex["bodies"], key=len, reverse=True):
        if words == head or words.startswith(head + " "):
            return lex["bodies"][head], words[len(head):].strip()
    # A long head OCR misread a letter or two of ("uy bai nhan dan", "uy ban nhal dan").
    parts = words.split()
    for head in sorted(lex["bodies"], key=len, reverse=True):
        size = len(head.split())
        if size >= 3 and len(parts) > size and Levenshtein.distance(" ".join(parts[:size]), head,
                                                                    score_cutoff=2) <= 2:
            return lex["bodies"][head], " ".join(parts[size:])
    return None, words


def _unit_pattern() -> re.Pattern[str]:
    words = sorted(_lexicon()["units"], key=len, reverse=True)
    alternatives = "|".join(re.escape(w) for w in words)
    return re.compile(rf"(?:^|\s)({alternatives})\s+(.+?)(?=\s+(?:{alternatives})\s|$)")


@dataclass(frozen=True)
class _Mention:
    word: str
    """The unit's kind as written (``xa``, ``huyen``…), or "" for a bare name."""
    name: str
    """Its name, folded."""
    accented: str
    """Its name as written (for the accents)."""


def _mentions(words: str, original: str) -> tuple[str, list[_Mention]]:
    """The words before the first unit, and every unit named in ``words``."""
    pattern = _unit_pattern()
    found = []
    first = len(words)
    said = [index_form(t).strip(",.;:-") for t in clean(original).split()]
    accented = search_form(clean(original)) != index_form(clean(original))
    for match in pattern.finditer(words):
        word, name = match.group(1), match.group(2).strip()
        phrase = f"{word} {name}".split()
        if any(phrase[:len(np.split())] == np.split() for np in _lexicon()["not_places"]):
            continue
        if accented and not _written_as_unit(word, said):  # "Xà Hồ", "Phượng Nghi": names, not "xã", "phường"
            continue
        first = min(first, match.start(1))
        found.append(_Mention(word, name, _accented_name(original, name)))
    return words[:first].strip(), found


UNIT_WORDS_ACCENTED = {"thanh pho": "thành phố", "thi xa": "thị xã", "thi tran": "thị trấn", "tinh": "tỉnh",
                       "huyen": "huyện", "quan": "quận", "xa": "xã", "phuong": "phường", "dac khu": "đặc khu"}


def _written_as_unit(word: str, said: list[str]) -> bool:
    """Whether a text with accents writes ``word`` (folded) as the unit word somewhere, not
    as a name that folds alike (``Xà``, ``Phượng``, ``Quản``)."""
    accented = UNIT_WORDS_ACCENTED.get(word, word).split()
    size = len(accented)
    if any(said[i:i + size] == accented for i in range(len(said) - size + 1)):
        return True
    abbreviations = {v: k for k, v in _lexicon()["abbreviations"].items()}
    if abbreviations.get(word) in {t.rstrip(".") for t in said}:  # "P. Phượng Nghi", "TP. Bắc Giang"
        return True
    # In a text with accents, "Quan Hóa" is a name: the unit word would be written "Quận".
    return " ".join(accented) == word


def _accented_name(original: str, folded_name: str) -> str:
    """The words of ``original`` that fold to ``folded_name`` (its accents, if it had any)."""
    tokens = clean(original).split()
    size = len(folded_name.split())
    folded_tokens = [search_form(t).strip(",.;:-") for t in tokens]
    target = folded_name.split()
    for i in range(len(tokens) - size + 1):
        if folded_tokens[i:i + size] == target:
            return " ".join(t.strip(",.;:-") for t in tokens[i:i + size])
    return folded_name


def _levels(word: str, name: str) -> tuple[str, ...]:
    level = _lexicon()["units"].get(word)
    if level == "province_or_district":
        return ("province",) if name.replace(" ", "") in _city_keys() else ("district",)
    if level:
        return (level,)
    return ("province", "district", "commune")  # a bare name: any level, the widest first


def _candidates(mention: _Mention) -> list[gazetteer.Unit]:
    """The units a mention may be: at its level; a bare name (``UBND Yên Dũng``) at the
    widest level that has one so named (and its words are a key too: ``Agency.bare``)."""
    for level in _levels(mention.word, mention.name):
        units = _at(level, mention)
        if units:
            return units
    return []


def _at(level: str, mention: _Mention) -> list[gazetteer.Unit]:
    """The units of ``level`` so named (of those, the ones whose accents agree, if it had any)."""
    name = mention.name.replace(" ", "")
    units = list(_units_by_name().get((level, name), ()))
    if not units and name.isdigit():
        units = list(_units_by_name().get((level, str(int(name))), ()))
    accented = index_form(mention.accented)
    if units and search_form(mention.accented) != accented:  # it had accents: they must agree
        units = [u for u in units if index_form(u.name) == accented] or units
    return units


def _narrow(units: list[gazetteer.Unit], parents: list[_Mention], province: str | None) -> list[gazetteer.Unit]:
    """The units that agree with the parents named (a commune's district or province, a
    district's province), then with the province a register or archive is about."""
    for parent in parents:
        levels = _levels(parent.word, parent.name)
        key = parent.name.replace(" ", "")
        kept = [u for u in units if ("province" in levels and gazetteer.key(u.province) == key)
                or ("district" in levels and u.district is not None and gazetteer.key(u.district) == key)]
        if kept:
            units = kept
    if province:
        kept = [u for u in units if gazetteer.key(u.province) == gazetteer.key(province)]
        if kept:
            units = kept
    return units


def _bare_place(words: str) -> tuple[str, str | None]:
    """``words`` without a province's or a district's name at their end, and that name
    (``xay dung phu tho`` -> ``xay dung``, ``phu tho``; ``tc kh luc nam`` -> ``tc kh``,
    ``luc nam``)."""
    parts = words.split()
    for level in ("province", "district"):
        for size in (3, 2, 1):
            if len(parts) > size and (level, "".join(parts[-size:])) in _units_by_name():
                return " ".join(parts[:-size]), " ".join(parts[-size:])
    sectors = _lexicon()["sectors"]

    def letters(tokens: list[str]) -> str:
        return re.sub(r"[^a-z]", "", "".join(tokens))

    if letters(parts) in sectors:
        return words, None
    for size in range(len(parts) - 2, 0, -1):  # "tc-kh yen dung": a known sector, then a place the gazetteer lacks
        rest = parts[size:]
        if letters(parts[:size]) in sectors and len(rest) <= 3 and all(w.isalpha() for w in rest):
            return " ".join(parts[:size]), " ".join(rest)
    return words, None


def _sector(kind: str, words: str) -> str:
    """A department's sector as compared: its words without fillers, abbreviations written out."""
    lex = _lexicon()
    words = words.strip(" -&")
    letters = re.sub(r"[^a-z]", "", words)
    if letters in lex["sectors"] and (len(words.split()) <= 2 or "&" in words or "-" in words):
        return lex["sectors"][letters]
    parts = [w for w in re.split(r"[\s&,\-]+", words) if w and w not in lex["sector_filler"]]
    joined = "".join(parts)
    if joined in lex["sectors"]:
        return lex["sectors"][joined]
    return " ".join(parts)


@functools.lru_cache(maxsize=20000)
def resolve(name: str, parent: str | None = None, province: str | None = None) -> Agency:
    """Who ``name`` (with the ``parent`` printed above it, if any) means; ``province``: the
    province the register or archive is about, which settles a unit named in several.

    Of several bodies named (``UBND tỉnh Hải Dương - Sở Y tế``, or an issuer and its parent
    body), the department is the agency and the council its parent; every other unit named
    is a parent that narrows which unit the agency's is."""
    lex = _lexicon()
    with_sector = set(lex["with_sector"])
    bodies: list[tuple[str, str, list[_Mention], str]] = []
    loose: list[_Mention] = []
    first_words = ""
    for segment in _segments(name) + (_segments(parent) if parent else []):
        words = _words(segment)
        first_words = first_words or words
        head, rest = _body_of(words)
        if head is None and _starts_with_unit(words):
            head, rest = "ubnd", words  # "Xã Trà Hiệp" alone: its council
        before, mentions = _mentions(rest if head else words, segment)
        if head:
            if before and not mentions and head not in with_sector:  # "UBND Bắc Giang": a bare unit
                mentions, before = [_Mention("", before, _accented_name(segment, before))], ""
            elif before and not mentions:  # "Sở Xây dựng Phú Thọ": a bare place after the sector
                before, place = _bare_place(before)
                if place:  # a province's department, a district's office: the place is at that level
                    word = {"so": "tinh", "phong": "huyen"}.get(head, "")
                    mentions = [_Mention(word, place, _accented_name(segment, place))]
            bodies.append((head, before, mentions, segment))
        elif mentions:
            loose.extend(mentions)
        elif words:
            loose.append(_Mention("", words, _accented_name(segment, words)))  # "Quảng Ngãi": a bare place
    if not bodies:
        return Agency(f"name:{' '.join(first_words.split())}", frozenset(), None, " ".join(clean(name).split()))
    departments = [b for b in bodies if b[0] in with_sector]
    chosen = departments[-1] if departments else min(bodies, key=_narrowest)
    head, before, mentions, _ = chosen
    kind = f"{head}:{_sector(head, before)}" if head in with_sector and before else head
    unit_mentions = mentions[:1]
    parents = [*mentions[1:], *(m for b in bodies if b is not chosen for m in b[2]), *loose]
    if not unit_mentions and parents and head in with_sector | {"congan", "thanhtra", "khobac", "bhxh"}:
        unit_mentions, parents = parents[:1], parents[1:]  # a department's unit is its parent body's
    if not unit_mentions:
        if province and head in ("so", "ubnd", "hdnd"):  # "Sở Xây dựng": its province's
            unit_mentions = [_Mention("tinh", search_form(province), province)]
        else:
            return Agency(kind, frozenset(), None, " ".join(clean(name).split()))
    units = _narrow(_candidates(unit_mentions[0]), parents, province)
    keys = set()
    for unit in units:
        keys.add(unit.key)
        later = gazetteer.successor(unit)
        if later is not None:
            keys.add(later.key)
    only = units[0] if len({u.key for u in units if u.legacy} or {u.key for u in units}) == 1 else None
    label = _label(kind, only, chosen[3], unit_mentions[0]) if only else " ".join(clean(name).split())
    return Agency(kind, frozenset(keys), unit_mentions[0].name, label, bare=not unit_mentions[0].word)


_LEVEL_ORDER = {"commune": 0, "district": 1, "province": 2}


def _narrowest(body: tuple[str, str, list[_Mention], str]) -> int:
    """Of two councils named (``UBND huyện Trà Bồng`` over ``UBND xã Trà Hiệp``), the one
    of the narrower unit is the agency, the other its parent."""
    mentions = body[2]
    if not mentions or not mentions[0].word:
        return 3
    levels = _levels(mentions[0].word, mentions[0].name)
    return min(_LEVEL_ORDER.get(level, 3) for level in levels)


BODY_NAMES = {"ubnd": "Ủy ban nhân dân", "hdnd": "Hội đồng nhân dân"}
HEAD_WORDS = {"ubnd": "uy ban nhan dan", "hdnd": "hoi dong nhan dan", "so": "so", "phong": "phong",
              "chicuc": "chi cuc", "cuc": "cuc", "congan": "cong an", "trungtam": "trung tam"}


_SECTOR_AFTER = ("so", "phong", "cuc", "chi cuc", "trung tam", "ban", "van phong", "thanh tra", "cong an")


def _sentence_case(body: str) -> str:
    """A body's name printed in capitals as it is written in a sentence: ``SỞ Y TẾ`` ->
    ``Sở Y tế``, ``PHÒNG TÀI CHÍNH - KẾ HOẠCH`` -> ``Phòng Tài chính - kế hoạch``."""
    words = body.lower().split()
    folded = [search_form(w) for w in words]
    cap = {0}
    for head in sorted(_SECTOR_AFTER, key=len, reverse=True):
        size = len(head.split())
        if folded[:size] == head.split() and len(words) > size:
            cap.add(size)
            break
    return " ".join(w[:1].upper() + w[1:] if i in cap else w for i, w in enumerate(words))


def _label(kind: str, unit: gazetteer.Unit, segment: str, mention: _Mention) -> str:
    """A resolved agency as a person reads it: its body as written (a council's in full),
    then its unit as the gazetteer names it, with the district and province above it."""
    head = kind.partition(":")[0]
    body = BODY_NAMES.get(head)
    if body is None:  # the department's name as written, up to where its unit is named
        words = clean(segment).split()
        cut = len(words)
        target = mention.accented.split()
        for i in range(len(words)):
            if [search_form(w).strip(",.;:-") for w in words[i:i + len(target)]] == [search_form(t) for t in target]:
                before = search_form(words[i - 1]).strip(",.;:-") if i else ""
                unit_word = before in _lexicon()["units"] or before in ("tp", "tx", "tt", "h", "q", "p", "x")
                cut = i - (1 if unit_word else 0)
                break
        body = " ".join(words[:cut]).strip(" ,-") or kind
        body = _sentence_case(body) if body.isupper() else body
    above = ", ".join(p for p in (unit.district, unit.province if unit.level != "province" else None) if p)
    return f"{body} {unit.kind.lower()} {unit.name}" + (f" ({above})" if above else "")


def same_agency(a: str, b: str, *, parent_a: str | None = None, parent_b: str | None = None,
                province: str | None = None) -> bool:
    """Whether two names mean one agency."""
    return resolve(a, parent_a, province).same(resolve(b, parent_b, province))
