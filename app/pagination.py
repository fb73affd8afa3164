"""The one paging/ordering helper every list service uses."""

from typing import NamedTuple

from sqlalchemy import Select, bindparam, func, select

from app.extensions import db


def order_by(stmt: Select, order: str | None, columns: dict) -> Select:
    """Apply a whitelisted `order` ('col' or '-col'); `columns` maps names to columns."""
    if not order:
        return stmt
    column = columns[order.lstrip("-")]
    return stmt.order_by(column.desc() if order.startswith("-") else column.asc())


class Paged(NamedTuple):
    """A list's page and count statements, built once per shape (`paged`); values are bound at execution."""

    page: Select
    count: Select


def contains(column, name: str):
    """`column` contains the text bound as `name` (its value from `contains_value`): `column.contains(text,
    autoescape=True)` with the text a bind parameter, so that the statement does not change with it."""
    return column.like(bindparam(name), escape="/")


def contains_value(text: str) -> str:
    """The bound value of `contains`: `text` with LIKE's wildcards and the escape character escaped."""
    return "%" + text.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"


def paged(stmt: Select) -> Paged:
    """`stmt` (its values bind parameters) as a page (LIMIT and OFFSET bound too) and a count, for `paginate`.

    A list whose statement is built once per shape (which filters, which order: a `functools.cache`d builder)
    skips building it and computing its cache key on every request, which for an ORM select with loader options
    costs more than the database's answer (docs/operations.md, "Database connections")."""
    page = stmt.limit(bindparam("page_limit")).offset(bindparam("page_offset"))
    return Paged(page, select(func.count()).select_from(stmt.order_by(None).subquery()))


def paginate(stmt: Select | Paged, current_page: int, length: int, params: dict | None = None) -> tuple[list, int]:
    """(rows of the page, total before paging) of `stmt`, a select of one entity (eager loads as options), or a
    `Paged` one with the values of its parameters.

    The page first; the total is counted (a second query) only when the page does not tell it: a page
    shorter than `length` that holds rows, or the empty first page, is the last one (same transaction, same
    snapshot), so the total is what comes before it plus its rows."""
    offset = (current_page - 1) * length
    params = params or {}
    if isinstance(stmt, Paged):
        rows = db.session.scalars(stmt.page, {**params, "page_limit": length, "page_offset": offset}).unique().all()
        count = stmt.count
    else:
        rows = db.session.scalars(stmt.limit(length).offset(offset)).unique().all()
        count = select(func.count()).select_from(stmt.order_by(None).subquery())
    if len(rows) < length and (rows or offset == 0):
        return rows, offset + len(rows)
    return rows, db.session.scalar(count, params) or 0
