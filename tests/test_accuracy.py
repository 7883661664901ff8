"""Field accuracy on a freshly generated corpus, through the real pipeline and real Tesseract.

Prints the per-field table. Targets: exact fields >= 97% clean, 93% typical, 85% poor,
100% born-digital; invented values <= 2%.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import fieldeval
import samplegen
from tests.conftest import copy_corpus

TARGETS = {"clean": 0.97, "typical": 0.93, "poor": 0.85, "born_digital": 1.0}
MAX_INVENTED = 0.02
COUNT = 64  # 8 types x 4 qualities x 2


@pytest.mark.slow
def test_field_accuracy(cli, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed = int(os.environ.get("SOHOA_CORPUS_SEED", "2026"))
    corpus = tmp_path / "generated"
    samplegen.generate(corpus, COUNT, seed=seed)
    folder = copy_corpus(corpus, tmp_path / "corpus")
    result = cli("ingest", "--no-progress", str(folder))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in cli("export").stdout.splitlines() if line.startswith("{")]
    assert len(rows) == COUNT
    report = fieldeval.score(folder, rows)
    with capsys.disabled():
        print(f"\nField accuracy on {COUNT} generated documents (seed {seed}):")
        print(report.render())
        for quality, s in sorted(report.by_quality.items()):
            for miss in s.misses:
                print(f"  [{quality}] {miss}")
    invented = sum(s.invented for s in report.by_quality.values())
    total = sum(s.total for s in report.by_quality.values())
    for quality, target in TARGETS.items():
        assert report.by_quality[quality].rate >= target, (quality, report.by_quality[quality].rate)
    assert invented / total <= MAX_INVENTED
