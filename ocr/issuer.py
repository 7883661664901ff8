"""The issuer block (Decree 30, box 2): the issuing agency, its governing body, its level.

The block is one or more agencies, one above the other: the governing body ("UBND TỈNH
BẮC GIANG") over the issuing agency ("SỞ XÂY DỰNG"). A line opening with an agency head
(``lexicon/agencies.toml``) starts an agency; any other line continues the one above (a
long name wraps). "ỦY BAN NHÂN DÂN" / "TỈNH QUẢNG NGÃI" is one agency: that head needs
its place. Place names are snapped to the gazetteer when the match is unambiguous.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from sohoa.core import gazetteer
from sohoa.core.text import clean, fold
from sohoa.ocr.rules import LEXICON_DIR

REORGANISED = dt.date(2025, 7, 1)
"""Districts abolished and provinces merged (Resolution 202/2025/QH15)."""


@dataclass(frozen=True)
class _Lexicon:
    heads: tuple[str, ...]
    spellings: dict[str, tuple[str, ...]]
    """Folded head -> its spellings in the lexicon (ỦY and the older UỶ)."""
    need_place: tuple[str, ...]
    head_levels: dict[str, str]
    units: tuple[tuple[str, str], ...]
    names: dict[str, str]
    """Folded agency name -> the name as the lexicon writes it."""
    not_places: frozenset[str]
    """Folded "unit word + next word" phrases that name no place ("XA HOI")."""


@functools.cache
def _lexicon() -> _Lexicon:
    with (LEXICON_DIR / "agencies.toml").open("rb") as fh:
        data = tomllib.load(fh)
    up = lambda s: fold(s).upper()  # noqa: E731
    spellings: dict[str, tuple[str, ...]] = {}
    for head in data["heads"]:
        spellings[up(head)] = (*spellings.get(up(head), ()), head)
    return _Lexicon(
        heads=tuple(sorted({up(h) for h in data["heads"]}, key=len, reverse=True)),
        spellings=spellings,
        need_place=tuple(up(h) for h in data["need_place"]),
        head_levels={up(k): v for k, v in data["head_levels"].items()},
        units=tuple(sorted(((k, v) for k, v in data["units"].items()), key=lambda kv: -len(kv[0]))),
        names={up(n): n for n in data.get("names", ())},
        not_places=frozenset(up(n) for n in data.get("not_places", ())),
    )


def _spell_name(name: str) -> str:
    """The agency's name as the lexicon writes it when only tone marks differ; a place
    after it ("SỞ Y TẾ TỈNH X") is kept as read (the gazetteer snaps it)."""
    place = _place(name)
    agency, rest = (name[:place.start].rstrip(), name[place.start:]) if place else (name, "")
    spelled = _lexicon().names.get(fold(agency).upper())
    if spelled is None or spelled == agency:
        return name
    return f"{spelled} {rest}".strip()


@dataclass(frozen=True)
class IssuerBlock:
    """What the issuer block says."""

    issuer: str | None
    """The issuing agency as printed, wrapped lines joined, place names snapped."""
    parent: str | None
    """The governing body printed above it, if any."""
    level: str | None
    """``central``, ``province``, ``district``, ``commune`` or ``other``."""
    successor: str | None
    """The agency that took over after 1 July 2025, when that is certain."""
    notes: tuple[str, ...] = ()


def _head(folded_upper: str) -> str | None:
    for head in _lexicon().heads:
        if folded_upper == head or folded_upper.startswith(head + " "):
            return head
    return None


def _spell_head(line: str) -> str:
    """The agency head at the start of ``line`` as the lexicon writes it, when OCR got a tone
    mark wrong (folding keeps length, so the head's characters are the first len(head))."""
    head = _head(fold(line))
    if head is None:
        return line
    printed, rest = line[:len(head)], line[len(head):]
    spellings = _lexicon().spellings.get(head, ())
    if not spellings or printed in spellings:
        return line
    best = max(spellings, key=lambda s: sum(a == b for a, b in zip(s, printed, strict=False)))
    return best + rest


def _snap_head(line: str) -> str:
    """A head OCR garbled beyond its tone marks, written as the lexicon does: "UY RAN NHÂN
    ĐÂN", "LÝ HAN NHÂN DÂN" (a tilted photo at 60 dpi) are ỦY BAN NHÂN DÂN; "UBWND",
    "UĐND" before a unit word are UBND. Only long heads (two letters off in twelve, one in
    eight) and the abbreviations UBND and HĐND right before a unit word ("UBND HUYỆN") are
    snapped; a short head ("SỞ", "BAN") is too like other words."""
    tokens = line.split()
    if _head(fold(line)) is not None or len(tokens) < 2:
        return line
    unit_words = {fold(unit).upper() for unit, _ in _lexicon().units}
    near: list[tuple[int, str, list[str]]] = []
    for head in _lexicon().heads:
        size = len(head.split())
        printed = tokens[:size]
        letters = re.sub(r"[^A-Z ]", "", " ".join(fold(t).upper() for t in printed))
        length = len(head.replace(" ", ""))
        if length >= 8:
            allowed = 1 if length < 12 else 2
        elif (length == 4 and head in _lexicon().need_place and len(tokens) > size
              and fold(tokens[size]).upper() in unit_words):
            allowed = 1
        else:
            continue
        distance = Levenshtein.distance(letters, head, score_cutoff=allowed)
        if distance <= allowed:
            near.append((distance, head, printed))
    near.sort()
    if not near or (len(near) > 1 and near[1][0] == near[0][0]):  # "UĐND": UBND or HĐND
        return line
    _, head, printed = near[0]
    spellings = _lexicon().spellings.get(head, (head,))
    # ỦY or the older UỶ: where OCR put the mark of the first word.
    marked_last = bool(printed[0][1:]) and fold(printed[0][-1]) != printed[0][-1]
    spelled = next((s for s in spellings if (fold(s.split()[0][-1]) != s.split()[0][-1]) == marked_last),
                   spellings[0])
    return " ".join([spelled, *tokens[len(printed):]])


def _has_letter(token: str) -> bool:
    """A letter or digit proper: a lone modifier mark ("ˆ", category Lm) is not one."""
    return any(unicodedata.category(c) in {"Lu", "Ll", "Lt", "Lo", "Nd"} for c in token)


def _is_number(token: str) -> bool:
    """A document number or an ID, not a word of a name: digits with its notation
    ("3799GKS-UBND", "111%SGCNATTP-SYT") or a long run of digits ("418274821")."""
    digits = sum(c.isdigit() for c in token)
    return digits >= 5 or (digits >= 3 and any(c.isalpha() or c in "/%" for c in token))


def _before_number(tokens: list[str]) -> list[str]:
    """The tokens before the number line, which OCR joins to the block's line when the page
    is tilted (a phone photo): "SỞ Y TẾ SỞ. 111%SGCNATTP-SYT" is "SỞ Y TẾ" and a misread
    "Số: 1118/GCNATTP-SYT". The "Số" label before the number goes with it."""
    cut = next((i for i, t in enumerate(tokens) if _is_number(t)), None)
    if cut is None:
        return tokens
    kept = tokens[:cut]
    if kept and re.fullmatch(r"SO?", re.sub(r"[\W\d_]", "", fold(kept[-1]))) and not kept[-1].isalpha():
        kept = kept[:-1]  # "SỞ." / "S-": the label, its colon misread
    return kept


def _tidy(line: str) -> str:
    """Capitals, no stray marks: tokens with no letter or digit go, except - and &; a unit
    word that OCR glued to the head before it ("NHÂN DÂNTỈNH", "ĐA KHOATỈNH") or to the
    place after it ("XÃVÔ TRANH") is parted from it."""
    tokens = [t.strip("'\"‘’“”`´") for t in clean(line).upper().split()]
    tokens = _before_number(tokens)
    tokens = [t for t in tokens if _has_letter(t) or t in {"-", "&"}]
    text = " ".join(tokens).strip(" -.,:")
    units = "|".join(re.escape(fold(unit)) for unit, _ in _lexicon().units)
    # Folding keeps length, so offsets found on the folded text hold in the printed one.
    for m in reversed(list(re.finditer(rf"(?<=DAN)(?:{units})(?=\s|$)", fold(text)))):
        text = f"{text[:m.start()]} {text[m.start():]}"
    # Glued to another word before it ("ĐA KHOATỈNH QUẢNG NGÃI"): parted when a place the
    # gazetteer knows follows.
    for m in reversed(list(re.finditer(rf"(?<=[A-Z])(?:{units})(?=\s)", fold(text)))):
        if _names_a_place(text[m.end():].strip()):
            text = f"{text[:m.start()]} {text[m.start():]}"
    # A unit word glued to the place after it ("XÃVÔ TRANH"): parted when what follows the
    # unit word is a place the gazetteer knows (a unit word and the letters after it may
    # also be one syllable: XÃ + NH is XANH).
    for m in reversed(list(re.finditer(rf"(?:^|(?<=\s))(?:{units})(?=[A-Z])", fold(text)))):
        if _names_a_place(text[m.end():]):
            text = f"{text[:m.end()]} {text[m.end():]}"
    return text


def _continues_place(above: str, line: str) -> bool:
    """Whether ``line`` is the wrapped end of the place name above, although it opens like
    a head ("XÃ XUÂN" / "PHONG", "XÃ VÂN" / "TRƯỜNG"): a lone one-word head is never an
    agency, and a place that the two lines make together and the upper one alone does not
    is a real place (the gazetteer says)."""
    words = fold(line).split()
    if len(words) == 1 and _head(words[0]) == words[0]:
        return True
    place = _place(above)
    if place is None:
        return False
    return gazetteer.is_name(f"{place.name} {line}") and not gazetteer.is_name(place.name)


@functools.cache
def _heads_with_unit() -> frozenset[str]:
    """"ỦY BAN NHÂN DÂN XÃ", "UBND HUYỆN": a head and its unit word, the name still to come (folded)."""
    lex = _lexicon()
    return frozenset(f"{head} {fold(unit).upper()}" for head in lex.need_place for unit, _ in lex.units)


def _without_speck(line: str) -> str:
    """A line whose head follows a speck read as a word of one or two letters ("Ề UBND
    TỈNH QUẢNG NGÃI", "SẼ ỦY BAN NHÂN DÂN XÃ …"): the speck goes."""
    first, _, rest = line.partition(" ")
    # Never the first word of a head ("ỦY" of a wrapped "ỦY BAN") nor a unit word ("XÃ" before
    # "VIÊN AN ĐÔNG", which opens like VIỆN, a head).
    starts = {head.split()[0] for head in _lexicon().heads} | {fold(unit).upper() for unit, _ in _lexicon().units}
    if (rest and len(re.sub(r"\W", "", first)) <= 2 and fold(first) not in starts and _head(fold(line)) is None
            and _head(fold(rest)) is not None):
        return rest
    return line


def segments(lines: list[str]) -> list[str]:
    """The agencies of the block, top to bottom, each with its wrapped lines joined."""
    lex = _lexicon()
    out: list[str] = []
    for raw in lines:
        tidy = _without_speck(_tidy(raw))
        tidy = _snap_head(tidy)
        line = _spell_head(tidy)  # a continuation keeps its words as read: "PHONG" of "XÃ THANH PHONG"
        if not line:
            continue
        folded = fold(line)
        # An agency is incomplete when its head needs a place, when it ends on a joining word,
        # or on a unit word whose name wrapped ("… XÃ" / "TRƯỜNG SƠN": TRƯỜNG is then no head).
        incomplete = bool(out) and (fold(out[-1]) in lex.need_place or out[-1].endswith((" VÀ", "-", ",", "&"))
                                    or fold(out[-1]) in _heads_with_unit())
        if out and (incomplete or _head(folded) is None or _continues_place(out[-1], tidy)):
            out[-1] = f"{out[-1]} {tidy}"
        else:
            out.append(line)
    return out


@dataclass(frozen=True)
class _Place:
    unit: str
    """The unit word as printed in the lexicon (``TỈNH``)."""
    level: str
    name: str
    start: int
    """Offset of the unit word in the agency name."""


def _place(name: str) -> _Place | None:
    """The first unit word of the name and the place after it: in "XÃ TỊNH HIỆP" the unit
    is XÃ and TỊNH is part of the place's name, however alike TỈNH folds."""
    folded = fold(name)
    found = []
    for rank, (unit, level) in enumerate(_lexicon().units):  # longest first: THỊ XÃ before XÃ
        for m in re.finditer(rf"(?:^|\s){re.escape(fold(unit))}\s+(\S.*)$", folded):
            start = m.start(0) + (1 if folded[m.start(0)] == " " else 0)
            rest = name[m.start(1):].strip()
            if _is_unit_word(name[start:m.start(1)].strip(), unit, rest):
                found.append((start, rank, _Place(unit, level, rest, start)))
                break
    return min(found, key=lambda f: f[:2])[2] if found else None


def _names_a_place(text: str) -> bool:
    """Whether ``text`` opens with the name of a unit the gazetteer knows (up to four words)."""
    words = text.split()
    return any(gazetteer.is_name(" ".join(words[:n])) for n in range(1, min(4, len(words)) + 1))


def _is_unit_word(printed: str, unit: str, rest: str) -> bool:
    """A word that folds like a unit word is one when a place the gazetteer knows follows
    it (OCR misread the mark: "TĨNH QUẢNG NGÃI"), or when it is printed so and what follows
    is not in the lexicon's ``not_places`` ("XÃ HỘI"). "QUẢN LÝ" of "BAN QUẢN LÝ" is no
    QUẬN: LÝ CÁC KHU is no place."""
    if _names_a_place(rest):
        return True
    words = rest.split()
    phrase = fold(f"{unit} {words[0]}" if words else unit).upper()
    return printed.upper() == unit.upper() and phrase not in _lexicon().not_places


def _snap_place(name: str, province: str | None) -> tuple[str, str | None, _Place | None]:
    """The agency name with its unit word and place snapped; the province it names; the place."""
    place = _place(name)
    if place is None:
        return name, None, None
    level = place.level
    if level == "province_or_district":
        # Only the centrally run cities are provinces; "THÀNH PHỐ BẮC GIANG" is a district-level city.
        level = "province" if gazetteer.snap(place.name, gazetteer.city_names()) else "district"
    if level == "province":
        snapped = gazetteer.snap(place.name, gazetteer.names_of("province"))
    else:
        snapped = (gazetteer.snap(place.name, gazetteer.names_of(level, province)) if province else None) \
            or gazetteer.snap(place.name, gazetteer.names_of(level))
    fixed = f"{name[:place.start]}{place.unit} {(snapped or place.name).upper()}".strip()
    province_named = snapped if level == "province" else None
    return fixed, province_named, _Place(place.unit, level, snapped or place.name, place.start)


def place_of(name: str) -> str | None:
    """The place an agency's name holds ("ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI" -> "QUẢNG NGÃI")."""
    place = _place(name)
    return place.name if place else None


def _level(name: str, place: _Place | None, parent_level: str | None) -> str:
    if place is not None:
        return place.level
    head = _head(fold(name))
    if head and head in _lexicon().head_levels:
        return _lexicon().head_levels[head]
    return parent_level or "other"


def read_block(lines: list[str], issue_date: dt.date | None = None) -> IssuerBlock:
    """Issuer, parent, level and successor from the block's lines (top to bottom)."""
    parts = segments(lines)
    if not parts:
        return IssuerBlock(None, None, None, None)
    notes: list[str] = []
    parent_name, parent_province, parent_place = (None, None, None)
    parent_level = None
    if len(parts) > 1:
        parent_name, parent_province, parent_place = _snap_place(_spell_name(parts[-2]), None)
        parent_level = _level(parent_name, parent_place, None)
    issuer, province, place = _snap_place(_spell_name(parts[-1]), parent_province)
    level = _level(issuer, place, parent_level)
    province = province or parent_province
    successor = None
    if issue_date is None or issue_date < REORGANISED:
        successor, note = _successor(issuer, level, province, place)
        if note:
            notes.append(note)
    return IssuerBlock(issuer, parent_name, level, successor, tuple(notes))


def _successor(issuer: str, level: str, province: str | None, place: _Place | None) -> tuple[str | None, str | None]:
    if level == "district":
        return None, ("issuer_successor: districts were abolished on 1 July 2025; which commune or "
                      "provincial body took over depends on the procedure: not set")
    if level == "commune":
        return None, ("issuer_successor: communes were merged on 1 July 2025 and the block does not name "
                      "the district that tells which one: not set")
    if level != "province" or not province:
        return None, None
    new = gazetteer.successor_province(province)
    if new is None:
        return None, f"issuer_successor: no successor found for the province {province}"
    unit = gazetteer.new_provinces()[gazetteer.key(new)].kind.upper()
    if place is not None:  # the agency names its province: name the new one
        return f"{issuer[:place.start]}{unit} {new.upper()}", None
    return f"{issuer} {unit} {new.upper()}", None


def recognised(name: str) -> bool:
    """Whether an agency's name reads as one sohoa knows: a name of the lexicon or a head,
    and the place after it one the gazetteer knows. A name read from a page below 150 dpi
    that is not ("UY BẠN MHIÂN DẪN TÍNH BÁC NIXH") is more likely garbled than new."""
    place = _place(name)
    agency = (name[:place.start] if place else name).strip(" -")
    folded = fold(agency).upper()
    known_agency = folded in _lexicon().names or _head(folded) == folded
    return known_agency and (place is None or gazetteer.is_name(place.name))
