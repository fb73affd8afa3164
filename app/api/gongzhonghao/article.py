"""15.1, 16.4, 16.5 the customer's article page (customer credentials)."""

from flask import Blueprint, request

from app.auth import checks_own_signature, current_customer
from app.responses import ok
from app.schemas.base import load
from app.schemas.share import ChainSchema, ForwardSchema, StayTimeSchema
from app.services import hot_buffer
from app.services import share as service

bp = Blueprint("article", __name__, url_prefix="/article")


@bp.get("/myarticle/<int:o_id>")
def myarticle(o_id):
    """15.1 公众号 - 显示单个文章 (counts a read; article_access_log_id is the view heartbeats refer to, every
    heartbeat_interval seconds; user_card is the sharing radar user's card, null when that user is disabled)."""
    query = load(ChainSchema, request.args)
    customer = current_customer()
    article, view = service.view_article(customer, o_id, query["uid"], query["pid"])
    data = {
        "ret_data": [article],
        "article_access_log_id": view.id,
        "heartbeat_interval": service.heartbeat_interval(),
        "user_card": service.reader_card(customer.company_id, query["uid"]),
    }
    return ok(data, "查询成功")


@bp.get("/forward_article/<int:o_id>")
def forward_article(o_id):
    """16.4 公众号 - 记录转发文章 (forward_type 1 朋友 / 2 朋友圈)."""
    service.forward_article(current_customer(), o_id, load(ForwardSchema, request.args))
    return ok(msg="记录转发成功")


@bp.get("/staytime/<int:o_id>")
@checks_own_signature
def staytime(o_id):
    """16.5 公众号 - 记录文章查看时间 (a heartbeat: the server measures the time since the previous one)."""
    caller = hot_buffer.signed_customer()
    query = load(StayTimeSchema, request.args)
    service.heartbeat(caller, o_id, query["article_access_log_id"])
    return ok(msg="记录客户查看文章时间成功")
