"""9.x articles and 10.x article tags, per company."""

from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models.admin import AdminUser
from app.models.article import Article, ArticleTag, article_tag_rel
from app.pagination import order_by, paginate
from app.responses import ApiError
from app.services.db import name_taken, unique_or_300
from app.tenancy import Tenant

ORDER_COLUMNS = {
    "create_date": Article.create_date,
    "read_count": Article.read_count,
    "forward_count": Article.forward_count,
}
TAG_TAKEN = "标签名称已存在"


def _with_relations(stmt):
    return stmt.options(joinedload(Article.author), selectinload(Article.tags))


def list_articles(tenant: Tenant, query: dict) -> tuple[list[Article], int]:
    stmt = tenant.confine(_with_relations(select(Article)), Article, query["company_id"])
    if query["status"] is not None:
        stmt = stmt.where(Article.status == query["status"])
    if query["title"]:
        stmt = stmt.where(Article.title.contains(query["title"], autoescape=True))
    if query["tag_ids"]:
        # A subquery, not a join: an article carrying two of the tags is listed once.
        tagged = select(article_tag_rel.c.article_id).where(article_tag_rel.c.tag_id.in_(query["tag_ids"]))
        stmt = stmt.where(Article.id.in_(tagged))
    stmt = order_by(stmt, query["order"], ORDER_COLUMNS).order_by(Article.id.desc())
    return paginate(stmt, query["current_page"], query["length"])


def get_article(tenant: Tenant, article_id: int) -> Article:
    article = db.session.scalars(_with_relations(select(Article).where(Article.id == article_id))).first()
    if article is None or not tenant.owns(article):
        raise ApiError.not_found("文章")
    return article


def _company_tags(company_id: int, tag_ids: list[int]) -> list[ArticleTag]:
    """The tags with these ids, all of which must belong to `company_id` (302 otherwise)."""
    wanted = set(tag_ids)
    if not wanted:
        return []
    stmt = select(ArticleTag).where(ArticleTag.id.in_(wanted), ArticleTag.company_id == company_id)
    tags = db.session.scalars(stmt).all()
    if len(tags) != len(wanted):
        raise ApiError.not_found("标签")
    return sorted(tags, key=lambda tag: tag.id)


def _apply(article: Article, data: dict) -> None:
    if "tag_ids" in data:
        article.tags = _company_tags(article.company_id, data["tag_ids"])
    for key in ("title", "summary", "cover_picture", "content", "insert_ads", "status", "source"):
        if key in data:
            setattr(article, key, data[key])


def create_article(admin: AdminUser, data: dict) -> Article:
    article = Article(company_id=admin.company_id, author_id=admin.id)
    _apply(article, data)
    db.session.add(article)
    db.session.flush()
    return article


def update_article(tenant: Tenant, article_id: int, data: dict) -> Article:
    article = get_article(tenant, article_id)
    _apply(article, data)
    db.session.flush()
    return article


def delete_article(tenant: Tenant, article_id: int) -> None:
    db.session.delete(tenant.get(Article, article_id, "文章"))
    db.session.flush()


# --- 10.x tags ----------------------------------------------------------------------------------


def list_tags(tenant: Tenant, query: dict) -> tuple[list[ArticleTag], int]:
    stmt = tenant.confine(select(ArticleTag), ArticleTag, query["company_id"])
    return paginate(stmt.order_by(ArticleTag.id), query["current_page"], query["length"])


def _check_tag_name(company_id: int, name: str, exclude_id: int | None = None) -> None:
    if name_taken(ArticleTag.name, name, exclude_id, company_id=company_id):
        raise ApiError.duplicate(TAG_TAKEN)


def create_tag(admin: AdminUser, name: str) -> ArticleTag:
    _check_tag_name(admin.company_id, name)
    tag = ArticleTag(company_id=admin.company_id, name=name)
    with unique_or_300(TAG_TAKEN):
        db.session.add(tag)
    return tag


def rename_tag(tenant: Tenant, tag_id: int, name: str) -> ArticleTag:
    tag = tenant.get(ArticleTag, tag_id, "标签")
    _check_tag_name(tag.company_id, name, tag.id)
    with unique_or_300(TAG_TAKEN):
        tag.name = name
    return tag


def delete_tag(tenant: Tenant, tag_id: int) -> None:
    """A tag still on an article is not deleted (304): remove it from those articles first."""
    tag = tenant.get(ArticleTag, tag_id, "标签")
    if db.session.scalar(select(exists().where(article_tag_rel.c.tag_id == tag.id))):
        raise ApiError.has_children("该标签下还有文章，请先从文章中移除该标签")
    db.session.delete(tag)
    db.session.flush()
