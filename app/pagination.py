"""The one paging/ordering helper every list service uses."""

from sqlalchemy import Select, func, select

from app.extensions import db


def order_by(stmt: Select, order: str | None, columns: dict) -> Select:
    """Apply a whitelisted `order` ('col' or '-col'); `columns` maps names to columns."""
    if not order:
        return stmt
    column = columns[order.lstrip("-")]
    return stmt.order_by(column.desc() if order.startswith("-") else column.asc())


def paginate(stmt: Select, current_page: int, length: int) -> tuple[list, int]:
    """(rows of the page, total before paging) of `stmt`, a select of one entity (eager loads as options).

    The page first; the total is counted (a second query) only when the page does not tell it: a page
    shorter than `length` that holds rows, or the empty first page, is the last one (same transaction, same
    snapshot), so the total is what comes before it plus its rows."""
    offset = (current_page - 1) * length
    rows = db.session.scalars(stmt.limit(length).offset(offset)).unique().all()
    if len(rows) < length and (rows or offset == 0):
        return rows, offset + len(rows)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    return rows, total or 0
