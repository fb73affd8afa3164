"""3.1–3.4 access rules: a two-level tree."""

from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models.admin import AccessRule, role_rule
from app.responses import ApiError
from app.services.db import name_taken, unique_or_300

DUPLICATE_MSG = "url_path 已存在"


def list_rules(parents_only: bool | None) -> list[AccessRule]:
    stmt = select(AccessRule).options(joinedload(AccessRule.parent)).order_by(AccessRule.id.desc())
    if parents_only is True:
        stmt = stmt.where(AccessRule.super_id.is_(None))
    elif parents_only is False:
        stmt = stmt.where(AccessRule.super_id.is_not(None))
    return list(db.session.scalars(stmt))


def _has_children(rule_id: int) -> bool:
    return db.session.scalar(select(exists().where(AccessRule.super_id == rule_id)))


def _check_parent(parent_id: int | None, rule: AccessRule | None) -> None:
    if parent_id is None:
        return
    parent = db.session.get(AccessRule, parent_id)
    if parent is None:
        raise ApiError.not_found("父级权限条目")
    if parent.super_id is not None:
        raise ApiError.invalid("父级ID 只能是一级权限条目（权限为两级结构）")
    if rule is not None and (parent.id == rule.id or _has_children(rule.id)):
        raise ApiError.invalid("父级ID 含有子级的条目不能再挂到其他条目下")


def save_rule(data: dict, rule: AccessRule | None = None) -> AccessRule:
    if name_taken(AccessRule.url_path, data["url_path"], exclude_id=rule.id if rule else None):
        raise ApiError.duplicate(DUPLICATE_MSG)
    _check_parent(data["parent_id"], rule)
    rule = rule or AccessRule()
    rule.name, rule.url_path, rule.super_id = data["name"], data["url_path"], data["parent_id"]
    with unique_or_300(DUPLICATE_MSG):
        db.session.add(rule)
    return rule


def get_rule(rule_id: int) -> AccessRule:
    rule = db.session.get(AccessRule, rule_id)
    if rule is None:
        raise ApiError.not_found("权限条目")
    return rule


def delete_rule(rule_id: int) -> None:
    rule = get_rule(rule_id)
    if _has_children(rule.id):
        raise ApiError.has_children("该权限条目含有子级条目,请先删除或转移子级条目")
    if db.session.scalar(select(exists().where(role_rule.c.rule_id == rule.id))):
        raise ApiError.has_children("该权限条目仍被角色使用,请先从角色中移除")
    db.session.delete(rule)
    db.session.flush()
