"""Shared fixtures: generated sample corpora, a fresh sohoa home, and a CLI runner."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import samplegen  # noqa: E402

REALDATA = ROOT.parent / "shared" / "realdata"
if not REALDATA.exists():  # CI clones next to a copy of shared/
    REALDATA = Path(os.environ.get("SOHOA_REALDATA", "/work/shared/realdata"))


@pytest.fixture(scope="session")
def born_digital_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One born-digital PDF of each of the eight result types (no OCR needed)."""
    out = tmp_path_factory.mktemp("born_digital")
    samplegen.generate(out, 8, seed=11, qualities=("born_digital",))
    return out


@pytest.fixture(scope="session")
def small_scan_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few clean scans in every raster format, for OCR paths that must stay fast."""
    out = tmp_path_factory.mktemp("scans")
    samplegen.generate(out, 4, seed=5, qualities=("clean",))
    return out


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "home"
    monkeypatch.setenv("SOHOA_HOME", str(path))
    monkeypatch.setenv("SOHOA_LANG", "en")
    monkeypatch.setenv("SOHOA_TODAY", "2026-11-27")
    return path


@pytest.fixture
def cli(home: Path) -> Callable[..., Result]:
    from sohoa.cli import main

    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(main, ["--home", str(home), *args], catch_exceptions=False)

    return invoke


def truth(corpus: Path) -> dict[str, dict]:
    """Ground truth by file name."""
    out = {}
    for gt in corpus.glob("*.gt.json"):
        data = json.loads(gt.read_text(encoding="utf-8"))
        out[data["file"]] = data
    return out


def copy_corpus(src: Path, dst: Path) -> Path:
    """Copy a corpus with old modification times, so no file looks still-being-written."""
    import shutil

    shutil.copytree(src, dst)
    for p in dst.rglob("*"):
        os.utime(p, (p.stat().st_atime - 3600, p.stat().st_mtime - 3600))
    return dst
