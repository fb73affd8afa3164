"""/zhugeleida/admin/customer — the company's customers (list, detail) and an article's forwarding tree.

An extension of the contract for the console (docs/contract_extensions.md); access rule `customer`.
"""

from flask import Blueprint

from app.auth import tenant_scope
from app.declare import Page, answers, page, takes
from app.responses import ok
from app.schemas.answers import CustomerDetailAnswerSchema, ForwardTreeSchema
from app.schemas.customer import (
    CustomerDetailSchema,
    CustomerItemSchema,
    CustomerQuerySchema,
    ForwardTreeQuerySchema,
    TreeNodeSchema,
)
from app.services import customers as service

bp = Blueprint("customer", __name__, url_prefix="/customer")


@bp.get("")
@answers(Page(CustomerItemSchema))
@takes(query=CustomerQuerySchema)
def index(query):
    """客户列表: filters uid (radar user), source, start_date/end_date, has_sign_up, nickname; role 1 company_id."""
    items, total = service.list_customers(tenant_scope(), query)
    return ok(page(items, total, CustomerItemSchema), "查询成功")


@bp.get("/detail/<int:o_id>")
@answers(CustomerDetailAnswerSchema)
def detail(o_id):
    """客户详情: profile, visits by action and the latest events, stay time, forwards, follow-ups, sign-ups."""
    return ok({"ret_data": CustomerDetailSchema().dump(service.customer_detail(tenant_scope(), o_id))}, "查询成功")


@bp.get("/forward_tree/<int:o_id>")
@answers(ForwardTreeSchema)
@takes(query=ForwardTreeQuerySchema)
def forward_tree(o_id, query):
    """文章转发树: who opened whose link of article o_id, by level, each with its reach; the ranking by reach."""
    tree = service.forward_tree(tenant_scope(), o_id, query["uid"])
    data = {
        "article_id": tree["article_id"],
        "title": tree["title"],
        "level_num": tree["level_num"],
        "count": tree["count"],
        "truncated": tree["truncated"],
        "ret_data": TreeNodeSchema(many=True).dump(tree["nodes"]),
        "ranking": TreeNodeSchema(many=True).dump(tree["ranking"]),
    }
    return ok(data, "查询成功")
