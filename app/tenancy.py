"""The tenant a console request acts for: the calling admin and the company it is confined to (docs/architecture.md,
"Tenancy"). Every rule of the kind "another company's id answers 302, exactly as a missing one" lives here."""

from app.extensions import db
from app.models.admin import AdminUser
from app.models.company import Company
from app.responses import ApiError


def get_for_company(model, obj_id, company_id: int | None, what: str = "对象"):
    """`model` row `obj_id`, or 302 when missing or outside `company_id` (None = any company).

    For a principal that is no admin (a customer, a radar user) or an object's own company; an admin request
    asks its Tenant (`Tenant.get`)."""
    obj = db.session.get(model, obj_id) if obj_id is not None else None
    if obj is None or (company_id is not None and obj.company_id != company_id):
        raise ApiError.not_found(what)
    return obj


class Tenant:
    """The caller (`admin`) and its `scope`: the company it is confined to, None for the platform operator
    (role 1), who may act on any company. `app.auth.tenant_scope()` builds the request's."""

    __slots__ = ("admin", "scope")

    def __init__(self, admin: AdminUser):
        self.admin = admin
        self.scope: int | None = None if admin.is_superadmin else admin.company_id

    def __repr__(self) -> str:
        return f"Tenant(admin={self.admin.id}, scope={self.scope})"

    def owns(self, obj) -> bool:
        """Whether `obj` (a row with a company_id) is the tenant's."""
        return self.scope is None or obj.company_id == self.scope

    def get(self, model, obj_id, what: str = "对象"):
        """`model` row `obj_id`, or 302 when missing or another company's."""
        return get_for_company(model, obj_id, self.scope, what)

    def check(self, company_id: int | None) -> int | None:
        """A company id named in the input must be the caller's own (302 otherwise); role 1 may name any."""
        if self.scope is not None and company_id is not None and company_id != self.scope:
            raise ApiError.not_found("公司")
        return company_id

    def resolve(self, requested: int | None, what: str = "公司") -> Company:
        """The company a request acts on: the one named (by default the caller's own). A confined caller may
        name only its own (302 for another company's id); an id naming no company is 302 (`what`) too."""
        company_id = self.check(requested if requested is not None else self.admin.company_id)
        company = db.session.get(Company, company_id)
        if company is None:
            raise ApiError.not_found(what)
        return company

    def within(self, requested: int | None) -> "Tenant":
        """The tenant narrowed to the company a list or filter names: a confined caller stays itself (302 when it
        names another company); role 1 becomes confined to the company named, if one is."""
        self.check(requested)
        if self.scope is not None or requested is None:
            return self
        narrowed = Tenant(self.admin)
        narrowed.scope = requested
        return narrowed

    def list_company(self, requested: int | None = None) -> int | None:
        """The company a list is limited to. A confined caller's list stays its own whatever company it asks for
        (a filter it cannot widen); role 1's is the `requested` one, or None (every company's) when none is."""
        return self.scope if self.scope is not None else requested

    def confine(self, stmt, model, requested: int | None = None):
        """`stmt` (a select of `model`) limited to the tenant's company (`list_company`)."""
        company_id = self.list_company(requested)
        return stmt if company_id is None else stmt.where(model.company_id == company_id)
