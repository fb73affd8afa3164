"""Column helpers shared by the models."""

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from app.timefmt import utcnow


class CreatedMixin:
    create_date: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)
