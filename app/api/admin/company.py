"""7.1–7.4 companies."""

from flask import Blueprint

from app.auth import current_admin, superadmin_only, tenant_scope
from app.declare import Empty, Page, answers, takes
from app.responses import ok
from app.schemas.answers import (
    AgentSavedSchema,
    AuthorStatusSchema,
    CompanyIdSchema,
    CompanyRowSchema,
    JobStartedSchema,
)
from app.schemas.company import (
    AgentSchema,
    AuthorStatusQuerySchema,
    CompanyQuerySchema,
    CompanySchema,
    TongxunluSchema,
)
from app.services import companies as service

bp = Blueprint("company", __name__, url_prefix="/company")


@bp.get("")
@answers(Page(CompanyRowSchema))
@takes(query=CompanyQuerySchema)
def index(query):
    """7.1.1 公司里 - 展示公司数据."""
    companies, total = service.list_companies(tenant_scope(), query)
    return ok({"ret_data": service.company_rows(companies), "data_count": total})


@bp.post("/add_company/<int:o_id>")
@superadmin_only
@answers(CompanyIdSchema)
@takes(CompanySchema)
def add_company(o_id, body):
    """7.2 公司里 - 增加公司."""
    company = service.save_company(body)
    return ok({"company_id": company.id}, "添加成功")


@bp.post("/update_company/<int:o_id>")
@superadmin_only
@answers(Empty)
@takes(CompanySchema)
def update_company(o_id, body):
    """7.3 公司里 - 修改公司."""
    service.save_company(body, service.get_company(o_id))
    return ok(msg="修改成功")


@bp.post("/update_tongxunlu/<int:o_id>")
@answers(JobStartedSchema)
@takes(TongxunluSchema, target=lambda o_id: service.get_company(o_id, tenant_scope()))
def update_tongxunlu(o_id, target, body):
    """7.3 公司里 - 添加企业微信-通讯录."""
    started = service.set_tongxunlu(target, body, current_admin().id)
    return ok({"job_id": started.job.id}, "保存成功")


@bp.post("/update_agent/<int:o_id>")
@answers(AgentSavedSchema)
@takes(AgentSchema, target=lambda o_id: service.get_company(o_id, tenant_scope()))
def update_agent(o_id, target, body):
    """7.4 公司里 - 添加AI雷达/Boss雷达 agent 秘钥."""
    app = service.set_agent(target, body)
    return ok({"name": app.name, "agent_id": app.agent_id}, "保存成功")


@bp.get("/author_status")
@answers(AuthorStatusSchema)
@takes(query=AuthorStatusQuerySchema)
def author_status(query):
    """7.1 公司里 - 企业微信展示授权信息."""
    company = service.get_company(query["company_id"] or current_admin().company_id, tenant_scope())
    return ok({"ret_data": service.author_status(company)})
