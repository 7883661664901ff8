#!/usr/bin/env python3
"""Generate realistic scanned procedure results with ground truth, for tests and demos.

Each document follows the Decree 30/2020 layout (issuer top-left, motto and date line
top-right, type heading, summary, body, signer block with a red seal and a blue
signature), is rendered in Liberation Serif (metric-compatible with Times New Roman,
full Vietnamese glyphs), degraded like a real scan (skew, noise, blur, JPEG artefacts,
150-300 dpi, colour or grey) and written as PDF, TIFF, JPEG or PNG; some are born-digital
PDFs with a text layer. Next to each file, ``<name>.gt.json`` holds its true fields.

    python scripts/samplegen.py OUT_DIR --count 60 --seed 1
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sample_content import FAMILIES, HELD_OUT, TUNED, build_doc, person
from sample_layout import PHOTO, QUALITIES, use_typeface
from sample_render import write_born_digital, write_raster

__all__ = ["FAMILIES", "HELD_OUT", "QUALITIES", "TUNED", "generate", "person"]


def generate(out: Path, count: int, seed: int, qualities: tuple[str, ...] = QUALITIES,
             today: dt.date | None = None, families: tuple[str, ...] = ("A",), duplex: bool = False
             ) -> list[Path]:
    """Write ``count`` documents and their ``.gt.json``, cycling types, then qualities, then families."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    today = today or dt.date.today()
    written = []
    for i in range(count):
        quality = qualities[(i // 8) % len(qualities)] if len(qualities) > 1 else qualities[0]
        family = families[(i // (8 * len(qualities))) % len(families)]
        doc = build_doc(i, rng, quality, today, family, duplex)
        use_typeface(doc.typeface)
        drng = random.Random(doc.seed)
        path = write_born_digital(doc, out) if quality == "born_digital" else write_raster(doc, out, drng)
        page_text = ["\n".join(op.text for op in doc.ops if op.kind == "text" and op.page == n)
                     for n in range(1, doc.pages + 1)]
        scanned = doc.pages * (2 if doc.duplex else 1)
        blank = list(range(2, scanned + 1, 2)) if doc.duplex else []
        truth = {"file": path.name, "quality": quality, "family": family, "format": doc.fmt, "pages": scanned,
                 "blank_pages": blank,
                 "dpi": doc.dpi, "colour": doc.colour, "fields": doc.truth, "page_text": page_text}
        (out / f"{doc.name}.gt.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1),
                                                 encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--count", type=int, default=24)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quality", choices=(*QUALITIES, PHOTO), action="append",
                    help="only these qualities (repeatable); default: all four in turn")
    ap.add_argument("--family", choices=FAMILIES, action="append",
                    help="only these families (repeatable); default: A. Tuned: "
                         f"{', '.join(TUNED)}; held out from tuning: {', '.join(HELD_OUT)}")
    ap.add_argument("--duplex", action="store_true", help="scanned both sides: blank backs with show-through")
    args = ap.parse_args()
    paths = generate(args.out, args.count, args.seed, tuple(args.quality or QUALITIES),
                     families=tuple(args.family or ("A",)), duplex=args.duplex)
    print(f"{len(paths)} documents written to {args.out}")


if __name__ == "__main__":
    main()

