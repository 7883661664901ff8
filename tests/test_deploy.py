"""The service units of ``deploy/`` are what systemd accepts: every key known, every
program there (checked with ``systemd-analyze verify``, the venv's programs in place of
/opt/sohoa/.venv's)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

UNITS = sorted((ROOT / "deploy").glob("*.service"))


def test_the_units_are_there() -> None:
    assert {u.name for u in UNITS} == {"sohoa-serve.service", "sohoa-watch.service", "sohoa-dask-scheduler.service",
                                       "sohoa-dask-worker.service"}


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_systemd_accepts_the_unit(unit: Path, tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is missing: scripts/bootstrap --test installs the systemd package"
    venv = Path(sys.executable).parent.parent
    local = tmp_path / unit.name
    local.write_text(unit.read_text(encoding="utf-8").replace("/opt/sohoa/.venv", str(venv)), encoding="utf-8")
    done = subprocess.run([analyze, "verify", str(local)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and not done.stderr.strip() and not done.stdout.strip(), done.stdout + done.stderr
