"""The ``sohoa`` group and what its commands share: the options of the group (home,
Elasticsearch), errors turned into messages and exit codes (here and nowhere else), the
trust and signing options, who runs a command (for the access log)."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import sqlite3
import sys
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from sohoa.core.errors import ConfigError, ExitCode, SohoaError, cannot_write
from sohoa.core.i18n import t
from sohoa.core.settings import Settings

if TYPE_CHECKING:
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


