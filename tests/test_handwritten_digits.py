"""How far a digit-only second read of a hand-filled number can be trusted.

Number lines are generated as a scan shows them: "Số:" and the notation printed, the
digits in between written by hand (``scripts/sample_handwriting.py``), at 150-300 dpi,
clean to poor. They go through the production path (``ocr.zones.digit_reads``, then the
agreement rule) with the word boxes the first pass gives. The table printed shows, per
confidence threshold, how many numbers would be accepted and how many of those wrong.
Confidence does not separate the wrong reads (they score 96, the highest Tesseract gives
here), so the read is kept as a suggestion in the record's notes, never as the number.
``HANDWRITTEN_DIGIT_CONFIDENCE`` was chosen on sample(seed=7) and is checked here on
seed 8.
"""

from __future__ import annotations

import io
import random

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter
from sample_handwriting import write_digits
from sample_layout import pil_font

from sohoa.core.layout import Line
from sohoa.ocr import zones

QUALITY = {"clean": (3, 0.0, 90), "typical": (8, 0.5, 70), "poor": (16, 0.9, 40)}  # noise, blur, JPEG


def number_line(digits: str, dpi: int, quality: str, rng: random.Random) -> tuple[np.ndarray, Line]:
    """A grey image of "Số: <digits written by hand> /QĐ-UBND" and its line as OCR boxes it."""
    px = round(13 * dpi / 72)
    font = pil_font("regular", px)
    page = Image.new("RGB", (px * 16, px * 3), (250, 249, 245))
    draw = ImageDraw.Draw(page)
    y = px
    label = draw.textbbox((px, y), "Số:", font=font, anchor="ls")
    draw.text((px, y), "Số:", font=font, fill=(15, 15, 15), anchor="ls")
    hand = write_digits(digits, int(px * rng.uniform(0.8, 1.3)), rng)
    hx = label[2] + int(px * rng.uniform(0.2, 0.6))
    page.paste(hand, (hx, y - int(hand.height * 0.72)), hand)
    nx = hx + hand.width + int(px * rng.uniform(0.0, 0.4))
    notation = draw.textbbox((nx, y), "/QĐ-UBND", font=font, anchor="ls")
    draw.text((nx, y), "/QĐ-UBND", font=font, fill=(15, 15, 15), anchor="ls")
    noise, blur, jpeg = QUALITY[quality]
    arr = np.asarray(page).astype(np.float32) + np.random.default_rng(rng.randrange(2**31)).normal(0, noise, (
        page.height, page.width, 3))
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(blur))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=jpeg)
    grey = np.asarray(Image.open(buf).convert("L"))
    top, bottom = min(label[1], notation[1]), max(label[3], notation[3])
    line = Line("Số: /QĐ-UBND", label[0], top, notation[2], bottom, 90.0, 1, (93.0, 85.0),
                ((label[0], label[2], "Số:"), (notation[0], notation[2], "/QĐ-UBND")))
    return grey, line


def sample(seed: int, count: int) -> list[tuple[str, list[tuple[str, float]]]]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        digits = f"{rng.choice([rng.randint(1, 99), rng.randint(1, 999), rng.randint(1, 2999)]):02d}"  # Decree 30 pads
        image, line = number_line(digits, rng.choice([150, 200, 300]), rng.choice(list(QUALITY)), rng)
        out.append((digits, zones.digit_reads(image, line)))
    return out


@pytest.mark.slow
def test_digit_only_second_read_is_right_often_enough_to_suggest(capsys: pytest.CaptureFixture[str]) -> None:
    results = sample(seed=8, count=300)  # the threshold was chosen on sample(seed=7, count=300)
    with capsys.disabled():
        print("\nDigit-only second read of 300 generated hand-filled numbers (seed 8):")
        for threshold in sorted({0, 70, 80, 85, zones.HANDWRITTEN_DIGIT_CONFIDENCE, 95}):
            accepted = [(truth, got) for truth, reads in results if (got := zones.agreed(reads, threshold))]
            wrong = sum(truth != got[0] for truth, got in accepted)
            print(f"  every read >= {threshold:>4.0f}: accepted {len(accepted):>3}/{len(results)}, wrong {wrong}")
    accepted = [(truth, got) for truth, reads in results if (got := zones.agreed(reads))]
    wrong = sum(truth != got[0] for truth, got in accepted)
    assert len(accepted) >= 0.15 * len(results)  # worth suggesting at all
    assert wrong <= 0.03 * len(accepted)  # right often enough to be worth a person's look
