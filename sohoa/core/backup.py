"""A consistent copy of a home folder while it runs, and its restore.

Every SQLite store at the top of the home (the ledger, the embedded index, the register,
the accounts, the access log) is copied with SQLite's online backup API: each copy is the
store as one transaction saw it, however much an ingest or the server writes meanwhile.
The other things a home keeps are copied as files: the access log's head, the web
session key, the trust directory, the signed copies, the uploads waiting to be ingested.
``MANIFEST.json`` lists every file with its SHA-256, which ``restore`` checks.

The ledger is the system of record. A backup taken during an ingest holds some documents
still pending: after a restore, the same ``sohoa ingest`` finishes them. An index on
Elasticsearch is not in the home: snapshot it with Elasticsearch's own snapshot API, or
rebuild it after a restore with ``sohoa reindex``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

from sohoa.core.errors import ConfigError

FILES = ("access-log.head", "web-session.key")
FOLDERS = ("trust", "copies", "uploads", "inbox")
MANIFEST = "MANIFEST.json"


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def backup(home: Path, target: Path, *, es_url: str | None = None, version: str = "") -> Path:
    """Copy ``home`` into a new folder under ``target``; returns that folder."""
    if not (home / "ledger.sqlite").exists() and not any(home.glob("*.sqlite")):
        raise ConfigError(f"{home} không có kho dữ liệu sohoa nào để sao lưu.",
                          f"{home} holds no sohoa store to back up.")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = target / f"sohoa-backup-{stamp}"
    out.mkdir(parents=True)
    # The head of the access log before its store: the store then holds every entry the
    # head names (and perhaps later ones), which is how the chain is checked.
    for name in FILES:
        if (home / name).exists():
            shutil.copy2(home / name, out / name)
    for store in sorted(home.glob("*.sqlite")):
        with contextlib.closing(sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=60)) as source, \
                contextlib.closing(sqlite3.connect(out / store.name)) as copy:
            source.backup(copy)
    for name in FOLDERS:
        if (home / name).is_dir():
            shutil.copytree(home / name, out / name, symlinks=True)
    files = {str(p.relative_to(out)): _digest(p) for p in sorted(out.rglob("*")) if p.is_file()}
    note = ("The index is on Elasticsearch at the address below: take a snapshot there (the snapshot API), or "
            "run `sohoa reindex` after a restore." if es_url else "The index is the embedded one, in this copy.")
    (out / MANIFEST).write_text(json.dumps({
        "sohoa": version, "taken": stamp, "home": str(home), "elasticsearch": es_url, "note": note,
        "files": files}, ensure_ascii=False, indent=1), encoding="utf-8")
    return out


def restore(source: Path, home: Path) -> int:
    """Copy the backup ``source`` into ``home``, which must hold no store; returns the
    number of files restored. Every file is checked against the manifest first."""
    manifest_path = source / MANIFEST
    if not manifest_path.is_file():
        raise ConfigError(f"{source} không phải bản sao lưu của sohoa (thiếu {MANIFEST}).",
                          f"{source} is no sohoa backup (no {MANIFEST}).")
    files: dict[str, str] = json.loads(manifest_path.read_text(encoding="utf-8"))["files"]
    bad = [name for name, digest in files.items() if not (source / name).is_file() or _digest(source / name) != digest]
    if bad:
        raise ConfigError(f"Bản sao lưu {source} bị hỏng hoặc thiếu tệp: {', '.join(bad[:3])}. Không khôi phục gì.",
                          f"The backup {source} is damaged or lacks files: {', '.join(bad[:3])}. Nothing restored.")
    if home.exists() and any(home.glob("*.sqlite")):
        raise ConfigError(f"{home} đã có dữ liệu sohoa: hãy khôi phục vào một thư mục trống.",
                          f"{home} already holds sohoa data: restore into an empty folder.")
    home.mkdir(parents=True, exist_ok=True)
    for name in files:
        (home / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / name, home / name)
    if (home / "web-session.key").exists():
        (home / "web-session.key").chmod(0o600)
    return len(files)
