"""17.5–17.7 话术详情管理 - 添加、修改、删除 (the delete is a GET, as documented)."""

from flask import Blueprint

from app.auth import tenant_scope
from app.declare import Empty, answers, takes
from app.responses import ok
from app.schemas.answers import IdSchema
from app.schemas.speech import SpeechDetailSchema
from app.services import speech as service

bp = Blueprint("speechDetailsManageOper", __name__, url_prefix="/speechDetailsManageOper")


@bp.post("/add/<int:o_id>")
@answers(IdSchema)
@takes(SpeechDetailSchema)
def add(o_id, body):
    """17.5 话术详情管理 添加."""
    detail = service.create_detail(tenant_scope(), body)
    return ok({"id": detail.id}, "添加成功")


@bp.post("/update/<int:o_id>")
@answers(Empty)
@takes(SpeechDetailSchema)
def update(o_id, body):
    """17.6 话术详情管理 修改."""
    service.update_detail(tenant_scope(), o_id, body)
    return ok(msg="修改成功")


@bp.get("/delete/<int:o_id>")
@answers(Empty)
def delete(o_id):
    """17.7 话术详情管理 删除."""
    service.delete_detail(tenant_scope(), o_id)
    return ok(msg="删除成功")
