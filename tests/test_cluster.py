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
import re
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
    tls: tuple[Path, Path, Path] | None = None
    """(CA, certificate, key) of a cluster on TLS."""

    def kill(self) -> None:
        for proc in [*self.workers, self.scheduler]:
            if proc.poll() is None:
                proc.kill()
            proc.wait(10)


def _port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def off_loopback() -> str:
    """An address of this machine that is not loopback, where a scheduler is reached as
    from another machine (a dummy interface is made when there is none: CI runs as root)."""
    import ipaddress

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe, contextlib.suppress(OSError):
        probe.connect(("10.254.254.254", 9))
        address = probe.getsockname()[0]
        if not ipaddress.ip_address(address).is_loopback:
            return address
    made = subprocess.run("ip link add sohoa-test0 type dummy && ip addr add 10.203.0.1/24 dev sohoa-test0 && "
                          "ip link set sohoa-test0 up", shell=True, capture_output=True, text=True)
    if made.returncode != 0 and "File exists" not in made.stderr:
        pytest.fail(f"no address off loopback, and none could be made: {made.stderr}")
    return "10.203.0.1"


def _env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "scripts")]), "SOHOA_LANG": "en",
           **extra}
    env.pop("SOHOA_ES_URL", None)
    env.pop("SOHOA_DASK_SCHEDULER", None)
    return env


@contextlib.contextmanager
def cluster(tmp: Path, workers: int = 2, *, nanny: bool = False, allowed_failures: int = 3,
            site: Path | None = None, tmpdir: Path | None = None,
            tls: tuple[Path, Path, Path] | None = None, host: str = "127.0.0.1") -> Iterator[Cluster]:
    """A scheduler and ``workers`` single-threaded workers, started by Dask's own commands
    (their sohoa imported from ``site``, their temporary files in ``tmpdir``, when given;
    on ``host``; over mutual TLS with the (CA, certificate, key) files ``tls``)."""
    tmp.mkdir(parents=True, exist_ok=True)
    port = _port(host)
    address = f"{'tls' if tls else 'tcp'}://{host}:{port}"
    secure = ["--tls-ca-file", str(tls[0]), "--tls-cert", str(tls[1]), "--tls-key", str(tls[2])] if tls else []
    # A worker is given only what it runs (no queue of its own): a worker's death then
    # suspects only the document it was reading, not those waiting behind it.
    env = _env(DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=str(allowed_failures),
               DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION="1.0")
    scheduler = _spawn([DASK, "scheduler", "--host", host, "--port", str(port), "--no-dashboard",
                        *(["--protocol", "tls"] if tls else []), *secure], tmp / "scheduler.log", env)
    found = Cluster(address, scheduler, logs=tmp, tls=tls)
    try:
        for n in range(workers):
            found.workers.append(_worker(address, tmp / f"worker{n}.log", nanny=nanny, site=site, tmpdir=tmpdir,
                                         extra=[*secure, *(["--host", host] if tls else [])]))
        _wait_for(address, workers, tls)
        yield found
    finally:
        found.kill()


def _worker(address: str, log: Path, *, nanny: bool, site: Path | None = None,
            tmpdir: Path | None = None, extra: list[str] | None = None, **extra_env: str) -> subprocess.Popen:
    env = _env(**extra_env)
    if site is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(site), env["PYTHONPATH"]])
    if tmpdir is not None:
        env["TMPDIR"] = str(tmpdir)
    return _spawn([DASK, "worker", address, "--nthreads", "1", "--no-dashboard", "--nanny" if nanny else "--no-nanny",
                   "--death-timeout", "60", *(extra or [])], log, env)


def _spawn(command: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    with open(log, "ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)


def _wait_for(address: str, workers: int, tls: tuple[Path, Path, Path] | None = None) -> None:
    from distributed import Client
    from distributed.security import Security

    security = Security(tls_ca_file=str(tls[0]), tls_client_cert=str(tls[1]), tls_client_key=str(tls[2]),
                        require_encryption=True) if tls else None
    with Client(address, timeout=30, set_as_default=False, security=security) as client:
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
            assert _read(row, name) == _read(expected, name), (sha, name)
        assert re.fullmatch(r".+ \(tcp://127\.0\.0\.1:\d+\)", row["ocr"]["machine"])  # the worker that read it
        copy = row.get("signed_copy")
        if expected.get("signed_copy"):  # the copy came back and is stored in this home, and verifies
            assert copy and Path(copy["path"]).is_relative_to(tmp_path / "remote" / "copies")
            assert Path(copy["path"]).is_file()
            checked = subprocess.run([SOHOA, "--home", str(tmp_path / "remote"), "verify", "--trust", str(trust),
                                      "--json", copy["path"]], env=_env(), capture_output=True, text=True)
            assert json.loads(checked.stdout)[0]["status"] == "valid", checked.stdout
    assert any(r.get("signed_copy") for r in theirs.values())
    assert not list((tmp_path / "remote").glob("inbox"))  # workers kept their files in their own temp


def _read(row: dict, name: str) -> object:
    """A part of an exported record as read, without the machine that read it."""
    value = row.get(name)
    if name == "ocr" and isinstance(value, dict):
        return {k: v for k, v in value.items() if k != "machine"}
    return value


def _hostile_client(address: str, security: object = None) -> None:
    """Connect as a neighbour on the network would, and expect to be turned away."""
    from distributed import Client

    with pytest.raises((OSError, TimeoutError, TypeError, ValueError)):
        Client(address, timeout=5, set_as_default=False, security=security).close()


def test_off_this_machine_the_link_is_tls_and_the_key_stays_on_its_token(scans: Path, tmp_path: Path) -> None:
    """A scheduler on an address off loopback: plain tcp:// is refused before anything is
    read, and so is tls:// without certificates; a Dask client without a certificate of the
    cluster's CA cannot connect at all; over TLS with certificates, copies signed on a
    SoftHSM2 token on this machine give the records of a local ingest signed with the same
    agency's key, and the workers keep nothing of the run."""
    from distributed.security import Security

    host = off_loopback()
    the_pki = pki.build()
    trust = the_pki.write_trust_dir(tmp_path / "trust")
    p12 = tmp_path / "good.p12"
    p12.write_bytes(the_pki.p12("good", b"k"))
    uri, token_env = pki.softhsm_token(the_pki.signers["good"], tmp_path / "hsm", "246810")
    tls = pki.tls_files(tmp_path / "tls")
    local = _ingest(tmp_path / "local", "--workers", "2", "--trust", str(trust), "--sign-with", str(p12),
                    str(copy_corpus(scans, tmp_path / "a")), SOHOA_SIGN_PASSPHRASE="k")
    assert local.returncode == 0, local.stdout + local.stderr
    folder = copy_corpus(scans, tmp_path / "b")
    worker_tmp = tmp_path / "worker-tmp"
    worker_tmp.mkdir()
    secure = ("--tls-ca-file", str(tls[0]), "--tls-cert", str(tls[1]), "--tls-key", str(tls[2]))
    with cluster(tmp_path / "dask", tls=tls, host=host, tmpdir=worker_tmp) as c:
        port = c.address.rsplit(":", 1)[1]
        plain = _ingest(tmp_path / "refused", "--cluster", f"tcp://{host}:{port}", str(folder))
        said = plain.stdout + plain.stderr
        assert plain.returncode == ExitCode.bad_args, said
        assert "unencrypted" in said and f"tls://{host}:{port}" in said and "--tls-cert" in said
        bare = _ingest(tmp_path / "refused", "--cluster", c.address, str(folder))
        assert bare.returncode == ExitCode.bad_args and "needs certificates" in bare.stdout + bare.stderr
        assert _done(tmp_path / "refused") == 0, "nothing was read before the refusal"
        # Neighbours: plain TCP to the TLS port, and a client whose certificate another CA issued.
        _hostile_client(f"tcp://{host}:{port}")
        stranger = pki.tls_files(tmp_path / "stranger")
        _hostile_client(c.address, Security(tls_ca_file=str(tls[0]), tls_client_cert=str(stranger[1]),
                                            tls_client_key=str(stranger[2]), require_encryption=True))
        remote = _ingest(tmp_path / "remote", "--cluster", c.address, *secure, "--trust", str(trust),
                         "--sign-with", uri, str(folder), SOHOA_SIGN_PASSPHRASE="246810", **token_env)
    assert remote.returncode == 0, remote.stdout + remote.stderr
    mine, theirs = _export(tmp_path / "local"), _export(tmp_path / "remote")
    assert mine.keys() == theirs.keys() and len(mine) == 10
    for sha, row in theirs.items():
        for name in ("fields", "confidence", "validity", "signatures", "pages", "ocr", "text"):
            assert _read(row, name) == _read(mine[sha], name), (sha, name)
        expected, copy = mine[sha].get("signed_copy"), row.get("signed_copy")
        assert bool(copy) == bool(expected)
        if copy:
            assert copy["agency"] == expected["agency"] and Path(copy["path"]).is_relative_to(tmp_path / "remote")
            checked = subprocess.run([SOHOA, "verify", "--trust", str(trust), "--json", copy["path"]], env=_env(),
                                     capture_output=True, text=True)
            assert json.loads(checked.stdout)[0]["status"] == "valid", checked.stdout
    assert any(r.get("signed_copy") for r in theirs.values())
    # The workers kept nothing of the run: no scan, no copy, no key, no task folder (the
    # block's font, a cache of a system font, is all of sohoa's that stays).
    left = [p for p in worker_tmp.rglob("*") if p.is_file() and not p.name.startswith("sohoa-stamp-")
            and "dask-scratch-space" not in p.parts]
    assert left == [], left
    assert not list(worker_tmp.glob("sohoa-worker-*"))
    scratch = [p for p in worker_tmp.rglob("*") if p.is_file() and "dask-scratch-space" in p.parts
               and not p.name.endswith((".lock", ".dirlock"))]  # Dask's own locks
    assert scratch == [], scratch


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


def _other_model(tmp_path: Path) -> Path:
    """A model folder whose vie.traineddata is another model under that name (English)."""
    from sohoa.ocr import tesseract

    good = Path(tesseract._tessdata("vie"))
    folder = tmp_path / "other_tessdata"
    folder.mkdir()
    for name in ("eng.traineddata", "osd.traineddata"):
        shutil.copy(good / name, folder / name)
    shutil.copy(good / "eng.traineddata", folder / "vie.traineddata")
    return folder


def test_a_worker_with_another_model_under_the_same_name_is_retired_and_the_run_goes_on(
        scans: Path, tmp_path: Path) -> None:
    """Its engine and model name agree; the model's hash does not. It is retired, named,
    and the run finishes on the other worker: every record says the model that read it."""
    from sohoa.ocr import tesseract

    with cluster(tmp_path / "cluster", 1) as c:
        c.workers.append(_worker(c.address, tmp_path / "cluster" / "other.log", nanny=False,
                                 TESSDATA_PREFIX=str(_other_model(tmp_path))))
        _wait_for(c.address, 2)
        done = _ingest(tmp_path / "home", "--cluster", c.address, str(scans))
    said = done.stdout + done.stderr
    assert done.returncode == 0, said
    assert "Retired worker" in said and "run other language model than this machine" in said, said
    rows = _export(tmp_path / "home")
    assert len(rows) == 10
    assert {r["ocr"]["model"] for r in rows.values()} == {tesseract.model_digest("vie")}


def test_a_worker_with_other_field_rules_is_retired_and_the_run_goes_on(scans: Path, tmp_path: Path) -> None:
    """Its code, engine and model agree; a SOHOA_RULES_DIR of its own gives decisions
    another holder pattern, so it would read other fields from the same page. It is
    retired by the check, named, and the run finishes on the other worker."""
    from sohoa.ocr.rules import RULES_DIR

    rules = tmp_path / "rules"
    rules.mkdir()
    edited = (RULES_DIR / "quyet_dinh.toml").read_text(encoding="utf-8").replace("bổ nhiệm|", "")
    (rules / "quyet_dinh.toml").write_text(edited, encoding="utf-8")
    with cluster(tmp_path / "cluster", 1) as c:
        c.workers.append(_worker(c.address, tmp_path / "cluster" / "other.log", nanny=False,
                                 SOHOA_RULES_DIR=str(rules)))
        _wait_for(c.address, 2)
        done = _ingest(tmp_path / "home", "--cluster", c.address, str(scans))
    said = done.stdout + done.stderr
    assert done.returncode == 0, said
    assert "Retired worker" in said and "run other field rules" in said, said
    assert len(_export(tmp_path / "home")) == 10


def test_a_worker_that_joins_with_another_model_closes_itself(scans: Path, tmp_path: Path) -> None:
    """A machine started during the run with another model never takes a file."""
    from sohoa.ocr import tesseract

    log = tmp_path / "cluster" / "late.log"
    with cluster(tmp_path / "cluster", 1) as c:
        running = _ingest(tmp_path / "home", "--cluster", c.address, str(scans), wait=False)
        deadline = time.monotonic() + 120
        while _done(tmp_path / "home") < 1 and time.monotonic() < deadline:
            time.sleep(0.5)
        late = _worker(c.address, log, nanny=False, TESSDATA_PREFIX=str(_other_model(tmp_path)))
        c.workers.append(late)
        out, _ = running.communicate(timeout=900)
        late.wait(60)  # it closed itself
    assert running.returncode == 0, out
    assert "may not read for this run" in log.read_text(encoding="utf-8", errors="replace")
    rows = _export(tmp_path / "home")
    assert len(rows) == 10
    assert {r["ocr"]["model"] for r in rows.values()} == {tesseract.model_digest("vie")}
