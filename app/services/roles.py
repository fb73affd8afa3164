"""4.1–4.4 roles and the rules they hold."""

from types import SimpleNamespace

from sqlalchemy import exists, select

from app.extensions import db
from app.models.admin import BUILTIN_ROLES, ROLE_SUPERADMIN, AccessRule, AdminUser, Role, role_rule
from app.responses import ApiError
from app.services.db import name_taken, unique_or_300

DUPLICATE_MSG = "角色名已存在"


# Built once: building a statement and its cache key costs more than running these (docs/operations.md).
_ROLE, _RULE = Role.__table__.c, AccessRule.__table__.c
_ROLES = select(_ROLE.id, _ROLE.name, _ROLE.create_date).order_by(_ROLE.id.desc())
_RULES_HELD = (
    select(_RULE.id, _RULE.name, _RULE.super_id, role_rule.c.role_id)
    .outerjoin(role_rule, role_rule.c.rule_id == _RULE.id)
    .order_by(_RULE.id)
)


def list_roles() -> tuple[list, list]:
    """Every role (id, name, create_date, the ids of the rules it holds), newest first, and the whole rule tree
    (id, name, super_id) by id: two queries of plain rows (a read; no ORM objects to build) — the rules joined
    to the roles holding them, so each role's date is read once."""
    held: dict[int, set[int]] = {}
    rules: list = []
    for rule_id, name, super_id, role_id in db.session.execute(_RULES_HELD):
        if not rules or rules[-1].id != rule_id:
            rules.append(SimpleNamespace(id=rule_id, name=name, super_id=super_id))
        if role_id is not None:
            held.setdefault(role_id, set()).add(rule_id)
    roles = [
        (role_id, name, created, held.get(role_id, set())) for role_id, name, created in db.session.execute(_ROLES)
    ]
    return roles, rules


def assignable_roles(actor: AdminUser) -> list[Role]:
    """The roles 5.2/5.3 accept from `actor`: every role for role 1, all but role 1 for the others."""
    stmt = select(Role).order_by(Role.id)
    if not actor.is_superadmin:
        stmt = stmt.where(Role.id != ROLE_SUPERADMIN)
    return list(db.session.scalars(stmt))


def rule_tree(rules: list) -> list[tuple]:
    """Each parent rule (id, name, super_id) with its children, in `rules`' order."""
    children: dict[int, list] = {}
    for rule in rules:
        if rule.super_id is not None:
            children.setdefault(rule.super_id, []).append(rule)
    return [(parent, children.get(parent.id, [])) for parent in rules if parent.super_id is None]


def rules_data(held: set[int], tree: list[tuple]) -> list[dict]:
    """The nested `rules_data` of 4.1: each parent rule of `tree` (rule_tree()), its children, and which of
    them a role holds (`held`: rule ids)."""
    return [
        {
            "children_rule_list": [
                {"children_rule_id": c.id, "selected": c.id in held, "children_rule_name": c.name} for c in children
            ],
            "parent_rule_id": parent.id,
            "selected": parent.id in held,
            "parent_rule_name": parent.name,
        }
        for parent, children in tree
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
