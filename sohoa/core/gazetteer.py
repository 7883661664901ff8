"""Vietnam's administrative units, before and after the 2025 reorganisation.

The names come from the ``vietnamadminunits`` package (63 provinces with their districts
and communes as they were until 30 June 2025; 34 provinces and their communes since 1
July 2025; which legacy units each new one absorbed). Its JSON files are read directly:
the package's own parser pulls in geometry libraries sohoa does not need.

Used to snap OCR'd place names to real ones when the match is close and unambiguous,
to name the successor of a legacy issuer, and to tell which unit an agency's name means
(``sohoa.core.agencies``: each unit with its official code, its district and province).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

from sohoa.core.text import fold, modern_tones

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
    code: str = ""
    """Its official code (2 digits a province, 3 a district, 5 a commune)."""
    district: str | None = None
    """The district a legacy commune belonged to (None for the others)."""
    ref: str = ""
    """The package's own key of the unit (how its 2025 converter names it)."""

    @property
    def key(self) -> str:
        """One string for the unit: its layout, level and code (``Lc:07234``, ``Np:24``)."""
        return f"{'L' if self.legacy else 'N'}{self.level[0]}:{self.code}"


_LEGACY, _NEW = "parser_legacy.json", "parser_from_2025.json"


@functools.cache
def _provinces(source: str) -> dict[str, Unit]:
    """The provinces of one layout, by ``key`` of their short name."""
    out = {}
    for item in _load(source)["DICT_PROVINCE"].values():
        short = item["provinceShort"]
        kind = item["province"][: -len(short)].strip()
        out[key(short)] = Unit(short, kind, "province", short, source == _LEGACY, item.get("provinceCode", ""))
    return out


def legacy_provinces() -> dict[str, Unit]:
    """The 63 provinces until 30 June 2025."""
    return _provinces(_LEGACY)


def new_provinces() -> dict[str, Unit]:
    """The 34 provinces since 1 July 2025."""
    return _provinces(_NEW)


@functools.cache
def _province_by_dict_key(source: str) -> dict[str, str]:
    return {k: v["provinceShort"] for k, v in _load(source)["DICT_PROVINCE"].items()}


def _leaves(tree: dict, depth: int) -> list[dict]:
    """The items ``depth`` levels down a nested dict of the package's data."""
    items = list(tree.values())
    for _ in range(depth - 1):
        items = [leaf for branch in items for leaf in branch.values()]
    return items


@functools.cache
def _units(source: str, table: str, depth: int, level: str, field: str) -> tuple[Unit, ...]:
    """Districts or communes of one layout: ``table`` maps province -> ... -> unit item
    (legacy communes: province -> district -> commune, and keep their district's name)."""
    names = _province_by_dict_key(source)
    districts = _district_names(source)
    out = []
    for pkey, tree in _load(source)[table].items():
        branches = tree.items() if depth == 2 else [(None, tree)]
        for dkey, branch in branches:
            for ukey, item in branch.items():
                ref = f"{pkey}_{dkey}_{ukey}" if dkey else f"{pkey}_{ukey}"
                out.append(Unit(item[f"{field}Short"], item[f"{field}Type"], level, names[pkey], source == _LEGACY,
                                item.get(f"{field}Code", ""), districts.get((pkey, dkey)) if dkey else None, ref))
    return tuple(out)


@functools.cache
def _commune_successors() -> dict[str, Unit]:
    """A legacy commune's ``ref`` -> the commune that took it over on 1 July 2025."""
    new = {u.ref: u for u in new_communes()}
    out = {}
    for pkey, wards in _load("converter_2025.json")["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, legacy_refs in wards.items():
            found = new.get(f"{pkey}_{ward_key}")
            if found is not None:
                for ref in legacy_refs:
                    out[ref] = found
    return out


def successor(unit: Unit) -> Unit | None:
    """The unit that took over a legacy province or commune on 1 July 2025 (None for a
    district: districts were abolished, or a unit of the new layout)."""
    if not unit.legacy or unit.level == "district":
        return None
    if unit.level == "province":
        name = successor_province(unit.name)
        return new_provinces().get(key(name)) if name else None
    return _commune_successors().get(unit.ref)


@functools.cache
def _district_names(source: str) -> dict[tuple[str, str], str]:
    """(province key, district key) -> the district's short name, in the legacy layout."""
    if source != _LEGACY:
        return {}
    return {(pkey, dkey): item["districtShort"]
            for pkey, tree in _load(source)["DICT_PROVINCE_DISTRICT"].items() for dkey, item in tree.items()}


def legacy_districts() -> tuple[Unit, ...]:
    return _units(_LEGACY, "DICT_PROVINCE_DISTRICT", 1, "district", "district")


def legacy_communes() -> tuple[Unit, ...]:
    return _units(_LEGACY, "DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED", 2, "commune", "ward")


def new_communes() -> tuple[Unit, ...]:
    return _units(_NEW, "DICT_PROVINCE_WARD_NO_ACCENTED", 1, "commune", "ward")


def city_names() -> tuple[str, ...]:
    """The centrally run cities (legacy and new): the only "THÀNH PHỐ" that are provinces."""
    units = (*legacy_provinces().values(), *new_provinces().values())
    return tuple(sorted({u.name for u in units if u.kind == "Thành phố"}))


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


@functools.cache
def _name_keys() -> frozenset[str]:
    return frozenset(key(n) for level in ("province", "district", "commune") for n in names_of(level))


def is_name(text: str) -> bool:
    """Whether ``text`` is, tone marks aside, the name of some unit (any level, before or after 2025)."""
    return bool(text.strip()) and key(text) in _name_keys()


@functools.cache
def _spelled_names() -> frozenset[str]:
    return frozenset(unicodedata.normalize("NFC", modern_tones(n)).casefold()
                     for level in ("province", "district", "commune") for n in names_of(level))


def is_spelled_name(text: str) -> bool:
    """Whether ``text`` is the name of some unit with its marks as the unit writes them
    (old or new tone placement alike): "Hương Sơn", not "Hương Sœn" nor "Thái Nguyễn"."""
    return unicodedata.normalize("NFC", modern_tones(text.strip())).casefold() in _spelled_names()


def snap(text: str, candidates: tuple[str, ...]) -> str | None:
    """The one candidate ``text`` is an OCR reading of, or None when none is close or two are.

    Compared on folded letters, so a misread tone mark does not count against a name, and
    only with names of as many syllables; when
    several accented names share those letters ("Phú Bình", "Phù Bình"), only a reading with
    exactly one of them is snapped.
    """
    if not text.strip() or not candidates:
        return None
    exact = [c for c in candidates if c.casefold() == text.casefold()]
    if exact:
        return exact[0]
    # Only names of as many syllables (or as many letters, when OCR lost a space): OCR
    # garbles letters and marks, and a name cut short ("VÂN" of "VÂN HÀ", its last
    # syllable wrapped away) must not become another ("VŨ AN").
    words, letters = len(text.split()), len(key(text))
    candidates = tuple(c for c in candidates if len(c.split()) == words
                       or (len(c.split()) > words and len(key(c)) == letters))  # spaces lost: "LƯƠNGSƠN"
    if not candidates:
        return None
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
    legacy_names, new = _province_by_dict_key(_LEGACY), _province_by_dict_key(_NEW)
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
