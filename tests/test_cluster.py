"""An ingest on a Dask distributed cluster (``sohoa ingest --cluster``), against a real
``dask scheduler`` and real ``dask worker`` processes on loopback: the same records as a
local ingest (signed copies included, stored in this home), a worker killed with SIGKILL
mid-run (every file once in the ledger and the index), the scheduler killed (the command
exits with its code; a rerun on a new scheduler finishes), a file that kills every
worker it touches (failed with its reason), the errors when there is no scheduler, and a
worker running other sohoa code (refused before anything is sent), a worker whose disk is
full (named; a rerun finishes)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import samplegen
from sohoa.core.errors import ExitCode
from tests import pki
from tests.conftest import ROOT, SOHOA, copy_corpus

pytestmark = pytest.mark.service
DASK = str(Path(sys.executable).with_name("dask"))


@dataclass
class Cluster:
    address: str
    scheduler: subprocess.Popen
    workers: list[subprocess.Popen] = field(default_factory=list)
    logs: Path | None = None

    def kill(self) -> None:
        for proc in [*self.workers, self.scheduler]:
            if proc.poll() is None:
                proc.kill()
            proc.wait(10)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "scripts")]), "SOHOA_LANG": "en",
           **extra}
    env.pop("SOHOA_ES_URL", None)
    env.pop("SOHOA_DASK_SCHEDULER", None)
    return env


@contextlib.contextmanager
def cluster(tmp: Path, workers: int = 2, *, nanny: bool = False, allowed_failures: int = 3,
            site: Path | None = None, tmpdir: Path | None = None) -> Iterator[Cluster]:
    """A scheduler and ``workers`` single-threaded workers, started by Dask's own commands
    (their sohoa imported from ``site``, their temporary files in ``tmpdir``, when given)."""
    tmp.mkdir(parents=True, exist_ok=True)
    port = _port()
    address = f"tcp://127.0.0.1:{port}"
    # A worker is given only what it runs (no queue of its own): a worker's death then
    # suspects only the document it was reading, not those waiting behind it.
    env = _env(DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=str(allowed_failures),
               DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION="1.0")
    scheduler = _spawn([DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                       tmp / "scheduler.log", env)
    found = Cluster(address, scheduler, logs=tmp)
    try:
        for n in range(workers):
            found.workers.append(_worker(address, tmp / f"worker{n}.log", nanny=nanny, site=site, tmpdir=tmpdir))
        _wait_for(address, workers)
        yield found
    finally:
        found.kill()


def _worker(address: str, log: Path, *, nanny: bool, site: Path | None = None,
            tmpdir: Path | None = None) -> subprocess.Popen:
    env = _env()
    if site is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(site), env["PYTHONPATH"]])
    if tmpdir is not None:
        env["TMPDIR"] = str(tmpdir)
    return _spawn([DASK, "worker", address, "--nthreads", "1", "--no-dashboard", "--nanny" if nanny else "--no-nanny",
                   "--death-timeout", "60"], log, env)


def _spawn(command: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    with open(log, "ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)


def _wait_for(address: str, workers: int) -> None:
    from distributed import Client

    with Client(address, timeout=30, set_as_default=False) as client:
        client.wait_for_workers(workers, timeout=60)


def _ingest(home: Path, *args: str, wait: bool = True, **env: str) -> subprocess.Popen | subprocess.CompletedProcess:
    command = [SOHOA, "--home", str(home), "ingest", "--no-progress", *args]
    if not wait:
        return subprocess.Popen(command, env=_env(**env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)
    return subprocess.run(command, env=_env(**env), capture_output=True, text=True, timeout=900)


def _export(home: Path) -> dict[str, dict]:
    out = subprocess.run([SOHOA, "--home", str(home), "export"], env=_env(), capture_output=True, text=True,
                         check=True).stdout
    rows = {}
    for line in out.splitlines():
        row = json.loads(line)
        row.pop("processed_at", None)
        rows[row["id"]] = row
    return rows


def _ledger_counts(home: Path) -> tuple[int, int, int]:
    """Documents processed (indexed), files done, and files of the ledger."""
    with contextlib.closing(sqlite3.connect(f"file:{home / 'ledger.sqlite'}?mode=ro", uri=True)) as db:
        indexed = db.execute("SELECT count(*) FROM documents WHERE state = 'indexed'").fetchone()[0]
        done, files = db.execute("SELECT sum(state = 'done'), count(*) FROM files").fetchone()
    return indexed, done or 0, files


def _done(home: Path) -> int:
    if not (home / "ledger.sqlite").exists():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(f"file:{home / 'ledger.sqlite'}?mode=ro", uri=True)) as db:
            return db.execute("SELECT count(*) FROM documents WHERE state != 'pending'").fetchone()[0]
    except sqlite3.Error:
        return 0


def _index_ids(home: Path) -> list[str]:
    found = subprocess.run([SOHOA, "--home", str(home), "search", "", "--json", "--limit", "100"], env=_env(),
                           capture_output=True, text=True, check=True)
    return [h["id"] for h in json.loads(found.stdout)["hits"]]


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cluster_scans")
    samplegen.generate(out, 10, seed=31, qualities=("clean", "typical"))
    for p in out.glob("*.gt.json"):
        p.unlink()
    return out


def test_an_ingest_on_the_cluster_gives_the_records_of_a_local_ingest(scans: Path, tmp_path: Path) -> None:
    the_pki = pki.build()
    trust = the_pki.write_trust_dir(tmp_path / "trust")
    p12 = tmp_path / "good.p12"
    p12.write_bytes(the_pki.p12("good", b"k"))
    sign = ("--trust", str(trust), "--sign-with", str(p12))
    local = _ingest(tmp_path / "local", "--workers", "2", *sign, str(copy_corpus(scans, tmp_path / "a")),
                    SOHOA_SIGN_PASSPHRASE="k")
    assert local.returncode == 0, local.stdout + local.stderr
    # The machine that runs the command needs no Tesseract (no program on its PATH at all):
    # the workers read the pages.
    bare = tmp_path / "bare-path"
    bare.mkdir()
    with cluster(tmp_path / "dask") as c:
        remote = _ingest(tmp_path / "remote", "--cluster", c.address, *sign,
                         str(copy_corpus(scans, tmp_path / "b")), SOHOA_SIGN_PASSPHRASE="k", PATH=str(bare))
    assert remote.returncode == 0, remote.stdout + remote.stderr
    mine, theirs = _export(tmp_path / "local"), _export(tmp_path / "remote")
    assert mine.keys() == theirs.keys() and len(mine) == 10
    for sha, row in theirs.items():
        expected = mine[sha]
        assert row["source"]["path"].startswith(str(tmp_path / "b"))  # the file's own path, not a worker's copy
        for name in ("fields", "confidence", "validity", "signatures", "pages", "ocr", "text"):
            assert row.get(name) == expected.get(name), (sha, name)
        copy = row.get("signed_copy")
        if expected.get("signed_copy"):  # the copy came back and is stored in this home, and verifies
            assert copy and Path(copy["path"]).is_relative_to(tmp_path / "remote" / "copies")
            assert Path(copy["path"]).is_file()
            checked = subprocess.run([SOHOA, "--home", str(tmp_path / "remote"), "verify", "--trust", str(trust),
                                      "--json", copy["path"]], env=_env(), capture_output=True, text=True)
            assert json.loads(checked.stdout)[0]["status"] == "valid", checked.stdout
    assert any(r.get("signed_copy") for r in theirs.values())
    assert not list((tmp_path / "remote").glob("inbox"))  # workers kept their files in their own temp


def test_a_worker_killed_mid_run_loses_and_doubles_nothing(scans: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    with cluster(tmp_path / "dask", workers=2) as c:
        run = _ingest(home, "--cluster", c.address, str(copy_corpus(scans, tmp_path / "scans")), wait=False)
        deadline = time.monotonic() + 300
        while _done(home) < 2 and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert run.poll() is None, "the run ended before a worker could be killed"
        os.kill(c.workers[0].pid, signal.SIGKILL)
        out, _ = run.communicate(timeout=900)
    assert run.returncode == 0, out
    assert _ledger_counts(home) == (10, 10, 10)
    ids = _index_ids(home)
    assert len(set(ids)) == len(ids) == 10


def test_the_scheduler_lost_stops_the_run_and_a_rerun_finishes(scans: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    folder = copy_corpus(scans, tmp_path / "scans")
    with cluster(tmp_path / "dask1") as c:
        run = _ingest(home, "--cluster", c.address, str(folder), wait=False)
        deadline = time.monotonic() + 300
        while _done(home) < 2 and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert run.poll() is None
        c.scheduler.kill()
        c.scheduler.wait(10)
        out, _ = run.communicate(timeout=300)
    assert run.returncode == ExitCode.cluster_lost, out
    assert "Lost the Dask scheduler" in out and "run the same command" in out and "Traceback" not in out
    before = _done(home)
    assert 2 <= before < 10
    with cluster(tmp_path / "dask2") as c:
        again = _ingest(home, "--cluster", c.address, str(folder))
    assert again.returncode == 0, again.stdout + again.stderr
    assert _ledger_counts(home) == (10, 10, 10)
    ids = _index_ids(home)
    assert len(set(ids)) == len(ids) == 10


def kill_on_poison(func, task, settings):  # type: ignore[no-untyped-def]
    """Runs on a worker: a file named ``poison`` kills the worker process, as a crash in a
    native library would."""
    if "poison" in Path(task.path).name:
        os.kill(os.getpid(), signal.SIGKILL)
    return func(task, settings)


def test_a_file_that_kills_every_worker_fails_with_its_reason(scans: Path, tmp_path: Path) -> None:
    import functools

    from sohoa.core.settings import Settings
    from sohoa.indexer.base import open_index
    from sohoa.ingest import cluster as clustering
    from sohoa.ingest.executor import InProcess, Job
    from sohoa.ingest.run import ingest

    folder = copy_corpus(scans, tmp_path / "scans")
    first = sorted(folder.iterdir())[0]
    first.rename(first.with_name("poison" + first.suffix))

    class Poisoned(clustering.DaskCluster):
        def run(self, fn, tasks, on_result, on_crash):  # type: ignore[no-untyped-def]
            if isinstance(fn, Job) and fn.portable:  # the fault travels with the job
                fn = Job(functools.partial(kill_on_poison, fn.func), fn.settings)
            super().run(fn, tasks, on_result, on_crash)

    with cluster(tmp_path / "dask", workers=2, nanny=True, allowed_failures=1) as c:
        settings = Settings.from_env(tmp_path / "home", workers=1, settle_seconds=0.0)
        index = open_index(settings)
        try:
            summary = ingest([folder], settings, index, progress=False,
                             executor=Poisoned(c.address, shared_storage=True, local=InProcess()))
        finally:
            index.close()
    assert len(summary.failed) == 1 and summary.failed[0][0].endswith("poison" + first.suffix)
    assert "Dask workers died processing this file" in summary.failed[0][1]
    assert summary.processed == 9


def test_no_scheduler_is_said_plainly(scans: Path, tmp_path: Path) -> None:
    done = _ingest(tmp_path / "home", "--cluster", f"tcp://127.0.0.1:{_port()}", str(scans),
                   SOHOA_LANG="en")
    assert done.returncode == ExitCode.cluster_lost, done.stdout + done.stderr
    said = done.stdout + done.stderr
    assert "Cannot reach the Dask scheduler" in said and "Traceback" not in said


def test_a_worker_running_other_code_is_refused_before_anything_is_sent(scans: Path, tmp_path: Path) -> None:
    # sohoa laid out as an installed copy, one module edited: a machine left on an older
    # checkout. It would give other records than this one, so the run refuses it.
    site = tmp_path / "site"
    shutil.copytree(ROOT / "sohoa", site / "sohoa", ignore=shutil.ignore_patterns("__pycache__"))
    for stage in ("ingest", "ocr", "indexer", "search_api"):
        shutil.copytree(ROOT / stage, site / "sohoa" / stage, ignore=shutil.ignore_patterns("__pycache__"))
    with open(site / "sohoa" / "ocr" / "extract.py", "a", encoding="utf-8") as edited:
        edited.write("\n# an older checkout\n")
    with cluster(tmp_path / "cluster", 1, site=site) as c:
        done = _ingest(tmp_path / "home", "--cluster", c.address, str(scans))
    said = done.stdout + done.stderr
    assert done.returncode == ExitCode.missing_dependency, said
    assert "workers of the Dask cluster run other sohoa code than this machine" in said, said
    assert "Traceback" not in said
    assert _done(tmp_path / "home") == 0  # nothing was processed; a rerun with the same code does it all


def test_a_worker_whose_disk_is_full_is_named_and_a_rerun_finishes(scans: Path, tmp_path: Path) -> None:
    # The worker's temporary folder on a real tmpfs too small for a scan.
    full = tmp_path / "worker-tmp"
    full.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(full)],
                      capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    folder = tmp_path / "scans"
    folder.mkdir()
    for path in sorted(p for p in scans.iterdir() if p.is_file())[:3]:
        shutil.copy(path, folder / path.name)
    folder = copy_corpus(folder, tmp_path / "old-scans")
    home = tmp_path / "home"
    try:
        with cluster(tmp_path / "dask", 1, tmpdir=full) as c:
            stopped = _ingest(home, "--cluster", c.address, str(folder))
            said = stopped.stdout + stopped.stderr
            assert stopped.returncode == ExitCode.cannot_write, said
            assert f"Worker {c.address.rsplit(':', 1)[0]}" in said and "cannot write to its temporary folder" in said
            assert str(full) in said and "run the same command again" in said and "Traceback" not in said
            subprocess.run(["mount", "-o", "remount,size=64m", str(full)], check=True)
            done = _ingest(home, "--cluster", c.address, str(folder))
            assert done.returncode == 0, done.stdout + done.stderr
        assert _ledger_counts(home) == (3, 3, 3)
    finally:
        subprocess.run(["umount", "-l", str(full)], check=False)
