"""A run killed with SIGKILL mid-ingest, then run again, ends with every file processed once."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import samplegen
from tests.conftest import copy_corpus

N = 12


def _states(ledger: Path) -> dict[str, int]:
    try:
        with sqlite3.connect(ledger, timeout=5) as db:
            return dict(db.execute("SELECT state, count(*) FROM documents GROUP BY state").fetchall())
    except sqlite3.Error:
        return {}


@pytest.mark.slow
def test_sigkill_then_rerun_processes_every_file_exactly_once(home: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "gen"
    samplegen.generate(corpus, N, seed=7, qualities=("clean",))
    folder = copy_corpus(corpus, tmp_path / "batch")
    sohoa = shutil.which("sohoa") or str(Path(sys.executable).with_name("sohoa"))
    cmd = [sohoa, "--home", str(home), "ingest", "--no-progress", "--workers", "2", str(folder)]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    ledger = home / "ledger.sqlite"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and _states(ledger).get("indexed", 0) < 3:
        assert proc.poll() is None, proc.stdout.read().decode()
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the parent and its workers, mid-run
    proc.wait()
    at_kill = _states(ledger)
    done_before = at_kill.get("indexed", 0)
    left_extracted = at_kill.get("extracted", 0)
    assert 3 <= done_before < N, at_kill

    rerun = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "SOHOA_LANG": "en"})
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    processed = int(rerun.stdout.split("Processed: ")[1].split()[0])
    assert processed + left_extracted + done_before == N
    assert _states(ledger) == {"indexed": N}

    export = subprocess.run([sohoa, "--home", str(home), "export"], capture_output=True, text=True, check=True)
    rows = [json.loads(line) for line in export.stdout.splitlines()]
    paths = sorted(Path(r["source"]["path"]).name for r in rows)
    assert paths == sorted(p.name for p in folder.iterdir() if not p.name.endswith(".json"))
    with sqlite3.connect(home / "index.sqlite") as db:
        indexed = [r[0] for r in db.execute("SELECT id FROM docs")]
        fts_rows = db.execute("SELECT count(*) FROM docs_fts").fetchone()[0]
    assert sorted(indexed) == sorted(r["id"] for r in rows)
    assert fts_rows == N
