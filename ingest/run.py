"""The ingest run, stage by stage: the one place to read to see what ``sohoa ingest`` does.

1. discover   walk the folders, skip what is not a finished scan;
2. register   hash each file, record it in the ledger, and spot content already known;
3. recover    index records a killed run (or a down index) left pending;
4. process    OCR and extract every new document in worker processes;
5. store      save each record in the ledger, then send it to the index in batches
              (idempotent by id; if the index is down, it stays pending: see ingest.feed);
6. copies     with --sign-with, make the signed copies scans ingested earlier lack;
7. report     a summary the clerk can act on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import os
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from tqdm import tqdm

from sohoa.core.errors import IndexBackendError, IngestBusy
from sohoa.core.i18n import both, t
from sohoa.core.model import CopyFailure, Record, RecordStatus, SourceInfo
from sohoa.core.paths import readable
from sohoa.core.settings import Settings
from sohoa.indexer.base import IndexBackend
from sohoa.ingest import discover
from sohoa.ingest.copies import discard_unsigned, signed_here
from sohoa.ingest.document import CopyJob, Task, failed_record, judge_extraction, process, with_signed_copy
from sohoa.ingest.executor import Executor, Job, for_settings
from sohoa.ingest.feed import IndexFeed
from sohoa.ingest.ledger import DocumentState, FileState, Ledger

HASH_CHUNK = 1 << 20
PROCESS_BATCH = 10_000
"""Pending documents handed to the executor at a time (about 5 MB of tasks; a batch is
hours of OCR, so starting the executor again for each costs nothing that shows)."""


@dataclass
class Summary:
    """What a run did, for the clerk's report and the exit code."""

    processed: int = 0
    """Files read (a stack of several results counts once; see ``stacks``)."""
    pages: int = 0
    already_known: int = 0
    stacks: list[tuple[str, int]] = field(default_factory=list)
    """Files that held several results (a stack scanned as one), with how many."""
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    skipped_examples: dict[str, str] = field(default_factory=dict)
    recovered: int = 0
    index_pending: int = 0
    """Records processed but not yet in the index (it was unreachable); see ``index_error``."""
    index_error: str | None = None
    copies: int = 0
    """Signed digitised copies made (``--sign-with``)."""
    copy_errors: list[tuple[str, str]] = field(default_factory=list)
    earlier_target: str | None = None
    """Set when records of this ledger were indexed somewhere else before (see ``sohoa reindex``)."""
    retried: int = 0
    """Documents that had failed for a reason of the machine, taken again (``--retry-failed``)."""
    retryable: int = 0
    """Files listed as failed earlier for a reason of the machine, not taken again this run."""

    @property
    def ok(self) -> bool:
        return not self.failed


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


MACHINE_FAULTS = frozenset({"ocr_failed", "ocr_timeout", "internal_error", "out_of_memory", "unreadable",
                            "worker_crashed"})
"""Failures that may have been the machine's, not the document's: the engine failed or ran
out of time or memory, the worker died, the file could not be read at that moment, or an
unforeseen error. ``sohoa ingest --retry-failed`` takes these documents again; a file that
is corrupt, encrypted, empty, too large or of no format sohoa reads is not retried."""


def _register(ledger: Ledger, index: IndexBackend, candidate: discover.Candidate, summary: Summary,
              queued: set[str], retry_failed: bool = False) -> None:
    """Hash one file and record it; queue its document if the content is new (or failed
    for a reason of the machine, with ``retry_failed``)."""
    path = str(candidate.path)
    known = ledger.file(path)
    if known and known.sha256 and known.size == candidate.size and known.mtime_ns == candidate.mtime_ns:
        sha = known.sha256  # unchanged since last seen: no need to read it again
    else:
        try:
            sha = sha256_of(candidate.path)
        except OSError as exc:
            reason = both(f"Không đọc được tệp: {exc.strerror}.", f"Cannot read the file: {exc.strerror}.")
            ledger.record_file(path, None, candidate.size, candidate.mtime_ns, FileState.failed, reason, "unreadable")
            summary.failed.append((path, reason))
            return
        if known and known.sha256 and known.sha256 != sha:
            _forget_if_orphaned(ledger, index, known.sha256, path)
    if ledger.add_document(sha, path, candidate.size):
        ledger.record_file(path, sha, candidate.size, candidate.mtime_ns, FileState.pending)
        queued.add(sha)
        return
    state = ledger.document_state(sha)
    if state is DocumentState.failed and retry_failed and ledger.document_error_code(sha) in MACHINE_FAULTS:
        ledger.requeue(sha)
        summary.retried += sha not in queued
        state = DocumentState.pending
    if state is DocumentState.failed:
        row = ledger.file(path)
        error = row.error if row and row.sha256 == sha and row.error else ledger.document_error(sha)
        ledger.record_file(path, sha, candidate.size, candidate.mtime_ns, FileState.failed, error)
        if sha not in queued:
            summary.failed.append((path, error or "failed earlier"))
            summary.retryable += ledger.document_error_code(sha) in MACHINE_FAULTS
        return
    if state is DocumentState.orphaned:
        ledger.requeue(sha)
        state = DocumentState.pending
    ledger.record_file(path, sha, candidate.size, candidate.mtime_ns,
                       FileState.pending if state is DocumentState.pending else FileState.done)
    if state is DocumentState.pending:
        queued.add(sha)  # new in this run, or left by a killed run
    elif sha not in queued:
        summary.already_known += 1


def _forget_if_orphaned(ledger: Ledger, index: IndexBackend, old_sha: str, path: str) -> None:
    """A file changed in place: its old content leaves the index unless a copy remains."""
    if [p for p in ledger.paths_of(old_sha) if p != path]:
        return
    gone = ledger.mark_orphaned(old_sha)
    # If the index is down, `sohoa index --retry` and `sohoa reindex` remove orphans later.
    with contextlib.suppress(IndexBackendError):
        index.delete(gone)


def ingest(paths: list[Path], settings: Settings, index: IndexBackend, progress: bool | None = None,
           executor: Executor | None = None, *, wait: bool = False, retry_failed: bool = False) -> Summary:
    """Run the whole pipeline over ``paths``; see the module docstring for the stages.
    The work of each document runs on ``executor`` (by default the one the settings ask
    for: ``ingest.executor.for_settings``). ``wait``: when another ingest runs on this
    home, wait for it to finish instead of stopping. ``retry_failed``: documents under
    ``paths`` that failed for a reason of the machine (``MACHINE_FAULTS``) are read again."""
    with locked_ledger(settings, wait=wait) as ledger:
        discard_unsigned(settings.home)
        run = _Run(ledger, index, settings, executor or for_settings(settings),
                   sys.stderr.isatty() if progress is None else progress, retry_failed)
        run.discover_and_register(paths)  # 1-2
        run.recover()  # 3
        done = run.process()  # 4-5
        if settings.sign_with:
            run.make_copies(skip=done)  # 6
        return run.finish()  # the report (7) is the caller's, from the summary


class _Run:
    """One ingest's stages over a locked ledger, each a method, sharing the summary."""

    def __init__(self, ledger: Ledger, index: IndexBackend, settings: Settings, executor: Executor,
                 show: bool, retry_failed: bool = False) -> None:
        self.ledger, self.index, self.settings, self.executor, self.show = ledger, index, settings, executor, show
        self.retry_failed = retry_failed
        self.summary = Summary()
        self.feed = IndexFeed(index, ledger, settings.index_batch)
        self.queued: set[str] = set()

    def discover_and_register(self, paths: list[Path]) -> None:
        """Walk the folders; record what is skipped, register each candidate by its hash."""
        found = tqdm(desc="Kiểm tra tệp", unit=" tệp", disable=not self.show, dynamic_ncols=True)
        for item in discover.walk(paths, self.settings.settle_seconds, self.settings.within):
            if isinstance(item, discover.Skipped):
                _skip(self.ledger, item, self.summary)
            else:
                _register(self.ledger, self.index, item, self.summary, self.queued, self.retry_failed)
            found.update(1)
        found.close()

    def recover(self) -> None:
        """Send what a killed run, or an index that was down, left pending; note when this
        ledger's records went to another index before."""
        earlier = self.ledger.meta("index_target")
        if earlier and earlier != self.index.target and self.ledger.state_counts().get(DocumentState.indexed):
            self.summary.earlier_target = earlier
        else:
            self.ledger.set_meta("index_target", self.index.target)
        if self.ledger.to_index() and self.feed.send_pending():
            self.summary.recovered = self.feed.sent

    def process(self) -> set[str]:
        """OCR and extract every pending document on the executor, storing each record as
        it comes back; the ids of the documents processed."""
        bar = tqdm(total=self.ledger.pending_count(), unit="tệp", desc="OCR", disable=not self.show,
                   dynamic_ncols=True)

        def on_result(task: Task, record: Record) -> None:
            self._store(task.path, record)
            bar.update(1)
            bar.set_postfix({"trang": self.summary.pages, "lỗi": len(self.summary.failed)})

        def on_crash(task: Task, reason: str) -> None:
            source = SourceInfo(task.path, task.sha256, task.size, "unknown")
            message = both(f"Tiến trình xử lý bị dừng đột ngột khi đọc tệp này ({reason}).",
                           f"The worker process died while reading this file ({reason}).")
            on_result(task, failed_record(source, message, "worker_crashed", self.settings))

        done: set[str] = set()
        # A batch at a time, so that what a run holds of its pending documents stays the same
        # on a folder of a million files (the executor bounds the work in flight within one).
        for batch in self.ledger.pending_batches(PROCESS_BATCH):
            tasks = [Task(path, sha, size, tuple(self.ledger.split_of(sha))) for sha, path, size in batch]
            for task in tasks:
                self.ledger.attempt(task.sha256)
            self.executor.run(Job(process, self.settings), tasks, on_result, on_crash)
            done.update(task.sha256 for task in tasks)
        bar.close()
        return done

    def _store(self, path: str, record: Record) -> None:
        record = signed_here(record, self.settings)
        if record.more:  # each result of a stack has its own copy
            record = dataclasses.replace(record, more=tuple(signed_here(r, self.settings) for r in record.more))
        gone = self.ledger.store(record)
        if gone:  # a file split otherwise than before: its results that are no more leave the index
            with contextlib.suppress(IndexBackendError):
                self.index.delete(gone)
        if record.status is RecordStatus.indexed:
            results = [record, *record.more]
            self.feed.add([self.ledger.corrected(r) for r in results])  # what people set outlives a new reading
            self.summary.processed += 1
            self.summary.pages += sum(r.pages for r in results)
            if record.more:
                self.summary.stacks.append((path, len(results)))
            for result in results:
                self._count_copy(path, result)
        else:
            self.summary.failed.extend((p, record.error or "") for p in self.ledger.paths_of(record.id))

    def _count_copy(self, path: str, record: Record) -> None:
        if isinstance(record.signed_copy, CopyFailure):
            self.summary.copy_errors.append((path, record.signed_copy.error))
        elif record.signed_copy:
            self.summary.copies += 1

    def make_copies(self, skip: set[str]) -> None:
        """Signed copies for the scans ingested before (without --sign-with, or when it failed)."""
        def on_copy(job: CopyJob, record: Record) -> None:
            record = signed_here(record, self.settings)
            self.ledger.store(record)
            self.feed.add([self.ledger.corrected(record)])
            self._count_copy(job.path, record)

        def on_copy_crash(job: CopyJob, reason: str) -> None:
            self.summary.copy_errors.append((job.path, reason))

        self.executor.run(Job(with_signed_copy, self.settings, portable=False),
                          _copy_jobs(self.ledger, skip), on_copy, on_copy_crash)

    def finish(self) -> Summary:
        """Send the last records to the index; count what it could not take."""
        if not self.feed.flush(force=True) and self.feed.error:
            self.summary.index_error = self.feed.error.message
        self.summary.index_pending = self.ledger.state_counts().get(DocumentState.extracted, 0)
        return self.summary


def _copy_jobs(ledger: Ledger, skip: set[str]) -> list[CopyJob]:
    """Scans in the ledger without a signed copy, each with a file that is still there."""
    jobs = []
    for sha in ledger.scans_without_copy():
        path = ledger.on_disk(sha) if sha not in skip else None
        if path:
            jobs.append(CopyJob(str(path), sha))
    return jobs


def _lock_home(settings: Settings, *, wait: bool = False) -> IO[str]:
    """One ingest per home at a time: two would process the same pending documents.
    ``wait``: when another holds it, say so and wait for it (the next ingest in line).

    The lock is released by the kernel when the process ends, even by SIGKILL.
    """
    handle = (settings.home / "ingest.lock").open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "?"
        if wait:
            print(t(f"Đang đợi lần nạp khác (tiến trình {holder}) xong...",
                    f"Waiting for another ingest (process {holder}) to finish..."), file=sys.stderr, flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
            return _holding(handle)
        handle.close()
        raise IngestBusy(
            f"Một lần nạp khác đang chạy trên thư mục dữ liệu {settings.home} (tiến trình {holder}). "
            "Hãy đợi nó xong, hoặc dùng --home khác.",
            f"Another ingest is running on {settings.home} (process {holder}). Wait for it to finish, "
            "or use another --home.",
        ) from None
    return _holding(handle)


def _holding(handle: IO[str]) -> IO[str]:
    """The lock file, now ours, naming this process (for whoever waits or is refused)."""
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def _skip(ledger: Ledger, item: discover.Skipped, summary: Summary) -> None:
    summary.skipped[item.reason] += 1
    summary.skipped_examples.setdefault(item.reason, str(item.path))
    if item.reason == "unreadable":
        reason = both(f"Không đọc được: {item.detail}.", f"Cannot read: {item.detail}.")
    elif item.reason == "broken_link":
        target = readable(item.detail)
        reason = both(f"Liên kết hỏng: trỏ tới {target}, nơi không có tệp nào. Hãy sửa liên kết hoặc chép tệp "
                      "thật vào.", f"Broken link: it points to {target}, where there is no file. Fix the link or "
                      "copy the real file in.")
    elif item.reason == "outside_roots":
        target = readable(item.detail)
        reason = both(f"Liên kết trỏ ra ngoài các thư mục được phép nạp ({target}): không đọc. Hãy chép tệp thật vào "
                      "thư mục quét.", f"The link leads outside the folders allowed for ingest ({target}): not read. "
                      "Copy the real file into the scanned folder.")
    else:
        return
    ledger.record_file(str(item.path), None, None, None, FileState.failed, reason, item.reason)
    summary.failed.append((str(item.path), reason))


def migrate_extractions(ledger: Ledger, settings: Settings) -> int:
    """Extract the fields again, from the stored layout, of records made under an older
    extractor contract (before issuer_parent, issuer_level and signed_on); how many."""
    from sohoa.core.model import EXTRACTION_VERSION
    from sohoa.ocr.extract import extract

    stale = ledger.stale_extractions(EXTRACTION_VERSION)
    for sha256 in stale:
        record = ledger.get(sha256, as_read=True)
        if record is None or not record.layout:
            continue
        extraction = extract(list(record.layout), record.signing_times, settings.today)
        ledger.update_record(dataclasses.replace(record, extraction=extraction,
                                                 validity=judge_extraction(extraction, settings.today)))
    return len(stale)


@contextlib.contextmanager
def locked_ledger(settings: Settings, *, wait: bool = False) -> Iterator[Ledger]:
    """The home's ledger for its one writer: an ingest, or a rebuild or check of the index
    (``ingest.maintenance``), under the home's lock."""
    settings.ensure_home()
    lock = _lock_home(settings, wait=wait)
    ledger = Ledger(settings.ledger_path)
    try:
        yield ledger
    finally:
        ledger.close()
        lock.close()
