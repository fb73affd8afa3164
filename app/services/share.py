"""The article forwarding tree (docs/domain.md): who opened whose link, reads, forwards and stay time (15.1,
16.1's recording, 16.2's next link, 16.4, 16.5) and the radar user's ranking of a level (16.6).

A level is always computed here from the stored rows — the sharer's row plus one — never taken from a client.
"""

import time
from functools import cache

from flask import current_app
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models.article import STATUS_PUBLISHED, Article
from app.models.radar import SOURCE_ARTICLE, Customer, RadarUser, UserCustomer
from app.models.share import ROOT_PARENT_KEY, ArticleShare, ArticleView
from app.pagination import paginate
from app.responses import ApiError, Code
from app.schemas.share import FORWARD_FRIEND, H5ArticleOutSchema, RadarUserCardSchema
from app.services import cards, hot_buffer
from app.services.customer_events import (
    ACTION_FORWARD_FRIEND,
    ACTION_FORWARD_MOMENTS,
    ACTION_READ_ARTICLE,
    log_action,
)
from app.services.share_links import ShareParams
from app.tenancy import get_for_company
from app.timefmt import utcnow

_SHARE = ArticleShare.__table__
_NEW_VIEW = insert(ArticleView.__table__)  # 15.1's view, a Core INSERT (stay_time from the column default)
NOT_IN_CHAIN_MSG = "未找到您在此文章转发链中的记录，请从分享链接重新打开文章"


def readable_article(company_id: int, article_id: int, with_relations: bool = False) -> Article:
    """A published article of the company (302 for a draft, a missing one or another company's)."""
    stmt = select(Article).where(Article.id == article_id)
    if with_relations:
        stmt = stmt.options(joinedload(Article.author), selectinload(Article.tags))
    article = db.session.scalars(stmt).first()
    if article is None or article.company_id != company_id or article.status != STATUS_PUBLISHED:
        raise ApiError.not_found("文章")
    return article


@cache
def _place(what, lowest: bool = False):
    """SELECT `what` (the row or one of its columns) of the customer's place in uid's chain: the one opened from
    a link (its parent_key), or (`lowest`) the one nearest the root (a customer may have opened several links).
    Built once, with bind parameters (`_at`)."""
    share = _SHARE.c
    stmt = select(what).where(
        share.article_id == bindparam("article_id"),
        share.radar_user_id == bindparam("uid"),
        share.customer_id == bindparam("customer_id"),
    )
    if lowest:
        return stmt.order_by(share.level, share.id).limit(1)
    return stmt.where(share.parent_key == bindparam("parent_key"))


def _at(article_id: int, uid: int, customer_id: int, pid: int | None = None) -> dict:
    """`_place`'s parameters."""
    return {"article_id": article_id, "uid": uid, "customer_id": customer_id, "parent_key": pid or ROOT_PARENT_KEY}


def _lowest_row(article_id: int, uid: int, customer_id: int) -> ArticleShare | None:
    """The customer's place in uid's chain nearest the root."""
    return db.session.scalars(_place(ArticleShare, lowest=True), _at(article_id, uid, customer_id)).first()


def _row(article_id: int, uid: int, customer_id: int, pid: int | None) -> ArticleShare | None:
    # the customer opened its own link: that is its own place in the chain
    stmt = _place(ArticleShare, lowest=pid == customer_id)
    return db.session.scalars(stmt, _at(article_id, uid, customer_id, pid)).first()


def chain_row_id(article_id: int, uid: int, customer_id: int, pid: int | None) -> int:
    """The id of the tree row of the link (uid, pid) the customer's page was opened from (one column, no ORM
    object: 15.1 and 16.4 need nothing else); 302 when 16.1 never recorded it."""
    stmt = _place(_SHARE.c.id, lowest=pid == customer_id)
    share_id = db.session.connection().scalar(stmt, _at(article_id, uid, customer_id, pid))
    if share_id is None:
        raise ApiError(Code.NOT_FOUND, NOT_IN_CHAIN_MSG)
    return share_id


# --- 16.1: recording a customer who opened a share link ----------------------------------------


def _lock_customer(customer_id: int) -> None:
    """Serialise concurrent recordings of one customer (check-then-insert of its rows and its relation)."""
    db.session.execute(select(Customer.id).where(Customer.id == customer_id).with_for_update())


def record_visit(customer: Customer, params: ShareParams) -> ArticleShare:
    """Put the customer in uid's chain of the article: level 1 on the radar user's own link, else one level
    below the sharer's (pid's) row; link the customer to the radar user (source 公众号文章)."""
    if params.company_id != customer.company_id:
        raise ApiError.not_found("公司")
    article = readable_article(customer.company_id, params.article_id)
    radar_user = get_for_company(RadarUser, params.uid, customer.company_id, "雷达用户")
    _lock_customer(customer.id)
    row = _row(article.id, radar_user.id, customer.id, params.pid)
    if row is None:
        row = _new_row(article, radar_user, customer, params.pid)
    _link(radar_user, customer, params.pid)
    return row


def _new_row(article: Article, radar_user: RadarUser, customer: Customer, pid: int | None) -> ArticleShare:
    level = 1
    if pid is not None:
        parent = _lowest_row(article.id, radar_user.id, pid)
        if parent is None:
            raise ApiError(Code.NOT_FOUND, "分享此文章的客户不在转发链中")
        level = parent.level + 1
    row = ArticleShare(
        company_id=article.company_id,
        article_id=article.id,
        radar_user_id=radar_user.id,
        customer_id=customer.id,
        parent_customer_id=pid,
        parent_key=pid or ROOT_PARENT_KEY,
        level=level,
    )
    db.session.add(row)
    db.session.flush()
    return row


def _link(radar_user: RadarUser, customer: Customer, pid: int | None) -> None:
    stmt = select(UserCustomer).where(
        UserCustomer.radar_user_id == radar_user.id, UserCustomer.customer_id == customer.id
    )
    relation = db.session.scalars(stmt).first()
    if relation is None:
        relation = UserCustomer(
            company_id=customer.company_id,
            radar_user_id=radar_user.id,
            customer_id=customer.id,
            source=SOURCE_ARTICLE,
            referrer_customer_id=pid,
        )
        db.session.add(relation)
    relation.last_activity_time = utcnow()
    db.session.flush()


def next_link(customer: Customer, article_id: int, uid: int) -> ShareParams:
    """16.2: the parameters of the link the customer shares: pid = itself, level = its own level + 1."""
    article = readable_article(customer.company_id, article_id)
    row = _lowest_row(article.id, uid, customer.id)
    if row is None:
        raise ApiError(Code.NOT_FOUND, NOT_IN_CHAIN_MSG)
    return ShareParams(article.id, article.company_id, uid, customer.id, row.level + 1)


def root_link(radar_user: RadarUser, article_id: int) -> ShareParams:
    """The radar user's own link of an article: the root of its chain (level 1, no pid)."""
    article = readable_article(radar_user.company_id, article_id)
    return ShareParams(article.id, article.company_id, radar_user.id, None, 1)


# --- 15.1, 16.4, 16.5: reads, forwards, stay time ------------------------------------------------


def _bump(model, row_id: int, **increments) -> None:
    """Add to counters in one UPDATE, so concurrent requests never lose a count."""
    values = {name: getattr(model, name) + amount for name, amount in increments.items()}
    db.session.execute(
        update(model).where(model.id == row_id).values(**values).execution_options(synchronize_session=False)
    )


# When a process is busy (docs/h5.md "Overload"): in a whole second, at least BUSY_SHARE of its heartbeats (and
# BUSY_MIN or more) waited in the queue before the app longer than STAYTIME_BUSY_QUEUE_MS; it then stays busy for
# BUSY_HOLD_SECONDS. One slow request at ordinary load (a pause of the machine) does not make it busy.
BUSY_SHARE = 0.1
BUSY_MIN = 20
BUSY_HOLD_SECONDS = 10
BUSY_METER = "zhugeleida_heartbeat_busy_meter"  # app.extensions key: the process's BusyMeter


class BusyMeter:
    """Counts this process's heartbeats per second, and those that queued (see BUSY_SHARE). Approximate under
    threads (an increment may be lost): it only decides how often pages beat."""

    def __init__(self):
        self.second, self.seen, self.queued, self.until = 0, 0, 0, 0.0

    def note(self, now: float, queued: bool) -> bool:
        """Count one heartbeat; whether the process is busy."""
        second = int(now)
        if second != self.second:
            if second == self.second + 1 and self.seen >= BUSY_MIN and self.queued >= BUSY_SHARE * self.seen:
                self.until = now + BUSY_HOLD_SECONDS
            self.second, self.seen, self.queued = second, 0, 0
        self.seen += 1
        self.queued += queued
        return now < self.until


def heartbeat_interval() -> int:
    """15.1's heartbeat_interval: the seconds the article page waits between two heartbeats."""
    return current_app.config["STAYTIME_HEARTBEAT_INTERVAL"]


def next_heartbeat(request_start: str | None) -> int:
    """16.5's heartbeat_interval: 15.1's, or twice that (at most STAYTIME_MAX_STEP) while this process is busy
    (BusyMeter; `request_start` is the proxy's X-Request-Start, "t=<epoch seconds>"): then every page slows
    down, not only the one whose heartbeat waited, and the app's threads go to the reads."""
    config = current_app.config
    interval = config["STAYTIME_HEARTBEAT_INTERVAL"]
    busy_ms = config["STAYTIME_BUSY_QUEUE_MS"]
    if not busy_ms:
        return interval
    meter = current_app.extensions.get(BUSY_METER)
    if meter is None:
        meter = current_app.extensions[BUSY_METER] = BusyMeter()
    now = time.time()
    queued = bool(request_start) and queued_ms(request_start, now) > busy_ms
    if meter.note(now, queued):
        return min(2 * interval, config["STAYTIME_MAX_STEP"])
    return interval


def queued_ms(request_start: str, now: float) -> float:
    """How long a request waited between the proxy and the app; 0 when the header says nothing usable (not a
    time, or one from a clock that disagrees with this host's by a minute)."""
    try:
        started = float(request_start.removeprefix("t="))
    except ValueError:
        return 0.0
    waited = (now - started) * 1000
    return waited if 0 <= waited < 60_000 else 0.0


def _article_out(company_id: int, article_id: int, prefetched: dict | None = None) -> dict:
    """15.1's article (H5ArticleOutSchema) of a published article of the company (302 otherwise); cached in the
    hot buffer when it is on (app/services/hot_buffer.py)."""

    def load() -> dict:
        article = readable_article(company_id, article_id, with_relations=True)
        return {"company_id": article.company_id, "status": article.status, "out": H5ArticleOutSchema().dump(article)}

    payload = hot_buffer.cached_article(article_id, load, prefetched) if hot_buffer.enabled() else load()
    if payload["company_id"] != company_id or payload["status"] != STATUS_PUBLISHED:
        raise ApiError.not_found("文章")
    return payload["out"]


def reader_card(company_id: int, uid: int, prefetched: dict | None = None) -> dict | None:
    """15.1's user_card: the company's radar user uid's card (RadarUserCardSchema), None when it has none
    (app/services/cards.py); cached in the hot buffer when it is on."""

    def load() -> dict | None:
        card = cards.radar_user_card(company_id, uid)
        return RadarUserCardSchema().dump(card) if card else None

    return hot_buffer.cached_card(company_id, uid, load, prefetched) if hot_buffer.enabled() else load()


def view_article(customer: Customer, article_id: int, uid: int, pid: int | None) -> tuple[dict, int, dict | None]:
    """15.1: the article (H5ArticleOutSchema), one read on it and on the customer's tree row, the id of the view
    heartbeats refer to, and uid's card (`reader_card`). Core statements only (the read is the customers'
    costliest request): the tree row's id, the view's INSERT, the event (`log_action`); the cached article and
    card in one Redis round trip."""
    buffered = hot_buffer.enabled()
    keys = (hot_buffer.article_key(article_id), hot_buffer.card_key(customer.company_id, uid))
    cached = hot_buffer.prefetch(*keys) if buffered else {}
    article = _article_out(customer.company_id, article_id, cached)
    share_id = chain_row_id(article_id, uid, customer.id, pid)
    if not buffered:
        _bump(Article, article_id, read_count=1)
        _bump(ArticleShare, share_id, read_count=1)
    now = utcnow().replace(microsecond=0)  # heartbeats compare it: the same precision on every database
    view = {
        "company_id": customer.company_id,
        "article_id": article_id,
        "customer_id": customer.id,
        "share_id": share_id,
        "create_date": now,
        "last_beat_at": now,
    }
    view_id = db.session.connection().execute(_NEW_VIEW, view).inserted_primary_key[0]
    log_action(customer, ACTION_READ_ARTICLE, uid, article_id)
    if buffered:
        counts = {f"{hot_buffer.ARTICLE_READ}:{article_id}": 1, f"{hot_buffer.SHARE_READ}:{share_id}": 1}
        hot_buffer.add_after_commit(counts, hot_buffer.ViewEntry(view_id, customer.id, article_id, share_id, now))
        hot_buffer.remember_customer(customer)
    return article, view_id, reader_card(customer.company_id, uid, cached)


def forward_article(customer: Customer, article_id: int, data: dict) -> None:
    """16.4: the customer forwarded the article to a friend (1) or to its moments (2)."""
    if hot_buffer.enabled():  # a published article of the company, else 302: from the cache, or one query
        _article_out(customer.company_id, article_id)
    else:
        readable_article(customer.company_id, article_id)
    share_id = chain_row_id(article_id, data["uid"], customer.id, data["pid"])
    to_friend = data["forward_type"] == FORWARD_FRIEND
    if hot_buffer.enabled():
        kind = hot_buffer.SHARE_FRIEND if to_friend else hot_buffer.SHARE_MOMENTS
        hot_buffer.add_after_commit({f"{hot_buffer.ARTICLE_FORWARD}:{article_id}": 1, f"{kind}:{share_id}": 1})
    else:
        _bump(Article, article_id, forward_count=1)
        _bump(ArticleShare, share_id, **{"forward_friend_count" if to_friend else "forward_moments_count": 1})
    log_action(customer, ACTION_FORWARD_FRIEND if to_friend else ACTION_FORWARD_MOMENTS, data["uid"], article_id)
    db.session.flush()


def heartbeat(caller, article_id: int, view_id: int) -> int:
    """16.5: add the time since the view's previous heartbeat (at most STAYTIME_MAX_STEP seconds) to the view
    and its tree row; the server's clock measures it, so a client cannot inflate it. Returns the seconds added.
    `caller` is hot_buffer.signed_customer()'s: with the buffer on, the heartbeat is counted in Redis."""
    if isinstance(caller, hot_buffer.SignedCustomer):
        step = hot_buffer.heartbeat(caller, article_id, view_id)
        if step is not None:
            return step
        caller = hot_buffer.customer_row(caller)  # Redis unreachable: straight to the database
    view = db.session.get(ArticleView, view_id)
    if view is None or view.customer_id != caller.id or view.article_id != article_id:
        raise ApiError.not_found("查看文章日志")
    now = utcnow().replace(microsecond=0)
    step = max(0, min(int((now - view.last_beat_at).total_seconds()), current_app.config["STAYTIME_MAX_STEP"]))
    # Compare-and-set on last_beat_at: of two concurrent heartbeats only one counts the interval.
    claimed = db.session.execute(
        update(ArticleView)
        .where(ArticleView.id == view.id, ArticleView.last_beat_at == view.last_beat_at)
        .values(last_beat_at=now, stay_time=ArticleView.stay_time + step)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return 0
    _bump(ArticleShare, view.share_id, stay_time=step)
    return step


# --- 16.6: the radar user's ranking ----------------------------------------------------------------


def ranking(radar_user: RadarUser, article_id: int, query: dict) -> tuple[int, int, list[ArticleShare], int]:
    """(level_num, level shown, that level's rows of the caller's own chain — longest stay, then most reads —,
    their total). Level 0 asks for the depth and level 1."""
    if query["uid"] is not None and query["uid"] != radar_user.id:
        raise ApiError.forbidden("只能查看自己分享的文章的转发链")
    article = get_for_company(Article, article_id, radar_user.company_id, "文章")
    chain = (ArticleShare.article_id == article.id, ArticleShare.radar_user_id == radar_user.id)
    level_num = db.session.scalar(select(func.max(ArticleShare.level)).where(*chain)) or 0
    level = query["level"] or 1
    stmt = (
        select(ArticleShare)
        .where(*chain, ArticleShare.level == level)
        .options(joinedload(ArticleShare.customer))
        .order_by(ArticleShare.stay_time.desc(), ArticleShare.read_count.desc(), ArticleShare.id)
    )
    rows, total = paginate(stmt, query["current_page"], query["length"])
    return level_num, level, rows, total
