"""16.6 the radar user's forwarding-tree ranking (radar-user credentials)."""

from flask import Blueprint, request

from app.auth import current_radar_user
from app.responses import ok
from app.schemas.base import load
from app.schemas.share import RankingItemSchema, RankingQuerySchema
from app.services import share as service

bp = Blueprint("article", __name__, url_prefix="/article")


@bp.get("/customer_effect_ranking_by_level/<int:o_id>")
def customer_effect_ranking_by_level(o_id):
    """16.6 公众号 - 按层级展示出客户的影响力 (level=0: the depth level_num and level 1)."""
    query = load(RankingQuerySchema, request.args)
    level_num, level, rows, total = service.ranking(current_radar_user(), o_id, query)
    data = {
        "level_num": level_num,
        "level": level,
        "ret_data": RankingItemSchema(many=True).dump(rows),
        "article_id": str(o_id),
        "count": total,
    }
    return ok(data, "返回成功")
