"""``sohoa backup`` while an ingest runs, and ``sohoa restore``: the restored home is
finished by running the same ingest again, every file once; a damaged backup, or a home
that holds data, is refused."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

import samplegen
from tests.conftest import SOHOA, copy_corpus


def _env(home: Path) -> dict[str, str]:
    env = {**os.environ, "SOHOA_HOME": str(home), "SOHOA_LANG": "en"}
    env.pop("SOHOA_ES_URL", None)
    return env


def _states(home: Path) -> dict[str, int]:
    try:
        with contextlib.closing(sqlite3.connect(f"file:{home / 'ledger.sqlite'}?mode=ro", uri=True)) as db:
            return dict(db.execute("SELECT state, count(*) FROM documents GROUP BY state").fetchall())
    except sqlite3.Error:
        return {}


@pytest.mark.slow
def test_a_backup_taken_during_an_ingest_restores_to_a_home_a_rerun_completes(tmp_path: Path) -> None:
    corpus = tmp_path / "generated"
    samplegen.generate(corpus, 10, seed=12, qualities=("clean",))
    for p in corpus.glob("*.gt.json"):
        p.unlink()
    scans = copy_corpus(corpus, tmp_path / "scans")
    home = tmp_path / "home"
    running = subprocess.Popen([SOHOA, "ingest", "--no-progress", "--workers", "1", str(scans)], env=_env(home),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 300
    while _states(home).get("indexed", 0) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    taken = subprocess.run([SOHOA, "backup", str(tmp_path / "backups")], env=_env(home), capture_output=True,
                           text=True, timeout=120)
    still_running = running.poll() is None
    running.communicate(timeout=600)
    assert taken.returncode == 0, taken.stdout + taken.stderr
    assert still_running  # the backup was taken mid-run
    backup = next((tmp_path / "backups").iterdir())
    with contextlib.closing(sqlite3.connect(backup / "ledger.sqlite")) as db:
        at_backup = dict(db.execute("SELECT state, count(*) FROM documents GROUP BY state").fetchall())
    assert 2 <= at_backup.get("indexed", 0) < 10, at_backup

    restored = tmp_path / "restored"
    put = subprocess.run([SOHOA, "restore", str(backup)], env=_env(restored), capture_output=True, text=True)
    assert put.returncode == 0, put.stdout + put.stderr
    rerun = subprocess.run([SOHOA, "ingest", "--no-progress", str(scans)], env=_env(restored), capture_output=True,
                           text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert _states(restored) == {"indexed": 10}
    rows = [json.loads(line) for line in subprocess.run([SOHOA, "export"], env=_env(restored), capture_output=True,
                                                        text=True).stdout.splitlines() if line.startswith("{")]
    assert sorted(Path(r["source"]["path"]).name for r in rows) == sorted(p.name for p in scans.iterdir())

    again = subprocess.run([SOHOA, "restore", str(backup)], env=_env(restored), capture_output=True, text=True)
    assert again.returncode != 0 and "restore into an empty folder" in again.stdout + again.stderr
    (backup / "ledger.sqlite").write_bytes(b"damaged")
    broken = subprocess.run([SOHOA, "restore", str(backup)], env=_env(tmp_path / "empty"), capture_output=True,
                            text=True)
    assert broken.returncode != 0 and "damaged or lacks files: ledger.sqlite" in broken.stdout + broken.stderr
    assert not (tmp_path / "empty" / "ledger.sqlite").exists()
