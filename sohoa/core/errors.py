"""sohoa's error hierarchy and exit codes.

Every error carries a message for the person at the keyboard (what happened, to which
file, what to do) in Vietnamese and English. Exceptions become exit codes in one place:
the click handler in ``sohoa.cli``.
"""

from __future__ import annotations

import enum
import errno
import sqlite3

from sohoa.core.i18n import t


class ExitCode(enum.IntEnum):
    """Process exit codes, stable for scripts that call sohoa."""

    ok = 0
    """Everything went well."""
    files_failed = 1
    """The run finished but at least one file failed; see the summary and the ledger."""
    bad_args = 2
    """The command line was wrong (click also uses 2)."""
    missing_dependency = 3
    """A program or language model sohoa needs is not installed."""
    index_error = 4
    """The search index could not be read or written."""
    not_found = 5
    """A requested record does not exist."""
    busy = 6
    """Another ingest is running on the same home folder, or the ledger or index is locked."""
    cannot_write = 7
    """The ledger, the index or the copies could not be written (disk full, read-only);
    nothing done so far is lost: free space and run the same command again."""
    log_broken = 8
    """The access log's chain of hashes does not hold: an entry was changed or deleted."""
    cluster_lost = 9
    """The Dask cluster an ingest ran on could not be reached, or was lost during the run;
    what came back is kept: start a scheduler and run the same command again."""
    other_error = 15
    """Anything else that sohoa could name."""
    internal_error = 70
    """A bug in sohoa (an exception it did not foresee); the traceback is kept in HOME/logs."""
    interrupted = 130
    """Stopped with Ctrl-C (or SIGINT); run the same command again to go on."""


class SohoaError(Exception):
    """Base class: ``message_vi``/``message_en`` say what happened and what to do."""

    exit_code = ExitCode.other_error
    http_status = 503
    """What the web answers with it: most are the service's own trouble (503)."""

    def __init__(self, message_vi: str, message_en: str | None = None) -> None:
        self.message_vi = message_vi
        self.message_en = message_en or message_vi
        super().__init__(self.message_en)

    @property
    def message(self) -> str:
        return t(self.message_vi, self.message_en)


class MissingDependencyError(SohoaError):
    exit_code = ExitCode.missing_dependency


class ConfigError(SohoaError):
    """A setting names something that does not exist."""

    exit_code = ExitCode.bad_args
    http_status = 400


class ClusterError(SohoaError):
    """The Dask scheduler could not be reached, or was lost during an ingest."""

    exit_code = ExitCode.cluster_lost


class IndexBackendError(SohoaError):
    exit_code = ExitCode.index_error


class RecordNotFound(SohoaError):
    exit_code = ExitCode.not_found
    http_status = 404


class IngestBusy(SohoaError):
    """Another ingest holds the home folder."""

    exit_code = ExitCode.busy
    http_status = 409


class CannotWrite(SohoaError):
    """The archive's own files cannot be written: every later file would fail the same way,
    so the run stops (what was stored is kept; a rerun goes on from there)."""

    exit_code = ExitCode.cannot_write
    http_status = 507


NO_SPACE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})


def cannot_write(exc: BaseException, where: str) -> CannotWrite | None:
    """The ``CannotWrite`` an OS or SQLite error stands for, or None when it is another error."""
    text = str(exc).lower()
    full = isinstance(exc, OSError) and exc.errno in NO_SPACE_ERRNOS
    full |= isinstance(exc, sqlite3.Error) and ("disk is full" in text or "readonly" in text
                                                 or "disk i/o error" in text)
    if not full:
        return None
    return CannotWrite(
        f"Không ghi được vào {where}: {exc}. Ổ đĩa đầy hoặc chỉ cho đọc. Những gì đã xử lý vẫn được giữ; "
        "hãy giải phóng chỗ trống (hoặc chọn --home khác) rồi chạy lại đúng lệnh này để làm tiếp.",
        f"Cannot write to {where}: {exc}. The disk is full or read-only. What was processed is kept; free "
        "some space (or choose another --home), then run the same command again to go on.")


class DocumentError(SohoaError):
    """One input file cannot be processed. Recorded in the ledger; the batch goes on.

    ``code`` is a short stable identifier (``encrypted``, ``corrupt``...) for reports.
    """

    code = "document_error"
    http_status = 422

    def __init__(self, message_vi: str, message_en: str | None = None, *, code: str | None = None):
        super().__init__(message_vi, message_en)
        if code:
            self.code = code


class UnsupportedFormat(DocumentError):
    code = "unsupported_format"


class CorruptFile(DocumentError):
    code = "corrupt"


class EncryptedFile(DocumentError):
    code = "encrypted"


class EmptyFile(DocumentError):
    code = "empty"


class TooLarge(DocumentError):
    code = "too_large"


class OcrFailed(DocumentError):
    code = "ocr_failed"
