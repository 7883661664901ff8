#!/usr/bin/env python3
"""Photograph a folder of generated single-page scans, as a phone would, keeping their truth.

    python scripts/photograph_set.py SCANS OUT [--seed S]

Each ``NAME.png`` with a ``NAME.gt.json`` beside it becomes ``OUT/NAME.jpg`` (the sheet on a
table, tilted, unevenly lit, a finger on an edge: ``sample_photo.photograph``) and a copy of
its truth with quality ``photo``. Used on the independent generator's scans
(``scripts/independent/gen.py``), so that photos of layouts sohoa's own generator never
drew can be scored (``scripts/fieldeval.py``); multi-page PDFs are left out.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from PIL import Image
from sample_photo import photograph


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scans", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    made = 0
    for gt_path in sorted(args.scans.glob("*.gt.json")):
        truth = json.loads(gt_path.read_text(encoding="utf-8"))
        scan = args.scans / truth["file"]
        if scan.suffix != ".png":
            continue
        name = scan.stem + ".jpg"
        photograph(Image.open(scan).convert("RGB"), rng).save(args.out / name, quality=rng.randint(70, 88))
        truth.update(file=name, quality="photo")
        (args.out / gt_path.name).write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
        made += 1
    print(f"{made} photos in {args.out}")


if __name__ == "__main__":
    main()
