#!/usr/bin/env python3
"""Score extracted fields against the generator's ground truth, per field and quality.

    python scripts/fieldeval.py SAMPLES_DIR EXPORT.jsonl

A field is *exact* when it equals the truth after Unicode NFC normalisation, with tone
marks placed the new way (``Uỷ`` and ``Ủy``, ``hoá`` and ``hóa`` are one word, both
correct: ``sohoa.core.text.modern_tones``); for a field with no true value, exact means
sohoa also gave none. *Invented* when sohoa gave a
value where the truth has none, or a value that is wrong.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sohoa.core.text import modern_tones

FIELDS = ("doc_type", "number", "issue_date", "issuer", "issuer_parent", "issuer_level", "issuer_successor",
          "place", "subject", "signer_title", "signer_name", "holder_name", "holder_id", "valid_until")


def _norm(value: object) -> str | None:
    if value is None:
        return None
    return " ".join(unicodedata.normalize("NFC", modern_tones(unicodedata.normalize("NFC", str(value)))).split())


@dataclass
class Score:
    exact: int = 0
    total: int = 0
    invented: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.exact / self.total if self.total else 1.0


@dataclass
class Report:
    by_quality: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    by_field: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    table: dict[tuple[str, str], Score] = field(default_factory=lambda: defaultdict(Score))

    def render(self) -> str:
        qualities = sorted(self.by_quality)
        lines = [f"{'field':17}" + "".join(f"{q:>14}" for q in qualities) + f"{'all':>10}"]
        for name in FIELDS:
            row = f"{name:17}"
            for q in qualities:
                s = self.table[(name, q)]
                row += f"{s.exact:>5}/{s.total:<3}{s.rate:>5.0%}".rjust(14)
            row += f"{self.by_field[name].rate:>10.1%}"
            lines.append(row)
        lines.append(f"{'exact':17}" + "".join(f"{self.by_quality[q].rate:>14.1%}" for q in qualities))
        lines.append(f"{'invented':17}" + "".join(
            f"{self.by_quality[q].invented / max(1, self.by_quality[q].total):>14.1%}" for q in qualities))
        return "\n".join(lines)


def score(samples: Path, records: list[dict]) -> Report:
    by_name = {Path(r["source"]["path"]).name: r for r in records}
    report = Report()
    for gt_path in sorted(samples.glob("*.gt.json")):
        gt = json.loads(gt_path.read_text(encoding="utf-8"))
        record = by_name.get(gt["file"])
        got_fields = record["fields"] if record else {}
        quality = gt["quality"]
        for name in FIELDS:
            truth, got = _norm(gt["fields"].get(name)), _norm(got_fields.get(name))
            ok = truth == got
            invented = got is not None and not ok
            for s in (report.by_quality[quality], report.by_field[name], report.table[(name, quality)]):
                s.total += 1
                s.exact += ok
                s.invented += invented
                if not ok:
                    s.misses.append(f"{gt['file']}: {name} expected {truth!r} got {got!r}")
    return report


UNREADABLE = "?"
STRICT = ("number", "issue_date", "signed_on", "valid_until")
"""Fields where a wrong value is worse than none: matched to the register, counted by date."""


@dataclass
class LabelReport:
    """Extracted fields against hand labels of real documents, per field."""

    printed: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    """Fields a person reads in print (fields the paper does not have are not counted)."""
    handwritten: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    """Fields filled in by hand: null is acceptable, a wrong value is not."""
    unverifiable: list[str] = field(default_factory=list)
    """Values sohoa gave where a person cannot read the paper."""
    invented: list[str] = field(default_factory=list)
    """Values sohoa gave for a field the paper does not have."""

    @property
    def printed_rate(self) -> float:
        total = sum(s.total for s in self.printed.values())
        return sum(s.exact for s in self.printed.values()) / total if total else 1.0

    def wrong(self, names: tuple[str, ...] = STRICT) -> list[str]:
        """Misses that are wrong values (not nulls) in ``names``."""
        return [m for table in (self.printed, self.handwritten) for n in names for m in table[n].misses
                if not m.endswith("got None")]

    def render(self) -> str:
        lines = [f"{'field':18}{'printed exact':>16}{'wrong':>7}{'handwritten read':>18}{'wrong':>7}"]
        for name in LABEL_FIELDS:
            p, h = self.printed[name], self.handwritten[name]
            lines.append(f"{name:18}{p.exact:>9}/{p.total:<3}{p.rate:>4.0%}{p.invented:>7}"
                         f"{h.exact:>14}/{h.total:<3}{h.invented:>7}")
        total = sum(s.total for s in self.printed.values())
        exact = sum(s.exact for s in self.printed.values())
        lines.append(f"{'all printed':18}{exact:>9}/{total:<3}{self.printed_rate:>4.0%}")
        lines.append(f"values for fields not on the paper: {len(self.invented)}")
        return "\n".join(lines)


LABEL_FIELDS = ("doc_type", "number", "issue_date", "signed_on", "issuer", "issuer_parent", "issuer_level",
                "issuer_successor", "place", "subject", "signer_title", "signer_name", "holder_name",
                "holder_id", "valid_until")
"""The generated fields plus signed_on, which only real (signed) documents have."""


def score_labels(labels: dict[str, dict], records: list[dict]) -> LabelReport:
    """Score ``records`` (export rows) against ``tests/realdata_labels.json``-shaped labels."""
    by_name = {Path(r["source"]["path"]).name: r for r in records}
    report = LabelReport()
    for name, label in labels.items():
        if name.startswith("_"):
            continue
        got_fields = (by_name.get(name) or {}).get("fields") or {}
        for key in LABEL_FIELDS:
            truth, got = _norm(label["fields"].get(key)), _norm(got_fields.get(key))
            if truth == UNREADABLE:
                if got is not None:
                    report.unverifiable.append(f"{name}: {key} {got!r} (unreadable on paper)")
                continue
            if truth is None:
                if got is not None:
                    report.invented.append(f"{name}: {key} {got!r} (not on the paper)")
                continue
            table = report.handwritten if key in label.get("handwritten", ()) else report.printed
            s = table[key]
            s.total += 1
            s.exact += truth == got
            s.invented += got is not None and truth != got
            if truth != got:
                s.misses.append(f"{name}: {key} expected {truth!r} got {got!r}")
    return report


def main() -> None:
    samples, export = Path(sys.argv[1]), Path(sys.argv[2])
    records = [json.loads(line) for line in export.read_text(encoding="utf-8").splitlines() if line]
    report = score(samples, records)
    print(report.render())
    for q, s in sorted(report.by_quality.items()):
        for miss in s.misses:
            print(f"[{q}] {miss}")


if __name__ == "__main__":
    main()
