"""Operator commands for admin accounts (docs/operations.md): `flask create-admin` and `flask reset-password`.

Passwords are read from the terminal (or stdin, one line, twice), never from the command line where `ps`
and shell history would keep them, and must pass the same policy as the API (8+ characters, upper and
lower case letters and digits).
"""

import click
from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.limits import login_name_key
from app.models.admin import ROLE_ADMIN, ROLE_MEMBER, ROLE_SUPERADMIN, AdminUser
from app.models.company import Company
from app.security import hash_password, new_token, password_is_strong
from app.services.accounts import WEAK_PASSWORD_MSG, login_name_taken, set_password

ROLES = {"superadmin": ROLE_SUPERADMIN, "admin": ROLE_ADMIN, "member": ROLE_MEMBER}


def _password() -> str:
    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not password_is_strong(password):
        raise click.ClickException(WEAK_PASSWORD_MSG)
    return password


def _company(company_id: int | None) -> Company:
    if company_id is not None:
        company = db.session.get(Company, company_id)
    else:
        name = current_app.config["DEFAULT_COMPANY_NAME"]
        company = db.session.scalar(select(Company).where(Company.name == name))
    if company is None:
        raise click.ClickException("公司不存在（先运行 flask seed，或用 --company-id 指定）")
    return company


@click.command("create-admin")
@click.argument("login_user")
@click.option("--role", type=click.Choice(list(ROLES)), default="superadmin", show_default=True)
@click.option("--company-id", type=int, default=None, help="Default: the company DEFAULT_COMPANY_NAME names.")
@click.option("--name", "username", default=None, help="Display name (default: the login name).")
def create_admin_command(login_user, role, company_id, username):
    """Create an admin account; the password is prompted for."""
    login_user = login_user.strip()
    if not login_user or len(login_user) > 64:
        raise click.ClickException("登录名不能为空，且不能超过64个字符")
    if login_name_taken(login_user):
        raise click.ClickException(f"登录名 {login_user} 已存在（忘记密码请用 flask reset-password）")
    company = _company(company_id)
    password = _password()
    user = AdminUser(
        login_user=login_user,
        username=username or login_user,
        password_hash=hash_password(password),
        company_id=company.id,
        role_id=ROLES[role],
        token=new_token(),
        invite_secret=new_token(),
        is_reset_password=True,
    )
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} '{login_user}' (id {user.id}) in company {company.id} {company.name}.")


@click.command("reset-password")
@click.argument("login_user")
def reset_password_command(login_user):
    """Set a new password for an admin (the login name, any case); old signatures stop working."""
    user = db.session.scalar(
        select(AdminUser).where(func.lower(AdminUser.login_user) == login_name_key(login_user)).limit(1)
    )
    if user is None:
        raise click.ClickException(f"没有登录名为 {login_user} 的管理员")
    set_password(user, _password(), by_owner=False)  # the owner is asked to choose their own at next sign-in
    db.session.commit()
    click.echo(f"Password of '{user.login_user}' (id {user.id}) reset; the account must change it at next sign-in.")


COMMANDS = [create_admin_command, reset_password_command]
