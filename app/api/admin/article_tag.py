"""10.1–10.4 文章标签."""

from flask import Blueprint

from app.auth import current_admin, tenant_scope
from app.declare import EmptyList, Page, answers, page, takes
from app.responses import ok
from app.schemas.article import TagOutSchema, TagSavedOutSchema, TagSchema
from app.schemas.plugin import ListQuerySchema
from app.services import articles as service

bp = Blueprint("article_tag", __name__, url_prefix="/article_tag")


@bp.get("")
@answers(Page(TagOutSchema))
@takes(query=ListQuerySchema)
def index(query):
    """10.1 文章 - 文章标签展示."""
    tags, total = service.list_tags(tenant_scope(), query)
    return ok(page(tags, total, TagOutSchema), "查询成功")


@bp.post("/add/<int:o_id>")
@answers(TagSavedOutSchema, many=True)
@takes(TagSchema)
def add(o_id, body):
    """10.2 文章 - 文章标签增加."""
    tag = service.create_tag(current_admin(), body["tag_name"])
    return ok([TagSavedOutSchema().dump(tag)], "添加成功")


@bp.post("/update/<int:o_id>")
@answers(TagSavedOutSchema, many=True)
@takes(TagSchema)
def update(o_id, body):
    """10.3 文章 - 文章标签修改."""
    tag = service.rename_tag(tenant_scope(), o_id, body["tag_name"])
    return ok([TagSavedOutSchema().dump(tag)], "修改成功")


@bp.post("/delete/<int:o_id>")
@answers(EmptyList)
def delete(o_id):
    """10.4 文章 - 文章标签删除 (304 while the tag is still on an article)."""
    service.delete_tag(tenant_scope(), o_id)
    return ok([], "删除成功")
