"""15.1, 16.4, 16.5 the customer's article page (customer credentials)."""

from flask import Blueprint

from app.auth import current_customer
from app.declare import Empty, answers, takes
from app.responses import ok
from app.schemas.answers import ArticlePageSchema
from app.schemas.share import ChainSchema, ForwardSchema, H5ArticleOutSchema, RadarUserCardSchema, StayTimeSchema
from app.services import cards
from app.services import share as service

bp = Blueprint("article", __name__, url_prefix="/article")


@bp.get("/myarticle/<int:o_id>")
@answers(ArticlePageSchema)
@takes(query=ChainSchema)
def myarticle(o_id, query):
    """15.1 公众号 - 显示单个文章 (counts a read; article_access_log_id is the view heartbeats refer to;
    user_card is the sharing radar user's card, null when that user is disabled)."""
    article, view = service.view_article(current_customer(), o_id, query["uid"], query["pid"])
    card = cards.radar_user_card(article.company_id, query["uid"])
    data = {
        "ret_data": [H5ArticleOutSchema().dump(article)],
        "article_access_log_id": view.id,
        "user_card": RadarUserCardSchema().dump(card) if card else None,
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
@answers(Empty)
@takes(query=StayTimeSchema)
def staytime(o_id, query):
    """16.5 公众号 - 记录文章查看时间 (a heartbeat: the server measures the time since the previous one)."""
    service.heartbeat(current_customer(), o_id, query["article_access_log_id"])
    return ok(msg="记录客户查看文章时间成功")
