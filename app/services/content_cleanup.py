"""Re-apply the stored-content rules (app/sanitize.py) to rows written before them: `flask sanitize-content`."""

from sqlalchemy import select

from app.extensions import db
from app.models.article import Article
from app.models.company import Company
from app.models.open_platform import MiniProgramApp
from app.models.plugin import Activity, MingpianCard
from app.sanitize import clean_html, url_error

RICH_TEXT = [(Article, ("content", "insert_ads"))]
URLS = [
    (Article, ("cover_picture",)),
    (MingpianCard, ("avatar", "webchat_code")),
    (Activity, ("skip_link",)),
    (MiniProgramApp, ("head_img",)),
    (Company, ("wechat_qr_code",)),
]


def _clean_rich(value):
    return clean_html(value) if value else value


def _clean_url(value):
    return "" if value and url_error(value) else value


def _sweep(model, columns, clean, batch: int) -> set[int]:
    """Ids of the rows of `model` changed; committed every `batch` rows, by ascending id."""
    changed, last_id = set(), 0
    while True:
        rows = db.session.scalars(select(model).where(model.id > last_id).order_by(model.id).limit(batch)).all()
        if not rows:
            return changed
        for row in rows:
            before = [getattr(row, column) for column in columns]
            after = [clean(value) for value in before]
            if after != before:
                for column, value in zip(columns, after, strict=True):
                    setattr(row, column, value)
                changed.add(row.id)
        last_id = rows[-1].id
        db.session.commit()


def clean_stored_content(batch: int = 500) -> dict[str, int]:
    """Clean every stored rich-text field and clear every URL field that breaks the rule; counts per table."""
    changed: dict[str, set[int]] = {}
    for rules, clean in ((RICH_TEXT, _clean_rich), (URLS, _clean_url)):
        for model, columns in rules:
            changed.setdefault(model.__tablename__, set()).update(_sweep(model, columns, clean, batch))
    return {table: len(ids) for table, ids in changed.items()}
