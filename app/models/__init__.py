"""Every model module, imported so that the metadata (and Alembic) sees all tables."""

from app.models import (  # noqa: F401
    admin,
    article,
    company,
    jobs,
    plugin,
    product,
    radar,
    speech,
    website,
    wechat,
)
