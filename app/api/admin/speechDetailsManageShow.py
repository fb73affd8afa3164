"""17.8 话术详情管理 - 查询."""

from flask import Blueprint, request

from app.auth import tenant_scope
from app.responses import ok
from app.schemas.base import load
from app.schemas.speech import SpeechDetailOutSchema, SpeechQuerySchema
from app.services import speech as service

bp = Blueprint("speechDetailsManageShow", __name__, url_prefix="/speechDetailsManageShow")


@bp.get("")
def index():
    """17.8 话术详情管理 查询 (optionally one group: talkGroupId)."""
    details, total = service.list_details(tenant_scope(), load(SpeechQuerySchema, request.args))
    return ok({"otherList": SpeechDetailOutSchema(many=True).dump(details), "objsCount": total}, "查询成功")
