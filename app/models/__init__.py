"""Every model module, imported so that the metadata (and Alembic) sees all tables."""

from app.models import (  # noqa: F401
    admin,
    article,
    company,
    jobs,
    open_platform,
    oplog,
    plugin,
    product,
    radar,
    share,
    sms,
    speech,
    website,
    wechat,
)
