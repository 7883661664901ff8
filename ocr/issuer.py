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
from dataclasses import dataclass

from ocr import gazetteer
from ocr.rules import LEXICON_DIR
from sohoa.text import clean, fold

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
    )


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


def _tidy(line: str) -> str:
    """Capitals, no stray marks: tokens with no letter or digit go, except - and &."""
    tokens = [t for t in clean(line).upper().split() if re.search(r"\w", t) or t in {"-", "&"}]
    return " ".join(tokens).strip(" -.,:")


def segments(lines: list[str]) -> list[str]:
    """The agencies of the block, top to bottom, each with its wrapped lines joined."""
    lex = _lexicon()
    out: list[str] = []
    for raw in lines:
        line = _spell_head(_tidy(raw))
        if not line:
            continue
        folded = fold(line)
        incomplete = bool(out) and (fold(out[-1]) in lex.need_place or out[-1].endswith((" VÀ", "-", ",", "&")))
        if out and (incomplete or _head(folded) is None):
            out[-1] = f"{out[-1]} {line}"
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
    folded = fold(name)
    for unit, level in _lexicon().units:
        m = re.search(rf"(?:^|\s){re.escape(fold(unit))}\s+(\S.*)$", folded)
        if m:
            start = m.start(0) + (1 if folded[m.start(0)] == " " else 0)
            return _Place(unit, level, name[m.start(1):].strip(), start)
    return None


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
        parent_name, parent_province, parent_place = _snap_place(parts[-2], None)
        parent_level = _level(parent_name, parent_place, None)
    issuer, province, place = _snap_place(parts[-1], parent_province)
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
