"""The ``sohoa`` command: ingest, index, reindex, search, show, export, verify.

Messages are Vietnamese by default, English with ``SOHOA_LANG=en``. Errors become exit
codes here and nowhere else.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import ipaddress
import json
import os
import sqlite3
import sys
import traceback
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from sohoa.core.errors import ConfigError, ExitCode, RecordNotFound, SohoaError, cannot_write
from sohoa.core.i18n import t
from sohoa.core.settings import Settings
from sohoa.core.verdict import DOCUMENT_STATUSES

if TYPE_CHECKING:
    from sohoa.ingest.run import Summary
    from sohoa.search_api.render import Said

class SohoaGroup(click.Group):
    """Every way a command can end, turned into a message and an exit code (``ExitCode``)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:
            # The reader went away (`| head`): it had what it wanted. Nothing more is written.
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(0)
        except SohoaError as exc:
            _fail(ctx, exc.message, exc.exit_code)
        except KeyboardInterrupt:
            _fail(ctx, t("Đã dừng (Ctrl-C). Chạy lại đúng lệnh này để làm tiếp: những tệp đã xong không bị làm lại.",
                         "Stopped (Ctrl-C). Run the same command again to go on: files already done are not redone."),
                  ExitCode.interrupted)
        except (OSError, sqlite3.Error) as exc:
            home = ctx.obj.home if isinstance(ctx.obj, Settings) else Path("sohoa-data")
            translated = cannot_write(exc, str(home))
            if translated is not None:
                _fail(ctx, translated.message, translated.exit_code)
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                _fail(ctx, t(f"Sổ theo dõi hoặc chỉ mục trong {home} đang bị một tiến trình khác khóa ({exc}). "
                             "Đợi lệnh kia xong rồi chạy lại.",
                             f"The ledger or index in {home} is locked by another process ({exc}). Wait for "
                             "that command to finish, then run again."), ExitCode.busy)
            _internal(ctx, exc)
        except Exception as exc:  # a bug: say so, keep the traceback for the report
            _internal(ctx, exc)
        return None


def _say(lines: Iterable[Said]) -> None:
    for line in lines:
        click.echo(line.text, err=line.error)


def _fail(ctx: click.Context, message: str, code: ExitCode) -> None:
    click.echo(t("Lỗi: ", "Error: ") + message, err=True)
    ctx.exit(int(code))


def _internal(ctx: click.Context, exc: BaseException) -> None:
    """An exception sohoa did not foresee: its traceback goes to HOME/logs (when it can be
    written), the person is told where, and the exit code says it is sohoa's fault."""
    detail = "".join(traceback.format_exception_only(exc)).strip()
    kept = ""
    if isinstance(ctx.obj, Settings):
        with contextlib.suppress(OSError):
            logs = ctx.obj.home / "logs"
            logs.mkdir(parents=True, exist_ok=True)
            path = logs / f"crash-{dt.datetime.now():%Y%m%d-%H%M%S}.txt"
            path.write_text("".join(traceback.format_exception(exc)), encoding="utf-8", errors="backslashreplace")
            kept = str(path)
    _fail(ctx, t(f"lỗi nội bộ của sohoa ({detail}). Hãy báo lỗi kèm lệnh đã chạy"
                 + (f" và tệp {kept}." if kept else "."),
                 f"internal error in sohoa ({detail}). Please report it with the command you ran"
                 + (f" and the file {kept}." if kept else ".")), ExitCode.internal_error)


def _date(value: str | None) -> dt.date | None:
    from sohoa.search_api.service import parse_day

    try:
        return parse_day(value)
    except ConfigError as exc:
        raise click.BadParameter(exc.message) from None


@click.group(cls=SohoaGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), envvar="SOHOA_HOME",
              help="Thư mục dữ liệu của sohoa / where sohoa keeps its data [./sohoa-data]")
@click.option("--es-url", envvar="SOHOA_ES_URL", metavar="URL",
              help="Dùng cụm Elasticsearch này thay cho chỉ mục nhúng / index into this Elasticsearch cluster "
                   "instead of the embedded index")
@click.version_option(package_name="sohoa")
@click.pass_context
def main(ctx: click.Context, home: Path | None, es_url: str | None) -> None:
    """sohoa: số hóa kết quả giải quyết thủ tục hành chính / digitise procedure results."""
    for stream in (sys.stdout, sys.stderr):  # a file name that is not UTF-8 prints as \udcXX, never crashes
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    ctx.obj = Settings.from_env(home, es_url=es_url)


TRUST_HELP = ("Thư mục chứng thư gốc, trung gian và CRL để kiểm tra chữ ký / root and intermediate certificates "
              "and CRLs to verify signatures against [$SOHOA_TRUST_DIR, else HOME/trust if present]")
ONLINE_HELP = "Cho phép tải dữ liệu thu hồi (OCSP/CRL) qua mạng / fetch revocation data over the network"


def trust_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--trust DIR`` and ``--online``, for the commands that verify signatures."""
    command = click.option("--online", is_flag=True, help=ONLINE_HELP)(command)
    return click.option("--trust", type=click.Path(file_okay=False, path_type=Path), default=None,
                        help=TRUST_HELP)(command)


def _with_trust(settings: Settings, trust: Path | None, online: bool) -> Settings:
    """Settings with the trust directory chosen, checked now rather than in a worker."""
    from sohoa.signatures.verify import trust_store

    chosen = trust or settings.trust_dir
    if chosen is None and (settings.home / "trust").is_dir():
        chosen = settings.home / "trust"
    settings = dataclasses.replace(settings, trust_dir=chosen.resolve() if chosen else None,
                                   online=online or settings.online)
    trust_store(settings.trust_dir)
    return settings


def _with_signer(settings: Settings, spec: str) -> Settings:
    """Settings that sign copies with ``spec``: a PKCS#12 file, or a key on a hardware
    token (``pkcs11:...``). The key is opened now, so a wrong passphrase or PIN, or a
    missing token, stops the run before any work."""
    from sohoa.core.errors import ConfigError
    from sohoa.signatures.sign import agency_name, font_path, is_token, load_signer

    token = is_token(spec)
    if not token:
        path = Path(spec).expanduser()
        if not path.is_file():
            raise click.BadParameter(t(f"không có tệp {spec}", f"there is no file {spec}"), param_hint="--sign-with")
        spec = str(path.resolve())
    what_vi, what_en = ("mã PIN của thiết bị ký", "the token's PIN") if token else ("mật khẩu của tệp khoá ký",
                                                                                  "the signing key file's passphrase")
    secret = os.environ.get("SOHOA_SIGN_PASSPHRASE")
    if secret is None:
        if not sys.stdin.isatty():
            raise ConfigError(f"Cần {what_vi}: đặt biến SOHOA_SIGN_PASSPHRASE.",
                              f"Signing needs {what_en}: set SOHOA_SIGN_PASSPHRASE.")
        shown = spec.split("?")[0]
        secret = click.prompt(t(f"{what_vi[0].upper()}{what_vi[1:]} ({shown})", f"{what_en[0].upper()}{what_en[1:]} "
                                f"({shown})"), hide_input=True, default="", show_default=False)
    passphrase = secret.encode() if secret else None
    signer = load_signer(spec, passphrase)
    font_path()
    return dataclasses.replace(settings, sign_with=spec, sign_passphrase=passphrase, copy_agency=agency_name(signer))


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
@click.option("--to", "target", type=click.Choice(["sqlite", "elasticsearch"]), default=None,
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
    from sohoa.ingest.run import reindex as run_reindex
    from sohoa.ingest.run import reindex_all

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
    from sohoa.ingest.run import reverify as run_reverify
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
    from sohoa.ingest.run import check_index, index_state, retry_index
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


@main.command()
@click.argument("query", required=False, default="")
@click.option("--type", "doc_type", help="Loại văn bản / document type (accents optional)")
@click.option("--issuer", help="Cơ quan ban hành / issuing body (accents optional)")
@click.option("--from", "date_from", help="Ban hành từ ngày / issued on or after (YYYY-MM-DD)")
@click.option("--to", "date_to", help="Ban hành đến ngày / issued on or before (YYYY-MM-DD)")
@click.option("--validity", type=click.Choice(["valid", "expired", "unknown"]), help="Hiệu lực / validity")
@click.option("--level", type=click.Choice(["province", "district", "commune"]),
              help="Cấp cơ quan ban hành / the issuer's level")
@click.option("--signature", type=click.Choice([*DOCUMENT_STATUSES, "unchecked"]),
              help="Tình trạng chữ ký số / digital-signature status")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True, help="Trang kết quả / result page")
@click.option("--facets", is_flag=True, help="Đếm theo loại, cơ quan, năm, hiệu lực / "
                                             "counts by type, issuer, year and validity")
@click.option("--json", "as_json", is_flag=True, help="In JSON / print JSON")
@click.pass_obj
def search(settings: Settings, query: str, doc_type: str | None, issuer: str | None, date_from: str | None,
           date_to: str | None, validity: str | None, level: str | None, signature: str | None, limit: int,
           page: int, facets: bool, as_json: bool) -> None:
    """Tìm kiếm kho lưu trữ / search the archive (with or without accents, or by number)."""
    from sohoa.indexer.base import SearchQuery, open_index
    from sohoa.search_api.render import render_facets, render_text
    from sohoa.search_api.service import search as run_search

    index = open_index(settings)
    try:
        result = run_search(index, SearchQuery(
            text=query, doc_type=doc_type, issuer=issuer, date_from=_date(date_from), date_to=_date(date_to),
            validity=validity, level=level, signature=signature, today=settings.today, limit=limit,
            offset=(page - 1) * limit,
            facets=facets,
        ))
    finally:
        index.close()
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
        return
    if not result.hits:
        click.echo(t("Không tìm thấy văn bản nào.", "No documents found."))
        return
    click.echo(t(f"Tìm thấy {result.total} văn bản:", f"Found {result.total} documents:"))
    click.echo(render_text(result), nl=False)
    if result.facets:
        click.echo(render_facets(result.facets), nl=False)


@main.command()
@click.argument("record_id")
@click.option("--json", "as_json", is_flag=True, help="In JSON / print JSON")
@click.option("--layout", is_flag=True, help="Kèm vị trí dòng, từ và độ tin cậy OCR (JSON) / "
                                             "include OCR line and word boxes and confidences (JSON)")
@click.pass_obj
def show(settings: Settings, record_id: str, as_json: bool, layout: bool) -> None:
    """Xem đầy đủ một hồ sơ / print one record in full (id or a unique prefix)."""
    from sohoa.search_api.render import record_text
    from sohoa.search_api.service import show as show_record

    data = show_record(settings, record_id, with_layout=layout)
    as_json = as_json or layout
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    click.echo(record_text(data), nl=False)


@main.command()
@click.argument("record_id")
@click.argument("field")
@click.argument("value", required=False, default="")
@click.pass_obj
def correct(settings: Settings, record_id: str, field: str, value: str) -> None:
    """Sửa một trường như người đã xác nhận / set a field as a person confirmed it (no VALUE
    clears it): kept with who and when, preferred over OCR, kept by re-ingest and reindex."""
    import contextlib

    from sohoa.accounts.audit import AccessLog
    from sohoa.indexer.base import open_index
    from sohoa.search_api.service import correct_field, show

    old = show(settings, record_id)["fields"].get(field)
    with contextlib.closing(open_index(settings)) as index:
        record = correct_field(settings, index, record_id, field, value, _operator())
    with AccessLog(settings.home) as log:
        log.append(_operator(), "correction", {"via": "cli", "record": record.id, "field": field, "old": old,
                                               "new": record.fields.get(field)})
    click.echo(t(f"Đã sửa {field} của hồ sơ {record.id[:16]}: {record.fields.get(field)!r}.",
                 f"Corrected {field} of record {record.id[:16]}: {record.fields.get(field)!r}."))


@main.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-",
              help="Tệp đầu ra / output file [stdout]")
@click.option("--with-layout", is_flag=True, help="JSONL: kèm vị trí dòng, từ và độ tin cậy OCR / "
                                                  "JSONL: include OCR line and word boxes and confidences")
@click.pass_obj
def export(settings: Settings, fmt: str, output: click.utils.LazyFile, with_layout: bool) -> None:
    """Xuất mọi hồ sơ, kể cả hồ sơ lỗi / export every record, failed ones included."""
    from sohoa.search_api.service import write_export

    count = write_export(settings, fmt, output, with_layout=with_layout)
    click.echo(t(f"Đã xuất {count} hồ sơ.", f"Exported {count} records."), err=True)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@trust_options
@click.option("--json", "as_json", is_flag=True, help="In JSON / print JSON: [{path, status, signatures}]")
@click.pass_obj
def verify(settings: Settings, files: tuple[Path, ...], trust: Path | None, online: bool, as_json: bool) -> None:
    """Kiểm tra chữ ký số mà không nạp / verify digital signatures without ingesting.

    Mã thoát 0 khi mọi tệp hợp lệ hoặc không ký, 1 nếu không / exit code 0 when every file
    is valid or unsigned, 1 otherwise.
    """
    from sohoa.search_api.render import verify_text
    from sohoa.search_api.service import verify_paths

    settings = _with_trust(settings, trust, online)
    results = verify_paths(list(files), settings)
    if as_json:
        click.echo(json.dumps(results, ensure_ascii=False, indent=1))
    else:
        click.echo(verify_text(results), nl=False)
    if any(item["status"] not in ("valid", "unsigned") for item in results):
        sys.exit(int(ExitCode.files_failed))


# ---------------------------------------------------------------- accounts and the access log

def _operator() -> str:
    """Who runs a CLI command, as the access log names them."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return f"cli:uid{os.getuid()}"


def _new_password(name: str) -> str:
    """From standard input when it is not a terminal (one line), else asked twice."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    return click.prompt(t(f"Mật khẩu cho {name}", f"Password for {name}"), hide_input=True,
                        confirmation_prompt=t("Nhập lại", "Repeat it"))


@main.group()
def user() -> None:
    """Tài khoản người dùng / user accounts (the first admin is made here)."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["officer", "clerk", "auditor", "admin"]), required=True)
@click.option("--agency", "agencies", multiple=True,
              help="Chỉ xem hồ sơ của cơ quan này (lặp lại được) / only this issuing agency's records (repeatable)")
@click.option("--personal-data", is_flag=True, help="Được xem dữ liệu cá nhân / may see personal data unmasked")
@click.pass_obj
def user_add(settings: Settings, name: str, role: str, agencies: tuple[str, ...], personal_data: bool) -> None:
    """Tạo tài khoản / add an account (password from standard input, or asked)."""
    from sohoa.accounts.users import Accounts

    with Accounts(settings.home) as accounts:
        made = accounts.add(name, _new_password(name), role, agencies, personal_data=personal_data, by=_operator())
    scope = ", ".join(made.agencies) or t("mọi cơ quan", "every agency")
    click.echo(t(f"Đã tạo tài khoản {made.name} ({made.role}; {scope}).",
                 f"Account {made.name} added ({made.role}; {scope})."))


@user.command("disable")
@click.argument("name")
@click.option("--enable", is_flag=True, help="Mở lại tài khoản / enable it again")
@click.pass_obj
def user_disable(settings: Settings, name: str, enable: bool) -> None:
    """Khóa (hoặc mở lại) tài khoản / disable (or enable) an account."""
    from sohoa.accounts.users import Accounts

    with Accounts(settings.home) as accounts:
        accounts.set_disabled(name, not enable, by=_operator())
    click.echo(t(f"Đã {'mở lại' if enable else 'khóa'} tài khoản {name}.",
                 f"Account {name} {'enabled' if enable else 'disabled'}."))


@user.command("passwd")
@click.argument("name")
@click.pass_obj
def user_passwd(settings: Settings, name: str) -> None:
    """Đặt mật khẩu mới / set a new password (from standard input, or asked)."""
    from sohoa.accounts.users import Accounts

    with Accounts(settings.home) as accounts:
        accounts.set_password(name, _new_password(name), by=_operator())
    click.echo(t(f"Đã đặt mật khẩu mới cho {name}.", f"New password set for {name}."))


@user.command("totp")
@click.argument("name")
@click.option("--off", is_flag=True, help="Thôi hỏi mã / stop asking for a code")
@click.pass_obj
def user_totp(settings: Settings, name: str, off: bool) -> None:
    """Yêu cầu mã xác thực một lần khi đăng nhập / ask for a one-time code (TOTP) at sign-in."""
    from sohoa.accounts.users import Accounts

    with Accounts(settings.home) as accounts:
        uri = accounts.set_second_factor(name, not off, by=_operator())
    if uri is None:
        click.echo(t(f"{name} không cần mã xác thực nữa.", f"{name} no longer needs a one-time code."))
        return
    click.echo(t(f"Thêm địa chỉ này vào ứng dụng xác thực của {name} (hoặc nhập khóa):",
                 f"Add this to {name}'s authenticator app (or type the key):"))
    click.echo(uri)


@user.command("sessions")
@click.argument("name", required=False)
@click.option("--end", is_flag=True, help="Đóng mọi phiên và mã API của NAME / end every session and API token of NAME")
@click.option("--session", "session_id", type=int, default=None,
              help="Đóng một phiên theo số / end one session by its id")
@click.pass_obj
def user_sessions(settings: Settings, name: str | None, end: bool, session_id: int | None) -> None:
    """Các phiên đăng nhập đang mở / the open sign-in sessions (of NAME, or everyone's)."""
    from sohoa.accounts.users import AccountError, Accounts

    with Accounts(settings.home) as accounts:
        if session_id is not None:
            ended = accounts.sessions.end(session_id, by=_operator(), why="administrator")
            click.echo(t(f"Đã đóng phiên {session_id}.", f"Session {session_id} ended.") if ended else
                       t(f"Không có phiên {session_id} đang mở.", f"No open session {session_id}."))
            return
        if end:
            if not name or accounts.get(name) is None:
                raise AccountError(f"Không có tài khoản {name}.", f"There is no account {name}.")
            sessions, tokens = accounts.sessions.end_user(name, why="administrator", by=_operator())
            click.echo(t(f"Đã đóng {sessions} phiên và thu hồi {tokens} mã API của {name}.",
                         f"Ended {sessions} sessions and revoked {tokens} API tokens of {name}."))
            return
        for s in accounts.sessions.listed(name):
            click.echo(f"{s.id}\t{s.user}\t{s.created_at}\t{s.last_seen}\t{s.address or '-'}\t{s.agent or '-'}")


@user.command("list")
@click.pass_obj
def user_list(settings: Settings) -> None:
    """Danh sách tài khoản / list the accounts."""
    from sohoa.accounts.users import Accounts

    with Accounts(settings.home) as accounts:
        for u in accounts.all():
            flags = [*(["personal_data"] if u.personal_data else []), *(["DISABLED"] if u.disabled else [])]
            click.echo(f"{u.name}\t{u.role}\t{', '.join(u.agencies) or '*'}\t{' '.join(flags)}")


# ---------------------------------------------------------------- the register of issued results

@main.group()
def register() -> None:
    """Sổ đăng ký kết quả đã cấp / the register of issued results (what should be digitised)."""


@register.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--map", "column_map", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Tệp TOML ánh xạ cột / a TOML file naming this export's columns")
@click.option("--sheet", help="Trang tính (XLSX) / the sheet to read (XLSX; default the first)")
@click.option("--dry-run", "dry_run", is_flag=True,
              help="Chỉ xem sohoa đọc tệp thế nào, không nhập / show how sohoa reads the file, import nothing")
@click.option("--json", "as_json", is_flag=True, help="JSON")
@click.pass_obj
def register_import(settings: Settings, file: Path, column_map: Path | None, sheet: str | None, dry_run: bool,
                    as_json: bool) -> None:
    """Nhập danh sách kết quả (CSV hoặc XLSX) / load a list of issued results (CSV or XLSX).

    Good rows go in (a row already there is updated, by dossier code, else by agency,
    number and date); each bad row is reported with its number; importing the same file
    again changes nothing. Exit code 1 when a row was rejected."""
    from sohoa.register import rows
    from sohoa.register.store import Register, RegisterFileError
    from sohoa.search_api.render import register_import_report

    mapping = rows.column_map(column_map)
    settings.ensure_home()
    if dry_run:
        from sohoa.register.store import read_file
        from sohoa.search_api.render import register_dry_run

        try:
            read = read_file(file, mapping=mapping, sheet=sheet, today=settings.today, strict=False)
        except RegisterFileError as exc:  # no header found: the top rows as read, to write --map from
            from sohoa.register.sheets import read_tables
            from sohoa.search_api.render import top_rows

            click.echo(t("Lỗi: ", "Error: ") + exc.message, err=True)
            with contextlib.suppress(RegisterFileError):
                for line in top_rows(read_tables(file, sheet)[0]):
                    click.echo(line.text)
            sys.exit(int(exc.exit_code))
        with Register(settings.home) as reg:
            named = {**reg.agency_map, **mapping.agencies}
        if as_json:
            from sohoa.search_api.render import register_dry_run_json

            click.echo(json.dumps(register_dry_run_json(read, mapping, named), ensure_ascii=False))
            return
        for line in register_dry_run(read, mapping, named):
            click.echo(line.text)
        return
    with Register(settings.home) as reg:
        report = reg.import_file(file, by=_operator(), mapping=mapping, sheet=sheet, today=settings.today)
    from sohoa.accounts.audit import AccessLog

    with AccessLog(settings.home) as log:
        log.append(_operator(), "register_import", {"import": report.id, "file": str(file), "sha256": report.sha256,
                                                    "added": report.added, "changed": report.changed,
                                                    "rejected": report.rejected})
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        _say(register_import_report(report))
    if report.rejected:
        sys.exit(int(ExitCode.files_failed))


@register.command("history")
@click.option("--json", "as_json", is_flag=True, help="JSONL")
@click.pass_obj
def register_history(settings: Settings, as_json: bool) -> None:
    """Các lần nhập / every import: file, hash, when, by whom, rows added/changed/rejected."""
    from sohoa.register.store import Register

    with Register(settings.home) as reg:
        found = reg.imports()
        if not found:
            click.echo(t("Chưa nhập sổ nào (sohoa register import TỆP).", "No register has been imported yet "
                         "(sohoa register import FILE)."), err=True)
        for r in found:
            if as_json:
                click.echo(json.dumps({k: v for k, v in r.to_json().items() if k != "errors"}, ensure_ascii=False))
            else:
                undone = "\t" + t(f"đã hoàn tác {r.undone}", f"undone {r.undone}") if r.undone else ""
                click.echo(f"{r.id}\t{r.at}\t{r.by}\t{r.file}\tsha256:{r.sha256[:16]}\t{r.rows}\t+{r.added}"
                           f"\t~{r.changed}\t={r.unchanged}\t!{r.rejected}{undone}")


@register.command("undo")
@click.argument("import_id", type=int)
@click.pass_obj
def register_undo(settings: Settings, import_id: int) -> None:
    """Hoàn tác một lần nhập / take back what an import did.

    The entries it added are removed (with the decisions made on them), those it changed
    are as they were before it. Undo from the newest import back; the import stays in
    `sohoa register history`, marked undone."""
    from sohoa.accounts.audit import AccessLog
    from sohoa.register.store import Register

    with Register(settings.home) as reg:
        removed, restored = reg.undo(import_id, by=_operator())
    with AccessLog(settings.home) as log:
        log.append(_operator(), "register_undo", {"import": import_id, "removed": removed, "restored": restored})
    click.echo(t(f"Đã hoàn tác lần nhập số {import_id}: bỏ {removed} mục nó thêm, trả {restored} mục nó sửa về như "
                 "trước.", f"Undid import {import_id}: removed the {removed} entries it added, put back the "
                 f"{restored} entries it changed."))


@register.command("rejects")
@click.argument("import_id", type=int)
@click.pass_obj
def register_rejects(settings: Settings, import_id: int) -> None:
    """Các dòng bị từ chối của một lần nhập / the rows an import rejected, with their reasons."""
    from sohoa.register.store import Register
    from sohoa.search_api.render import register_rejects as said

    with Register(settings.home) as reg:
        if import_id not in {r.id for r in reg.imports()}:
            raise RecordNotFound(f"Không có lần nhập số {import_id} (xem `sohoa register history`).",
                                 f"There is no import {import_id} (see `sohoa register history`).")
        errors = reg.rejects(import_id)
    for line in said(errors):  # the command's answer: on stdout, to be kept or piped
        click.echo(line.text)
    if not errors:
        click.echo(t(f"Lần nhập số {import_id} không có dòng nào bị từ chối.",
                     f"Import {import_id} rejected no row."), err=True)


@register.command("reconcile")
@click.option("--force", is_flag=True, help="Đối chiếu lại dù không có gì đổi / reconcile even if nothing changed")
@click.option("--json", "as_json", is_flag=True, help="JSON")
@click.pass_obj
def register_reconcile(settings: Settings, force: bool, as_json: bool) -> None:
    """Đối chiếu sổ với kho số hóa / match register entries to archived records.

    Strictest first: agency + number + date, then tolerant steps (OCR-confused numbers,
    an agency or date a misread apart, the holder). One candidate makes a match; several
    wait for a person (`sohoa register waiting`). Other commands reconcile by themselves
    when the archive or the register changed."""
    from sohoa.search_api.auditing import reconciled
    from sohoa.search_api.render import reconciled_text

    with reconciled(settings, force=force) as (_, done):
        if as_json:
            click.echo(json.dumps(dataclasses.asdict(done) if done else None, ensure_ascii=False))
        else:
            click.echo(reconciled_text(done), nl=False)


LIST_FORMATS = click.Choice(["tsv", "jsonl", "csv"])


MISSING_COLUMNS = ("id", "dossier", "agency", "level", "procedure_code", "procedure_name", "number", "issued",
                   "holder", "valid_until")
REACHED_COLUMNS = ("id", "dossier", "agency", "number", "issued", "holder", "reached_on", "records", "files")
UNMATCHED_COLUMNS = ("record", "file", "agency", "parent", "doc_type", "number", "issued", "valid_until", "waiting")
WAITING_COLUMNS = ("entry_id", "dossier", "agency", "number", "issued", "holder", "record", "file", "record_agency",
                   "record_number", "record_issued", "reason", "score")


def _emit(rows: list[dict[str, object]], fmt: str, output: click.utils.LazyFile, columns: Sequence[str],
          empty: tuple[str, str]) -> None:
    """Rows as TSV (for a terminal), JSONL or CSV (for a spreadsheet: UTF-8 with BOM), with
    the columns named in the reader's language; an empty list says so (on stderr)."""
    from sohoa.search_api.service import list_lines

    for line in list_lines(rows, fmt, columns):
        output.write(line)
    if not rows:
        click.echo(t(f"Danh sách trống: {empty[0]}", f"The list is empty: {empty[1]}"), err=True)


def _list_options(f: Callable) -> Callable:
    f = click.option("--output", "-o", type=click.File("w", encoding="utf-8", lazy=True), default="-",
                     help="Tệp đầu ra / output file [stdout]")(f)
    return click.option("--format", "fmt", type=LIST_FORMATS, default="tsv", show_default=True)(f)


@register.command("missing")
@click.option("--as-of", "as_of", help="Xét hiệu lực vào ngày này / judge validity on this day [today]")
@click.option("--stage", type=click.Choice(["scanned", "extracted", "verified", "signed"]), default="scanned",
              show_default=True, help="Chưa đạt bước này / not yet at this stage")
@click.option("--reached", is_flag=True, help="Ngược lại: các kết quả đã đạt bước đó, với bản số hóa / "
                                              "the other side: those that reached it, with their records")
@click.option("--by", type=click.Choice(["level", "agency", "procedure", "year"]),
              help="Chỉ một dòng của bảng tiến độ (với --key) / only one row of a breakdown (with --key)")
@click.option("--key", help="Dòng đó, như `sohoa progress --by` in ra / that row, as `sohoa progress --by` prints it")
@_list_options
@click.pass_obj
def register_missing(settings: Settings, as_of: str | None, stage: str, reached: bool, by: str | None,
                     key: str | None, fmt: str, output: click.utils.LazyFile) -> None:
    """Kết quả còn hiệu lực chưa số hóa / still-valid results with no digitised record (what is left to scan).

    With --by and --key, the entries behind one row of `sohoa progress --by`; with
    --reached, those that had reached the stage (a count's drill-down)."""
    from sohoa.search_api.auditing import drill, group_of

    if (by is None) != (key is None):
        raise click.UsageError(t("--by và --key đi cùng nhau.", "--by and --key go together."))
    from sohoa.search_api.auditing import require_register

    require_register(settings)
    group = group_of(settings, by, key) if by and key else None
    day = _date(as_of) or settings.today
    rows = drill(settings, as_of=day, stage=stage, reached=reached, by=by, group=group)
    yet_vi, yet_en = ("đã", "") if reached else ("chưa", "not yet ")
    what = (f"không kết quả còn hiệu lực ngày {day:%d/%m/%Y} nào {yet_vi} đạt bước {stage}",
            f"no result still valid on {day.isoformat()} has {yet_en}reached {stage}")
    _emit(rows, fmt, output, REACHED_COLUMNS if reached else MISSING_COLUMNS, what)


AGENCY_COLUMNS = ("state", "side", "name", "identity", "key", "count", "valid", "matched")


@register.command("agencies")
@click.option("--map", "column_map", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Thử mục [agencies] của tệp này trước khi nhập / try this file's [agencies] before importing it")
@_list_options
@click.pass_obj
def register_agencies(settings: Settings, column_map: Path | None, fmt: str, output: click.utils.LazyFile) -> None:
    """Các cơ quan trong sổ và kho số hóa / each agency name in the register and the archive.

    With who sohoa reads it as (its body and administrative unit) and its counts; the
    names sohoa could not place, then those it could place in several units, come first.
    Settle them in an [agencies] section of --map: "the name as written" = "the same
    body named so that sohoa can place it"; `sohoa register import --map` keeps it."""
    from sohoa.register import rows as register_rows
    from sohoa.search_api.auditing import agency_names

    named = register_rows.column_map(column_map).agencies if column_map else None
    found = agency_names(settings, named)
    _emit(found, fmt, output, AGENCY_COLUMNS, ("chưa có sổ và kho số hóa", "no register and no archive yet"))
    left = sum(r["state"] in ("unresolved", "ambiguous") for r in found)
    if left:
        click.echo(t(f"{left} tên chưa rõ là cơ quan nào hoặc có thể là nhiều nơi: ghi trong mục [agencies] của "
                     "--map rồi nhập lại sổ.", f"{left} names are not placed or could be several places: settle "
                     "them in an [agencies] section of --map and import the register again."), err=True)


@register.command("unmatched")
@_list_options
@click.pass_obj
def register_unmatched(settings: Settings, fmt: str, output: click.utils.LazyFile) -> None:
    """Hồ sơ số hóa không khớp mục nào của sổ / archived records that match no register entry."""
    from sohoa.search_api.auditing import reconciled

    with reconciled(settings) as (reg, done):
        rows = reg.unmatched(settings.ledger_path) if done is not None else []
    _emit(rows, fmt, output, UNMATCHED_COLUMNS,
          ("mọi hồ sơ số hóa đều được tính cho một mục của sổ" if done is not None else "chưa có kho số hóa (chạy "
           "`sohoa ingest` trước)", "every record counts for a register entry" if done is not None else "there is "
           "no archive yet (run `sohoa ingest` first)"))


@register.command("waiting")
@_list_options
@click.pass_obj
def register_waiting(settings: Settings, fmt: str, output: click.utils.LazyFile) -> None:
    """Các cặp chờ người xem / matches waiting for a person, with both sides."""
    from sohoa.search_api.auditing import reconciled

    with reconciled(settings) as (reg, done):
        rows = reg.waiting(settings.ledger_path) if done is not None else []
    _emit(rows, fmt, output, WAITING_COLUMNS, ("không có cặp nào chờ người xem", "no match is waiting for a person"))


def _decision(decision: str, verb_vi: str, verb_en: str) -> Callable:
    @click.argument("entry")
    @click.argument("record")
    @click.option("--note", help="Ghi chú / a note kept with the decision")
    @click.option("--both", is_flag=True, hidden=decision != "confirm",
                  help="Bản số hóa là kết quả của cả mục này lẫn mục đã xác nhận trước / the record is the result "
                       "of this entry and of the one it was confirmed to already")
    @click.pass_obj
    def command(settings: Settings, entry: str, record: str, note: str | None, both: bool) -> None:
        from sohoa.accounts.audit import AccessLog
        from sohoa.search_api.auditing import decide

        made = decide(settings, entry, record, decision, by=_operator(), note=note, both=both)
        entry_id, sha = made.entry_id, made.sha256
        if made.moved_from is not None:
            click.echo(t(f"Chú ý: hồ sơ này trước được khớp tự động với mục {made.moved_from}; giờ nó tính cho mục "
                         f"{entry_id}, và mục {made.moved_from} trở lại danh sách còn thiếu.",
                         f"Note: this record was matched to entry {made.moved_from} automatically; it now counts "
                         f"for entry {entry_id}, and entry {made.moved_from} is back among the missing."), err=True)
        with AccessLog(settings.home) as log:
            log.append(_operator(), "register_decision", {"entry": entry_id, "record": sha, "decision": decision,
                                                          "both": both, "note": note})
        click.echo(t(f"Đã {verb_vi}: mục {entry_id} của sổ và hồ sơ {sha[:16]}.",
                     f"{verb_en}: register entry {entry_id} and record {sha[:16]}."))

    return command


register.command("confirm", help="Xác nhận một cặp chờ / confirm a match waiting for a person. "
                 "ENTRY: the entry's id or dossier code; RECORD: the record's id (or a prefix).")(
    _decision("confirm", "xác nhận", "Confirmed"))
register.command("link", help="Ghép tay một mục với một hồ sơ / pair an entry and a record no step matched. "
                 "ENTRY: the entry's id or dossier code; RECORD: the record's id (or a prefix).")(
    _decision("confirm", "ghép", "Linked"))
register.command("reject", help="Bác một cặp / say an entry and a record are not the same result; "
                 "it is never proposed again.")(_decision("reject", "bác", "Rejected"))


_STAGES = click.Choice(["scanned", "extracted", "verified", "signed"])


@main.command()
@click.option("--by", type=click.Choice(["level", "agency", "procedure", "year"]), help="Chia theo / break down by")
@click.option("--as-of", "as_of", help="Ngày xét / the day counted [today]")
@click.option("--deadline", help="Hạn hoàn thành / the target day [2024-12-31]")
@click.option("--stage", type=_STAGES, default="signed", show_default=True,
              help="Bước tính tốc độ và dự báo (mục tiêu pháp lý: signed) / the stage pace and forecast follow")
@click.option("--successor", is_flag=True,
              help="Cơ quan cũ tính theo cơ quan kế thừa / legacy agencies under their successors (--by agency)")
@click.option("--agency", "agencies", multiple=True, help="Chỉ cơ quan này (lặp lại được) / only this agency")
@click.option("--service-index", "service_index", is_flag=True,
              help="Chỉ số số hóa hồ sơ (QĐ 766/QĐ-TTg) theo cơ quan và kỳ / the national service index's "
                   "digitisation indicators per agency and period (a flow of dossiers, not the stock)")
@click.option("--period", type=click.Choice(["month", "quarter", "year"]), default="quarter", show_default=True,
              help="Kỳ của --service-index / the period of --service-index")
@click.option("--json", "as_json", is_flag=True, help="JSON")
@click.pass_obj
def progress(settings: Settings, by: str | None, as_of: str | None, deadline: str | None, stage: str,
             successor: bool, agencies: tuple[str, ...], service_index: bool, period: str, as_json: bool) -> None:
    """Tiến độ số hóa kết quả còn hiệu lực / progress toward every still-valid result digitised.

    The register (`sohoa register import`) says what should be digitised; each result
    still valid on --as-of counts at each stage its records reached: scanned, extracted
    (number, date, issuer, type; holder for a person), verified (by a person or every
    key field read confidently), signed (a valid signed copy, or a validly signed
    original). The forecast follows the pace of the last 30 days."""
    from sohoa.register.progress import DEADLINE
    from sohoa.search_api import auditing
    from sohoa.search_api.render import progress_text

    auditing.require_register(settings)
    if agencies:
        auditing.known_agencies(settings, agencies)
    if service_index:
        from sohoa.search_api.render import service_index_text

        rows = auditing.service_index(settings, period=period, until=_date(as_of) or settings.today,
                                      agencies=agencies or None, successor=successor)
        if as_json:
            from sohoa.register.progress import index_total

            click.echo(json.dumps({"period": period, "until": (_date(as_of) or settings.today).isoformat(),
                                   "full_points_at": 0.8, "rows": [r.to_json() for r in rows],
                                   "total": {m: x.to_json() for m, x in index_total(rows).items()}},
                                  ensure_ascii=False))
        else:
            click.echo(service_index_text(rows, period), nl=False)
        return
    found = auditing.progress(settings, by=by, as_of=_date(as_of) or settings.today,
                              deadline=_date(deadline) or DEADLINE, stage=stage, agencies=agencies or None,
                              successor=successor)
    if as_json:
        click.echo(json.dumps(found.to_json(), ensure_ascii=False))
    else:
        click.echo(progress_text(found), nl=False)
    for vi, en in found.warnings:
        click.echo(t(f"CHÚ Ý: {vi}", f"NOTE: {en}"), err=True)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["xlsx", "pdf"]),
              help="Định dạng (mặc định theo đuôi tệp) / the format [from the file's suffix]")
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              required=True, help="Tệp báo cáo / the report's file")
@click.option("--as-of", "as_of", help="Ngày xét / the day counted [today]")
@click.option("--deadline", help="Hạn hoàn thành / the target day [2024-12-31]")
@click.option("--stage", type=_STAGES, default="signed", show_default=True,
              help="Bước tính tốc độ và dự báo / the stage pace and forecast follow")
@click.option("--successor", is_flag=True, help="Cơ quan cũ tính theo cơ quan kế thừa / legacy agencies under "
                                                "their successors")
@click.option("--agency", "agencies", multiple=True, help="Chỉ cơ quan này (lặp lại được) / only this agency")
@click.pass_obj
def report(settings: Settings, fmt: str | None, output: Path, as_of: str | None, deadline: str | None, stage: str,
           successor: bool, agencies: tuple[str, ...]) -> None:
    """Báo cáo tiến độ số hóa (XLSX hoặc PDF) / the progress report a provincial office files.

    A summary with the charts, a sheet or section per breakdown (level, agency, procedure,
    year of issue), the national service index's indicators and the list of still-valid
    results not yet scanned; every figure with its as-of day and its definition."""
    from sohoa.register.progress import DEADLINE
    from sohoa.search_api import auditing
    from sohoa.search_api import report as reports

    auditing.require_register(settings)
    if agencies:
        auditing.known_agencies(settings, agencies)
    fmt = fmt or output.suffix.lower().lstrip(".")
    if fmt not in ("xlsx", "pdf"):
        raise click.BadParameter(t(f"không biết định dạng của {output.name}: dùng --format xlsx hoặc pdf",
                                   f"cannot tell the format of {output.name}: use --format xlsx or pdf"),
                                 param_hint="--format")
    found = auditing.overview(settings, as_of=_date(as_of) or settings.today, deadline=_date(deadline) or DEADLINE,
                              stage=stage, agencies=agencies or None, successor=successor)
    partial = output.with_name(f".{output.name}.part")
    try:
        (reports.write_xlsx if fmt == "xlsx" else reports.write_pdf)(found, partial)
        partial.replace(output)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise click.ClickException(t(f"Không ghi được báo cáo {output}: {exc.strerror or exc}. Kiểm tra thư mục và "
                                     "chỗ trống trên đĩa.",
                                     f"Could not write the report {output}: {exc.strerror or exc}. Check the "
                                     "folder and the free disk space.")) from exc
    p = found.province
    for vi, en in p.warnings:
        click.echo(t(f"CHÚ Ý: {vi}", f"NOTE: {en}"), err=True)
    vn = reports.num
    click.echo(t(f"Đã ghi {output} ({fmt.upper()}): ngày {p.as_of:%d/%m/%Y}, {vn(p.total.valid)} kết quả còn hiệu "
                 f"lực, {vn(p.total.signed)} đã ký số, {vn(len(found.missing))} chưa quét.",
                 f"Wrote {output} ({fmt.upper()}): as of {p.as_of.isoformat()}, {p.total.valid:,} still-valid "
                 f"results, {p.total.signed:,} signed, {len(found.missing):,} not yet scanned."))


@main.group()
def audit() -> None:
    """Nhật ký truy cập / the access log (append-only, hash-chained)."""


@audit.command("verify")
@click.pass_obj
def audit_verify(settings: Settings) -> None:
    """Kiểm tra nhật ký không bị sửa hay xóa / check that no entry was changed or deleted."""
    from sohoa.accounts.audit import AccessLog

    with AccessLog(settings.home) as log:
        result = log.verify()
    if not result.ok:
        click.echo(t(f"NHẬT KÝ BỊ THAY ĐỔI ở mục {result.broken_at}: {result.reason}. {result.entries} mục trước đó "
                     "còn nguyên.",
                     f"THE LOG WAS TAMPERED WITH at entry {result.broken_at}: {result.reason}. The {result.entries} "
                     "entries before it hold."), err=True)
        sys.exit(int(ExitCode.log_broken))
    click.echo(t(f"Nhật ký nguyên vẹn: {result.entries} mục; mã đầu chuỗi {result.head} (hãy lưu mã này ở nơi khác).",
                 f"The log holds: {result.entries} entries; head {result.head} (keep a copy of it elsewhere)."))


@audit.command("list")
@click.option("--since", type=click.IntRange(min=0), default=0, help="Sau mục số / after entry number")
@click.option("--limit", type=click.IntRange(min=1), default=None)
@click.option("--json", "as_json", is_flag=True, help="JSONL")
@click.pass_obj
def audit_list(settings: Settings, since: int, limit: int | None, as_json: bool) -> None:
    """Xem nhật ký / print the log, oldest first."""
    from sohoa.accounts.audit import AccessLog

    with AccessLog(settings.home) as log:
        for entry in log.entries(since=since, limit=limit):
            if as_json:
                click.echo(json.dumps(entry.to_json(), ensure_ascii=False))
            else:
                what = json.dumps(dict(entry.what), ensure_ascii=False)
                click.echo(f"{entry.seq}\t{entry.at}\t{entry.who}\t{entry.address or '-'}\t{entry.action}\t{what}")
