#!/usr/bin/env python3
"""Measure each preprocessing step on generated scans: word accuracy and time per page.

    python scripts/eval_preprocess.py [--docs 24] [--seed 4]   (8 per quality: clean, typical, poor)

For each configuration (a list of steps from ocr/preprocess.py), every page is prepared
and read by Tesseract; word accuracy is the share of the true words (multiset, case and
punctuation kept, accents kept) that OCR produced. The defaults in ocr/preprocess.py are
the configuration this script shows best; docs/reading.md records the figures.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import samplegen
from sohoa.ocr import pages as pagesmod
from sohoa.ocr import preprocess, tesseract

CONFIGS: dict[str, tuple[str, ...]] = {
    "grey only": ("grey",),
    "remove_ink": ("remove_ink",),
    "remove_ink+deskew": ("remove_ink", "deskew"),
    "remove_ink+deskew+denoise": ("remove_ink", "deskew", "denoise"),
    "remove_ink+deskew+threshold": ("remove_ink", "deskew", "threshold"),
    "remove_ink+deskew+upscale": ("remove_ink", "deskew", "upscale"),
}


def words(text: str) -> Counter[str]:
    return Counter(re.findall(r"[\w/.-]+", text))


def load_pages(folder: Path) -> list[tuple[str, pagesmod.PageImage, str]]:
    out = []
    for gt_path in sorted(folder.glob("*.gt.json")):
        gt = json.loads(gt_path.read_text(encoding="utf-8"))
        path = folder / gt["file"]
        fmt = pagesmod.sniff_format(path)
        if fmt == "pdf":
            images = pagesmod.pdf_page_images(path, list(range(1, gt["pages"] + 1)), 10**9)
        else:
            images = pagesmod.raster_page_images(path, 10**9)
        for page in images:
            out.append((gt["quality"], page, gt["page_text"][page.number - 1]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=24)
    ap.add_argument("--seed", type=int, default=4)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        samplegen.generate(folder, args.docs, seed=args.seed, qualities=("clean", "typical", "poor"))
        pages = load_pages(folder)
        print(f"{len(pages)} pages from {args.docs} generated scans (clean, typical, poor)")
        print(f"{'configuration':32}{'clean':>8}{'typical':>9}{'poor':>8}{'all':>8}{'s/page':>9}")
        for name, steps in CONFIGS.items():
            found: dict[str, int] = defaultdict(int)
            total: dict[str, int] = defaultdict(int)
            start = time.perf_counter()
            for quality, page, truth in pages:
                prepared = preprocess.prepare(page.image, page.dpi, steps)
                text = tesseract.read_page_text(prepared.image, dpi=prepared.dpi)
                want, got = words(truth), words(text)
                found[quality] += sum((want & got).values())
                total[quality] += sum(want.values())
            per_page = (time.perf_counter() - start) / len(pages)
            rates = {q: found[q] / total[q] for q in total}
            overall = sum(found.values()) / sum(total.values())
            print(f"{name:32}{rates.get('clean', 0):>8.1%}{rates.get('typical', 0):>9.1%}"
                  f"{rates.get('poor', 0):>8.1%}{overall:>8.1%}{per_page:>9.2f}")


if __name__ == "__main__":
    main()
