"""4.1–4.4 roles and the rules they hold."""

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models.admin import BUILTIN_ROLES, ROLE_SUPERADMIN, AccessRule, AdminUser, Role
from app.responses import ApiError
from app.services.db import name_taken, unique_or_300

DUPLICATE_MSG = "角色名已存在"


def list_roles() -> tuple[list[Role], list[AccessRule]]:
    """Every role with its rules, and the whole rule tree (three queries)."""
    roles = db.session.scalars(select(Role).options(selectinload(Role.rules)).order_by(Role.id.desc())).all()
    rules = db.session.scalars(select(AccessRule).order_by(AccessRule.id)).all()
    return list(roles), list(rules)


def assignable_roles(actor: AdminUser) -> list[Role]:
    """The roles 5.2/5.3 accept from `actor`: every role for role 1, all but role 1 for the others."""
    stmt = select(Role).order_by(Role.id)
    if not actor.is_superadmin:
        stmt = stmt.where(Role.id != ROLE_SUPERADMIN)
    return list(db.session.scalars(stmt))


def rules_data(role: Role, rules: list[AccessRule]) -> list[dict]:
    """The nested `rules_data` of 4.1: each parent rule, its children, and what the role holds."""
    held = {rule.id for rule in role.rules}
    children: dict[int, list[AccessRule]] = {}
    for rule in rules:
        if rule.super_id is not None:
            children.setdefault(rule.super_id, []).append(rule)
    return [
        {
            "children_rule_list": [
                {"children_rule_id": c.id, "selected": c.id in held, "children_rule_name": c.name}
                for c in children.get(parent.id, [])
            ],
            "parent_rule_id": parent.id,
            "selected": parent.id in held,
            "parent_rule_name": parent.name,
        }
        for parent in rules
        if parent.super_id is None
    ]


def _rules_by_ids(ids: list[int]) -> list[AccessRule]:
    wanted = set(ids)
    rules = db.session.scalars(select(AccessRule).where(AccessRule.id.in_(wanted))).all() if wanted else []
    if len(rules) != len(wanted):
        raise ApiError.not_found("权限条目")
    return list(rules)


def get_role(role_id: int) -> Role:
    role = db.session.get(Role, role_id)
    if role is None:
        raise ApiError.not_found("角色")
    return role


def save_role(data: dict, role: Role | None = None) -> Role:
    if name_taken(Role.name, data["name"], exclude_id=role.id if role else None):
        raise ApiError.duplicate(DUPLICATE_MSG)
    role = role or Role()
    role.name = data["name"]
    role.rules = _rules_by_ids(data["rule_ids"])
    with unique_or_300(DUPLICATE_MSG):
        db.session.add(role)
    return role


def delete_role(role_id: int) -> None:
    role = get_role(role_id)
    if role.id in BUILTIN_ROLES:
        raise ApiError.forbidden("系统内置角色不能删除")
    if db.session.scalar(select(exists().where(AdminUser.role_id == role.id))):
        raise ApiError.has_children("该角色下还有用户,请先修改这些用户的角色")
    db.session.delete(role)
    db.session.flush()
