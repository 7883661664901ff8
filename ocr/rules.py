"""Result-type rules: one TOML file per type in ``ocr/types/``, loaded into a registry.

Adding a type of result is adding a file; no code changes. Patterns are written in
ordinary Vietnamese and matched against diacritic-folded text, so OCR that drops or
confuses a tone mark still matches; values are then read from the original text.
Placeholders: ``{NAME}`` a person's name, ``{ID12}`` a 12-digit personal ID,
``{DATE}`` a date in words or digits.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sohoa.core.text import fold

RULES_DIR = Path(__file__).with_name("types")
LEXICON_DIR = Path(__file__).with_name("lexicon")

PLACEHOLDERS = {
    "{NAME}": r"(?P<value>(?-i:[A-Z][A-Za-z]*(?:[ ]+[A-Z][A-Za-z]*){1,5}))",
    "{ID12}": r"(?P<value>(?:\d[ .]?){11}\d)(?!\d)",
    "{DATE}": (r"(?P<value>(?:ngay\s+)?\d{1,2}\s+thang\s+\d{1,2}\s+nam\s+\d{4}"
               r"|\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4})"),
}
PATTERN_FIELDS = ("holder_name", "holder_id", "valid_until", "valid_for_months")
SUBJECT_STRATEGIES = ("after_heading", "line_after_heading", "vv_line", "none")


@dataclass(frozen=True)
class Labels:
    """The ways a form words one label, matched word by word on folded text."""

    synonyms: tuple[tuple[str, ...], ...]
    """Each wording as its folded lower-case words (``("ho", "va", "ten")``)."""
    exclude: tuple[str, ...] = ()
    """Folded words that make a line another person's (``nguoi me``: the mother's name)."""


def label_words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"[a-z0-9]+", fold(text).lower()))


@dataclass(frozen=True)
class Rule:
    """How to recognise one type of result and read its type-specific fields."""

    name: str
    """File stem, e.g. ``quyet_dinh``."""
    doc_type: str
    """The type's name as it goes into the record (``Quyết định``)."""
    headings: tuple[re.Pattern[str], ...]
    """Matched against the folded, upper-case heading line (joined with the next line)."""
    notation_codes: tuple[str, ...]
    """Folded type codes that may open the notation (``QD`` in ``12/QĐ-UBND``)."""
    subject: str
    """How to find the summary: one of ``SUBJECT_STRATEGIES``."""
    validity_without_end_date: str
    """``valid`` or ``unknown``: the verdict when no end date is printed."""
    patterns: dict[str, tuple[re.Pattern[str], ...]]
    """Per field, folded regexes with a ``value`` (or ``months``) group."""
    has_vv_line: bool = False
    number_code: str | None = None
    """The shape of a registration code used as the number, ``9`` a digit and ``A`` a letter
    (``99A9999999``: a household business code such as ``17D8027352``)."""
    code_labels: tuple[tuple[str, ...], ...] = ()
    """Labels of lines that print the code again (``Mã số hộ kinh doanh``), as folded words."""
    register_number: bool = False
    """The number may be a bare register entry (``Số: 278`` beside ``Quyển số: 01/2020``)."""
    own_date_again: bool = False
    """A certificate that prints its own date again as such (``Đăng ký lần đầu: ngày …``,
    ``Cấp ngày …``): the day the date line lacks may be read there, and nowhere else."""
    labels: dict[str, Labels] = field(default_factory=dict)
    """Per field, the wordings of the label of a "label: value" line (``[labels.holder_name]``)."""
    notation_spelled: tuple[str, ...] = ()
    """The type codes as printed, with their marks (``QĐ``), in the order of ``notation_codes``."""


def compile_pattern(text: str) -> re.Pattern[str]:
    # A space in a pattern matches any run of white space, line breaks included:
    # a wrapped sentence still matches.
    folded = re.sub(r" +", r"\\s+", fold(text))
    for key, value in PLACEHOLDERS.items():
        folded = folded.replace(key, value)
    return re.compile(folded, re.IGNORECASE | re.MULTILINE)


def load_rule(path: Path) -> Rule:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    subject = data.get("subject", "none")
    if subject not in SUBJECT_STRATEGIES:
        raise ValueError(f"{path}: subject must be one of {SUBJECT_STRATEGIES}, not {subject!r}")
    validity = data.get("validity_without_end_date", "unknown")
    if validity not in ("valid", "unknown"):
        raise ValueError(f"{path}: validity_without_end_date must be 'valid' or 'unknown'")
    patterns = {
        name: tuple(compile_pattern(entry["pattern"]) for entry in data.get(name, []))
        for name in PATTERN_FIELDS
    }
    return Rule(
        name=path.stem,
        doc_type=data["doc_type"],
        headings=tuple(re.compile(h) for h in data.get("headings", [])),
        notation_codes=tuple(fold(c).upper() for c in data.get("notation_codes", [])),
        notation_spelled=tuple(data.get("notation_codes", [])),
        subject=subject,
        validity_without_end_date=validity,
        patterns=patterns,
        has_vv_line=bool(data.get("has_vv_line", False)),
        number_code=data.get("number_code"),
        code_labels=tuple(label_words(w) for w in data.get("code_labels", [])),
        register_number=bool(data.get("register_number", False)),
        own_date_again=bool(data.get("own_date_again", False)),
        labels={
            name: Labels(tuple(label_words(w) for w in spec.get("synonyms", [])),
                         tuple(" ".join(label_words(w)) for w in spec.get("exclude", [])))
            for name, spec in data.get("labels", {}).items()
        },
    )


def rule_files(extra_dir: str | None = None) -> dict[str, Path]:
    """The rule files in effect, by type name: the built-in ones, then any in
    ``SOHOA_RULES_DIR`` (same name wins)."""
    files: dict[str, Path] = {}
    dirs = [RULES_DIR]
    extra = extra_dir or os.environ.get("SOHOA_RULES_DIR")
    if extra:
        dirs.append(Path(extra))
    for directory in dirs:
        for path in sorted(directory.glob("*.toml")):
            files[path.stem] = path
    return files


@functools.cache
def registry(extra_dir: str | None = None) -> tuple[Rule, ...]:
    """All rules: the built-in ones plus any in ``SOHOA_RULES_DIR`` (same name wins)."""
    return tuple(load_rule(path) for path in rule_files(extra_dir).values())


def fingerprint() -> str:
    """A digest of what fields are read by: the rule files in effect and the lexicon (heads,
    units, family and given names), by name. Two machines with other rules read other
    fields from the same page, whatever their code."""
    files = {f"types/{name}.toml": path for name, path in rule_files().items()}
    files |= {f"lexicon/{path.relative_to(LEXICON_DIR).as_posix()}": path
              for path in sorted(LEXICON_DIR.rglob("*")) if path.is_file() and "__pycache__" not in path.parts}
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].read_bytes() + b"\0")
    return f"{len(files)} files, {digest.hexdigest()[:12]}"


def by_doc_type(doc_type: str) -> Rule | None:
    for rule in registry():
        if rule.doc_type == doc_type:
            return rule
    return None


@functools.cache
def signer_titles() -> tuple[str, ...]:
    """Known signer titles (``lexicon/titles.toml``), longest first."""
    with (LEXICON_DIR / "titles.toml").open("rb") as fh:
        titles = tomllib.load(fh)["titles"]
    return tuple(sorted(titles, key=len, reverse=True))


@functools.cache
def _surname_list() -> frozenset[str]:
    with (LEXICON_DIR / "surnames.toml").open("rb") as fh:
        return frozenset(tomllib.load(fh)["surnames"])


@functools.cache
def surnames() -> frozenset[str]:
    """The family names of ``lexicon/surnames.toml``, folded to lower-case letters."""
    return frozenset(fold(n).lower() for n in _surname_list())


@functools.cache
def surnames_by_fold() -> dict[str, str]:
    """Known family names keyed by their folded lower-case letters, where that key is unique."""
    names = _surname_list()
    by_key: dict[str, list[str]] = {}
    for name in names:
        by_key.setdefault(fold(name).lower(), []).append(name)
    return {key: found[0] for key, found in by_key.items() if len(found) == 1}
