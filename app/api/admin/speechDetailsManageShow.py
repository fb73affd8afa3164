"""17.8 话术详情管理 - 查询."""

from flask import Blueprint

from app.auth import tenant_scope
from app.declare import SPEECH_PAGE, Page, answers, page, takes
from app.responses import ok
from app.schemas.speech import SpeechDetailOutSchema, SpeechQuerySchema
from app.services import speech as service

bp = Blueprint("speechDetailsManageShow", __name__, url_prefix="/speechDetailsManageShow")


@bp.get("")
@answers(Page(SpeechDetailOutSchema, SPEECH_PAGE))
@takes(query=SpeechQuerySchema)
def index(query):
    """17.8 话术详情管理 查询 (optionally one group: talkGroupId)."""
    details, total = service.list_details(tenant_scope(), query)
    return ok(page(details, total, SpeechDetailOutSchema, SPEECH_PAGE), "查询成功")
