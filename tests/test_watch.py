"""``sohoa watch``: scans dropped into a watched folder are ingested exactly once, across
a kill -9 and a restart, and a folder that goes away (a share unmounted) is taken up again
when it is back."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from tests.conftest import SOHOA

pytestmark = pytest.mark.slow


def _env(home: Path) -> dict[str, str]:
    env = {**os.environ, "SOHOA_HOME": str(home), "SOHOA_LANG": "en"}
    env.pop("SOHOA_ES_URL", None)
    return env


def _start(home: Path, folder: Path, log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen([SOHOA, "watch", "--interval", "1", str(folder)], env=_env(home), stdout=out,
                                stderr=subprocess.STDOUT)


@contextlib.contextmanager
def _watching(home: Path, folder: Path, log: Path) -> Iterator[subprocess.Popen]:
    """``sohoa watch`` on ``folder``, stopped as a service manager stops it (SIGTERM)."""
    watcher = _start(home, folder, log)
    try:
        yield watcher
    finally:
        if watcher.poll() is None:
            watcher.send_signal(signal.SIGTERM)
        watcher.wait(30)


def _drop(files: list[Path], folder: Path) -> None:
    """Copy as a scanner writes: to a temporary name, then renamed into place."""
    for f in files:
        part = folder / (f.name + ".part")
        shutil.copy(f, part)
        part.rename(folder / f.name)


def _records(home: Path) -> list[dict]:
    if not (home / "ledger.sqlite").exists():
        return []
    out = subprocess.run([SOHOA, "export"], env=_env(home), capture_output=True, text=True, timeout=120)
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def _wait_for(home: Path, count: int, seconds: float = 120) -> list[dict]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        rows = _records(home)
        if len(rows) >= count:
            return rows
        time.sleep(1)
    raise AssertionError(f"{len(_records(home))} records after {seconds} s, {count} expected")


def test_dropped_scans_are_ingested_exactly_once_across_a_kill(tmp_path: Path, born_digital_corpus: Path) -> None:
    scans = sorted(born_digital_corpus.glob("*.pdf"))
    folder, home, log = tmp_path / "scanner", tmp_path / "home", tmp_path / "watch.log"
    folder.mkdir()
    with _watching(home, folder, log) as first:
        _drop(scans[:3], folder)
        _wait_for(home, 3)
        _drop(scans[3:6], folder)
        time.sleep(2.5)  # settled: the next pass may be under way when it dies
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    _drop(scans[6:], folder)
    with _watching(home, folder, log) as second:
        _wait_for(home, len(scans))
        time.sleep(3)  # a further pass finds nothing more to do
    assert second.returncode == 0, log.read_text()
    rows = _records(home)
    assert sorted(Path(r["source"]["path"]).name for r in rows) == sorted(p.name for p in scans)
    with closing(sqlite3.connect(home / "ledger.sqlite")) as db:
        assert db.execute("SELECT count(*), sum(state = 'indexed') FROM documents").fetchone() == (8, 8)
        assert db.execute("SELECT count(*), sum(state = 'done') FROM files").fetchone() == (8, 8)
    found = subprocess.run([SOHOA, "search", "", "--json", "--limit", "100"], env=_env(home), capture_output=True,
                           text=True, check=True)
    assert len(json.loads(found.stdout)["hits"]) == 8  # in the index once each


def test_a_folder_that_goes_away_is_taken_up_again(tmp_path: Path, born_digital_corpus: Path) -> None:
    scans = sorted(born_digital_corpus.glob("*.pdf"))
    folder, home, log = tmp_path / "share", tmp_path / "home", tmp_path / "watch.log"
    folder.mkdir()
    with _watching(home, folder, log):
        _drop(scans[:1], folder)
        _wait_for(home, 1)
        folder.rename(tmp_path / "away")  # unmounted
        time.sleep(3)
        (tmp_path / "away").rename(folder)  # back
        _drop(scans[1:2], folder)
        _wait_for(home, 2)
    assert "waiting for it to come back" in log.read_text()
