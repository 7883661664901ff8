"""Find candidate scans under the folders a clerk names.

Walks recursively without following directory links, skips hidden and temporary files
and files still being written, and reports every skip with its reason. Confined to some
folders (``within``: an ingest started from the web), a link to a file outside them is
refused instead of followed: whoever can write a scanned folder must not be able to make
the archive read (and serve) a file of the server's.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ACCEPTED_SUFFIXES = frozenset({".pdf", ".tif", ".tiff", ".jpg", ".jpeg", ".png"})
_TEMP_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".crdownload", ".download", ".swp", "~")
_TEMP_PREFIXES = ("~$", ".~lock", "._")


@dataclass(frozen=True)
class Candidate:
    """A file that looks like a scan, with the stat facts the ledger compares."""

    path: Path
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Skipped:
    path: Path
    reason: str
    """``hidden``, ``temporary``, ``not_a_scan``, ``being_written``, ``broken_link``,
    ``outside_roots`` or ``unreadable``."""
    detail: str = ""
    """What went wrong (``unreadable``), or where a ``broken_link`` or a link ``outside_roots`` points."""


def _is_temporary(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(_TEMP_SUFFIXES) or name.startswith(_TEMP_PREFIXES)


def walk(paths: list[Path], settle_seconds: float, within: tuple[Path, ...] = ()) -> Iterator[Candidate | Skipped]:
    """Yield candidates and skips, in a stable order (sorted per directory); with
    ``within``, links that lead out of those folders are skipped as ``outside_roots``."""
    now = time.time()
    roots = tuple(r.resolve() for r in within)
    for root in paths:
        root = root.absolute()
        if root.is_file() or (root.exists() and not root.is_dir()):
            yield from _consider(root, settle_seconds, now, roots)
            continue
        if not root.exists():
            yield Skipped(root, "unreadable", "path does not exist")
            continue
        errors: list[OSError] = []
        for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                yield from _consider(Path(dirpath) / name, settle_seconds, now, roots)
            while errors:
                err = errors.pop()
                yield Skipped(Path(err.filename or dirpath), "unreadable", err.strerror or str(err))
        while errors:
            err = errors.pop()
            yield Skipped(Path(err.filename or root), "unreadable", err.strerror or str(err))


def _consider(path: Path, settle_seconds: float, now: float, roots: tuple[Path, ...]) -> Iterator[Candidate | Skipped]:
    name = path.name
    if name.startswith(".") and not name.startswith(("._", ".~lock")):
        yield Skipped(path, "hidden")
        return
    if _is_temporary(name):
        yield Skipped(path, "temporary")
        return
    if path.suffix.lower() not in ACCEPTED_SUFFIXES:
        yield Skipped(path, "not_a_scan")
        return
    if path.is_symlink() and not path.exists():
        yield Skipped(path, "broken_link", os.readlink(path))
        return
    if roots and not _inside(path.resolve(), roots):  # the file itself, or a folder above it, is a link
        yield Skipped(path, "outside_roots", str(path.resolve()))
        return
    try:
        st = path.stat()
        if not os.access(path, os.R_OK):
            raise PermissionError(13, "Permission denied", str(path))
    except OSError as exc:
        yield Skipped(path, "unreadable", exc.strerror or str(exc))
        return
    if now - st.st_mtime < settle_seconds:
        yield Skipped(path, "being_written", f"modified {now - st.st_mtime:.1f}s ago")
        return
    yield Candidate(path, st.st_size, st.st_mtime_ns)


def _inside(path: Path, roots: tuple[Path, ...]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)
