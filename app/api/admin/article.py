"""9.1–9.5 文章."""

from flask import Blueprint

from app.auth import current_admin, tenant_scope
from app.declare import EmptyList, Page, answers, page, takes
from app.responses import ok
from app.schemas.answers import IdSchema
from app.schemas.article import ArticleDetailOutSchema, ArticleOutSchema, ArticleQuerySchema, ArticleSchema
from app.services import articles as service

bp = Blueprint("article", __name__, url_prefix="/article")


@bp.get("/myarticle_list")
@answers(Page(ArticleOutSchema))
@takes(query=ArticleQuerySchema)
def myarticle_list(query):
    """9.1 文章 - 公账号文章列表展示."""
    articles, total = service.list_articles(tenant_scope(), query)
    return ok(page(articles, total, ArticleOutSchema), "查询成功")


@bp.get("/myarticle/<int:o_id>")
@answers(Page(ArticleDetailOutSchema))
def myarticle(o_id):
    """9.2 文章 - 公账号文章单个展示."""
    article = service.get_article(tenant_scope(), o_id)
    return ok(page([article], 1, ArticleDetailOutSchema), "查询成功")


@bp.post("/add/<int:o_id>")
@answers(IdSchema, many=True)
@takes(ArticleSchema)
def add(o_id, body):
    """9.3 文章 - 文章增加."""
    article = service.create_article(current_admin(), body)
    return ok([{"id": article.id}], "添加成功")


@bp.post("/update/<int:o_id>")
@answers(EmptyList)
@takes(ArticleSchema, partial=True)
def update(o_id, body):
    """9.4 文章 - 文章修改 (the tags given replace the article's tags)."""
    service.update_article(tenant_scope(), o_id, body)
    return ok([], "修改成功")


@bp.post("/delete/<int:o_id>")
@answers(EmptyList)
def delete(o_id):
    """9.5 文章 - 文章删除."""
    service.delete_article(tenant_scope(), o_id)
    return ok([], "删除成功")
