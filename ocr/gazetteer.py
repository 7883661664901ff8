"""Vietnam's administrative units, before and after the 2025 reorganisation.

The names come from the ``vietnamadminunits`` package (63 provinces with their districts
and communes as they were until 30 June 2025; 34 provinces and their communes since 1
July 2025; which legacy units each new one absorbed). Its JSON files are read directly:
the package's own parser pulls in geometry libraries sohoa does not need.

Used to snap OCR'd place names to real ones when the match is close and unambiguous,
and to name the successor of a legacy issuer.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

from sohoa.text import fold

SNAP_MIN_SCORE = 85.0
"""Below this similarity (0-100, on folded letters) a place name is left as read."""
SNAP_MARGIN = 4.0
"""The best candidate must beat the next different name by this much, or nothing is snapped."""


def _data_dir() -> Path:
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the vietnamadminunits package is missing: pip install vietnamadminunits")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


@functools.cache
def _load(name: str) -> dict:
    with (_data_dir() / name).open(encoding="utf-8") as fh:
        return json.load(fh)


def key(text: str) -> str:
    """The folded, lower-case letters of a name without spaces (``Quảng Ngãi`` -> ``quangngai``)."""
    return re.sub(r"[^a-z0-9]", "", fold(text).lower())


@dataclass(frozen=True)
class Unit:
    """One administrative unit."""

    name: str
    """Its name without the type word, accented (``Quảng Ngãi``, ``Yên Dũng``)."""
    kind: str
    """The type word as written (``Tỉnh``, ``Thành phố``, ``Huyện``, ``Xã`` ...)."""
    level: str
    """``province``, ``district`` or ``commune``."""
    province: str
    """The province it belongs to (itself for a province)."""
    legacy: bool
    """True for a unit of the layout before 1 July 2025."""


@functools.cache
def legacy_provinces() -> dict[str, Unit]:
    """The 63 provinces until 30 June 2025, by ``key`` of their short name."""
    out = {}
    for item in _load("parser_legacy.json")["DICT_PROVINCE"].values():
        kind = item["province"][: -len(item["provinceShort"])].strip()
        out[key(item["provinceShort"])] = Unit(item["provinceShort"], kind, "province", item["provinceShort"], True)
    return out


@functools.cache
def _legacy_province_by_dict_key() -> dict[str, str]:
    return {k: v["provinceShort"] for k, v in _load("parser_legacy.json")["DICT_PROVINCE"].items()}


@functools.cache
def new_provinces() -> dict[str, Unit]:
    """The 34 provinces since 1 July 2025, by ``key`` of their short name."""
    out = {}
    for item in _load("parser_from_2025.json")["DICT_PROVINCE"].values():
        kind = item["province"][: -len(item["provinceShort"])].strip()
        out[key(item["provinceShort"])] = Unit(item["provinceShort"], kind, "province", item["provinceShort"], False)
    return out


@functools.cache
def legacy_districts() -> tuple[Unit, ...]:
    units = []
    names = _legacy_province_by_dict_key()
    for pkey, districts in _load("parser_legacy.json")["DICT_PROVINCE_DISTRICT"].items():
        for item in districts.values():
            units.append(Unit(item["districtShort"], item["districtType"], "district", names[pkey], True))
    return tuple(units)


@functools.cache
def legacy_communes() -> tuple[Unit, ...]:
    units = []
    names = _legacy_province_by_dict_key()
    for pkey, districts in _load("parser_legacy.json")["DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED"].items():
        for wards in districts.values():
            for item in wards.values():
                units.append(Unit(item["wardShort"], item["wardType"], "commune", names[pkey], True))
    return tuple(units)


@functools.cache
def new_communes() -> tuple[Unit, ...]:
    units = []
    names = {k: v["provinceShort"] for k, v in _load("parser_from_2025.json")["DICT_PROVINCE"].items()}
    for pkey, wards in _load("parser_from_2025.json")["DICT_PROVINCE_WARD_NO_ACCENTED"].items():
        for item in wards.values():
            units.append(Unit(item["wardShort"], item["wardType"], "commune", names[pkey], False))
    return tuple(units)


def province_names() -> dict[str, str]:
    """Every province name, legacy and new, by ``key``."""
    return {**{k: u.name for k, u in legacy_provinces().items()}, **{k: u.name for k, u in new_provinces().items()}}


def names_of(level: str, province: str | None = None) -> tuple[str, ...]:
    """The distinct names of units of ``level`` (in ``province`` when given), legacy and new."""
    if level == "province":
        return tuple(sorted(set(province_names().values())))
    pool = legacy_districts() if level == "district" else legacy_communes() + new_communes()
    pkey = key(province) if province else None
    names = {u.name for u in pool if isinstance(u.name, str) and (pkey is None or key(u.province) == pkey)}
    return tuple(sorted(names))


def snap(text: str, candidates: tuple[str, ...]) -> str | None:
    """The one candidate ``text`` is an OCR reading of, or None when none is close or two are.

    Compared on folded letters, so a misread tone mark does not count against a name; when
    several accented names share those letters ("Phú Bình", "Phù Bình"), only a reading with
    exactly one of them is snapped.
    """
    if not text.strip() or not candidates:
        return None
    exact = [c for c in candidates if c.casefold() == text.casefold()]
    if exact:
        return exact[0]
    target = key(text)
    by_key: dict[str, set[str]] = {}
    for c in candidates:
        by_key.setdefault(key(c), set()).add(c)
    found = process.extract(target, list(by_key), scorer=fuzz.ratio, limit=2)
    if not found or found[0][1] < SNAP_MIN_SCORE:
        return None
    if len(found) > 1 and found[0][1] - found[1][1] < SNAP_MARGIN:
        return None
    names = by_key[found[0][0]]
    return next(iter(names)) if len(names) == 1 else None


@functools.cache
def _successor_province() -> dict[str, str]:
    """Legacy province name -> the province that absorbed it on 1 July 2025."""
    legacy_names = _legacy_province_by_dict_key()
    new = {k: v["provinceShort"] for k, v in _load("parser_from_2025.json")["DICT_PROVINCE"].items()}
    out = {}
    for new_key, legacy_keys in _load("converter_2025.json")["DICT_PROVINCE"].items():
        for legacy_key in legacy_keys:
            out[legacy_names[legacy_key]] = new[new_key]
    return out


def successor_province(name: str) -> str | None:
    """The province that a legacy province became part of (``Bắc Giang`` -> ``Bắc Ninh``)."""
    table = _successor_province()
    found = {k: v for k, v in table.items() if key(k) == key(name)}
    return next(iter(found.values())) if len(found) == 1 else None
