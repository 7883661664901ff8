"""The commands that run the archive: ingest, watch, serve, backup and restore, reindex, reverify, index."""

from __future__ import annotations

import contextlib
import dataclasses
import ipaddress
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sohoa.cli.base import (
    _say,
    _with_signer,
    _with_trust,
    main,
    trust_options,
)
from sohoa.core.errors import ExitCode
from sohoa.core.i18n import t
from sohoa.core.settings import Settings
from sohoa.indexer.base import BACKENDS

if TYPE_CHECKING:
    from sohoa.ingest.run import Summary


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--workers", "-j", type=click.IntRange(min=1), default=None,
              help="Số tiến trình song song / parallel worker processes [all cores]")
@click.option("--progress/--no-progress", default=None, help="Thanh tiến độ / progress bar [on a terminal]")
@trust_options
@click.option("--sign-with", default=None, metavar="FILE.p12|pkcs11:URI",
              help="Ký số bản sao (SAO Y) của mỗi bản quét bằng tệp PKCS#12 này, hoặc bằng khoá trên thiết bị ký số "
                   "(pkcs11:token=...;object=...?module-path=...); mật khẩu/PIN lấy từ SOHOA_SIGN_PASSPHRASE hoặc hỏi "
                   "/ sign a digitised copy of each scan with this PKCS#12 file, or with a key on a hardware token "
                   "(a PKCS#11 URI); passphrase or PIN from SOHOA_SIGN_PASSPHRASE or a prompt")
@click.option("--cluster", default=None, metavar="tls://HOST:8786",
              help="Chạy OCR trên các worker của cụm Dask này (hoặc SOHOA_DASK_SCHEDULER); ngoài máy này phải là "
                   "tls:// / run the work of each document on the workers of this Dask scheduler; off this machine "
                   "it must be tls://")
@click.option("--tls-ca-file", default=None, type=click.Path(dir_okay=False, exists=True),
              help="CA của cụm Dask / the Dask cluster's CA certificate [$SOHOA_DASK_TLS_CA]")
@click.option("--tls-cert", default=None, type=click.Path(dir_okay=False, exists=True),
              help="Chứng thư của máy này trong cụm / this machine's certificate in the cluster [$SOHOA_DASK_TLS_CERT]")
@click.option("--tls-key", default=None, type=click.Path(dir_okay=False, exists=True),
              help="Khoá của chứng thư đó / that certificate's key [$SOHOA_DASK_TLS_KEY]")
@click.option("--shared-storage", is_flag=True,
              help="Các worker đọc tệp tại đường dẫn của nó (ổ dùng chung) thay vì nhận nội dung / workers read "
                   "each file at its path (storage every worker mounts) instead of receiving its bytes")
@click.option("--within", "within", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help="Không theo liên kết ra ngoài thư mục này (lặp lại được) / follow no link out of this folder "
                   "(repeatable; what the web application's ingests use)")
@click.option("--wait", is_flag=True,
              help="Nếu đang có lần nạp khác thì đợi nó xong thay vì dừng / if another ingest runs on this home, "
                   "wait for it instead of stopping")
@click.option("--retry-failed", is_flag=True,
              help="Xử lý lại các tệp đã lỗi vì lý do của máy (Tesseract lỗi hoặc quá giờ, hết bộ nhớ, worker chết, "
                   "không đọc được lúc đó) / read again the files that failed for a reason of the machine (the "
                   "engine failed or timed out, memory ran out, a worker died, the file could not be read then)")
@click.pass_obj
def ingest(settings: Settings, paths: tuple[Path, ...], workers: int | None, progress: bool | None,
           trust: Path | None, online: bool, sign_with: str | None, cluster: str | None, tls_ca_file: str | None,
           tls_cert: str | None, tls_key: str | None, shared_storage: bool, within: tuple[Path, ...],
           wait: bool, retry_failed: bool) -> None:
    """Nạp các thư mục bản quét / ingest folders of scans (PDF, TIFF, JPEG, PNG).

    With --cluster, this process walks, hashes and records as always, and the OCR, fields,
    signature checks and signed copies run on the workers of a Dask distributed cluster
    (`dask scheduler`, `dask worker`), each with sohoa and Tesseract installed."""
    from sohoa.indexer.base import open_index
    from sohoa.ingest.run import ingest as run_ingest
    from sohoa.ocr.tesseract import probe
    from sohoa.search_api.render import ingest_report

    if workers:
        settings = dataclasses.replace(settings, workers=workers)
    if within:
        settings = dataclasses.replace(settings, within=tuple(p.resolve() for p in within))
    settings = _with_trust(settings, trust, online)
    if sign_with:
        settings = _with_signer(settings, sign_with)
    if cluster or shared_storage:
        settings = dataclasses.replace(settings, cluster=cluster or settings.cluster, shared_storage=shared_storage)
    if tls_ca_file or tls_cert or tls_key:
        if not (tls_ca_file and tls_cert and tls_key):
            raise click.UsageError(t("--tls-ca-file, --tls-cert và --tls-key đi cùng nhau.",
                                     "--tls-ca-file, --tls-cert and --tls-key go together."))
        settings = dataclasses.replace(settings, cluster_tls=(tls_ca_file, tls_cert, tls_key))
    if settings.cluster:  # a plain link off this machine is refused before anything is read
        from sohoa.ingest.cluster import security_for

        security_for(settings.cluster, settings.cluster_tls)
    if settings.shared_storage and not settings.cluster:
        raise click.UsageError(t("--shared-storage chỉ dùng cùng --cluster.", "--shared-storage goes with --cluster."))
    if not settings.cluster:  # on a cluster, the workers are checked when the run reaches them
        probe(settings.ocr_language)
        from sohoa.ocr import handwriting

        handwriting.probe()  # the second engine of hand-filled numbers and days loads and reads
    index = open_index(settings)
    try:
        summary = run_ingest(list(paths), settings, index, progress=progress, wait=wait, retry_failed=retry_failed)
    finally:
        index.close()
    _say(ingest_report(summary))
    if summary.index_pending:
        sys.exit(int(ExitCode.index_error))
    if not summary.ok:
        sys.exit(int(ExitCode.files_failed))


@main.command()
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
@click.pass_obj
def backup(settings: Settings, target: Path) -> None:
    """Sao lưu thư mục dữ liệu khi đang chạy / back up the home folder while it runs.

    Every SQLite store copied with SQLite's online backup API (a consistent copy however
    much an ingest or the server writes), the other files as they are, and a manifest of
    SHA-256 digests. An index on Elasticsearch is snapshotted there, or rebuilt with
    `sohoa reindex` after a restore."""
    from sohoa import __version__
    from sohoa.core.backup import backup as take

    out = take(settings.home, target, es_url=settings.es_url, version=__version__)
    click.echo(t(f"Đã sao lưu {settings.home} vào {out}.", f"Backed up {settings.home} to {out}."))
    if settings.es_url:
        click.echo(t(f"Chỉ mục nằm trên Elasticsearch ({settings.es_url}): hãy chụp snapshot ở đó, hoặc chạy "
                     "`sohoa reindex` sau khi khôi phục.",
                     f"The index is on Elasticsearch ({settings.es_url}): take a snapshot there, or run "
                     "`sohoa reindex` after a restore."))


@main.command()
@click.argument("source", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.pass_obj
def restore(settings: Settings, source: Path) -> None:
    """Khôi phục một bản sao lưu vào thư mục dữ liệu trống / restore a backup into an empty home."""
    from sohoa.core.backup import restore as put_back

    count = put_back(source, settings.home)
    click.echo(t(f"Đã khôi phục {count} tệp vào {settings.home}. Chạy lại `sohoa ingest` trên các thư mục bản quét "
                 "để làm nốt những gì còn dở lúc sao lưu.",
                 f"Restored {count} files into {settings.home}. Run `sohoa ingest` on the scan folders again to "
                 "finish what was under way when the backup was taken."))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--workers", "-j", type=click.IntRange(min=1), default=None,
              help="Số tiến trình song song / parallel worker processes [all cores]")
@click.option("--poll", is_flag=True,
              help="Dò thư mục định kỳ thay vì nhận sự kiện: cho ổ mạng (SMB, NFS) / look at the folders at each "
                   "interval instead of waiting for events: for network shares (SMB, NFS)")
@click.option("--interval", type=click.FloatRange(min=0.5), default=5.0, show_default=True,
              help="Giây giữa các lần xem lại / seconds between looks")
@click.pass_obj
def watch(settings: Settings, paths: tuple[Path, ...], workers: int | None, poll: bool, interval: float) -> None:
    """Theo dõi thư mục máy quét và nạp bản quét mới / watch the scanners' folders and ingest new scans.

    Each pass is an ingest of the folders: exactly once per file, resumed after a kill.
    Runs until SIGTERM or Ctrl+C (a service: deploy/sohoa-watch.service)."""
    from sohoa.indexer.base import open_index
    from sohoa.ingest.watch import watch as run_watch
    from sohoa.ocr import handwriting
    from sohoa.ocr.tesseract import probe
    from sohoa.search_api.render import Said, ingest_report

    if workers:
        settings = dataclasses.replace(settings, workers=workers)
    probe(settings.ocr_language)
    handwriting.probe()

    def report(summary: Summary) -> None:
        if summary.processed or summary.failed or summary.recovered or summary.index_pending:
            _say(ingest_report(summary))

    _say([Said(t(f"Đang theo dõi {', '.join(map(str, paths))} (Ctrl+C để dừng).",
                 f"Watching {', '.join(map(str, paths))} (Ctrl+C to stop)."))])
    index = open_index(settings)
    try:
        run_watch(list(paths), settings, index, poll=poll, interval=interval, report=report)
    finally:
        index.close()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Địa chỉ lắng nghe / address to listen on")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Cổng / port")
@click.option("--behind-https", is_flag=True, envvar="SOHOA_BEHIND_HTTPS",
              help="Chạy sau một proxy HTTPS: cookie chỉ gửi qua HTTPS / behind an HTTPS proxy: cookies marked Secure")
@click.option("--forwarded-allow-ips", envvar="SOHOA_FORWARDED_ALLOW_IPS", default=None, metavar="IP,...",
              help="Chỉ tin X-Forwarded-For/-Proto từ các proxy này / trust X-Forwarded-For and -Proto only from "
                   "these proxy addresses [127.0.0.1 with --behind-https, else none]")
@click.pass_obj
def serve(settings: Settings, host: str, port: int, behind_https: bool, forwarded_allow_ips: str | None) -> None:
    """Chạy ứng dụng web và API HTTP / run the web application and the HTTP API.

    The client's address (the access log, sign-in throttling) is the one the connection
    comes from; a proxy's X-Forwarded-For is believed only when the connection comes from
    an address in --forwarded-allow-ips (never "*" from anyone: a client could then name
    any address it likes)."""
    import uvicorn

    from sohoa.search_api.web import create_app

    proxies = [ip.strip() for ip in (forwarded_allow_ips or "").split(",") if ip.strip()]
    for proxy in proxies:
        try:
            every = ipaddress.ip_network(proxy, strict=False).prefixlen == 0
        except ValueError:
            every = proxy == "*"
            if not every:
                raise click.BadParameter(t(f"{proxy} không phải địa chỉ IP hay mạng (CIDR)",
                                           f"{proxy} is not an IP address or network (CIDR)"),
                                         param_hint="--forwarded-allow-ips") from None
        if every:
            raise click.BadParameter(t(f"{proxy}: không tin mọi địa chỉ (ai cũng tự khai được địa chỉ của mình); hãy "
                                       "ghi địa chỉ của proxy",
                                       f"{proxy}: trusting every address lets any client forge its own; name the "
                                       "proxy's address"), param_hint="--forwarded-allow-ips")
    if behind_https and not proxies:
        proxies = ["127.0.0.1", "::1"]
    app = create_app(settings, behind_https=behind_https)
    shown = f"[{host}]" if ":" in host else host
    click.echo(t(f"sohoa đang chạy tại http://{shown}:{port}/ (tài liệu API: /docs). Nhấn Ctrl+C để dừng.",
                 f"sohoa is running at http://{shown}:{port}/ (API documentation: /docs). Press Ctrl+C to stop."))
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=bool(proxies),
                forwarded_allow_ips=proxies or None)


@main.command()
@click.option("--to", "target", type=click.Choice(list(BACKENDS)), default=None,
              help="Dựng chỉ mục ở đâu / which index to build [elasticsearch with --es-url, else sqlite]; "
                   "--to elasticsearch chuyển kho nhúng sang Elasticsearch / moves an embedded archive there")
@click.option("--all-ledgers", "homes", multiple=True, type=click.Path(file_okay=False, exists=True, path_type=Path),
              metavar="HOME", help="Dựng lại bí danh dùng chung từ sổ theo dõi của cả các thư mục này (lặp lại được) / "
                                   "rebuild a shared alias from the ledgers of these homes too (repeatable)")
@click.pass_obj
def reindex(settings: Settings, target: str | None, homes: tuple[Path, ...]) -> None:
    """Dựng lại chỉ mục tìm kiếm từ sổ theo dõi / rebuild the search index from the ledger.

    On an Elasticsearch alias several offices share, only this ledger's records are
    replaced (the others' stay); --all-ledgers HOME rebuilds the alias from every ledger
    named, one record per document however many offices hold it."""
    from sohoa.indexer.base import open_index
    from sohoa.ingest.maintenance import reindex as run_reindex
    from sohoa.ingest.maintenance import reindex_all

    index = open_index(settings, target, discard_stale=True)
    try:
        count = reindex_all(settings, homes, index) if homes else run_reindex(settings, index)
    finally:
        index.close()
    where = "Elasticsearch" if index.name == "elasticsearch" else t("nhúng", "embedded")
    click.echo(t(f"Đã dựng lại chỉ mục ({where}): {count} hồ sơ.", f"Index rebuilt ({where}): {count} records."))
    if target == "elasticsearch":
        click.echo(t("Từ nay hãy dùng --es-url (hoặc SOHOA_ES_URL) khi nạp và tìm kiếm.",
                     "From now on, use --es-url (or SOHOA_ES_URL) to ingest and search."))


@main.command()
@trust_options
@click.pass_obj
def reverify(settings: Settings, trust: Path | None, online: bool) -> None:
    """Kiểm tra lại chữ ký của mọi PDF trong kho / verify every archived PDF's signatures again.

    Sau khi thêm chứng thư gốc hoặc CRL / after adding roots or CRLs to the trust directory.
    """
    from sohoa.indexer.base import open_index
    from sohoa.ingest.maintenance import reverify as run_reverify
    from sohoa.search_api.render import reverify_report

    settings = _with_trust(settings, trust, online)
    index = open_index(settings)
    try:
        done = run_reverify(settings, index)
    finally:
        index.close()
    _say(reverify_report(done))


@main.command("index")
@click.option("--retry", is_flag=True, help="Gửi các hồ sơ đang chờ chỉ mục / send the records pending index")
@click.option("--check", is_flag=True,
              help="So sổ theo dõi với chỉ mục và sửa chỗ thiếu / compare the ledger with the index and repair the "
                   "difference")
@click.pass_obj
def index_cmd(settings: Settings, retry: bool, check: bool) -> None:
    """Tình trạng chỉ mục; --retry gửi hồ sơ còn chờ / index status; --retry sends what is pending."""
    from sohoa.indexer.base import backend_name, open_index
    from sohoa.ingest.maintenance import check_index, index_state, retry_index
    from sohoa.search_api.render import index_state_text

    if check:
        with contextlib.closing(open_index(settings)) as index:
            found = check_index(settings, index)
        click.echo(t(f"Sổ theo dõi có {found.records} hồ sơ đã vào chỉ mục; {found.missing} thiếu trong chỉ mục, đã "
                     f"gửi lại; {found.extra} thừa, đã bỏ.",
                     f"The ledger holds {found.records} indexed records; {found.missing} were missing from the "
                     f"index and were sent again; {found.extra} were there without a record and were let go of."))
        return

    if retry:
        with contextlib.closing(open_index(settings)) as index:
            done = retry_index(settings, index)
        click.echo(t(f"Đã gửi vào chỉ mục {done.indexed} hồ sơ; đã xoá {done.deleted} hồ sơ không còn tệp gốc.",
                     f"Sent {done.indexed} records to the index; removed {done.deleted} whose files are gone."))
        return
    click.echo(index_state_text(backend_name(settings), index_state(settings)), nl=False)


