"""The tenancy matrix (docs/architecture.md): every route that takes an object id — in its path, its query string
or its form — called with another tenant's object, by the principal of another company (company B's admin,
radar user, customer or scan-to-join invite), and where the rules forbid it by a role-3 user of the object's
own company: refused (302, or 403 for what role 2/3 may not do at all) and nothing changed in the database.

Every case also has a control: the same request with the caller's own ids (or by the object's owner) is
answered as usual, so a refusal proves the tenancy check and not a malformed request.

`test_every_id_taking_route_has_a_matrix_entry` walks the URL map and the marshmallow schemas each view loads:
a new route with a path id, or a new id-like parameter, fails it until it gets a case here or an explicit
exemption with its reason.
"""

import base64
import inspect
import io
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from marshmallow import Schema, fields
from PIL import Image
from sqlalchemy import select

from app.access import ROLE_RULES
from app.auth import invite_params, required_rule
from app.declare import declared
from app.extensions import db
from app.models.admin import ROLE_MEMBER, AccessRule, Role
from app.models.article import STATUS_PUBLISHED
from app.models.jobs import FINISHED, Job
from app.models.open_platform import MiniProgramApp, OfficialAccountApp
from app.models.oplog import OperationLog
from app.models.share import ArticleView
from app.schemas.fields import JSONList
from app.schemas.upload import UploadId
from tests.conftest import PASSWORD, body
from tests.fixtures import one_commit, save
from tests.fixtures.articles import GOODS_CONTENT
from tests.fixtures.content import sample_content

A = "/zhugeleida/admin"
G = "/zhugeleida/gongzhonghao"
Q = "/zhugeleida/qiyeweixin"
NOT_AUTHORISED = 303  # the company's mini-program / official account is not authorised (a business answer)


# --- the world: two companies, each with one of everything ---------------------------------------------


class World:
    """Company A (the victim) and company B (the caller), every kind of object in A, the few in B that the
    controls need, and the principals: admin_a/admin_b (role 2), member_a (role 3), radar_*, customer_*."""

    def __init__(self, make, radar, pa_make, content_factory, share_make):
        self.a, self.b = make.company("甲公司"), make.company("乙公司")
        self.superadmin = make.superadmin(make.company("平台"))
        self.admin_a, self.admin_b = make.admin(self.a), make.admin(self.b)
        self.member_a, self.member_b = make.member(self.a), make.member(self.b)
        self.other_a = make.member(self.a, login_user="jia_other")
        self.dept_a, self.dept_b = radar.department(self.a), radar.department(self.b)
        self.radar_a = radar.user(self.a, [self.dept_a], username="甲雷达")
        self.radar_b = radar.user(self.b, [self.dept_b])
        self.temp_a = radar.temp_user(self.a, [self.dept_a], inviter=self.admin_a)
        self.temp_b = radar.temp_user(self.b, [self.dept_b], inviter=self.admin_b)
        self.customer_a, self.customer_b = radar.customer(self.a), radar.customer(self.b)
        self.product_a, self.product_b = content_factory.product(self.a), content_factory.product(self.b)
        self.feedback_a = content_factory.feedback(self.radar_a)
        self.template = content_factory.template(name="模板")
        # Names no object of B contains: the confined lists look for them in the answer.
        self.card_a, self.goods_a = (
            pa_make.card(self.admin_a, username="甲名片"),
            pa_make.goods(self.admin_a, title="甲商品"),
        )
        self.activity_a, self.activity_b = (
            pa_make.activity(self.admin_a, title="甲活动"),
            pa_make.activity(self.admin_b),
        )
        self.tag_a, self.spare_tag_a, self.tag_b = (
            pa_make.tag(self.a, "甲标签"),
            pa_make.tag(self.a),
            pa_make.tag(self.b),
        )
        self.article_a = pa_make.article(self.admin_a, [self.tag_a], status=STATUS_PUBLISHED, title="甲文章")
        self.article_b = pa_make.article(self.admin_b, [self.tag_b], status=STATUS_PUBLISHED)
        self.group_a, self.empty_group_a = pa_make.group(self.admin_a, "甲分组"), pa_make.group(self.admin_a)
        self.group_b = pa_make.group(self.admin_b)
        self.detail_a, self.detail_b = pa_make.speech(self.group_a, "甲话术"), pa_make.speech(self.group_b)
        self.share_a = share_make.row(self.article_a, self.radar_a, self.customer_a)
        self.share_b = share_make.row(self.article_b, self.radar_b, self.customer_b)
        self.view_a, self.view_b = self._view(self.share_a), self._view(self.share_b)
        self.job_a = self._add(Job(id=uuid.uuid4().hex, kind="wechat_work.sync", company_id=self.a.id, status=FINISHED))
        self.log_a = self._add(
            OperationLog(action="article_tag", company_id=self.a.id, admin_id=self.admin_a.id, admin_name="甲日志人")
        )
        self.platform_job = self._add(Job(id=uuid.uuid4().hex, kind="code_release.poll", status=FINISHED))
        self.xcx_a = self._add(MiniProgramApp(company_id=self.a.id, authorizer_appid="wxa1b2c3d4e5f6a7b8"))
        self.gzh_a = self._add(OfficialAccountApp(company_id=self.a.id, authorizer_appid="wx6ba07e6ddcdc6900"))
        self.parent_rule = self._add(AccessRule(name="自定义父权限", url_path="custom_parent"))
        self.rule = self._add(AccessRule(name="自定义权限", url_path="custom_rule"))
        self.role = self._add(Role(name="自定义角色"))

    def _add(self, row):
        return save(row)

    def _view(self, share):
        return self._add(
            ArticleView(
                company_id=share.company_id,
                article_id=share.article_id,
                customer_id=share.customer_id,
                share_id=share.id,
            )
        )


@pytest.fixture
def world(make, radar, pa_make, content_factory, share_make) -> World:
    with one_commit():  # about fifty rows: flushed as made, committed once
        return World(make, radar, pa_make, content_factory, share_make)


# --- cases ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Req:
    method: str
    path: str
    query: dict = field(default_factory=dict)
    form: dict | None = None


def get(path, **query) -> Req:
    return Req("GET", path, query)


def post(path, form=None, **query) -> Req:
    return Req("POST", path, query, form or {})


Build = Callable[[World], Req]


@dataclass(frozen=True)
class Case:
    """`attack` is made by `caller` with another company's id; `control` by `owner` with its own ids.

    `params` are the id parameters the case covers: "path:o_id", "query:company_id", "form:tags_id_list", ...
    `refused` is the code the attack gets; `superadmin` cases are role 1's only (403 for role 2 and 3).
    `confined`: a list filter that role 2 cannot widen — the answer is the caller's own list, in which the
    victim's object (`marker`) must not appear. `check` replaces the default assertion on the attack.
    """

    name: str
    endpoint: str
    params: tuple[str, ...]
    attack: Build
    control: Build | None = None  # None: the attack's request, made by the owner
    caller: str = "admin_b"
    owner: str = "admin_a"
    refused: int = 302
    control_code: int = 200
    superadmin: bool = False
    confined: Callable[[World], str] | None = None
    check: Callable[[World, dict], None] | None = None
    member_forbidden: bool = False  # a service-level 403 for role 3 beyond the rules
    setup: Callable[[object, World], None] | None = None  # (api, world): state made over HTTP before the attack
    fixtures: tuple[str, ...] = ()  # pytest fixtures the control needs (e.g. the third-party platform)
    rule: str | None = None  # the view's access rule when it is not its blueprint's name (an access_rule marker)


def sa(name, endpoint, params, attack, control=None, **kwargs) -> Case:
    """A role-1-only route: the attack by company B's admin is a 403; the control is by the super admin."""
    return Case(name, endpoint, params, attack, control, superadmin=True, owner="superadmin", **kwargs)


def confined(name, endpoint, param, path, marker, value) -> Case:
    """A list filter (`param` = value(world), the victim's id): role 2 still sees only its own rows, without
    `marker`; role 1 (the control) sees the victim's."""
    key = param.split(":", 1)[1]
    return Case(name, endpoint, (param,), lambda w: get(path, **{key: value(w)}), owner="superadmin", confined=marker)


def answered_with(code: int):
    """A `check`: the attack is answered with `code` (e.g. within the caller's own namespace)."""

    def check(w: World, answer: dict) -> None:
        assert answer["code"] == code, answer

    return check


PRODUCT_FORM = {"name": "改名产品", "price": "99", "reason": "好产品", "content": json.dumps(sample_content())}
CARD_FORM = {"name": "分类", "username": "名片", "position": "销售"}
ACTIVITY_FORM = {"title": "新活动标题"}
SIGN_UP_FORM = {"customer_name": "报名人", "phone": "13912345678", "leave_message": "留言"}
GOODS_FORM = {"title": "新商品", "content": json.dumps(GOODS_CONTENT)}
ARTICLE_FORM = {"title": "新文章", "content": "<p>正文</p>"}
RADAR_FORM = {"username": "新名字", "position": "销售"}
TEMP_FORM = {
    "username": "新申请人",
    "position": "销售",
    "wechat": "wx_new",
    "wechat_phone": "13900001111",
    "mingpian_phone": "13900001111",
}
WEBSITE_FORM = {"website_content": json.dumps([{"type": "guntu", "data": [{"picture_url": "statics/a.png"}]}])}
COMPANY_FORM = {
    "name": "新公司名",
    "charging_start_time": "2026-01-01",
    "open_length_time": 4,
    "mingpian_available_num": 5,
}
LINE_FORM = {"days": 7, "index_type": 1}


def ids(*values) -> str:
    return json.dumps(list(values))


def admin_user_form(w: World, company) -> dict:
    return {"login_user": f"new{company.id}", "password": PASSWORD, "role_id": ROLE_MEMBER, "company_id": company.id}


UPLOAD_ID = "1543567890123"
MERGE_FORM = {"img_name": "a.png", "timestamp": UPLOAD_ID, "chunk_num": 1, "img_source": "article"}


def upload_form(data: bytes) -> dict:
    return {**MERGE_FORM, "chunk": 0, "img_data": base64.b64encode(data).decode()}


def upload_as_a(api, w: World) -> None:
    """A has uploaded chunk 0 of an image under UPLOAD_ID and not merged it yet."""
    image = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(image, format="PNG")
    answer = body(call(api, w, "admin_a", post("/zhugeleida/public/img_upload", upload_form(image.getvalue()))))
    assert answer["code"] == 200, answer


def phone_code_activity_a(api, w: World) -> None:
    """A's activity asks for an SMS code (8.6 as A's admin), so sending one is what its own customer may do."""
    req = post(f"{A}/plugin_report/update/{w.activity_a.id}", {"is_get_phone_code": 1})
    assert body(call(api, w, "admin_a", req))["code"] == 200


ADMIN_CASES = [
    # 3.x access rules, 4.x roles, 6.3-6.5 templates, 7.2/7.3 companies, 5.8, 12.x: role 1 only
    sa("rule update", "admin.access_rules.update", ("path:o_id", "form:super_id_id"),
       lambda w: post(f"{A}/access_rules/update/{w.rule.id}",
                      {"name": "改", "url_path": "custom_rule", "super_id_id": w.parent_rule.id})),
    sa("rule delete", "admin.access_rules.delete", ("path:o_id",),
       lambda w: post(f"{A}/access_rules/delete/{w.rule.id}")),
    sa("rule add under a parent", "admin.access_rules.add", ("form:super_id_id",),
       lambda w: post(f"{A}/access_rules/add/0", {"name": "子", "url_path": "child_rule", "super_id_id": w.rule.id})),
    sa("role update", "admin.admin_role.update", ("path:o_id", "form:rules_list"),
       lambda w: post(f"{A}/admin_role/update/{w.role.id}", {"name": "改", "rules_list": ids(w.rule.id)})),
    sa("role delete", "admin.admin_role.delete", ("path:o_id",), lambda w: post(f"{A}/admin_role/delete/{w.role.id}")),
    sa("role add", "admin.admin_role.add", ("form:rules_list",),
       lambda w: post(f"{A}/admin_role/add/0", {"name": "新角色", "rules_list": ids(w.rule.id)})),
    sa("template update", "admin.website_template.update", ("path:o_id",),
       lambda w: post(f"{A}/website_template/update/{w.template.id}", {"template_content": "[]"})),
    sa("template delete", "admin.website_template.delete", ("path:o_id",),
       lambda w: post(f"{A}/website_template/delete/{w.template.id}")),
    sa("company update", "admin.company.update_company", ("path:o_id",),
       lambda w: post(f"{A}/company/update_company/{w.a.id}", COMPANY_FORM)),
    sa("switch to A's user", "admin.admin_userprofile.switch_admin_user", ("path:o_id",),
       lambda w: post(f"{A}/admin_userprofile/switch_admin_user/{w.other_a.id}")),
    *[
        sa(f"12.x {action}", f"admin.dai_xcx.{action}", ("form:app_ids_list",),
           lambda w, action=action: post(f"{A}/dai_xcx/{action}", {"app_ids_list": ids(w.xcx_a.id)}),
           fixtures=("open_platform",))
        for action in ("submit_audit", "undocode_audit", "relase_code", "revert_code_release")
    ],
    sa("12.3 upload_code", "admin.dai_xcx.upload_code", ("form:app_ids_list", "form:template_id"),
       lambda w: post(f"{A}/dai_xcx/upload_code", {
           "app_ids_list": ids(w.xcx_a.id), "template_id": 1, "user_version": "1.0.1", "user_desc": "修复"}),
       fixtures=("open_platform",)),
    sa("12.1 apps of A", "admin.xcx_app.index", ("query:company_id",),
       lambda w: get(f"{A}/xcx_app", company_id=w.a.id)),
    # the admin's customers and an article's forwarding tree
    Case("customers of A", "admin.customer.index", ("query:company_id",),
         lambda w: get(f"{A}/customer", company_id=w.a.id)),
    Case("customers of A's radar user", "admin.customer.index", ("query:uid",),
         lambda w: get(f"{A}/customer", uid=w.radar_a.id)),
    Case("A's customer", "admin.customer.detail", ("path:o_id",),
         lambda w: get(f"{A}/customer/detail/{w.customer_a.id}")),
    Case("tree of A's article", "admin.customer.forward_tree", ("path:o_id",),
         lambda w: get(f"{A}/customer/forward_tree/{w.article_a.id}")),
    Case("tree through A's radar user", "admin.customer.forward_tree", ("query:uid",),
         lambda w: get(f"{A}/customer/forward_tree/{w.article_b.id}", uid=w.radar_a.id),
         lambda w: get(f"{A}/customer/forward_tree/{w.article_b.id}", uid=w.radar_b.id), owner="admin_b"),
    # 5.1-5.5 admin users
    confined("5.1 admin users of A", "admin.admin_userprofile.index", "query:company_id", f"{A}/admin_userprofile",
             lambda w: w.other_a.login_user, lambda w: w.a.id),
    Case("5.2 add a user to A", "admin.admin_userprofile.add", ("form:company_id",),
         lambda w: post(f"{A}/admin_userprofile/add/0", admin_user_form(w, w.a)),
         lambda w: post(f"{A}/admin_userprofile/add/0", admin_user_form(w, w.b)), owner="admin_b"),
    Case("5.2 add a role-1 user", "admin.admin_userprofile.add", ("form:role_id",),
         lambda w: post(f"{A}/admin_userprofile/add/0", {**admin_user_form(w, w.b), "role_id": 1}),
         lambda w: post(f"{A}/admin_userprofile/add/0", admin_user_form(w, w.b)), owner="admin_b", refused=403),
    Case("5.3 update A's user", "admin.admin_userprofile.update", ("path:o_id",),
         lambda w: post(f"{A}/admin_userprofile/update/{w.other_a.id}", admin_user_form(w, w.b)),
         lambda w: post(f"{A}/admin_userprofile/update/{w.other_a.id}", admin_user_form(w, w.a))),
    Case("5.3 make B's user role 1", "admin.admin_userprofile.update", ("form:role_id",),
         lambda w: post(f"{A}/admin_userprofile/update/{w.member_b.id}", {**admin_user_form(w, w.b), "role_id": 1}),
         lambda w: post(f"{A}/admin_userprofile/update/{w.member_b.id}", admin_user_form(w, w.b)), owner="admin_b",
         refused=403),
    Case("5.3 move B's user into A", "admin.admin_userprofile.update", ("form:company_id",),
         lambda w: post(f"{A}/admin_userprofile/update/{w.member_b.id}", admin_user_form(w, w.a)),
         lambda w: post(f"{A}/admin_userprofile/update/{w.member_b.id}", admin_user_form(w, w.b)), owner="admin_b"),
    Case("5.4 delete A's user", "admin.admin_userprofile.delete", ("path:o_id",),
         lambda w: post(f"{A}/admin_userprofile/delete/{w.other_a.id}")),
    Case("5.5 disable A's user", "admin.admin_userprofile.update_status", ("path:o_id",),
         lambda w: post(f"{A}/admin_userprofile/update_status/{w.other_a.id}", {"status": 2})),
    # 9.x articles, 10.x tags
    Case("9.2 A's article", "admin.article.myarticle", ("path:o_id",),
         lambda w: get(f"{A}/article/myarticle/{w.article_a.id}")),
    Case("9.4 update A's article", "admin.article.update", ("path:o_id",),
         lambda w: post(f"{A}/article/update/{w.article_a.id}", ARTICLE_FORM)),
    Case("9.4 tag B's article with A's tag", "admin.article.update", ("form:tags_id_list",),
         lambda w: post(f"{A}/article/update/{w.article_b.id}", {"tags_id_list": ids(w.tag_a.id)}),
         lambda w: post(f"{A}/article/update/{w.article_b.id}", {"tags_id_list": ids(w.tag_b.id)}), owner="admin_b"),
    Case("9.5 delete A's article", "admin.article.delete", ("path:o_id",),
         lambda w: post(f"{A}/article/delete/{w.article_a.id}")),
    Case("9.3 add with A's tag", "admin.article.add", ("form:tags_id_list",),
         lambda w: post(f"{A}/article/add/0", {**ARTICLE_FORM, "tags_id_list": ids(w.tag_a.id)}),
         lambda w: post(f"{A}/article/add/0", {**ARTICLE_FORM, "tags_id_list": ids(w.tag_b.id)}), owner="admin_b"),
    confined("9.1 articles of A", "admin.article.myarticle_list", "query:company_id", f"{A}/article/myarticle_list",
             lambda w: w.article_a.title, lambda w: w.a.id),
    confined("9.1 articles with A's tag", "admin.article.myarticle_list", "query:tags_list",
             f"{A}/article/myarticle_list", lambda w: w.article_a.title, lambda w: ids(w.tag_a.id)),
    Case("10.3 rename A's tag", "admin.article_tag.update", ("path:o_id",),
         lambda w: post(f"{A}/article_tag/update/{w.tag_a.id}", {"tag_name": "新标签"})),
    Case("10.4 delete A's tag", "admin.article_tag.delete", ("path:o_id",),
         lambda w: post(f"{A}/article_tag/delete/{w.spare_tag_a.id}")),
    confined("10.1 tags of A", "admin.article_tag.index", "query:company_id", f"{A}/article_tag",
             lambda w: w.tag_a.name, lambda w: w.a.id),
    # 7.x companies
    Case("7.3 A's address book", "admin.company.update_tongxunlu", ("path:o_id",),
         lambda w: post(f"{A}/company/update_tongxunlu/{w.a.id}", {"corp_id": "wwunknown", "tongxunlu_secret": "x"}),
         control_code=40013),
    Case("7.4 A's agent", "admin.company.update_agent", ("path:o_id",),
         lambda w: post(f"{A}/company/update_agent/{w.a.id}", {"app_type": 1, "agent_id": 1000002, "app_secret": "x"}),
         control_code=303),
    Case("7.1 A's WeChat Work status", "admin.company.author_status", ("query:company_id",),
         lambda w: get(f"{A}/company/author_status", company_id=w.a.id)),
    # 1.5-1.7 the dashboard
    *[
        Case(f"{section} A's statistics", f"admin.home_page.{endpoint}", ("query:company_id",),
             lambda w, path=path, method=method: Req(method, path, {"company_id": w.a.id}, LINE_FORM))
        for section, endpoint, method, path in (
            ("1.5", "index", "GET", f"{A}/home_page"),
            ("1.6", "acount_data", "GET", f"{A}/home_page/acount_data"),
            ("1.7", "line_info", "POST", f"{A}/home_page/line_info"),
        )
    ],
    Case("A's job", "admin.jobs.show", ("path:job_id",),
         lambda w: get(f"{A}/jobs/{w.job_a.id}")),
    Case("a platform job", "admin.jobs.show", ("path:job_id",),
         lambda w: get(f"{A}/jobs/{w.platform_job.id}"), owner="superadmin"),
    Case("cancel A's job", "admin.jobs.cancel", ("path:job_id",),
         lambda w: post(f"{A}/jobs/cancel/{w.job_a.id}"), control_code=303),  # finished: too late for its owner
    confined("jobs of A", "admin.jobs.index", "query:company_id", f"{A}/jobs", lambda w: w.job_a.id,
             lambda w: w.a.id),
    *[
        Case(f"export {kind} of A", f"admin.export.{kind}", ("form:company_id",),
             lambda w, kind=kind: post(f"{A}/export/{kind}", {"company_id": w.a.id}), rule=rule)
        for kind, rule in (
            ("radar_users", "user"), ("customers", "customer"), ("sign_ups", "plugin_report"),
            ("feedback", "product"), ("dashboard", "home_page"), ("operation_log", "operation_log"),
        )
    ],
    sa("export code releases of A", "admin.export.code_releases", ("form:company_id",),
       lambda w: post(f"{A}/export/code_releases", {"company_id": w.a.id}), rule="xcx_app"),
    Case("export customers of A's radar user", "admin.export.customers", ("form:uid",),
         lambda w: post(f"{A}/export/customers", {"uid": w.radar_a.id}), rule="customer"),
    Case("export the operation log of A's admin", "admin.export.operation_log", ("form:admin_id",),
         lambda w: post(f"{A}/export/operation_log", {"admin_id": w.admin_a.id}), rule="operation_log"),
    confined("operation log of A", "admin.operation_log.index", "query:company_id", f"{A}/operation_log",
             lambda w: w.log_a.admin_name, lambda w: w.a.id),
    confined("operation log of A's admin", "admin.operation_log.index", "query:admin_id", f"{A}/operation_log",
             lambda w: w.log_a.admin_name, lambda w: w.admin_a.id),
    # 11.x / 13.x for a client company: role 1 names it, role 2 only its own
    *[
        Case(f"{path} of A", f"admin.{endpoint}", ("query:company_id",),
             lambda w, method=method, path=path: Req(method, f"{A}/{path}", {"company_id": w.a.id}, {}),
             owner="superadmin", control_code=control, fixtures=("platform",))
        for method, path, endpoint, control in (
            ("GET", "xcx_auth_process", "xcx_auth_process.index", 200),
            ("POST", "xcx_auth_process/update/app_id", "xcx_auth_process.update_app_id", 303),
            ("GET", "xcx_auth_process/update/xcx_get_authorizer_info", "xcx_auth_process.xcx_get_authorizer_info",
             NOT_AUTHORISED),
            ("POST", "xcx_auth_process/update/info", "xcx_auth_process.update_info", 303),
            ("POST", "open_weixin/create_grant_url", "open_weixin.create_grant_url", 200),
            ("GET", "gzh_auth_process", "gzh_auth_process.index", 200),
            ("POST", "gzh_auth_process/update/app_id", "gzh_auth_process.update_app_id", 303),
            ("POST", "open_weixin_gongzhonghao/create_grant_url", "open_weixin_gongzhonghao.create_grant_url", 200),
        )
    ],
    # 8.x plugins
    *[
        case
        for kind, attr, form, marker in (
            ("plugin_mingpian", "card_a", CARD_FORM, "甲名片"),
            ("plugin_report", "activity_a", ACTIVITY_FORM, "甲活动"),
            ("plugin_goods", "goods_a", GOODS_FORM, "甲商品"),
        )
        for case in (
            Case(f"8.x update A's {kind}", f"admin.{kind}.update", ("path:o_id",),
                 lambda w, kind=kind, attr=attr, form=form: post(f"{A}/{kind}/update/{getattr(w, attr).id}", form)),
            Case(f"8.x delete A's {kind}", f"admin.{kind}.delete", ("path:o_id",),
                 lambda w, kind=kind, attr=attr: post(f"{A}/{kind}/delete/{getattr(w, attr).id}")),
            confined(f"8.x {kind} of A", f"admin.{kind}.index", "query:company_id", f"{A}/{kind}",
                     lambda w, marker=marker: marker, lambda w: w.a.id),
        )
    ],
    Case("8.9 sign up for A's activity", "admin.plugin_report.sign_up_activity", ("path:o_id",),
         lambda w: post(f"{A}/plugin_report/sign_up_activity/{w.activity_a.id}", SIGN_UP_FORM)),
    # 2.x products and feedback
    *[
        Case(f"2.x {endpoint} of A's product", f"admin.product.{endpoint}", ("path:o_id",),
             lambda w, endpoint=endpoint, form=form: post(f"{A}/product/{endpoint}/{w.product_a.id}", form),
             member_forbidden=True)  # role 3 may change only the personal products it added
        for endpoint, form in (
            ("update", PRODUCT_FORM),
            ("delete", {}),
            ("change_status", {"status": 2}),
            ("recommend_index", {"index": 7}),
        )
    ],
    Case("2.8 A's feedback", "admin.product.change_feedback_status", ("path:o_id",),
         lambda w: post(f"{A}/product/change_feedback_status/{w.feedback_a.id}", {"status": 2})),
    Case("reply to A's feedback", "admin.product.reply_feedback", ("path:o_id",),
         lambda w: post(f"{A}/product/reply_feedback/{w.feedback_a.id}", {"reply": "已处理"})),
    Case("delete A's feedback", "admin.product.delete_feedback", ("path:o_id",),
         lambda w: post(f"{A}/product/delete_feedback/{w.feedback_a.id}"), member_forbidden=True),
    Case("2.2 A's product", "admin.product.product_single", ("query:product_id",),
         lambda w: get(f"{A}/product/product_single", product_id=w.product_a.id, product_type=1)),
    Case("2.1 products of A", "admin.product.product_list", ("query:company_id",),
         lambda w: get(f"{A}/product/product_list", company_id=w.a.id, product_type=1)),
    Case("2.7 feedback of A", "admin.product.feedback_list", ("query:company_id",),
         lambda w: get(f"{A}/product/feedback_list", company_id=w.a.id)),
    Case("2.3 add a product to A", "admin.product.add", ("form:company_id",),
         lambda w: post(f"{A}/product/add/0", {**PRODUCT_FORM, "product_type": 1, "company_id": w.a.id}),
         lambda w: post(f"{A}/product/add/0", {**PRODUCT_FORM, "product_type": 1, "company_id": w.b.id}),
         owner="admin_b"),
    Case("2.3 a personal product of A's radar user", "admin.product.add", ("form:owner_id",),
         lambda w: post(f"{A}/product/add/0", {**PRODUCT_FORM, "product_type": 2, "owner_id": w.radar_a.id}),
         lambda w: post(f"{A}/product/add/0", {**PRODUCT_FORM, "product_type": 2, "owner_id": w.radar_b.id}),
         owner="admin_b"),
    # 17.x speech scripts
    Case("17.5 add to A's group", "admin.speechDetailsManageOper.add", ("form:talkGroupName",),
         lambda w: post(f"{A}/speechDetailsManageOper/add/0", {"contentWords": "话术", "talkGroupName": w.group_a.id}),
         lambda w: post(f"{A}/speechDetailsManageOper/add/0", {"contentWords": "话术", "talkGroupName": w.group_b.id}),
         owner="admin_b"),
    Case("17.6 update A's detail", "admin.speechDetailsManageOper.update", ("path:o_id",),
         lambda w: post(f"{A}/speechDetailsManageOper/update/{w.detail_a.id}",
                        {"contentWords": "改", "talkGroupName": w.group_b.id}),
         lambda w: post(f"{A}/speechDetailsManageOper/update/{w.detail_a.id}",
                        {"contentWords": "改", "talkGroupName": w.group_a.id})),
    Case("17.6 move B's detail into A's group", "admin.speechDetailsManageOper.update", ("form:talkGroupName",),
         lambda w: post(f"{A}/speechDetailsManageOper/update/{w.detail_b.id}",
                        {"contentWords": "改", "talkGroupName": w.group_a.id}),
         lambda w: post(f"{A}/speechDetailsManageOper/update/{w.detail_b.id}",
                        {"contentWords": "改", "talkGroupName": w.group_b.id}), owner="admin_b"),
    Case("17.7 delete A's detail", "admin.speechDetailsManageOper.delete", ("path:o_id",),
         lambda w: get(f"{A}/speechDetailsManageOper/delete/{w.detail_a.id}")),
    confined("17.8 details of A's group", "admin.speechDetailsManageShow.index", "query:talkGroupId",
             f"{A}/speechDetailsManageShow", lambda w: w.detail_a.content, lambda w: w.group_a.id),
    confined("17.8 details of A", "admin.speechDetailsManageShow.index", "query:company_id",
             f"{A}/speechDetailsManageShow", lambda w: w.detail_a.content, lambda w: w.a.id),
    Case("17.1 add a group to A", "admin.talkGroupManageOper.add", ("form:companyName",),
         lambda w: post(f"{A}/talkGroupManageOper/add/0",
                        {"groupName": "新组", "userProfile": w.admin_a.id, "companyName": w.a.id}),
         lambda w: post(f"{A}/talkGroupManageOper/add/0",
                        {"groupName": "新组", "userProfile": w.admin_b.id, "companyName": w.b.id}), owner="admin_b"),
    Case("17.1 a group owned by A's admin", "admin.talkGroupManageOper.add", ("form:userProfile",),
         lambda w: post(f"{A}/talkGroupManageOper/add/0", {"groupName": "新组", "userProfile": w.admin_a.id}),
         lambda w: post(f"{A}/talkGroupManageOper/add/0", {"groupName": "新组", "userProfile": w.admin_b.id}),
         owner="admin_b"),
    Case("17.2 update A's group", "admin.talkGroupManageOper.update", ("path:o_id",),
         lambda w: post(f"{A}/talkGroupManageOper/update/{w.group_a.id}", {"groupName": "改名"})),
    Case("17.2 move B's group into A", "admin.talkGroupManageOper.update", ("form:companyName",),
         lambda w: post(f"{A}/talkGroupManageOper/update/{w.group_b.id}",
                        {"companyName": w.a.id, "userProfile": w.admin_a.id}),
         lambda w: post(f"{A}/talkGroupManageOper/update/{w.group_b.id}",
                        {"companyName": w.b.id, "userProfile": w.admin_b.id}), owner="admin_b"),
    Case("17.2 give B's group to A's admin", "admin.talkGroupManageOper.update", ("form:userProfile",),
         lambda w: post(f"{A}/talkGroupManageOper/update/{w.group_b.id}", {"userProfile": w.admin_a.id}),
         lambda w: post(f"{A}/talkGroupManageOper/update/{w.group_b.id}", {"userProfile": w.member_b.id}),
         owner="admin_b"),
    Case("17.3 delete A's group", "admin.talkGroupManageOper.delete", ("path:o_id",),
         lambda w: get(f"{A}/talkGroupManageOper/delete/{w.empty_group_a.id}")),
    confined("17.4 groups of A", "admin.talkGroupManageShow.index", "query:company_id", f"{A}/talkGroupManageShow",
             lambda w: w.group_a.name, lambda w: w.a.id),
    confined("17.4 A's group", "admin.talkGroupManageShow.index", "query:talkGroupId", f"{A}/talkGroupManageShow",
             lambda w: w.group_a.name, lambda w: w.group_a.id),
    # 1.x / 5.x radar users and scan-to-join requests
    Case("1.4 radar users of A", "admin.user.index", ("query:company_id",),
         lambda w: get(f"{A}/user", company_id=w.a.id)),
    Case("1.4 radar users of A's department", "admin.user.index", ("query:department",),
         lambda w: get(f"{A}/user", department=w.dept_a.id),
         confined=lambda w: w.radar_a.username),
    Case("add a radar user to A", "admin.user.add", ("query:company_id",),
         lambda w: post(f"{A}/user/add/0", RADAR_FORM, company_id=w.a.id),
         lambda w: post(f"{A}/user/add/0", RADAR_FORM, company_id=w.b.id), owner="admin_b"),
    Case("add a radar user in A's department", "admin.user.add", ("form:department_id",),
         lambda w: post(f"{A}/user/add/0", {**RADAR_FORM, "department_id": ids(w.dept_a.id)}),
         lambda w: post(f"{A}/user/add/0", {**RADAR_FORM, "department_id": ids(w.dept_b.id)}), owner="admin_b"),
    Case("update A's radar user", "admin.user.update", ("path:o_id",),
         lambda w: post(f"{A}/user/update/{w.radar_a.id}", RADAR_FORM)),
    Case("5.9.4 update A's request", "admin.user.update", ("path:o_id",),
         lambda w: post(f"{A}/user/update/{w.temp_a.id}", TEMP_FORM, type="temp_user")),
    Case("move B's radar user into A's department", "admin.user.update", ("form:department_id",),
         lambda w: post(f"{A}/user/update/{w.radar_b.id}", {**RADAR_FORM, "department_id": ids(w.dept_a.id)}),
         lambda w: post(f"{A}/user/update/{w.radar_b.id}", {**RADAR_FORM, "department_id": ids(w.dept_b.id)}),
         owner="admin_b"),
    Case("5.9.4 B's request into A's department", "admin.user.update", ("form:department_id",),
         lambda w: post(f"{A}/user/update/{w.temp_b.id}", {**TEMP_FORM, "department_id": ids(w.dept_a.id)},
                        type="temp_user"),
         lambda w: post(f"{A}/user/update/{w.temp_b.id}", {**TEMP_FORM, "department_id": ids(w.dept_b.id)},
                        type="temp_user"), owner="admin_b"),
    Case("delete A's radar user", "admin.user.delete", ("path:o_id",),
         lambda w: post(f"{A}/user/delete/{w.radar_a.id}")),
    Case("5.9.5 delete A's request", "admin.user.delete", ("path:o_id",),
         lambda w: post(f"{A}/user/delete/{w.temp_a.id}", type="temp_user")),
    Case("1.3 disable A's radar user", "admin.user.update_status", ("path:o_id",),
         lambda w: post(f"{A}/user/update_status/{w.radar_a.id}", {"status": 2})),
    Case("5.9.6 approve A's request", "admin.user.approval_storage_user_info", ("form:user_id_list",),
         lambda w: post(f"{A}/user/approval_storage_user_info/0", {"user_id_list": ids(w.temp_a.id)})),
    Case("5.6 codes of A's radar users", "admin.user.create_small_program_qr_code", ("path:o_id",),
         lambda w: post(f"{A}/user/create_small_program_qr_code/{w.a.id}"), control_code=NOT_AUTHORISED),
    Case("5.6 code of A's radar user", "admin.user.create_small_program_qr_code", ("form:user_id",),
         lambda w: post(f"{A}/user/create_small_program_qr_code/0", {"user_id": w.radar_a.id}),
         control_code=NOT_AUTHORISED),
    Case("5.7 sync A's address book", "admin.user.sync_user_tongxunlu", ("path:o_id",),
         lambda w: post(f"{A}/user/sync_user_tongxunlu/{w.a.id}"), control_code=303),
    Case("1.9 join B into A's department", "admin.user.scan_code_to_add_user", ("form:department_id",),
         lambda w: post(f"{A}/user/scan_code_to_add_user/0", {**TEMP_FORM, "department_id": ids(w.dept_a.id)}),
         lambda w: post(f"{A}/user/scan_code_to_add_user/0", {**TEMP_FORM, "department_id": ids(w.dept_b.id)}),
         caller="invite_b", owner="invite_b"),
    # 6.1-6.2 the website
    Case("6.2 edit A's website", "admin.website.edit", ("path:company_id",),
         lambda w: post(f"{A}/website/edit/{w.a.id}", WEBSITE_FORM)),
    # 3.1 uploads: an upload id (the client's timestamp) is the uploader's own; A's pending upload stays A's
    Case("3.1 a chunk under A's upload id", "public.upload.img_upload", ("form:timestamp",),
         lambda w: post("/zhugeleida/public/img_upload", upload_form(b"not an image")),
         lambda w: post("/zhugeleida/public/img_merge", MERGE_FORM),
         setup=upload_as_a, check=answered_with(200)),
    Case("3.1 merge A's upload", "public.upload.img_merge", ("form:timestamp",),
         lambda w: post("/zhugeleida/public/img_merge", MERGE_FORM),
         setup=upload_as_a, check=answered_with(303)),
    Case("6.1 A's website", "admin.website.index", ("query:company_id",),
         lambda w: get(f"{A}/website", company_id=w.a.id)),
]  # fmt: skip

H5_CASES = [
    # the radar user's side (qiyeweixin), and 14.1 which a radar user signs
    Case("16.6 ranking of A's article", "qiyeweixin.article.customer_effect_ranking_by_level", ("path:o_id",),
         lambda w: get(f"{Q}/article/customer_effect_ranking_by_level/{w.article_a.id}"),
         caller="radar_b", owner="radar_a"),
    Case("16.6 ranking of A's radar user's chain", "qiyeweixin.article.customer_effect_ranking_by_level",
         ("query:uid",),
         lambda w: get(f"{Q}/article/customer_effect_ranking_by_level/{w.article_b.id}", uid=w.radar_a.id),
         lambda w: get(f"{Q}/article/customer_effect_ranking_by_level/{w.article_b.id}", uid=w.radar_b.id),
         caller="radar_b", owner="radar_b", refused=403),
    Case("share link of A's article", "qiyeweixin.article.create_share_url", ("path:o_id",),
         lambda w: get(f"{Q}/article/create_share_url/{w.article_a.id}"),
         caller="radar_b", owner="radar_a", control_code=NOT_AUTHORISED),
    Case("14.1 A's official-account OAuth URL", "gongzhonghao.create_gongzhonghao_auth_url."
         "create_gongzhonghao_auth_url", ("path:o_id",),
         lambda w: get(f"{G}/create_gongzhonghao_auth_url/{w.a.id}"),
         caller="radar_b", owner="radar_a", control_code=NOT_AUTHORISED),
    # the customer's side (gongzhonghao)
    *[
        case
        for endpoint, extra in (("myarticle", {}), ("forward_article", {"forward_type": 1}))
        for case in (
            Case(f"{endpoint} A's article", f"gongzhonghao.article.{endpoint}", ("path:o_id",),
                 lambda w, e=endpoint, x=extra: get(f"{G}/article/{e}/{w.article_a.id}", uid=w.radar_a.id, **x),
                 caller="customer_b", owner="customer_a"),
            Case(f"{endpoint} through A's radar user", f"gongzhonghao.article.{endpoint}", ("query:uid",),
                 lambda w, e=endpoint, x=extra: get(f"{G}/article/{e}/{w.article_b.id}", uid=w.radar_a.id, **x),
                 lambda w, e=endpoint, x=extra: get(f"{G}/article/{e}/{w.article_b.id}", uid=w.radar_b.id, **x),
                 caller="customer_b", owner="customer_b"),
            Case(f"{endpoint} shared by A's customer", f"gongzhonghao.article.{endpoint}", ("query:pid",),
                 lambda w, e=endpoint, x=extra: get(f"{G}/article/{e}/{w.article_b.id}", uid=w.radar_b.id,
                                                    pid=w.customer_a.id, **x),
                 lambda w, e=endpoint, x=extra: get(f"{G}/article/{e}/{w.article_b.id}", uid=w.radar_b.id,
                                                    pid=w.customer_b.id, **x),
                 caller="customer_b", owner="customer_b"),
        )
    ],
    Case("16.5 stay time on A's article", "gongzhonghao.article.staytime", ("path:o_id",),
         lambda w: get(f"{G}/article/staytime/{w.article_a.id}", article_access_log_id=w.view_a.id),
         caller="customer_b", owner="customer_a"),
    Case("16.5 stay time of A's customer's view", "gongzhonghao.article.staytime", ("query:article_access_log_id",),
         lambda w: get(f"{G}/article/staytime/{w.article_b.id}", article_access_log_id=w.view_a.id),
         lambda w: get(f"{G}/article/staytime/{w.article_b.id}", article_access_log_id=w.view_b.id),
         caller="customer_b", owner="customer_b"),
    Case("A's activity page (H5)", "gongzhonghao.plugin_report.activity", ("path:o_id",),
         lambda w: get(f"{G}/plugin_report/activity/{w.activity_a.id}"), caller="customer_b", owner="customer_a"),
    Case("activity page through A's radar user (H5)", "gongzhonghao.plugin_report.activity", ("query:uid",),
         lambda w: get(f"{G}/plugin_report/activity/{w.activity_b.id}", uid=w.radar_a.id),
         lambda w: get(f"{G}/plugin_report/activity/{w.activity_b.id}", uid=w.radar_b.id),
         caller="customer_b", owner="customer_b"),
    Case("A's radar user's card page (H5)", "gongzhonghao.card.card", ("path:uid",),
         lambda w: get(f"{G}/card/{w.radar_a.id}"), lambda w: get(f"{G}/card/{w.radar_b.id}"),
         caller="customer_b", owner="customer_b"),
    Case("8.9 sign up for A's activity (H5)", "gongzhonghao.plugin_report.sign_up_activity", ("path:o_id",),
         lambda w: post(f"{G}/plugin_report/sign_up_activity/{w.activity_a.id}", SIGN_UP_FORM),
         caller="customer_b", owner="customer_a"),
    Case("8.9 SMS code for A's activity (H5)", "gongzhonghao.plugin_report.send_phone_code", ("path:o_id",),
         lambda w: post(f"{G}/plugin_report/send_phone_code/{w.activity_a.id}", {"phone": "13912345678"}),
         # another phone: the attack already counts against the per-phone limit
         lambda w: post(f"{G}/plugin_report/send_phone_code/{w.activity_a.id}", {"phone": "13912345679"}),
         caller="customer_b", owner="customer_a", setup=phone_code_activity_a),
    Case("8.9 sign up through A's radar user (H5)", "gongzhonghao.plugin_report.sign_up_activity", ("query:uid",),
         lambda w: post(f"{G}/plugin_report/sign_up_activity/{w.activity_b.id}", SIGN_UP_FORM, uid=w.radar_a.id),
         lambda w: post(f"{G}/plugin_report/sign_up_activity/{w.activity_b.id}", SIGN_UP_FORM, uid=w.radar_b.id),
         caller="customer_b", owner="customer_b"),
    *[
        Case(f"16.2 share link with A's {param}", "gongzhonghao.work_gongzhonghao_auth."
             "create_gongzhonghao_share_auth_url", (f"query:{param}",),
             lambda w, param=param: get(f"{G}/work_gongzhonghao_auth/create_gongzhonghao_share_auth_url",
                                        **{**_share_query(w, w.b), param: _share_query(w, w.a)[param]}),
             lambda w: get(f"{G}/work_gongzhonghao_auth/create_gongzhonghao_share_auth_url", **_share_query(w, w.b)),
             caller="customer_b", owner="customer_b", control_code=NOT_AUTHORISED)
        for param in ("company_id", "article_id", "uid")
    ],
    Case("16.3 JS-SDK signature for A's pages", "gongzhonghao.work_gongzhonghao_auth.gongzhonghao_share_sign",
         ("query:company_id",),
         lambda w: get(f"{G}/work_gongzhonghao_auth/gongzhonghao_share_sign", company_id=w.a.id,
                       url="http://h5.example.com/a"),
         lambda w: get(f"{G}/work_gongzhonghao_auth/gongzhonghao_share_sign", company_id=w.b.id,
                       url="http://h5.example.com/a"),
         caller="customer_b", owner="customer_b", control_code=NOT_AUTHORISED),
]  # fmt: skip


def _share_query(w: World, company) -> dict:
    mine = company.id == w.a.id
    article, radar = (w.article_a, w.radar_a) if mine else (w.article_b, w.radar_b)
    return {"company_id": company.id, "article_id": article.id, "uid": radar.id}


CASES = ADMIN_CASES + H5_CASES

# Id-taking routes and parameters that are deliberately not in the matrix, with why.
EXEMPT = {
    **{
        (f"admin.{bp}.add", "path:o_id"): "unused placeholder of the document's /add/{o_id} (a new object)"
        for bp in (
            "access_rules", "admin_role", "admin_userprofile", "article", "article_tag", "plugin_goods",
            "plugin_mingpian", "plugin_report", "product", "speechDetailsManageOper", "talkGroupManageOper",
            "user", "website_template",
        )
    },
    ("admin.company.add_company", "path:o_id"): "unused placeholder (a new company; role 1 only)",
    **{
        (f"admin.{bp}.update_app_id", "form:authorization_appid"): "a claim of any appid binds nothing: only the "
        "account's completed grant does (tests/open_platform/test_appid_claims.py)"
        for bp in ("xcx_auth_process", "gzh_auth_process")
    },
    ("admin.user.approval_storage_user_info", "path:o_id"): "unused placeholder (the ids are user_id_list)",
    ("admin.user.create_scan_code", "path:o_id"): "unused placeholder: the code is always the caller's own invite",
    ("admin.user.scan_code_to_add_user", "path:o_id"): "unused placeholder: the invite's signature names the admin",
    ("admin.company.update_agent", "form:agent_id"): "WeChat Work's agent id, checked against WeChat, not ours",
    ("gongzhonghao.article.staytime", "query:uid"): "ignored: the view's own tree row is used (StayTimeSchema)",
    ("gongzhonghao.article.staytime", "query:pid"): "ignored: the view's own tree row is used (StayTimeSchema)",
    **{
        ("gongzhonghao.work_gongzhonghao_auth.login", f"query:{param}"): "16.1 public login: the ids come in a "
        "share link signed with SHARE_SIGN_KEY and are checked against the official account's company "
        "(tests/api/gongzhonghao)"
        for param in ("article_id", "uid", "pid", "company_id", "appid")
    },
    ("gongzhonghao.work_gongzhonghao_auth.login", "query:activity_id"): "16.1 public login: the activity is checked "
    "against the official account's company (tests/api/gongzhonghao/test_entry_pages.py)",
    **{
        ("gongzhonghao.work_gongzhonghao_auth.entry_url", f"query:{param}"): "public: WeChat's OAuth URL of that "
        "company's own activity or card page, built from configuration; the activity and radar user are checked "
        "against the company (tests/api/gongzhonghao/test_entry_pages.py)"
        for param in ("company_id", "activity_id", "uid")
    },
    ("qiyeweixin.work_weixin_auth.login", "path:company_id"): "public login: the company whose WeChat Work app "
    "checks the OAuth code; there is no caller yet",
    ("open_weixin.message.receive", "path:appid"): "WeChat's push, verified with the component token and AES key",
    ("admin.export.download", "path:token"): "a token the server signed (itsdangerous, with an expiry), not an "
    "object id (tests/api/admin/test_export.py)",
    ("docs.docs_assets", "path:filename"): "static files of the docs page",
    ("static", "path:filename"): "static files",
    ("console.page", "path:path"): "the console's built files and its pages (no data)",
    ("h5.page", "path:path"): "the H5 pages' built files and their pages (no data)",
}  # fmt: skip


# --- discovering id parameters: the URL map and the schemas each view declares ------------------------------

# Matched against a field's name in the schema: a contract parameter whose name hides an id (17.x's
# `talkGroupName`, 1.4's `department`) is declared as `group_id = fields.Integer(data_key="talkGroupName")`.
ID_NAME = re.compile(r"(^|_)id$|^(uid|pid)$")
APPID = re.compile(r"appid$")  # a WeChat account's appid names that account, hence its company


def _is_schema(value) -> bool:
    return inspect.isclass(value) and issubclass(value, Schema)


def _loaded_schemas(view) -> set[tuple[type, str]]:
    """(schema class, "query" | "form") of what the view declares it reads (app/declare.py @takes)."""
    reads = declared(view)
    if reads is None:
        return set()
    return {(schema, "form") for schema in reads.bodies} | {(s, "query") for s in (reads.query, reads.also_query) if s}


def _id_like(name: str, schema_field) -> bool:
    if isinstance(schema_field, UploadId):
        return True
    if isinstance(schema_field, JSONList):
        return isinstance(schema_field.item, fields.Integer)
    if isinstance(schema_field, fields.String):
        return bool(APPID.search(name))
    return isinstance(schema_field, fields.Integer) and bool(ID_NAME.search(name))


def id_parameters(app) -> set[tuple[str, str]]:
    """(endpoint, "path:x" | "query:x" | "form:x") of every id a route takes."""
    found = set()
    for rule in app.url_map.iter_rules():
        found |= {(rule.endpoint, f"path:{arg}") for arg in rule.arguments}
        if rule.endpoint == "static":
            continue
        for schema, where in _loaded_schemas(app.view_functions[rule.endpoint]):
            for name, schema_field in schema().fields.items():
                if _id_like(name, schema_field):
                    found.add((rule.endpoint, f"{where}:{schema_field.data_key or name}"))
    return found


def covered() -> set[tuple[str, str]]:
    return {(case.endpoint, param) for case in CASES for param in case.params}


def test_every_id_taking_route_has_a_matrix_entry(app):
    """Does every id a route takes (path, query, form) have a tenancy case or a stated exemption?"""
    missing = id_parameters(app) - covered() - set(EXEMPT)
    assert not missing, f"id-taking routes without a tenancy matrix entry: {sorted(missing)}"


def test_matrix_entries_name_real_routes_and_parameters(app):
    """Is every case and exemption about an id parameter the app really has (no stale entries)?"""
    stale = (covered() | set(EXEMPT)) - id_parameters(app)
    assert not stale, f"matrix entries for ids no route takes: {sorted(stale)}"


def test_role_flags_match_the_views(app):
    """Do the cases' superadmin flags agree with the views (so the role-3 rows below are the right ones)?"""
    for case in CASES:
        view = app.view_functions[case.endpoint]
        assert case.superadmin == getattr(view, "superadmin_only", False), case.name


# --- the matrix --------------------------------------------------------------------------------------------

MEMBER_RULES = set(ROLE_RULES[ROLE_MEMBER][1])


def member_forbidden(case: Case) -> bool:
    """Whether a role-3 user of A may not make the control request at all (rules, role 1 only, or the service)."""
    if case.owner != "admin_a" and not case.superadmin:
        return False
    if not case.endpoint.startswith("admin."):
        return False
    return case.superadmin or case.member_forbidden or _rule(case) not in MEMBER_RULES


def _rule(case: Case) -> str:
    return case.rule or case.endpoint.split(".")[-2]


def test_member_rule_derivation_matches_the_views(app):
    """The role-3 rows use the blueprint name (or the case's `rule`) as the rule: is that what each view is
    guarded by?"""
    for case in CASES:
        if case.endpoint.startswith("admin."):
            view = app.view_functions[case.endpoint]
            assert required_rule(case.endpoint, view) == _rule(case), case.name


MATRIX = [pytest.param(case, case.caller, id=f"{case.name}-{case.caller}") for case in CASES] + [
    pytest.param(case, "member_a", id=f"{case.name}-member_a") for case in CASES if member_forbidden(case)
]


def snapshot() -> dict[str, list]:
    """Every row of every table, as committed (a connection of its own sees what other requests would)."""
    with db.engine.connect() as conn:
        return {
            table.name: sorted((tuple(row) for row in conn.execute(select(table))), key=repr)
            for table in db.metadata.sorted_tables
        }


def call(api, w: World, who: str, req: Req):
    """The request signed as `who`: an admin, radar user or customer (rand_str), or a scan-to-join invite."""
    if who.startswith("invite_"):
        query = {**req.query, **invite_params(getattr(w, "admin_" + who.removeprefix("invite_")))}
        signed = api.as_(None)
        return signed.client.open(req.path, method=req.method, query_string=query, data=req.form)
    signed = api.as_(getattr(w, who))
    query = signed.signed({k: v for k, v in req.query.items() if v is not None})
    return signed.client.open(req.path, method=req.method, query_string=query, data=req.form)


@pytest.mark.parametrize(("case", "who"), MATRIX)
def test_tenancy_matrix(request, api, world, upload_dirs, case: Case, who: str):
    """Another company's object: refused, nothing changed; the same request by its owner: answered."""
    for name in case.fixtures:
        request.getfixturevalue(name)
    if case.setup is not None:
        case.setup(api, world)
    member = who == "member_a"
    control = case.control or case.attack
    request = control(world) if member else case.attack(world)
    before = snapshot()
    answer = body(call(api, world, who, request))
    db.session.rollback()
    if member:
        assert answer["code"] == 403, answer
    elif case.check is not None:
        case.check(world, answer)
    elif case.confined is not None:
        assert answer["code"] == 200, answer
        assert case.confined(world) not in json.dumps(answer, ensure_ascii=False), answer
    else:
        assert answer["code"] == (403 if case.superadmin else case.refused), answer
    assert snapshot() == before, "the refused request changed the database"

    answer = body(call(api, world, case.owner, control(world)))
    db.session.rollback()
    assert answer["code"] == case.control_code, answer
    if case.confined is not None:
        assert case.confined(world) in json.dumps(answer, ensure_ascii=False), answer
