"""Company website content and global website templates (6.x).

A company's website content lives on the company row (Company.website_content)."""

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import CreatedMixin


class WebsiteTemplate(CreatedMixin, db.Model):
    """A website layout every company can start from; global, managed by role 1."""

    __tablename__ = "website_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), default="")
    template_content: Mapped[list] = mapped_column(JSON)
