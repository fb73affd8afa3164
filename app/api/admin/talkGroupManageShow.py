"""17.4 话术分组管理 - 查询."""

from flask import Blueprint, request

from app.auth import tenant_scope
from app.responses import ok
from app.schemas.base import load
from app.schemas.speech import SpeechQuerySchema, TalkGroupOutSchema
from app.services import speech as service

bp = Blueprint("talkGroupManageShow", __name__, url_prefix="/talkGroupManageShow")


@bp.get("")
def index():
    """17.4 话术分组管理 查询."""
    groups, total = service.list_groups(tenant_scope(), load(SpeechQuerySchema, request.args))
    return ok({"otherList": TalkGroupOutSchema(many=True).dump(groups), "objsCount": total}, "查询成功")
