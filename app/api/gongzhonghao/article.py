"""15.1, 16.4, 16.5 the customer's article page (customer credentials)."""

from functools import wraps

from flask import Blueprint, request

from app.auth import checks_own_signature, current_customer
from app.declare import Empty, answers, takes
from app.responses import ok
from app.schemas.answers import ArticlePageSchema, StayTimeAnswerSchema
from app.schemas.share import ChainSchema, ForwardSchema, StayTimeSchema
from app.services import hot_buffer
from app.services import share as service

bp = Blueprint("article", __name__, url_prefix="/article")
STAYTIME_OK = "记录客户查看文章时间成功"  # 16.5's answer, also given by its fast path (app/fastpath.py)


def _caller_first(view):
    """The heartbeat authenticates its caller itself (app/services/hot_buffer.py), before its query is read,
    as the guard does for every other view."""

    @wraps(view)
    def run(*args, **kwargs):
        return view(*args, caller=hot_buffer.signed_customer(), **kwargs)

    return run


@bp.get("/myarticle/<int:o_id>")
@answers(ArticlePageSchema)
@takes(query=ChainSchema)
def myarticle(o_id, query):
    """15.1 公众号 - 显示单个文章 (counts a read; article_access_log_id is the view heartbeats refer to, every
    heartbeat_interval seconds; user_card is the sharing radar user's card, null when that user is disabled)."""
    customer = current_customer()
    article, view_id, card = service.view_article(customer, o_id, query["uid"], query["pid"])
    data = {
        "ret_data": [article],
        "article_access_log_id": view_id,
        "heartbeat_interval": service.heartbeat_interval(),
        "user_card": card,
    }
    return ok(data, "查询成功")


@bp.get("/forward_article/<int:o_id>")
@answers(Empty)
@takes(query=ForwardSchema)
def forward_article(o_id, query):
    """16.4 公众号 - 记录转发文章 (forward_type 1 朋友 / 2 朋友圈)."""
    service.forward_article(current_customer(), o_id, query)
    return ok(msg="记录转发成功")


@bp.get("/staytime/<int:o_id>")
@answers(StayTimeAnswerSchema)
@checks_own_signature
@_caller_first
@takes(query=StayTimeSchema)
def staytime(o_id, query, caller):
    """16.5 公众号 - 记录文章查看时间 (a heartbeat: the server measures the time since the previous one; its data says
    when to send the next)."""
    service.heartbeat(caller, o_id, query["article_access_log_id"])
    return ok(staytime_answer(request.headers.get("X-Request-Start")), STAYTIME_OK)


def staytime_answer(request_start: str | None) -> dict:
    """16.5's data, also given by its fast path (app/fastpath.py)."""
    return {"heartbeat_interval": service.next_heartbeat(request_start)}
