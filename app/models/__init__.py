"""Every model module, imported so that the metadata (and Alembic) sees all tables."""

from app.models import admin, company  # noqa: F401
