"""The work of an ingest on a Dask distributed cluster (``sohoa ingest --cluster``).

The process that runs the command stays the only writer of the ledger and the index
feed: it walks, hashes and skips what is known as always, then sends the work of each
document (pages out of the file, preprocessing, OCR, fields, signature checks, the signed
copy) to the cluster's workers, a bounded number at a time, and records each result as
it comes back, through the same callbacks as a local pool (``ingest.executor``).

What travels with each document: its bytes (unless ``--shared-storage``: then its path,
which every worker mounts), and a :class:`Kit`, what a worker needs of this machine's
home (the settings and the trust directory's certificates; never the signing key or its
passphrase). A worker works in a private temporary folder that is removed when the task
ends, whatever happens; the searchable copy it makes comes back as bytes, and this
machine signs it (``ingest.copies.signed_here``) and stores it under this home's
``copies/``: the key, a file or a hardware token, stays here.

The link: to a scheduler off this machine, only TLS with certificates (Dask's mutual TLS:
every scheduler, worker and client shows a certificate of the cluster's own CA), or the
run refuses with the fix (``security_for``). Plain ``tcp://`` is accepted on loopback only.

Faults are Dask's to handle where it can: a worker that dies mid-document has its
documents run elsewhere (the ledger still gets each once: results come back once per
document). A document that kills every worker it touches (``distributed.scheduler.
allowed-failures``, 3 by default) comes back as ``KilledWorker`` and is failed with that
reason. A scheduler that cannot be reached, or is lost, stops the run with
:class:`ClusterError`: what came back is in the ledger, and running the command again
finishes the rest.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import logging
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from queue import Empty, Queue
from typing import Any, TypeVar

from sohoa.core.errors import CannotWrite, ClusterError, ConfigError, MissingDependencyError, cannot_write
from sohoa.core.i18n import t
from sohoa.core.model import CopyToSign, Record
from sohoa.core.settings import Settings
from sohoa.ingest.executor import Executor, Job, OnCrash, OnResult

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")

CONNECT_SECONDS = 20.0
"""How long to try to reach the scheduler before saying it cannot be reached."""
LOST_SECONDS = 30.0
"""How long the connection to the scheduler may stay broken before the run stops."""
IN_FLIGHT_PER_THREAD = 2
COUNT_SECONDS = 5.0
"""How often the run asks the scheduler how many worker threads there are."""
RESENDS = 3
"""Times a document whose result was lost with its worker is sent again before it fails."""


@dataclass(frozen=True)
class Kit:
    """What a worker on another machine needs of this one to process a document as this
    machine would: the settings (without the home, the signing key, its passphrase or PIN)
    and the trust directory's files (public certificates and CRLs). Small (kilobytes);
    sent with each document, so a worker that joins late or replaces a dead one needs
    nothing else."""

    settings: Settings
    trust: tuple[tuple[str, bytes], ...]

    @classmethod
    def of(cls, settings: Settings) -> Kit:
        trust: list[tuple[str, bytes]] = []
        if settings.trust_dir is not None and settings.trust_dir.is_dir():
            for path in sorted(settings.trust_dir.rglob("*")):
                if path.is_file():
                    trust.append((path.relative_to(settings.trust_dir).as_posix(), path.read_bytes()))
        portable = dataclasses.replace(settings, home=Path("."), trust_dir=None, sign_with=None,
                                       sign_passphrase=None, workers=1, cluster=None, cluster_tls=None,
                                       es_url=None, within=())
        return cls(portable, tuple(trust))

    @contextlib.contextmanager
    def here(self) -> Iterator[Settings]:
        """The settings on the worker, for one task: a private home in its temporary
        folder holding the trust files, removed with all the task wrote there when the
        task ends."""
        with tempfile.TemporaryDirectory(prefix="sohoa-worker-") as folder:
            home = Path(folder)
            trust_dir = None
            if self.trust:
                trust_dir = home / "trust"
                for name, data in self.trust:
                    (trust_dir / name).parent.mkdir(parents=True, exist_ok=True)
                    (trust_dir / name).write_bytes(data)
            yield dataclasses.replace(self.settings, home=home, trust_dir=trust_dir)


def on_worker(func: Callable[[Any, Settings], Record], task: Any, data: bytes | None,
              kit: Kit) -> tuple[Record, tuple[bytes | None, ...]]:
    """What a worker runs for one document: ``func`` on the file (written from ``data`` into
    the task's private home, or read where it is), the record (and a stack's later results)
    given back its real path, and the bytes of the copy it made of each for this machine to
    sign, if any. Nothing of the task stays on the worker."""
    try:
        with kit.here() as settings:
            local = task
            if data is not None:
                inbox = settings.home / "inbox"
                inbox.mkdir()
                inbox_file = inbox / f"{uuid.uuid4().hex}{Path(task.path).suffix.lower()}"
                inbox_file.write_bytes(data)
                local = dataclasses.replace(task, path=str(inbox_file))
            record = func(local, settings)

            def here(r: Record) -> Record:
                return dataclasses.replace(r, source=dataclasses.replace(r.source, path=task.path))

            record = dataclasses.replace(here(record), more=tuple(here(r) for r in record.more))
            copies = tuple(Path(r.signed_copy.path).read_bytes() if isinstance(r.signed_copy, CopyToSign) else None
                           for r in (record, *record.more))
            return record, copies
    # The worker's own disk full: every document sent to it would fail the same way. Said
    # of the worker, not of this home (which the writer's message would blame).
    except CannotWrite as exc:  # from the pipeline (OCR's temporary files, the copy)
        raise _worker_cannot_write(exc.__cause__) from None
    except OSError as exc:  # from writing the file's bytes here
        if cannot_write(exc, "") is None:
            raise
        raise _worker_cannot_write(exc) from None


def _worker_cannot_write(cause: BaseException | None) -> CannotWrite:
    from distributed import get_worker

    where = tempfile.gettempdir()
    try:
        worker = get_worker().address
    except ValueError:  # not on a Dask worker
        worker = "?"
    return CannotWrite(
        f"Worker {worker} không ghi được vào thư mục tạm {where}: {cause}. Giải phóng chỗ trống trên máy đó (hoặc "
        "khởi động worker với TMPDIR ở ổ khác), rồi chạy lại đúng lệnh này để làm tiếp; những gì đã về được giữ "
        "trong sổ theo dõi.",
        f"Worker {worker} cannot write to its temporary folder {where}: {cause}. Free some space on that machine "
        "(or start its worker with TMPDIR on another disk), then run the same command again to go on; what came "
        "back is kept in the ledger.")


class DaskCluster:
    """Documents on the workers of the Dask scheduler at ``address``; jobs that are not
    portable (they read the ledger) on ``local``."""

    def __init__(self, address: str, *, shared_storage: bool = False, local: Executor,
                 tls: tuple[str, str, str] | None = None) -> None:
        self.address = address
        self.shared_storage = shared_storage
        self.local = local
        self.tls = tls
        self.documents = 0
        """Documents the last run sent to the cluster."""

    def _connect(self) -> Any:
        from distributed import Client

        security = security_for(self.address, self.tls)
        try:
            return Client(self.address, timeout=CONNECT_SECONDS, set_as_default=False, security=security)
        except (OSError, TimeoutError) as exc:
            raise ClusterError(
                f"Không kết nối được bộ lập lịch Dask tại {self.address} ({exc}). Kiểm tra `dask scheduler` đang "
                "chạy ở địa chỉ đó và máy này tới được cổng của nó (mặc định 8786); chưa tệp nào được gửi đi.",
                f"Cannot reach the Dask scheduler at {self.address} ({exc}). Check that `dask scheduler` runs at "
                "that address and that this machine can reach its port (8786 by default); no file was sent.",
            ) from exc

    def run(self, fn: Callable[[T], R], tasks: Sequence[T], on_result: OnResult, on_crash: OnCrash) -> None:
        if not tasks:
            return
        if not isinstance(fn, Job) or not fn.portable:
            self.local.run(fn, tasks, on_result, on_crash)
            return
        # Dask logs every reconnection attempt with a traceback; what the clerk needs to know
        # (the scheduler is gone, what to do) is said once, by ClusterError.
        import distributed  # noqa: F401 (its loggers exist once it is imported)

        loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)
                   if name == "distributed" or name.startswith("distributed.")]
        levels = [logger.level for logger in loggers]
        for logger in loggers:
            logger.setLevel(logging.CRITICAL)
        try:
            self._run_on_cluster(fn, tasks, on_result, on_crash)
        finally:
            for logger, level in zip(loggers, levels, strict=True):
                logger.setLevel(level)

    def _run_on_cluster(self, job: Job, tasks: Sequence[Any], on_result: OnResult, on_crash: OnCrash) -> None:
        import dask

        client = self._connect()
        kit = Kit.of(job.settings)
        home = job.settings.home
        try:
            self._check_workers(client, kit.settings.ocr_language)
            with dask.config.set({"distributed.admin.large-graph-warning-threshold": "1GB"}):  # scans are MBs
                self._run(client, job, kit, tasks,
                          lambda task, answer: on_result(task, _landed(answer, home)), on_result, on_crash)
        finally:
            # With the scheduler gone, closing can time out or fail: what the run says is
            # what happened before (ClusterError, or the run's own end), not that.
            with contextlib.suppress(Exception):
                client.close(timeout=5)

    def _run(self, client: Any, job: Job, kit: Kit, tasks: Sequence[Any], landed: Callable[[Any, Any], None],
             on_result: OnResult, on_crash: OnCrash) -> None:
        from distributed.scheduler import KilledWorker

        queue = list(tasks)
        queue.reverse()
        in_flight: dict[Any, Any] = {}
        finished: Queue[Any] = Queue()  # futures done, put there by the client's event loop
        lost_since: float | None = None
        resent: dict[Any, int] = {}
        self.documents = 0
        limit, counted = 2, 0.0
        while queue or in_flight:
            if time.monotonic() - counted > COUNT_SECONDS:  # workers join and leave during a run
                with contextlib.suppress(OSError, TimeoutError):  # the scheduler gone: said below
                    limit = max(2, IN_FLIGHT_PER_THREAD * max(1, sum(client.nthreads().values())))
                counted = time.monotonic()
            while queue and len(in_flight) < limit and client.status == "running":
                task = queue.pop()
                data = None
                if not self.shared_storage:
                    try:
                        data = Path(task.path).read_bytes()
                    except OSError:  # gone or unreadable: this machine says so as a worker would
                        on_result(task, job(task))
                        continue
                future = client.submit(on_worker, job.func, task, data, kit, pure=False,
                                       key=f"sohoa-{getattr(task, 'sha256', '')[:16]}-{uuid.uuid4().hex[:8]}")
                in_flight[future] = task
                future.add_done_callback(finished.put)
                self.documents += 1
            try:
                if not in_flight:
                    if client.status == "running":
                        continue
                    time.sleep(1)  # nothing out, nothing sent while the scheduler is away
                    raise Empty
                future = finished.get(timeout=2)
            except Empty:
                if client.status != "running":
                    lost_since = lost_since or time.monotonic()
                    if time.monotonic() - lost_since > LOST_SECONDS:
                        raise self._lost(len(in_flight) + len(queue)) from None
                else:
                    lost_since = None
                continue
            task = in_flight.pop(future, None)
            if task is None:
                continue
            answer = _answer(future) if future.status == "finished" else None
            if answer is not None:
                landed(task, answer)
            elif future.status in ("finished", "lost", "cancelled") and client.status == "running":
                # Its result was on a worker that died before it came back: run it again.
                resent[task] = resent.get(task, 0) + 1
                if resent[task] > RESENDS:
                    on_crash(task, f"its result was lost with its worker {RESENDS} times")
                else:
                    queue.append(task)
            elif future.status == "error":
                exc = future.exception()
                if isinstance(exc, KilledWorker):
                    on_crash(task, "Dask workers died processing this file, "
                                   f"{_allowed_failures() + 1} times on different workers")
                else:
                    raise exc
            else:  # cancelled or lost: the scheduler went away
                raise self._lost(len(in_flight) + len(queue) + 1)
            with contextlib.suppress(Exception):  # a message to a scheduler that may be gone
                future.release()

    def _check_workers(self, client: Any, language: str) -> None:
        """Every worker can OCR (Tesseract and the language model are there), or the run
        stops before it sends anything, naming the workers that cannot."""
        if not client.nthreads():
            try:
                client.wait_for_workers(1, timeout=CONNECT_SECONDS)
            except TimeoutError as exc:
                raise ClusterError(
                    f"Bộ lập lịch Dask tại {self.address} không có worker nào sau {CONNECT_SECONDS:.0f} giây. Khởi "
                    f"động `dask worker {self.address}` trên các máy OCR rồi chạy lại lệnh này.",
                    f"The Dask scheduler at {self.address} has no worker after {CONNECT_SECONDS:.0f} s. Start "
                    f"`dask worker {self.address}` on the OCR machines and run this command again.") from exc
        answers: dict[str, WorkerCheck] = client.run(worker_check, language)
        # A worker must read a page as this machine would: the same sohoa, the same Tesseract
        # and the same model by its hash (or, when this machine has none, as the first worker).
        here = worker_check(language)
        able = [(w, said) for w, said in answers.items() if not said.problem]
        expected: dict[str, str | None] = {}
        for attr in (attr for attr, _, _ in CHECKED):
            if getattr(here, attr) is not None or not able:
                expected[attr] = getattr(here, attr)
            else:
                expected[attr] = getattr(able[0][1], attr)
        where = ("máy này", "this machine") if here.engine is not None or not able else (
            f"worker {able[0][0]}", f"worker {able[0][0]}")
        refused = {worker: reason for worker, said in answers.items()
                   if (reason := refusal(said, expected, where)) is not None}
        if len(refused) == len(answers):
            worker, (vi, en) = next(iter(refused.items()))
            raise MissingDependencyError(
                f"{len(refused)} worker của cụm Dask {vi}, ví dụ {worker}. Cài cùng một phiên bản sohoa, Tesseract "
                "và mô hình tiếng Việt (tesseract-ocr-vie) trên mọi máy như trên máy này (git pull rồi "
                "scripts/bootstrap), cùng SOHOA_RULES_DIR nếu có, khởi động lại các worker rồi chạy lại lệnh này; "
                "chưa tệp nào được gửi.",
                f"{len(refused)} workers of the Dask cluster {en}, e.g. {worker}. Install the same sohoa, Tesseract "
                "and Vietnamese model (tesseract-ocr-vie) on every machine as on this one (git pull, then "
                "scripts/bootstrap), with the same SOHOA_RULES_DIR if any, restart the workers and run this command "
                "again; no file was sent.")
        if refused:
            client.retire_workers(workers=list(refused), close_workers=True)
            for worker, (vi, en) in refused.items():
                log.warning(t(f"Đã cho worker {worker} nghỉ: nó {vi}. Lần chạy tiếp tục trên các worker khác.",
                              f"Retired worker {worker}: it {en}. The run goes on on the other workers."))
        # Workers that join later (a restart by the nanny, a new machine) are checked the
        # same way before they take work, and close themselves when they differ.
        from sohoa.ingest.joincheck import JoinCheck

        client.register_plugin(JoinCheck(language, expected, where), name="sohoa-join-check")

    def _lost(self, left: int) -> ClusterError:
        return ClusterError(
            f"Mất kết nối với bộ lập lịch Dask tại {self.address}; {left} tệp chưa xong. Các kết quả đã về được "
            "giữ trong sổ theo dõi: khởi động lại `dask scheduler` (và các worker) rồi chạy lại đúng lệnh này để "
            "làm nốt.",
            f"Lost the Dask scheduler at {self.address}; {left} files are not done. What came back is kept in the "
            "ledger: start `dask scheduler` (and the workers) again and run the same command to finish the rest.")


@dataclass(frozen=True)
class WorkerCheck:
    """What a worker says of itself before it is sent anything."""

    code: str
    """The fingerprint of its sohoa code (:func:`code_fingerprint`)."""
    engine: str | None
    """Its Tesseract and language, as ``ocr.tesseract.probe`` says them; None when it has none."""
    problem: tuple[str, str] | None
    """Why it cannot OCR (Vietnamese, English), or None."""
    model: str | None = None
    """The SHA-256 of the language model it reads with (``ocr.tesseract.model_digest``)."""
    rules: str | None = None
    """The fingerprint of the rules it reads fields by (``ocr.rules.fingerprint``): its
    ``ocr/types`` and lexicon, and any ``SOHOA_RULES_DIR`` of its own."""


CHECKED = (("code", "mã sohoa", "sohoa code"), ("engine", "Tesseract", "Tesseract"),
           ("model", "mô hình ngôn ngữ", "language model"),
           ("rules", "quy tắc đọc trường (ocr/types, SOHOA_RULES_DIR)", "field rules (ocr/types, SOHOA_RULES_DIR)"))
"""What a worker must share with the others: (attribute, in Vietnamese, in English)."""


def refusal(said: WorkerCheck, expected: dict[str, str | None], where: tuple[str, str]) -> tuple[str, str] | None:
    """Why a worker may not read for this run (Vietnamese, English), or None."""
    if said.problem:
        return f"không chạy được OCR: {said.problem[0]}", f"cannot OCR: {said.problem[1]}"
    for attr, vi, en in CHECKED:
        theirs, ours = getattr(said, attr), expected.get(attr)
        if ours is not None and theirs != ours:
            return (f"chạy {vi} khác {where[0]}: {theirs} ({where[0]}: {ours})",
                    f"run other {en} than {where[1]}: {theirs} ({where[1]}: {ours})")
    return None


def worker_check(language: str) -> WorkerCheck:
    """On a worker (and on this machine, to compare): its code, its engine, and whether it
    can OCR ``language``."""
    from sohoa.core.errors import SohoaError
    from sohoa.ocr import handwriting
    from sohoa.ocr.rules import fingerprint
    from sohoa.ocr.tesseract import model_digest, probe

    try:
        engine = probe(language)
        handwriting.probe()  # its second engine too: a worker without it would read less
        return WorkerCheck(code_fingerprint(), engine, None, model_digest(language), fingerprint())
    except SohoaError as exc:
        return WorkerCheck(code_fingerprint(), None, (exc.message_vi, exc.message_en), rules=fingerprint())


PACKAGE_ROOTS = ("sohoa", "sohoa.ingest", "sohoa.ocr", "sohoa.indexer", "sohoa.search_api")
"""Where sohoa's modules live (``package_dir`` in setup.cfg maps the last four elsewhere
in a checkout; an installed copy holds them all under ``sohoa``)."""


@functools.cache
def code_fingerprint() -> str:
    """A digest of every module of the sohoa this process runs, by module path, so that a
    checkout and an installed copy of the same code agree and any edit shows."""
    import importlib.util

    sources: dict[str, Path] = {}
    for root in PACKAGE_ROOTS:
        spec = importlib.util.find_spec(root)
        for where in (spec.submodule_search_locations or []) if spec else []:
            base = Path(where)
            for path in base.rglob("*.py"):
                sources.setdefault("/".join([*root.split("."), *path.relative_to(base).parts]), path)
    digest = hashlib.sha256()
    for name in sorted(sources):
        digest.update(name.encode() + b"\0" + sources[name].read_bytes() + b"\0")
    return f"{len(sources)} modules, {digest.hexdigest()[:12]}"


def _landed(answer: tuple[Record, tuple[bytes | None, ...]], home: Path) -> Record:
    """A worker's answer as this machine takes it: the copies it made written here, for the
    run to sign with this machine's key."""
    from sohoa.ingest.copies import UNSIGNED

    record, copies = answer

    def landed(r: Record, copy: bytes | None) -> Record:
        if copy is None or not isinstance(r.signed_copy, CopyToSign):
            return r
        folder = home / "copies" / UNSIGNED
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{r.id[:16]}-{uuid.uuid4().hex}.pdf"
        target.write_bytes(copy)
        return dataclasses.replace(r, signed_copy=dataclasses.replace(r.signed_copy, path=str(target)))

    first, *rest = (landed(r, c) for r, c in zip((record, *record.more), copies, strict=True))
    return dataclasses.replace(first, more=tuple(rest))


LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")


def security_for(address: str, tls: tuple[str, str, str] | None) -> Any:
    """Dask's security settings for a scheduler at ``address``: mutual TLS with the
    cluster's CA and this machine's certificate and key (``tls``, else Dask's own
    configuration: ``distributed.comm.tls.*``). Plain ``tcp://`` only to this machine's
    loopback: off it, anyone who reaches the scheduler could run code on every worker and
    read the scans, so the run refuses and says how to set up TLS."""
    from distributed.security import Security

    scheme, _, rest = address.partition("://") if "://" in address else ("tcp", "", address)
    host = rest.rsplit(":", 1)[0].strip("[]") if ":" in rest else rest
    given = dict(zip(("tls_ca_file", "tls_client_cert", "tls_client_key"), tls, strict=True)) if tls else {}
    security = Security(require_encryption=scheme == "tls" or None, **given)
    if scheme == "tls":
        if not (security.tls_ca_file and security.tls_client_cert):
            raise ConfigError(
                f"Kết nối TLS tới {address} cần chứng thư: --tls-ca-file (CA của cụm), --tls-cert và --tls-key "
                "(chứng thư và khoá của máy này), hoặc SOHOA_DASK_TLS_CA/_CERT/_KEY.",
                f"A TLS connection to {address} needs certificates: --tls-ca-file (the cluster's CA), --tls-cert "
                "and --tls-key (this machine's certificate and key), or SOHOA_DASK_TLS_CA/_CERT/_KEY.")
        return security
    if scheme == "tcp" and _loopback(host):
        return security
    raise ConfigError(
        f"Không gửi bản quét tới {address} qua kết nối không mã hoá: ai tới được bộ lập lịch đó sẽ chạy được mã "
        "trên mọi worker và đọc được các bản quét. Khởi động `dask scheduler` và `dask worker` với --tls-ca-file, "
        "--tls-cert, --tls-key (chứng thư do CA riêng của cụm cấp), rồi chạy lại với --cluster "
        f"tls://{rest} cùng --tls-ca-file, --tls-cert, --tls-key. Chỉ địa chỉ loopback (127.0.0.1) mới dùng được "
        "tcp://.",
        f"Scans are not sent to {address} over an unencrypted link: anyone who reaches that scheduler could run "
        "code on every worker and read the scans. Start `dask scheduler` and `dask worker` with --tls-ca-file, "
        "--tls-cert and --tls-key (certificates of the cluster's own CA), then run again with --cluster "
        f"tls://{rest} and --tls-ca-file, --tls-cert, --tls-key. Only a loopback address (127.0.0.1) may use "
        "tcp://.")


def _loopback(host: str) -> bool:
    import ipaddress
    import socket

    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False
    return bool(found) and all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in found)


def _answer(future: Any) -> Any:
    """A finished future's result, or None when it was lost meanwhile (its worker died)."""
    from concurrent.futures import CancelledError

    try:
        return future.result(timeout=LOST_SECONDS)
    except (CancelledError, TimeoutError, OSError):
        return None


def _allowed_failures() -> int:
    import dask

    return int(dask.config.get("distributed.scheduler.allowed-failures", 3))
