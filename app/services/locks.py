"""Row locks that serialize concurrent requests on one company (the seat quota, the statistics rollups)."""

from sqlalchemy import select, update

from app.extensions import db
from app.models.company import Company


def lock_company(company_id: int) -> Company:
    """Lock the company row until the transaction ends, so quota checks of concurrent requests run one at a time.

    SQLite has no row locks: a write takes the database's write lock instead, before anything is counted.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        touch = update(Company).where(Company.id == company_id).values(id=Company.id)
        db.session.execute(touch.execution_options(synchronize_session=False))
    stmt = select(Company).where(Company.id == company_id).with_for_update()
    return db.session.scalars(stmt.execution_options(populate_existing=True)).one()
