"""Run-time settings: where sohoa keeps its data and how it works.

Command-line options win over environment variables, which win over defaults.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from sohoa.core.validity import VIETNAM


def _today() -> dt.date:
    # SOHOA_TODAY lets tests and audits judge validity as of a fixed day.
    forced = os.environ.get("SOHOA_TODAY")
    # Days are Vietnam's: at 06:00 in Hà Nội it is already tomorrow for a record scanned then.
    return dt.date.fromisoformat(forced) if forced else dt.datetime.now(VIETNAM).date()


@dataclass(frozen=True)
class Settings:
    home: Path
    """Everything sohoa writes lives here: the ledger, the embedded index, logs."""
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    """Parallel worker processes for ingest."""
    ocr_language: str = "vie"
    """Tesseract language model."""
    today: dt.date = field(default_factory=_today)
    """The day validity is judged on."""
    settle_seconds: float = 2.0
    """A file modified more recently than this is taken to be still being written."""
    max_pixels: int = 120_000_000
    """Pages larger than this (in pixels) are refused as possible decompression bombs."""
    preprocessing: tuple[str, ...] | None = None
    """Preprocessing steps for scanned pages; None means ``ocr.preprocess.DEFAULT_STEPS``."""
    es_url: str | None = None
    """An Elasticsearch cluster to index into instead of the embedded index."""
    es_index: str = "sohoa"
    """The alias searched on that cluster (several archives can share one cluster)."""
    es_options: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    """How to reach and lay out that cluster's index, by ``indexer.elastic.ElasticConfig``'s
    names: ``api_key``, ``username``, ``password``, ``ca_certs``, ``shards``, ``replicas``,
    ``batch_docs``, ``retries``, ``backoff``, ``timeout`` (from ``SOHOA_ES_API_KEY``,
    ``SOHOA_ES_USER``, ``SOHOA_ES_PASSWORD``, ``SOHOA_ES_CA_CERTS``, ``SOHOA_ES_SHARDS``…)."""
    index_batch: int = 200
    """Records an ingest sends to the index at once."""
    trust_dir: Path | None = None
    """Root certificates, intermediates and CRLs signatures are verified against (``sohoa.signatures.trust``)."""
    online: bool = False
    """Fetch revocation data (OCSP, CRL) over the network when verifying signatures."""
    allow_sha1: bool = True
    """Accept SHA-1 in certificate paths (the legacy government G1 chain); always reported."""
    sign_with: str | None = None
    """What signs a digitised copy of each scanned result as the agency: a PKCS#12 file's
    path, or a PKCS#11 URI (``pkcs11:token=...;object=...``) of a key on a hardware token.
    Only the process that runs the ingest uses it (``ingest.copies.sign_built``)."""
    sign_passphrase: bytes | None = field(default=None, repr=False)
    """The PKCS#12 file's passphrase, or the token's PIN."""
    copy_agency: str | None = None
    """The copying agency (from the signer's certificate): workers make each scan's copy
    for it, to be signed where the key is. None: no copies."""
    cluster: str | None = None
    """A Dask distributed scheduler (``tcp://host:8786``): the work of each document runs on
    its workers (``sohoa.ingest.cluster``); None: on this machine."""
    cluster_tls: tuple[str, str, str] | None = None
    """The cluster's CA file, and this machine's certificate and key files, for Dask's
    mutual TLS (``tls://`` schedulers); None: Dask's own configuration."""
    shared_storage: bool = False
    """Workers read each file at its path (every worker mounts the same storage) instead of
    receiving its bytes."""
    ingest_roots: tuple[Path, ...] = ()
    """Folders on the server whose subfolders a clerk may ingest from the web
    (``SOHOA_INGEST_ROOTS``, separated by ``:``), besides the uploads folder."""
    max_upload_mb: float = 200.0
    """One scan uploaded on the web, at most (``SOHOA_MAX_UPLOAD_MB``)."""
    within: tuple[Path, ...] = ()
    """Folders an ingest may read through links (a web-started ingest: ``SOHOA_INGEST_ROOTS``);
    a link out of them is refused. Empty: links are followed wherever they lead."""

    @property
    def ledger_path(self) -> Path:
        return self.home / "ledger.sqlite"

    @property
    def index_path(self) -> Path:
        return self.home / "index.sqlite"

    def ensure_home(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)

    @classmethod
    def from_env(cls, home: str | os.PathLike[str] | None = None, **overrides: object) -> Settings:
        home_path = Path(home or os.environ.get("SOHOA_HOME") or "sohoa-data").resolve()
        values: dict[str, object] = {"home": home_path}
        if os.environ.get("SOHOA_WORKERS"):
            values["workers"] = int(os.environ["SOHOA_WORKERS"])
        if os.environ.get("SOHOA_OCR_LANG"):
            values["ocr_language"] = os.environ["SOHOA_OCR_LANG"]
        if os.environ.get("SOHOA_ES_URL"):
            values["es_url"] = os.environ["SOHOA_ES_URL"]
        if os.environ.get("SOHOA_TRUST_DIR"):
            values["trust_dir"] = Path(os.environ["SOHOA_TRUST_DIR"])
        if os.environ.get("SOHOA_ALLOW_SHA1"):
            values["allow_sha1"] = os.environ["SOHOA_ALLOW_SHA1"].lower() not in ("0", "false", "no")
        if os.environ.get("SOHOA_INDEX_BATCH"):
            values["index_batch"] = int(os.environ["SOHOA_INDEX_BATCH"])
        if os.environ.get("SOHOA_ES_INDEX"):
            values["es_index"] = os.environ["SOHOA_ES_INDEX"]
        es_names = {"API_KEY": "api_key", "USER": "username", "PASSWORD": "password", "CA_CERTS": "ca_certs",
                    **{k.upper(): k for k in ("shards", "replicas", "batch_docs", "retries", "backoff", "timeout")}}
        values["es_options"] = tuple((name, os.environ[f"SOHOA_ES_{var}"]) for var, name in es_names.items()
                                     if os.environ.get(f"SOHOA_ES_{var}"))
        values["ingest_roots"] = tuple(Path(p).resolve() for p in os.environ.get("SOHOA_INGEST_ROOTS", "").split(
            os.pathsep) if p)
        if os.environ.get("SOHOA_MAX_UPLOAD_MB"):
            values["max_upload_mb"] = float(os.environ["SOHOA_MAX_UPLOAD_MB"])
        if os.environ.get("SOHOA_SETTLE_SECONDS"):
            values["settle_seconds"] = float(os.environ["SOHOA_SETTLE_SECONDS"])
        if os.environ.get("SOHOA_DASK_SCHEDULER"):
            values["cluster"] = os.environ["SOHOA_DASK_SCHEDULER"]
        tls = tuple(os.environ.get(f"SOHOA_DASK_TLS_{part}", "") for part in ("CA", "CERT", "KEY"))
        if all(tls):
            values["cluster_tls"] = tls
        if os.environ.get("SOHOA_PREPROCESS") is not None:
            values["preprocessing"] = tuple(s for s in os.environ["SOHOA_PREPROCESS"].split(",") if s)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
