"""The radar user's articles (radar-user credentials): its own share link, 16.6 its forwarding-tree ranking."""

from flask import Blueprint

from app.auth import current_radar_user
from app.declare import answers, takes
from app.responses import ok
from app.schemas.answers import RankingSchema, ShareUrlSchema
from app.schemas.share import RankingItemSchema, RankingQuerySchema
from app.services import customer_auth
from app.services import share as service

bp = Blueprint("article", __name__, url_prefix="/article")


@bp.get("/customer_effect_ranking_by_level/<int:o_id>")
@answers(RankingSchema)
@takes(query=RankingQuerySchema)
def customer_effect_ranking_by_level(o_id, query):
    """16.6 公众号 - 按层级展示出客户的影响力 (level=0: the depth level_num and level 1)."""
    level_num, level, rows, total = service.ranking(current_radar_user(), o_id, query)
    data = {
        "level_num": level_num,
        "level": level,
        "ret_data": RankingItemSchema(many=True).dump(rows),
        "article_id": str(o_id),
        "count": total,
    }
    return ok(data, "返回成功")


@bp.get("/create_share_url/<int:o_id>")
@answers(ShareUrlSchema)
def create_share_url(o_id):
    """雷达用户 - 创建文章分享链接: the radar user's own link of an article (the root of its chain, level 1)."""
    return ok({"share_url": customer_auth.radar_share_url(current_radar_user(), o_id)}, "返回成功")
