"""`flask --app wsgi seed`: access rules, roles, the default company and the first super admin."""

import secrets

import click
from flask import current_app
from sqlalchemy import select

from app.access import ROLE_RULES, RULE_TREE
from app.extensions import db
from app.models.admin import ROLE_SUPERADMIN, AccessRule, AdminUser, Role
from app.models.company import Company, expiry_date
from app.security import hash_password, new_token, password_is_strong
from app.services.accounts import WEAK_PASSWORD_MSG
from app.timefmt import local_today


def seed_rules() -> dict[str, AccessRule]:
    """The access-rule tree of app.access; existing rows (by url_path) are left as they are."""
    existing = {rule.url_path: rule for rule in db.session.scalars(select(AccessRule))}
    for parent_name, parent_path, children in RULE_TREE:
        parent = existing.get(parent_path)
        if parent is None:
            parent = existing[parent_path] = AccessRule(name=parent_name, url_path=parent_path)
            db.session.add(parent)
            db.session.flush()
        for child_name, child_path in children:
            if child_path not in existing:
                existing[child_path] = AccessRule(name=child_name, url_path=child_path, super_id=parent.id)
                db.session.add(existing[child_path])
    db.session.flush()
    return existing


def seed_roles(rules: dict[str, AccessRule]) -> None:
    """Roles 1/2/3; a role created now gets its default rules and their parents."""
    for role_id, (name, paths) in ROLE_RULES.items():
        if db.session.get(Role, role_id) is not None:
            continue
        granted = {rules[p] for p in paths} | {rules[p].parent for p in paths if rules[p].parent}
        db.session.add(Role(id=role_id, name=name, rules=sorted(granted, key=lambda r: r.id)))
    db.session.flush()


def seed_company() -> Company:
    name = current_app.config["DEFAULT_COMPANY_NAME"]
    company = db.session.scalar(select(Company).where(Company.name == name))
    if company is None:
        start = local_today()
        company = Company(
            name=name,
            charging_start_time=start,
            open_length_time=5,
            account_expired_time=expiry_date(start, 5),
            mingpian_available_num=100,
        )
        db.session.add(company)
        db.session.flush()
    return company


def seed_superadmin(company: Company) -> str | None:
    """The first super admin; returns the generated password when one had to be made."""
    login_user = current_app.config["ADMIN_USERNAME"]
    if db.session.scalar(select(AdminUser).where(AdminUser.login_user == login_user)) is not None:
        return None
    password = current_app.config["ADMIN_PASSWORD"]
    generated = None if password else secrets.token_urlsafe(12) + "Aa1"
    db.session.add(
        AdminUser(
            login_user=login_user,
            username=login_user,
            password_hash=hash_password(password or generated),
            company_id=company.id,
            role_id=ROLE_SUPERADMIN,
            token=new_token(),
            invite_secret=new_token(),
            is_reset_password=bool(password),
        )
    )
    db.session.flush()
    return generated


def run_seed() -> str | None:
    rules = seed_rules()
    seed_roles(rules)
    generated = seed_superadmin(seed_company())
    db.session.commit()
    return generated


@click.command("seed")
def seed_command():
    """Access rules, roles 1/2/3, the default company and the first super admin (idempotent)."""
    password = current_app.config["ADMIN_PASSWORD"]
    if password and not password_is_strong(password):
        raise click.ClickException(f"ADMIN_PASSWORD: {WEAK_PASSWORD_MSG}")
    generated = run_seed()
    login_user = current_app.config["ADMIN_USERNAME"]
    if generated:
        click.echo(f"Created super admin '{login_user}' with password: {generated}")
        click.echo("This password is shown once; change it after the first login.")
    click.echo("Seed complete.")


COMMANDS = [seed_command]
