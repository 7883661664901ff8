"""Ingests started from the web application: files a clerk uploads, or a folder on the
server under one of the allowed roots, each run as ``sohoa ingest`` in a process of its
own (the same pipeline, ledger lock and report as the CLI), watched file by file in the
ledger for the live progress a page shows.

Uploads are checked whole before anything is stored: a file larger than
``max_upload_file()``, of a kind sohoa does not ingest, or whose content is not what its
name says (a PNG named ``.pdf``) refuses the upload, and nothing of it is kept.
"""

from __future__ import annotations

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

from sohoa.core.paths import readable
from sohoa.core.settings import Settings
from sohoa.ingest.discover import ACCEPTED_SUFFIXES
from sohoa.ingest.ledger import Ledger
from sohoa.ocr.pages import format_of

MAX_UPLOAD_FILES = 500
MAX_UPLOAD_TOTAL = 4 * 2**30
"""Bytes of one upload form, at most (refused from its Content-Length, before it is read)."""


def max_upload_file() -> int:
    """Bytes of one uploaded scan, at most: ``SOHOA_MAX_UPLOAD_MB`` (default 200)."""
    return int(float(os.environ.get("SOHOA_MAX_UPLOAD_MB") or 200) * 2**20)

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
    """Folders on the server whose subfolders a clerk may ingest: ``SOHOA_INGEST_ROOTS``
    (separated by ``:``), and the uploads folder."""
    roots = [Path(p).resolve() for p in os.environ.get("SOHOA_INGEST_ROOTS", "").split(os.pathsep) if p]
    return [*roots, (settings.home / "uploads").resolve()]


def check_upload(name: str, head: bytes, size: int) -> str:
    """The name an upload is stored under (its last part, made safe); or ``Refused``."""
    base = re.sub(r"[^\w.\- ()]", "_", Path(name.replace("\\", "/")).name).strip(" .") or "scan"
    suffix = Path(base).suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        raise Refused(415, f"{base}: không phải PDF, TIFF, JPEG hay PNG. / {base}: not a PDF, TIFF, JPEG or PNG.")
    limit = max_upload_file()
    if size > limit:
        raise Refused(413, f"{base}: quá lớn (tối đa {limit / 2**20:g} MiB). / "
                           f"{base}: too large (at most {limit / 2**20:g} MiB).")
    if size == 0:
        raise Refused(422, f"{base}: tệp rỗng. / {base}: the file is empty.")
    if format_of(head) != FORMAT_OF_SUFFIX[suffix]:
        raise Refused(415, f"{base}: nội dung không khớp đuôi tệp {suffix} (tệp đổi tên?). / "
                           f"{base}: its content is not a {suffix} file (renamed?).")
    return base


@dataclass
class Job:
    """One ingest started from the web."""

    id: str
    by: str
    folder: Path
    files: list[str]
    started: str
    process: subprocess.Popen[bytes]
    output: Path
    uploaded: bool = False


class Jobs:
    """The ingests this server started, by id (kept while it runs)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.jobs: dict[str, Job] = {}
        self.lock = threading.Lock()

    def store_uploads(self, files: list[Upload]) -> Path:
        """Check every upload, then save them all in a new folder under ``HOME/uploads``
        (nothing is saved when one is refused)."""
        if not files:
            raise Refused(422, "Chưa chọn tệp nào. / No file chosen.")
        if len(files) > MAX_UPLOAD_FILES:
            raise Refused(413, f"Tối đa {MAX_UPLOAD_FILES} tệp một lần. / At most {MAX_UPLOAD_FILES} files at once.")
        names = [check_upload(f.name, f.head, f.size) for f in files]
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
        """Run ``sohoa ingest`` on ``folder`` in a process of its own."""
        files = sorted(str(p) for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in ACCEPTED_SUFFIXES
                       and not p.name.startswith("."))
        job_id = secrets.token_hex(6)
        logs = self.settings.home / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        output = logs / f"web-ingest-{job_id}.txt"
        env = {**os.environ, "SOHOA_HOME": str(self.settings.home)}
        if self.settings.es_url:
            env["SOHOA_ES_URL"] = self.settings.es_url
            env["SOHOA_ES_INDEX"] = self.settings.es_index
        if uploaded:
            env["SOHOA_SETTLE_SECONDS"] = "0"  # written whole before the ingest starts
        with output.open("wb") as out:
            process = subprocess.Popen([sys.executable, "-m", "sohoa", "ingest", "--no-progress", str(folder)],
                                       stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        job = Job(job_id, by, folder, files, dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), process, output,
                  uploaded)
        with self.lock:
            self.jobs[job_id] = job
        return job

    def state(self, job_id: str) -> dict[str, Any] | None:
        """Where a job stands: files done, failed (with reasons) and waiting; its report when over."""
        job = self.jobs.get(job_id)
        if job is None:
            return None
        code = job.process.poll()
        ledger = Ledger(self.settings.ledger_path)
        try:
            states = ledger.file_states(job.files)
        finally:
            ledger.close()
        done = [p for p in job.files if states.get(p, ("pending", None))[0] == "done"]
        failed = [{"file": Path(p).name, "reason": states[p][1]} for p in job.files
                  if states.get(p, ("pending", None))[0] == "failed"]
        report = job.output.read_text(encoding="utf-8", errors="replace") if code is not None else ""
        return {"id": job.id, "by": job.by, "folder": readable(str(job.folder)), "started": job.started,
                "running": code is None, "exit_code": code, "total": len(job.files), "done": len(done),
                "failed": failed, "waiting": len(job.files) - len(done) - len(failed), "report": report.strip()}

    def recent(self) -> list[dict[str, Any]]:
        return [s for s in (self.state(j) for j in list(self.jobs)[-10:][::-1]) if s]
