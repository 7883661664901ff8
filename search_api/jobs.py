"""Ingests started from the web application: files a clerk uploads, or a folder on the
server under one of the allowed roots, each run as ``sohoa ingest`` in a process of its
own (the same pipeline, ledger lock and report as the CLI), watched file by file in the
ledger for the live progress a page shows.

Jobs run one after the other in the order they were asked for; a job belongs to the user
who started it (administrators see all). A folder ingest follows no link out of the
allowed folders (``sohoa ingest --within``).

Uploads are checked whole before anything is stored: a file larger than
``max_upload_file``, of a kind sohoa does not ingest, or whose content is not what its
name says (a PNG named ``.pdf``) refuses the upload, and nothing of it is kept.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sohoa.core.errors import ExitCode
from sohoa.core.i18n import shown
from sohoa.core.paths import readable
from sohoa.core.settings import Settings
from sohoa.ingest.discover import ACCEPTED_SUFFIXES
from sohoa.ingest.ledger import Ledger
from sohoa.ocr.pages import format_of

MAX_UPLOAD_FILES = 500
MAX_UPLOAD_TOTAL = 4 * 2**30
"""Bytes of one upload form, at most (refused from its Content-Length, before it is read)."""


def max_upload_file(settings: Settings) -> int:
    """Bytes of one uploaded scan, at most: ``Settings.max_upload_mb`` (``SOHOA_MAX_UPLOAD_MB``)."""
    return int(settings.max_upload_mb * 2**20)

FORMAT_OF_SUFFIX = {".pdf": "pdf", ".tif": "tiff", ".tiff": "tiff", ".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png"}


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its name as sent, its size, its first bytes and its content."""

    name: str
    size: int
    head: bytes
    content: BinaryIO


class Refused(Exception):
    """An upload or a folder that is not ingested; ``status`` for HTTP, the message in both languages."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def ingest_roots(settings: Settings) -> list[Path]:
    """Folders on the server whose subfolders a clerk may ingest: ``Settings.ingest_roots``
    (``SOHOA_INGEST_ROOTS``), and the uploads folder."""
    return [*settings.ingest_roots, (settings.home / "uploads").resolve()]


def check_upload(name: str, head: bytes, size: int, limit: int) -> str:
    """The name an upload is stored under (its last part, made safe); or ``Refused``."""
    base = re.sub(r"[^\w.\- ()]", "_", Path(name.replace("\\", "/")).name).strip(" .") or "scan"
    suffix = Path(base).suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        raise Refused(415, f"{base}: không phải PDF, TIFF, JPEG hay PNG. / {base}: not a PDF, TIFF, JPEG or PNG.")
    if size > limit:
        raise Refused(413, f"{base}: quá lớn (tối đa {limit / 2**20:g} MiB). / "
                           f"{base}: too large (at most {limit / 2**20:g} MiB).")
    if size == 0:
        raise Refused(422, f"{base}: tệp rỗng. / {base}: the file is empty.")
    if format_of(head) != FORMAT_OF_SUFFIX[suffix]:
        raise Refused(415, f"{base}: nội dung không khớp đuôi tệp {suffix} (tệp đổi tên?). / "
                           f"{base}: its content is not a {suffix} file (renamed?).")
    return base


RESUMED_BY = "sohoa"
"""Who started the ingest of uploads a stopped server left waiting (administrators see it)."""
STATUSES = ("queued", "waiting", "running", "done", "failed")
"""Where a job stands: in this server's line; started and waiting for an ingest started
elsewhere (the CLI) to release the home; running; over (``done``: every file done or
failed with its reason; ``failed``: the ingest itself stopped, its report says why)."""


@dataclass
class Job:
    """One ingest started from the web, by one user."""

    id: str
    by: str
    folder: Path
    files: list[str]
    queued: str
    output: Path
    uploaded: bool = False
    process: subprocess.Popen[bytes] | None = None
    started: str | None = None
    error: str | None = None
    """Why the ingest could not be started at all."""


class Jobs:
    """The ingests this server was asked for, by id, run one after the other in the order
    asked (one ingest per home at a time): a second upload waits its turn instead of
    failing. Each runs as ``sohoa ingest --wait``, so an ingest started from the command
    line meanwhile is waited for too."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.jobs: dict[str, Job] = {}
        self.line: list[Job] = []
        self.lock = threading.Condition()
        self.runner: threading.Thread | None = None
        self.stopping = False

    def store_uploads(self, files: list[Upload]) -> Path:
        """Check every upload, then save them all in a new folder under ``HOME/uploads``
        (nothing is saved when one is refused)."""
        if not files:
            raise Refused(422, "Chưa chọn tệp nào. / No file chosen.")
        if len(files) > MAX_UPLOAD_FILES:
            raise Refused(413, f"Tối đa {MAX_UPLOAD_FILES} tệp một lần. / At most {MAX_UPLOAD_FILES} files at once.")
        names = [check_upload(f.name, f.head, f.size, max_upload_file(self.settings)) for f in files]
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        folder = self.settings.home / "uploads" / f"{stamp}-{secrets.token_hex(3)}"
        folder.mkdir(parents=True)
        used: set[str] = set()
        for name, upload in zip(names, files, strict=True):
            stem, suffix, n = Path(name).stem, Path(name).suffix, 1
            while name.lower() in used:
                n += 1
                name = f"{stem} ({n}){suffix}"
            used.add(name.lower())
            part = folder / f".{name}.part"
            upload.content.seek(0)
            with part.open("wb") as out:
                shutil.copyfileobj(upload.content, out, 1 << 20)
            part.replace(folder / name)
        return folder

    def allowed_folder(self, text: str) -> Path:
        folder = Path(text).expanduser()
        try:
            folder = folder.resolve(strict=True)
        except OSError:
            raise Refused(404, f"Không có thư mục {text} trên máy chủ. / "
                               f"There is no folder {text} on the server.") from None
        if not folder.is_dir():
            raise Refused(422, f"{text} không phải thư mục. / {text} is not a folder.")
        if not any(folder == root or folder.is_relative_to(root) for root in ingest_roots(self.settings)):
            raise Refused(403, f"{text} nằm ngoài các thư mục được phép nạp (SOHOA_INGEST_ROOTS). / "
                               f"{text} is outside the folders allowed for ingest (SOHOA_INGEST_ROOTS).")
        return folder

    def start(self, folder: Path, by: str, *, uploaded: bool = False) -> Job:
        """Put an ingest of ``folder`` in line; it runs when those before it are over."""
        roots = ingest_roots(self.settings)
        try:
            files = sorted(str(p) for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in ACCEPTED_SUFFIXES
                           and not p.name.startswith(".") and _inside(p.resolve(), roots))
        except OSError as exc:  # the folder changed while it was read (a link put in its place...)
            raise Refused(409, f"Thư mục {folder} thay đổi trong lúc đọc ({exc.strerror or exc}); hãy thử lại. / "
                               f"The folder {folder} changed while it was read ({exc.strerror or exc}); try "
                               "again.") from None
        job_id = secrets.token_hex(6)
        logs = self.settings.home / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        job = Job(job_id, by, folder, files, _now(), logs / f"web-ingest-{job_id}.txt", uploaded)
        with self.lock:
            self.jobs[job_id] = job
            self.line.append(job)
            if self.runner is None:
                self.runner = threading.Thread(target=self._run_line, name="sohoa-ingest-jobs", daemon=True)
                self.runner.start()
            self.lock.notify_all()
        return job

    def _run_line(self) -> None:
        while True:
            with self.lock:
                while not self.line and not self.stopping:
                    self.lock.wait()
                if self.stopping:
                    return
                job = self.line[0]
                job.started = _now()
                try:
                    job.process = self._launch(job)
                except OSError as exc:  # the job fails, saying why; the line goes on
                    job.error = str(exc)
            if job.process is not None:
                job.process.wait()
            with self.lock:
                self.line.remove(job)

    def _launch(self, job: Job) -> subprocess.Popen[bytes]:
        """``sohoa ingest`` on the job's folder in a process of its own: it waits for an
        ingest started elsewhere, and follows no link out of the allowed folders."""
        env = {**os.environ, "SOHOA_HOME": str(self.settings.home)}
        if self.settings.es_url:
            env["SOHOA_ES_URL"] = self.settings.es_url
            env["SOHOA_ES_INDEX"] = self.settings.es_index
        if job.uploaded:
            env["SOHOA_SETTLE_SECONDS"] = "0"  # written whole before the ingest starts
        within = [arg for root in ingest_roots(self.settings) for arg in ("--within", str(root))]
        with job.output.open("wb") as out:
            return subprocess.Popen([sys.executable, "-m", "sohoa", "ingest", "--no-progress", "--wait", *within,
                                     str(job.folder)], stdout=out, stderr=subprocess.STDOUT, env=env,
                                    start_new_session=True)

    def resume_uploads(self) -> Job | None:
        """Put in line, once, the uploads a stopped server left waiting (uploaded, never
        ingested): one job over the uploads folder, started by ``RESUMED_BY``."""
        uploads = self.settings.home / "uploads"
        if not uploads.is_dir():
            return None
        files = [str(p) for p in uploads.rglob("*") if p.is_file() and not p.name.startswith(".")]
        if not files or not self.settings.ledger_path.exists():
            return None
        with Ledger.reading(self.settings.ledger_path) as ledger:
            known = ledger.file_states(files)
        if all(f in known for f in files):
            return None
        return self.start(uploads.resolve(), RESUMED_BY, uploaded=True)

    def close(self) -> None:
        """Stop taking jobs from the line (those running go on in their own processes)."""
        with self.lock:
            self.stopping = True
            self.lock.notify_all()

    def _status(self, job: Job) -> tuple[str, int | None]:
        """(status, exit code) of a job (``STATUSES``)."""
        if job.error is not None:
            return "failed", None
        if job.process is None:
            return "queued", None
        code = job.process.poll()
        if code is None:
            holder = ""
            with contextlib.suppress(OSError):
                holder = (self.settings.home / "ingest.lock").read_text().strip()
            return ("running" if holder == str(job.process.pid) else "waiting"), None
        return ("done" if code in (ExitCode.ok, ExitCode.files_failed) else "failed"), code

    def state(self, job_id: str, *, by: str | None = None, lang: str = "both") -> dict[str, Any] | None:
        """Where a job stands: its status, files done, failed (with reasons, in ``lang``:
        ``sohoa.core.i18n.shown``) and waiting; its report when over. None when there is no
        such job, or ``by`` did not start it."""
        job = self.jobs.get(job_id)
        if job is None or (by is not None and job.by != by):
            return None
        status, code = self._status(job)
        with self.lock:
            ahead = self.line.index(job) if job in self.line else 0
        with Ledger.reading(self.settings.ledger_path) as ledger:
            states = ledger.file_states(job.files)
        done = [p for p in job.files if states.get(p, ("pending", None))[0] == "done"]
        failed = [{"file": Path(p).name, "reason": shown(states[p][1], lang)} for p in job.files
                  if states.get(p, ("pending", None))[0] == "failed"]
        report = job.output.read_text(encoding="utf-8", errors="replace") if code is not None else ""
        if job.error is not None:
            report = f"Không chạy được sohoa ingest: {job.error} / Could not start sohoa ingest: {job.error}"
        return {"id": job.id, "by": job.by, "folder": readable(str(job.folder)), "queued": job.queued,
                "started": job.started, "status": status, "ahead": ahead if status == "queued" else 0,
                "running": status in ("queued", "waiting", "running"), "exit_code": code, "total": len(job.files),
                "done": len(done), "failed": failed, "waiting": len(job.files) - len(done) - len(failed),
                "report": report.strip()}

    def recent(self, *, by: str | None = None) -> list[dict[str, Any]]:
        """The last ten jobs (of ``by``, or everyone's), newest first."""
        mine = [j for j in self.jobs.values() if by is None or j.by == by]
        return [s for s in (self.state(j.id) for j in mine[-10:][::-1]) if s]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _inside(path: Path, roots: list[Path]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)
