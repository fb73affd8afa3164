"""9.1–9.5 文章."""

from flask import Blueprint, request

from app.auth import current_admin, tenant_scope
from app.responses import ok
from app.schemas.article import ArticleDetailOutSchema, ArticleOutSchema, ArticleQuerySchema, ArticleSchema
from app.schemas.base import load
from app.services import articles as service

bp = Blueprint("article", __name__, url_prefix="/article")


@bp.get("/myarticle_list")
def myarticle_list():
    """9.1 文章 - 公账号文章列表展示."""
    articles, total = service.list_articles(tenant_scope(), load(ArticleQuerySchema, request.args))
    return ok({"ret_data": ArticleOutSchema(many=True).dump(articles), "data_count": total}, "查询成功")


@bp.get("/myarticle/<int:o_id>")
def myarticle(o_id):
    """9.2 文章 - 公账号文章单个展示."""
    article = service.get_article(tenant_scope(), o_id)
    return ok({"ret_data": [ArticleDetailOutSchema().dump(article)], "data_count": 1}, "查询成功")


@bp.post("/add/<int:o_id>")
def add(o_id):
    """9.3 文章 - 文章增加."""
    article = service.create_article(current_admin(), load(ArticleSchema))
    return ok([{"id": article.id}], "添加成功")


@bp.post("/update/<int:o_id>")
def update(o_id):
    """9.4 文章 - 文章修改 (the tags given replace the article's tags)."""
    service.update_article(tenant_scope(), o_id, load(ArticleSchema, partial=True))
    return ok([], "修改成功")


@bp.post("/delete/<int:o_id>")
def delete(o_id):
    """9.5 文章 - 文章删除."""
    service.delete_article(tenant_scope(), o_id)
    return ok([], "删除成功")
