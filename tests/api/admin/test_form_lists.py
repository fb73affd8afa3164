"""Read-only lists the console's forms need: the roles an admin may give (admin-user form) and the website
templates a tenant may apply (website editor)."""

from app.extensions import db
from app.models.admin import ROLE_ADMIN, ROLE_MEMBER, ROLE_SUPERADMIN, Role
from tests.conftest import body

ROLES = "/zhugeleida/admin/role_list"
TEMPLATES = "/zhugeleida/admin/website/templates"
ADD_USER = "/zhugeleida/admin/admin_userprofile/add/0"


def _role_ids(payload) -> list[int]:
    return [item["role_id"] for item in payload["data"]["ret_data"]]


def test_role_list_for_roles_2_and_3_leaves_out_role_1(api, make):
    for user in (make.admin(), make.member()):
        payload = body(api.as_(user).get(ROLES))
        assert payload["code"] == 200
        assert payload["data"] == {
            "ret_data": [
                {"role_id": ROLE_ADMIN, "role_name": "管理员"},
                {"role_id": ROLE_MEMBER, "role_name": "普通用户"},
            ],
            "data_count": 2,
        }


def test_role_list_for_role_1_has_every_role(api, make):
    custom = Role(name="运营")
    db.session.add(custom)
    db.session.commit()
    assert _role_ids(body(api.as_(make.superadmin()).get(ROLES))) == [
        ROLE_SUPERADMIN,
        ROLE_ADMIN,
        ROLE_MEMBER,
        custom.id,
    ]


def test_role_list_agrees_with_what_5_2_accepts(api, make):
    """Every listed role is accepted by 5.2 for a role-2 caller; the one left out (role 1) is refused."""
    admin = make.admin()
    client = api.as_(admin)
    for role_id in _role_ids(body(client.get(ROLES))):
        form = {
            "login_user": f"new{role_id}",
            "password": "Passw0rdX",
            "role_id": role_id,
            "company_id": admin.company_id,
        }
        assert body(client.post(ADD_USER, form))["code"] == 200
    form = {"login_user": "root2", "password": "Passw0rdX", "role_id": ROLE_SUPERADMIN, "company_id": admin.company_id}
    assert body(client.post(ADD_USER, form))["code"] == 403


def test_role_list_needs_a_signature(api):
    assert body(api.get(ROLES))["code"] == 400


def test_templates_are_readable_by_every_role(api, make, content_factory):
    old = content_factory.template(name="旧模板", template_content=[{"type": "guntu", "data": []}])
    new = content_factory.template(name="新模板")
    company = make.company()
    for user in (make.superadmin(), make.admin(company), make.member(company)):
        payload = body(api.as_(user).get(TEMPLATES))
        assert payload["code"] == 200 and payload["data"]["data_count"] == 2
        assert {item["id"] for item in payload["data"]["ret_data"]} == {old.id, new.id}
        first = next(item for item in payload["data"]["ret_data"] if item["id"] == old.id)
        assert first["template_content"] == [{"type": "guntu", "data": []}] and first["name"] == "旧模板"


def test_templates_list_matches_6_3_for_role_1(api, make, content_factory):
    for n in range(3):
        content_factory.template(name=f"模板{n}")
    root = api.as_(make.superadmin())
    query = {"length": 2, "current_page": 2}
    assert (
        body(root.get(TEMPLATES, query))["data"] == body(root.get("/zhugeleida/admin/website_template", query))["data"]
    )


def test_templates_stay_read_only_for_tenants(api, make, content_factory):
    template = content_factory.template(name="模板")
    admin = api.as_(make.admin())
    assert body(admin.get("/zhugeleida/admin/website_template"))["code"] == 403  # 6.3 itself is unchanged
    assert body(admin.post(f"/zhugeleida/admin/website_template/delete/{template.id}"))["code"] == 403


def test_templates_paging_is_validated_and_query_count_constant(api, make, content_factory, count_queries):
    client = api.as_(make.admin())
    assert body(client.get(TEMPLATES, {"length": 101}))["code"] == 303
    content_factory.template()
    with count_queries() as few:
        body(client.get(TEMPLATES))
    for _ in range(10):
        content_factory.template()
    with count_queries() as many:
        assert len(body(client.get(TEMPLATES))["data"]["ret_data"]) == 10
    assert many() == few() + 1  # + the count: a full page does not tell the total (app/pagination.py)
