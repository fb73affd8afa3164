"""2.1–2.5, 2.9 products: company products (no owner) and radar users' personal products."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models.admin import ROLE_ADMIN, ROLE_SUPERADMIN, AdminUser
from app.models.product import (
    PRODUCT_OFF_SHELF,
    PRODUCT_PUBLISHED,
    PRODUCT_RECOMMENDED,
    PRODUCT_TYPE_PERSONAL,
    Product,
)
from app.models.radar import RadarUser
from app.pagination import paginate
from app.responses import ApiError
from app.services.db import name_taken, unique_or_300
from app.tenancy import Tenant, get_for_company

DUPLICATE_MSG = "产品名称已存在"


def _type_filter(product_type: int):
    return Product.owner_id.is_not(None) if product_type == PRODUCT_TYPE_PERSONAL else Product.owner_id.is_(None)


def list_products(tenant: Tenant, query: dict) -> tuple[list[Product], int]:
    """Company or personal products; status 1 (default) = 已发布 + 推荐, 2 = 已下架; best recommended first."""
    stmt = select(Product).options(joinedload(Product.company), joinedload(Product.owner))
    stmt = stmt.where(_type_filter(query["product_type"]))
    stmt = tenant.within(query["company_id"]).confine(stmt, Product)
    if query["product_name"]:
        stmt = stmt.where(Product.name.contains(query["product_name"], autoescape=True))
    statuses = [PRODUCT_OFF_SHELF] if query["status"] == 2 else [PRODUCT_PUBLISHED, PRODUCT_RECOMMENDED]
    stmt = stmt.where(Product.status.in_(statuses))
    stmt = stmt.order_by(Product.recommend_index.desc(), Product.create_date.desc(), Product.id.desc())
    return paginate(stmt, query["current_page"], query["length"])


def get_product(tenant: Tenant, product_id: int, product_type: int | None = None) -> Product:
    """A product of the caller's tenant (and of `product_type` when given), else 302."""
    product = tenant.get(Product, product_id, "产品")
    if product_type is not None and (product.owner_id is not None) != (product_type == PRODUCT_TYPE_PERSONAL):
        raise ApiError.not_found("产品")
    return product


def _owner_for(data: dict, company_id: int) -> int | None:
    if data["product_type"] != PRODUCT_TYPE_PERSONAL:
        return None
    if data["owner_id"] is None:
        msg = "个人产品须指定所属雷达用户（owner_id）"
        raise ApiError.invalid(msg, {"owner_id": [msg]})
    return get_for_company(RadarUser, data["owner_id"], company_id, "雷达用户").id


def create_product(admin: AdminUser, tenant: Tenant, data: dict) -> Product:
    company_id = tenant.resolve(data["company_id"]).id
    owner_id = _owner_for(data, company_id)
    if name_taken(Product.name, data["name"], company_id=company_id):
        raise ApiError.duplicate(DUPLICATE_MSG)
    product = Product(
        company_id=company_id,
        owner_id=owner_id,
        creator_id=admin.id,
        name=data["name"],
        price=data["price"],
        reason=data["reason"],
        content=data["content"],
    )
    with unique_or_300(DUPLICATE_MSG):
        db.session.add(product)
    return product


def get_writable_product(admin: AdminUser, tenant: Tenant, product_id: int, action: str) -> Product:
    """A product the caller may change (update, delete, list or unlist, reorder): role 1 any, role 2 its
    company's, other roles only the personal products they added (403 otherwise)."""
    product = get_product(tenant, product_id)
    if admin.role_id not in (ROLE_SUPERADMIN, ROLE_ADMIN) and (
        product.owner_id is None or product.creator_id != admin.id
    ):
        raise ApiError.forbidden(f"普通用户不能{action}此产品，只能管理自己添加的个人产品")
    return product


def update_product(admin: AdminUser, tenant: Tenant, product_id: int, data: dict) -> Product:
    product = get_writable_product(admin, tenant, product_id, "修改")
    if name_taken(Product.name, data["name"], exclude_id=product.id, company_id=product.company_id):
        raise ApiError.duplicate(DUPLICATE_MSG)
    with unique_or_300(DUPLICATE_MSG):
        product.name, product.price, product.reason = data["name"], data["price"], data["reason"]
        product.content = data["content"]
    return product


def delete_product(admin: AdminUser, tenant: Tenant, product_id: int) -> None:
    product = get_writable_product(admin, tenant, product_id, "删除")
    db.session.delete(product)
    db.session.flush()


def set_product_status(admin: AdminUser, tenant: Tenant, product_id: int, status: int) -> Product:
    product = get_writable_product(admin, tenant, product_id, "上架或下架")
    product.status = status
    db.session.flush()
    return product


def set_recommend_index(admin: AdminUser, tenant: Tenant, product_id: int, index: int) -> Product:
    product = get_writable_product(admin, tenant, product_id, "调整推荐指数")
    product.recommend_index = index
    db.session.flush()
    return product
