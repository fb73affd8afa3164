"""17.1–17.3 话术分组管理 - 添加、修改、删除 (the delete is a GET, as documented)."""

from flask import Blueprint

from app.auth import current_admin, tenant_scope
from app.declare import Empty, answers, takes
from app.responses import ok
from app.schemas.answers import IdSchema
from app.schemas.speech import TalkGroupSchema
from app.services import speech as service

bp = Blueprint("talkGroupManageOper", __name__, url_prefix="/talkGroupManageOper")


@bp.post("/add/<int:o_id>")
@answers(IdSchema)
@takes(TalkGroupSchema)
def add(o_id, body):
    """17.1 话术分组管理 添加."""
    group = service.create_group(current_admin(), tenant_scope(), body)
    return ok({"id": group.id}, "添加成功")


@bp.post("/update/<int:o_id>")
@answers(Empty)
@takes(TalkGroupSchema, partial=True)
def update(o_id, body):
    """17.2 话术分组管理 修改."""
    service.update_group(tenant_scope(), o_id, body)
    return ok(msg="修改成功")


@bp.get("/delete/<int:o_id>")
@answers(Empty)
def delete(o_id):
    """17.3 话术分组管理 删除 (304 while the group still holds details)."""
    service.delete_group(tenant_scope(), o_id)
    return ok(msg="删除成功")
