"""17.4 话术分组管理 - 查询."""

from flask import Blueprint

from app.auth import tenant_scope
from app.declare import SPEECH_PAGE, Page, answers, page, takes
from app.responses import ok
from app.schemas.speech import SpeechQuerySchema, TalkGroupOutSchema
from app.services import speech as service

bp = Blueprint("talkGroupManageShow", __name__, url_prefix="/talkGroupManageShow")


@bp.get("")
@answers(Page(TalkGroupOutSchema, SPEECH_PAGE))
@takes(query=SpeechQuerySchema)
def index(query):
    """17.4 话术分组管理 查询."""
    groups, total = service.list_groups(tenant_scope(), query)
    return ok(page(groups, total, TalkGroupOutSchema, SPEECH_PAGE), "查询成功")
