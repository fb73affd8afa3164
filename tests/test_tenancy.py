"""The Tenant object (app/tenancy.py): resolve, within, get, confine and check, for the platform operator
(role 1, any company) and for a company's admin or member (confined to its own), including the 302 answers."""

import pytest
from sqlalchemy import func, select

from app.auth import tenant_scope
from app.extensions import db
from app.models.radar import RadarUser
from app.responses import ApiError, Code
from app.tenancy import Tenant, get_for_company

MISSING_ID = 999_999


@pytest.fixture
def two(make, radar):
    """Companies A and B with a radar user each; the platform operator sits in a third company."""

    class World:
        a, b = make.company("甲"), make.company("乙")
        platform = make.company("平台")
        superadmin = make.superadmin(platform)
        admin_a, member_a = make.admin(a), make.member(a)
        user_a, user_b = radar.user(a), radar.user(b)

    return World


def refused(call, what: str) -> None:
    with pytest.raises(ApiError) as caught:
        call()
    assert (caught.value.code, caught.value.msg) == (Code.NOT_FOUND, f"{what}ID不存在")


def names(stmt) -> set[str]:
    return set(db.session.scalars(stmt.with_only_columns(RadarUser.username)))


# --- scope ---------------------------------------------------------------------------------------------------


def test_scope_is_none_for_role_1_and_the_company_for_others(two):
    assert Tenant(two.superadmin).scope is None
    assert Tenant(two.admin_a).scope == two.a.id
    assert Tenant(two.member_a).scope == two.a.id
    assert Tenant(two.member_a).admin is two.member_a


def test_tenant_scope_is_the_signed_in_admins_tenant(app, two):
    from flask import g

    with app.test_request_context():
        g.admin = two.admin_a
        tenant = tenant_scope()
    assert (tenant.admin, tenant.scope) == (two.admin_a, two.a.id)


# --- resolve -------------------------------------------------------------------------------------------------


def test_resolve_for_role_1_is_the_company_named_else_its_own(two):
    tenant = Tenant(two.superadmin)
    assert tenant.resolve(two.b.id) == two.b
    assert tenant.resolve(None) == two.platform
    refused(lambda: tenant.resolve(MISSING_ID), "公司")
    refused(lambda: tenant.resolve(MISSING_ID, "归属公司"), "归属公司")


def test_resolve_for_a_company_admin_is_its_own_and_302_for_another(two):
    for caller in (two.admin_a, two.member_a):
        tenant = Tenant(caller)
        assert tenant.resolve(None) == two.a
        assert tenant.resolve(two.a.id) == two.a
        refused(lambda tenant=tenant: tenant.resolve(two.b.id), "公司")
        # a company that does not exist answers exactly as another company's
        refused(lambda tenant=tenant: tenant.resolve(MISSING_ID, "归属公司"), "公司")


# --- check and within ----------------------------------------------------------------------------------------


def test_check_lets_role_1_name_any_company_and_others_only_their_own(two):
    assert Tenant(two.superadmin).check(two.b.id) == two.b.id
    assert Tenant(two.admin_a).check(two.a.id) == two.a.id
    assert Tenant(two.admin_a).check(None) is None
    refused(lambda: Tenant(two.admin_a).check(two.b.id), "公司")


def test_within_narrows_role_1_to_the_company_named(two):
    tenant = Tenant(two.superadmin)
    assert tenant.within(None) is tenant
    narrowed = tenant.within(two.b.id)
    assert (narrowed.admin, narrowed.scope) == (two.superadmin, two.b.id)
    assert tenant.scope is None  # the request's tenant itself is unchanged
    refused(lambda: narrowed.get(RadarUser, two.user_a.id, "雷达用户"), "雷达用户")


def test_within_keeps_a_company_admin_in_its_own_company(two):
    tenant = Tenant(two.admin_a)
    assert tenant.within(None) is tenant
    assert tenant.within(two.a.id) is tenant
    refused(lambda: tenant.within(two.b.id), "公司")


# --- get and owns --------------------------------------------------------------------------------------------


def test_get_for_role_1_finds_any_companys_row(two):
    tenant = Tenant(two.superadmin)
    assert tenant.get(RadarUser, two.user_a.id) == two.user_a
    assert tenant.get(RadarUser, two.user_b.id) == two.user_b
    refused(lambda: tenant.get(RadarUser, MISSING_ID, "雷达用户"), "雷达用户")
    refused(lambda: tenant.get(RadarUser, None), "对象")


def test_get_for_a_company_admin_answers_302_for_another_companys_row(two):
    tenant = Tenant(two.admin_a)
    assert tenant.get(RadarUser, two.user_a.id, "雷达用户") == two.user_a
    refused(lambda: tenant.get(RadarUser, two.user_b.id, "雷达用户"), "雷达用户")
    refused(lambda: tenant.get(RadarUser, MISSING_ID, "雷达用户"), "雷达用户")


def test_owns(two):
    assert Tenant(two.superadmin).owns(two.user_b)
    assert Tenant(two.admin_a).owns(two.user_a)
    assert not Tenant(two.admin_a).owns(two.user_b)


def test_get_for_company_outside_an_admin_request(two):
    """A customer's or a radar user's request names the company itself (None: any)."""
    assert get_for_company(RadarUser, two.user_a.id, two.a.id, "雷达用户") == two.user_a
    assert get_for_company(RadarUser, two.user_b.id, None) == two.user_b
    refused(lambda: get_for_company(RadarUser, two.user_b.id, two.a.id, "雷达用户"), "雷达用户")


# --- confine -------------------------------------------------------------------------------------------------


def test_confine_for_role_1_is_every_company_or_the_one_asked_for(two):
    tenant, stmt = Tenant(two.superadmin), select(RadarUser)
    assert names(tenant.confine(stmt, RadarUser)) == {two.user_a.username, two.user_b.username}
    assert names(tenant.confine(stmt, RadarUser, two.b.id)) == {two.user_b.username}


def test_confine_for_a_company_admin_is_its_own_whatever_it_asks(two):
    tenant, stmt = Tenant(two.admin_a), select(RadarUser)
    assert names(tenant.confine(stmt, RadarUser)) == {two.user_a.username}
    assert names(tenant.confine(stmt, RadarUser, two.b.id)) == {two.user_a.username}


def test_confine_keeps_the_statements_other_clauses(two):
    stmt = select(func.count()).select_from(RadarUser).where(RadarUser.username == two.user_b.username)
    assert db.session.scalar(Tenant(two.admin_a).confine(stmt, RadarUser)) == 0
    assert db.session.scalar(Tenant(two.superadmin).confine(stmt, RadarUser)) == 1
