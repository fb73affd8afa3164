"""The admin's view of its company's customers: the list, one customer's detail, and an article's forwarding
tree across every radar user's chain (docs/contract_extensions.md). Constant query counts."""

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models.article import Article
from app.models.plugin import ActivitySignUp
from app.models.radar import AccessLog, Customer, FollowInfo, RadarUser, UserCustomer
from app.models.share import ArticleShare
from app.pagination import order_by, paginate
from app.services.stat_rollup import utc_midnight
from app.tenancy import Tenant, get_for_company

ORDER_COLUMNS = {"create_date": Customer.create_date, "id": Customer.id}
RECENT_EVENTS = 20
TREE_MAX_ROWS = 2000  # an article's tree beyond this is cut (the answer says `truncated`)
RANKING_SIZE = 10
_ONE_DAY = timedelta(days=1)


def list_customers(tenant: Tenant, query: dict) -> tuple[list[dict], int]:
    tenant = tenant.within(query["company_id"])
    stmt = _filter(tenant.confine(select(Customer), Customer), tenant.scope, query)
    stmt = order_by(stmt, query["order"], ORDER_COLUMNS).order_by(Customer.id.desc())
    customers, total = paginate(stmt, query["current_page"], query["length"])
    ids = [customer.id for customer in customers]
    relations, sign_ups = _relations(ids), _sign_up_counts(ids)
    items = [
        {"customer": c, "relations": relations.get(c.id, []), "sign_up_count": sign_ups.get(c.id, 0)} for c in customers
    ]
    return items, total


def _filter(stmt, company_id: int | None, query: dict):
    if query["uid"] is not None or query["source"] is not None:
        related = select(UserCustomer.id).where(UserCustomer.customer_id == Customer.id)
        if query["uid"] is not None:
            get_for_company(RadarUser, query["uid"], company_id, "雷达用户")
            related = related.where(UserCustomer.radar_user_id == query["uid"])
        if query["source"] is not None:
            related = related.where(UserCustomer.source == query["source"])
        stmt = stmt.where(related.exists())
    if query["start_date"] is not None:
        stmt = stmt.where(Customer.create_date >= utc_midnight(query["start_date"]))
    if query["end_date"] is not None:
        stmt = stmt.where(Customer.create_date < utc_midnight(query["end_date"] + _ONE_DAY))
    if query["has_sign_up"] is not None:
        signed = exists().where(ActivitySignUp.customer_id == Customer.id)
        stmt = stmt.where(signed if query["has_sign_up"] else ~signed)
    if query["nickname"]:
        stmt = stmt.where(Customer.nickname.contains(query["nickname"], autoescape=True))
    return stmt


def _relations(customer_ids: list[int]) -> dict[int, list[dict]]:
    if not customer_ids:
        return {}
    stmt = (
        select(UserCustomer, RadarUser.username)
        .join(RadarUser, RadarUser.id == UserCustomer.radar_user_id)
        .where(UserCustomer.customer_id.in_(customer_ids))
        .order_by(UserCustomer.id)
    )
    found: dict[int, list[dict]] = defaultdict(list)
    for relation, username in db.session.execute(stmt):
        found[relation.customer_id].append(
            {
                "uid": relation.radar_user_id,
                "username": username,
                "source": relation.source,
                "referrer_customer_id": relation.referrer_customer_id,
                "last_follow_time": relation.last_follow_time,
                "last_activity_time": relation.last_activity_time,
                "create_date": relation.create_date,
            }
        )
    return found


def _sign_up_counts(customer_ids: list[int]) -> dict[int, int]:
    if not customer_ids:
        return {}
    stmt = (
        select(ActivitySignUp.customer_id, func.count())
        .where(ActivitySignUp.customer_id.in_(customer_ids))
        .group_by(ActivitySignUp.customer_id)
    )
    return dict(db.session.execute(stmt).all())


# --- one customer ----------------------------------------------------------------------------------------


def customer_detail(tenant: Tenant, customer_id: int) -> dict:
    customer = tenant.get(Customer, customer_id, "客户")
    articles = _articles(customer.id)
    sign_ups = db.session.scalars(
        select(ActivitySignUp)
        .options(joinedload(ActivitySignUp.activity))
        .where(ActivitySignUp.customer_id == customer.id)
        .order_by(ActivitySignUp.sign_up_time.desc(), ActivitySignUp.id.desc())
    ).all()
    return {
        "customer": customer,
        "relations": _relations([customer.id]).get(customer.id, []),
        "sign_up_count": len(sign_ups),
        "visits": _visits(customer.id),
        "recent_events": _recent_events(customer.id),
        "stay_time": sum(row["stay_time"] for row in articles),
        "forward_count": sum(row["forward_friend_count"] + row["forward_moments_count"] for row in articles),
        "articles": articles,
        "follow_ups": _follow_ups(customer.id),
        "sign_ups": list(sign_ups),
    }


def _visits(customer_id: int) -> list[dict]:
    stmt = (
        select(AccessLog.action, func.count())
        .where(AccessLog.customer_id == customer_id)
        .group_by(AccessLog.action)
        .order_by(AccessLog.action)
    )
    return [{"action": action, "count": count} for action, count in db.session.execute(stmt)]


def _recent_events(customer_id: int) -> list[AccessLog]:
    stmt = (
        select(AccessLog)
        .where(AccessLog.customer_id == customer_id)
        .order_by(AccessLog.create_date.desc(), AccessLog.id.desc())
        .limit(RECENT_EVENTS)
    )
    return list(db.session.scalars(stmt))


def _articles(customer_id: int) -> list[dict]:
    stmt = (
        select(ArticleShare, Article.title)
        .join(Article, Article.id == ArticleShare.article_id)
        .where(ArticleShare.customer_id == customer_id)
        .order_by(ArticleShare.create_date.desc(), ArticleShare.id.desc())
    )
    keys = ("article_id", "level", "parent_customer_id", "read_count", "stay_time")
    counts = ("forward_friend_count", "forward_moments_count")
    return [
        {"title": title, "uid": row.radar_user_id, **{k: getattr(row, k) for k in (*keys, *counts)}}
        for row, title in db.session.execute(stmt)
    ]


def _follow_ups(customer_id: int) -> list[dict]:
    stmt = (
        select(FollowInfo, UserCustomer.radar_user_id, RadarUser.username)
        .join(UserCustomer, UserCustomer.id == FollowInfo.user_customer_id)
        .join(RadarUser, RadarUser.id == UserCustomer.radar_user_id)
        .where(UserCustomer.customer_id == customer_id)
        .order_by(FollowInfo.create_date.desc(), FollowInfo.id.desc())
    )
    return [
        {"id": note.id, "content": note.content, "uid": uid, "username": username, "create_date": note.create_date}
        for note, uid, username in db.session.execute(stmt)
    ]


# --- an article's forwarding tree ------------------------------------------------------------------------


def forward_tree(tenant: Tenant, article_id: int, uid: int | None) -> dict:
    """Every chain of the article (or radar user uid's), level by level, each row with its reach: how many
    customers opened the article through its forwards, directly or further down."""
    article = tenant.get(Article, article_id, "文章")
    stmt = (
        select(ArticleShare)
        .options(joinedload(ArticleShare.customer), joinedload(ArticleShare.radar_user))
        .where(ArticleShare.article_id == article.id)
        .order_by(ArticleShare.level, ArticleShare.id)
        .limit(TREE_MAX_ROWS + 1)
    )
    if uid is not None:
        get_for_company(RadarUser, uid, article.company_id, "雷达用户")
        stmt = stmt.where(ArticleShare.radar_user_id == uid)
    rows = list(db.session.scalars(stmt))
    truncated = len(rows) > TREE_MAX_ROWS
    rows = rows[:TREE_MAX_ROWS]
    reach = _reach(rows)
    nodes = [{"row": row, "reach": reach[(row.radar_user_id, row.customer_id)]} for row in rows]
    ranking = sorted(nodes, key=lambda n: (-n["reach"], -n["row"].stay_time, -n["row"].read_count, n["row"].id))
    return {
        "article_id": article.id,
        "title": article.title,
        "level_num": max((row.level for row in rows), default=0),
        "count": len(rows),
        "truncated": truncated,
        "nodes": nodes,
        "ranking": _first_per_customer(ranking)[:RANKING_SIZE],
    }


def _reach(rows: list[ArticleShare]) -> dict[tuple[int, int], int]:
    """(radar user, customer) → the number of other customers below it in that radar user's chain."""
    children: dict[tuple[int, int], set[int]] = defaultdict(set)
    for row in rows:
        if row.parent_customer_id is not None:
            children[(row.radar_user_id, row.parent_customer_id)].add(row.customer_id)
    reach = {}
    for radar_user_id, customer_id in {(row.radar_user_id, row.customer_id) for row in rows}:
        seen, todo = {customer_id}, [customer_id]
        while todo:  # a forward can point back up the chain: `seen` stops the walk
            for child in children.get((radar_user_id, todo.pop()), ()):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        reach[(radar_user_id, customer_id)] = len(seen) - 1
    return reach


def _first_per_customer(nodes: list[dict]) -> list[dict]:
    """A customer who opened several links of one chain ranks once, by its best row."""
    kept, seen = [], set()
    for node in nodes:
        key = (node["row"].radar_user_id, node["row"].customer_id)
        if key not in seen:
            seen.add(key)
            kept.append(node)
    return kept
