"""Small persistence helpers shared by the services."""

from contextlib import contextmanager

from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models.company import Company
from app.responses import ApiError


def name_taken(column, value, exclude_id=None, **scope) -> bool:
    """Whether a row other than `exclude_id` already has `column == value` (within `scope` columns)."""
    model = column.class_
    stmt = select(model.id).where(column == value)
    for key, val in scope.items():
        stmt = stmt.where(getattr(model, key) == val)
    if exclude_id is not None:
        stmt = stmt.where(model.id != exclude_id)
    return db.session.scalar(select(exists(stmt))) or False


@contextmanager
def unique_or_300(msg: str):
    """Flush inside; a unique-constraint race becomes 300 instead of a 500."""
    try:
        yield
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ApiError.duplicate(msg) from None


def lock_company(company_id: int) -> Company:
    """Lock the company row until the transaction ends, so quota checks of concurrent requests run one at a time.

    SQLite has no row locks: a write takes the database's write lock instead, before anything is counted.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        touch = update(Company).where(Company.id == company_id).values(id=Company.id)
        db.session.execute(touch.execution_options(synchronize_session=False))
    stmt = select(Company).where(Company.id == company_id).with_for_update()
    return db.session.scalars(stmt.execution_options(populate_existing=True)).one()
