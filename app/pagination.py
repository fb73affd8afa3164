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
    """(rows of the page, total before paging) — two queries whatever the page size."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.scalars(stmt.limit(length).offset((current_page - 1) * length)).unique().all()
    return rows, total or 0
