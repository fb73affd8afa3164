"""6.1–6.2 a company's website content (on the company row) and 6.3–6.5 the global templates."""

from sqlalchemy import select

from app.extensions import db
from app.models.admin import AdminUser
from app.models.company import Company
from app.models.website import WebsiteTemplate
from app.pagination import paginate
from app.responses import ApiError
from app.tenancy import Tenant


def get_website(admin: AdminUser, tenant: Tenant, company_id: int | None) -> Company:
    """The company whose website is asked for (the caller's own by default); 302 outside the tenant.
    `admin` is the tenant's."""
    return tenant.resolve(company_id)


def save_website(admin: AdminUser, tenant: Tenant, company_id: int, content: list) -> Company:
    """6.2: replace the website content of the company `get_website` names."""
    company = get_website(admin, tenant, company_id)
    company.website_content = content
    db.session.flush()
    return company


def list_templates(query: dict) -> tuple[list[WebsiteTemplate], int]:
    stmt = select(WebsiteTemplate).order_by(WebsiteTemplate.create_date.desc(), WebsiteTemplate.id.desc())
    return paginate(stmt, query["current_page"], query["length"])


def _get_template(template_id: int) -> WebsiteTemplate:
    template = db.session.get(WebsiteTemplate, template_id)
    if template is None:
        raise ApiError.not_found("模板")
    return template


def create_template(data: dict) -> WebsiteTemplate:
    template = WebsiteTemplate(name=data["name"] or "", template_content=data["template_content"])
    db.session.add(template)
    db.session.flush()
    return template


def update_template(template_id: int, data: dict) -> WebsiteTemplate:
    template = _get_template(template_id)
    if data["name"] is not None:
        template.name = data["name"]
    template.template_content = data["template_content"]
    db.session.flush()
    return template


def delete_template(template_id: int) -> None:
    db.session.delete(_get_template(template_id))
    db.session.flush()
