"""``sohoa user``: accounts, their access, passwords, one-time codes and sessions."""

from __future__ import annotations

import click

from sohoa.accounts.users import ROLES
from sohoa.cli.base import (
    _new_password,
    _operator,
    main,
)
from sohoa.core.i18n import t
from sohoa.core.settings import Settings


@main.group()
def user() -> None:
    """Tài khoản người dùng / user accounts (the first admin is made here)."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(list(ROLES)), required=True)
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

