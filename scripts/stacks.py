"""Stacks of results scanned as one PDF, built from files of results, and how sohoa splits them.

A clerk's document feeder turns a pile of paper into one PDF. This builds such files from
a folder of single results (a generated corpus with its ``*.gt.json``, or the real
documents of ``../shared/realdata``): each stack is some results' pages one after the
other, images as pages at their own resolution, sometimes with a blank separator sheet
between two results, and a ``stacks.json`` saying which pages are which result.

``evaluate`` compares what an ingest of the stacks made (``sohoa export`` rows) with that
truth: boundaries found exactly, per result and per stack, and the fields of each result
against its ground truth, beside the same results ingested one file each.

    python scripts/stacks.py build CORPUS OUT [--per-stack 6] [--stacks 8] [--seed 1] [--blank-every 3]
    python scripts/stacks.py evaluate OUT STACKS_EXPORT SINGLES_EXPORT [--corpus CORPUS | --labels LABELS]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from PIL import Image, ImageSequence

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fieldeval

SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")


@dataclass(frozen=True)
class Member:
    file: str
    first: int
    last: int


def _image_pages(path: Path) -> pikepdf.Pdf:
    """An image file's frames as a PDF of one page each, at the image's own resolution."""
    with Image.open(path) as image:
        frames = [frame.convert("RGB") for frame in ImageSequence.Iterator(image)]
        dpi = image.info.get("dpi", (300, 300))[0] or 300
    buffer = io.BytesIO()
    frames[0].save(buffer, "PDF", save_all=True, append_images=frames[1:], resolution=float(dpi))
    return pikepdf.open(io.BytesIO(buffer.getvalue()))


def _blank_page(like: pikepdf.Page) -> pikepdf.Pdf:
    """A white sheet of the size of ``like``, as a scanner gives a separator: an image."""
    box = like.mediabox
    width, height = round(float(box[2]) - float(box[0])), round(float(box[3]) - float(box[1]))
    buffer = io.BytesIO()
    Image.new("RGB", (width * 150 // 72, height * 150 // 72), (252, 252, 250)).save(buffer, "PDF", resolution=150.0)
    return pikepdf.open(io.BytesIO(buffer.getvalue()))


def build(corpus: Path, out: Path, *, per_stack: int = 6, stacks: int = 8, seed: int = 1,
          blank_every: int = 3) -> dict[str, list[Member]]:
    """Write ``stacks`` stack PDFs of ``per_stack`` results each into ``out`` (a blank sheet
    after every ``blank_every``-th result; 0: none), and ``stacks.json``."""
    warnings.filterwarnings("ignore", category=pikepdf.PageCopyWarning if hasattr(pikepdf, "PageCopyWarning")
                            else UserWarning)  # form fields of signed originals: not kept in a stack
    files = sorted(p for p in corpus.iterdir() if p.suffix.lower() in SUFFIXES)
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    made: dict[str, list[Member]] = {}
    for n in range(stacks):
        picked = rng.sample(files, min(per_stack, len(files)))
        stack = pikepdf.new()
        members = []
        for i, path in enumerate(picked):
            source = pikepdf.open(path) if path.suffix.lower() == ".pdf" else _image_pages(path)
            first = len(stack.pages) + 1
            stack.pages.extend(source.pages)
            members.append(Member(path.name, first, len(stack.pages)))
            if blank_every and (i + 1) % blank_every == 0 and i + 1 < len(picked):
                stack.pages.extend(_blank_page(stack.pages[-1]).pages)
        name = f"stack_{seed}_{n:02d}.pdf"
        stack.save(out / name)
        made[name] = members
    (out / "stacks.json").write_text(json.dumps({k: [m.__dict__ for m in v] for k, v in made.items()}, indent=1),
                                     encoding="utf-8")
    return made


@dataclass
class Found:
    results: int = 0
    exact: int = 0
    stacks: int = 0
    stacks_exact: int = 0


def boundaries(truth: dict[str, list[dict]], rows: list[dict], out: Path) -> tuple[Found, dict[str, dict]]:
    """Boundaries found exactly, per result and per stack: a result is found when one
    record holds exactly its printed pages (blank sheets, which belong to no result, set
    aside); and, for each member file whose result was found, that result's export row."""
    found, matched = Found(), {}
    by_file: dict[str, list[dict]] = {}
    for row in rows:
        if row.get("status") == "indexed":
            by_file.setdefault(Path(row["source"]["path"]).name, []).append(row)
    for stack, members in truth.items():
        got = by_file.get(stack, [])
        with pikepdf.open(out / stack) as pdf:
            pages = set(range(1, len(pdf.pages) + 1))
        spans = {id(r): set(range(r["page_range"][0], r["page_range"][1] + 1)) if r.get("page_range")
                 else set(range(1, r["pages"] + 1)) for r in got}
        covered = set().union(*spans.values()) if spans else set()
        blank = (pages - covered) | {n for r in got for n in r.get("blank_pages") or ()}
        hits = 0
        for m in members:
            want = set(range(m["first"], m["last"] + 1)) - blank
            row = next((r for r in got if spans[id(r)] - blank == want), None)
            found.results += 1
            if row is not None:
                hits += 1
                matched[m["file"]] = row
        found.exact += hits
        found.stacks += 1
        found.stacks_exact += hits == len(members) and len(got) == len(members)
    return found, matched


@dataclass
class Evaluation:
    """How a stacks ingest did: boundaries, and the fields beside the results alone."""

    found: Found
    judged_by: str = ""
    alone: tuple[int, int] = (0, 0)
    """Fields exact, and fields counted, of the results ingested one file each."""
    in_stacks: tuple[int, int] = (0, 0)

    @property
    def boundary_rate(self) -> float:
        return self.found.exact / self.found.results if self.found.results else 1.0

    @staticmethod
    def share(pair: tuple[int, int]) -> float:
        return pair[0] / pair[1] if pair[1] else 1.0

    def render(self) -> str:
        f = self.found
        lines = [f"boundaries: {f.exact}/{f.results} results exact ({self.boundary_rate:.1%}), "
                 f"{f.stacks_exact}/{f.stacks} stacks exact"]
        if self.judged_by:
            lines.append(f"{self.judged_by} exact, each result alone: {self.alone[0]}/{self.alone[1]} = "
                         f"{self.share(self.alone):.1%}; in stacks: {self.in_stacks[0]}/{self.in_stacks[1]} = "
                         f"{self.share(self.in_stacks):.1%} (a result whose boundaries were missed counts as not read)")
        return "\n".join(lines)


def evaluate(out: Path, stacks_export: Path, singles_export: Path, corpus: Path | None = None,
             labels: Path | None = None) -> Evaluation:
    """The boundaries of the stacks in ``out`` as an ingest found them (its export), and the
    fields of their results against the generated ground truth (``corpus``) or the hand
    labels of real documents (``labels``), beside the same results ingested alone."""
    truth = json.loads((out / "stacks.json").read_text(encoding="utf-8"))
    rows = [json.loads(line) for line in stacks_export.read_text(encoding="utf-8").splitlines() if line.strip()]
    found, matched = boundaries(truth, rows, out)
    result = Evaluation(found)
    if corpus is None and labels is None:
        return result
    singles = [json.loads(line) for line in singles_export.read_text(encoding="utf-8").splitlines() if line.strip()]
    members = {_named(m["file"]) for ms in truth.values() for m in ms}
    in_stack = [{**row, "source": {**row["source"], "path": _named(name)}} for name, row in matched.items()]
    if corpus is not None:
        alone = [r for r in singles if Path(r["source"]["path"]).name in members]
        subset = _subset(corpus, members)
        result.judged_by = "fields"
        result.alone, result.in_stacks = (_counted(fieldeval.score(subset, rows_)) for rows_ in (alone, in_stack))
    else:
        known = json.loads(labels.read_text(encoding="utf-8"))  # type: ignore[union-attr]
        chosen = {k: v for k, v in known.items() if k in members}
        result.judged_by = "printed fields (signed_on aside: joining PDFs drops their signatures)"
        result.alone, result.in_stacks = (_printed(fieldeval.score_labels(chosen, rows_))
                                          for rows_ in (singles, in_stack))
    return result


def _named(name: str) -> str:
    """A member's file name (a truth written elsewhere may name ``r03`` for ``r03.pdf``)."""
    return name if Path(name).suffix.lower() in SUFFIXES else name + ".pdf"


def _counted(report: fieldeval.Report) -> tuple[int, int]:
    return sum(s.exact for s in report.by_quality.values()), sum(s.total for s in report.by_quality.values())


def _printed(report: fieldeval.LabelReport) -> tuple[int, int]:
    kept = [s for name, s in report.printed.items() if name != "signed_on"]
    return sum(s.exact for s in kept), sum(s.total for s in kept)


def _subset(corpus: Path, names: set[str]) -> Path:
    """A folder holding the ground truth of ``names`` only."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="stacks-gt-"))
    for gt in corpus.glob("*.gt.json"):
        if json.loads(gt.read_text(encoding="utf-8"))["file"] in names:
            (folder / gt.name).write_text(gt.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build")
    b.add_argument("corpus", type=Path)
    b.add_argument("out", type=Path)
    b.add_argument("--per-stack", type=int, default=6)
    b.add_argument("--stacks", type=int, default=8)
    b.add_argument("--seed", type=int, default=1)
    b.add_argument("--blank-every", type=int, default=3)
    e = sub.add_parser("evaluate")
    e.add_argument("out", type=Path)
    e.add_argument("stacks_export", type=Path)
    e.add_argument("singles_export", type=Path)
    e.add_argument("--corpus", type=Path, help="the generated corpus (its *.gt.json)")
    e.add_argument("--labels", type=Path, help="hand labels of real documents (tests/realdata_labels.json)")
    args = parser.parse_args()
    if args.command == "build":
        made = build(args.corpus, args.out, per_stack=args.per_stack, stacks=args.stacks, seed=args.seed,
                     blank_every=args.blank_every)
        print(f"{len(made)} stacks of {args.per_stack} results in {args.out}")
    else:
        print(evaluate(args.out, args.stacks_export, args.singles_export, args.corpus, args.labels).render())


if __name__ == "__main__":
    main()
