"""Field accuracy on freshly generated corpora, through the real pipeline and real Tesseract.

Two corpora, reported side by side: the generator families the extractor was tuned on
(A, B) and families never used while tuning (C, D: other wordings, label variants, other
typefaces, wrapped agency names, other agencies, gazetteer places, other inks). A figure
on the tuned families alone measures the tuning, not the extractor.

Targets, on both: exact fields >= 97% clean, 93% typical, 85% poor; invented values
<= 2% over all tiers. The tuned families must also read born-digital results exactly. The
held-out families are held a little above the targets where they reach beyond them
(seed 2026, final run of issue 8: 99.1/98.2/98.2/96.0% born-digital/clean/typical/poor,
1.1% invented), so that a slip shows before it reaches the target: a floor only goes up.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import fieldeval
import samplegen
from tests.conftest import copy_corpus

TARGETS = {
    "tuned": {"clean": 0.97, "typical": 0.93, "poor": 0.85, "born_digital": 1.0},
    "held_out": {"clean": 0.97, "typical": 0.95, "poor": 0.93, "born_digital": 0.97},
}
MAX_INVENTED = {"tuned": 0.02, "held_out": 0.02}
COUNT = 64  # 8 types x 4 qualities x 2 families


@pytest.mark.slow
@pytest.mark.parametrize("group", ["tuned", "held_out"])
def test_field_accuracy(cli, tmp_path: Path, capsys: pytest.CaptureFixture[str], group: str) -> None:
    seed = int(os.environ.get("SOHOA_CORPUS_SEED", "2026"))
    families = samplegen.TUNED if group == "tuned" else samplegen.HELD_OUT
    corpus = tmp_path / "generated"
    samplegen.generate(corpus, COUNT, seed=seed, families=families)
    folder = copy_corpus(corpus, tmp_path / "corpus")
    result = cli("ingest", "--no-progress", str(folder))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in cli("export").stdout.splitlines() if line.startswith("{")]
    assert len(rows) == COUNT
    report = fieldeval.score(folder, rows)
    with capsys.disabled():
        print(f"\nField accuracy on {COUNT} generated documents, families {'+'.join(families)} "
              f"({group.replace('_', ' ')}), seed {seed}:")
        print(report.render())
        if group == "tuned":  # the held-out misses are not shown: looking at them is tuning on them
            for quality, s in sorted(report.by_quality.items()):
                for miss in s.misses:
                    print(f"  [{quality}] {miss}")
    invented = sum(s.invented for s in report.by_quality.values())
    total = sum(s.total for s in report.by_quality.values())
    for quality, target in TARGETS[group].items():
        assert report.by_quality[quality].rate >= target, (quality, report.by_quality[quality].rate)
    assert invented / total <= MAX_INVENTED[group]


def test_the_scorer_takes_old_and_new_tone_placement_as_one_word_and_nothing_more() -> None:
    """``Uỷ``/``Ủy`` and ``hoá``/``hóa`` are one word, both correct; a wrong mark is still wrong."""
    assert fieldeval._norm("UỶ BAN NHÂN DÂN") == fieldeval._norm("ỦY BAN NHÂN DÂN")
    assert fieldeval._norm("số hoá  hồ sơ") == fieldeval._norm("số hóa hồ sơ")
    assert fieldeval._norm("số hóa hỗ sơ") != fieldeval._norm("số hóa hồ sơ")
    assert fieldeval._norm(None) is None
