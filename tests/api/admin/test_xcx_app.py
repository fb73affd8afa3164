"""12.1 every authorised mini-program with the status of its newest release (role 1 only)."""

from app.extensions import db
from app.models.open_platform import AUDIT_REJECTED, CodeRelease, MiniProgramApp
from app.timefmt import utcnow
from tests.conftest import body

URL = "/zhugeleida/admin/xcx_app"
KEYS = {
    "id",
    "appid",
    "name",
    "belong_user",
    "company_id",
    "company_name",
    "version_num",
    "template_id",
    "status",
    "status_text",
    "status_time",
    "experience_qrcode",
    "reason",
}


def seed_apps(make, n: int, authorized: bool = True) -> list[MiniProgramApp]:
    """Rows as the authorization leaves them, each with two releases (the newest counts)."""
    apps = []
    for i in range(n):
        company = make.company()
        admin = make.admin(company, username=f"张聪{i}")
        app = MiniProgramApp(
            company_id=company.id,
            authorizer_appid=f"wxa1b2c3d4e5f7{len(apps) + n * 100:04d}",
            refresh_token="refreshtoken@@@x",
            authorized=authorized,
            name=f"小程序{i}",
            authorizer_admin_id=admin.id,
        )
        db.session.add(app)
        db.session.flush()
        for version, status in (("v1.0", 7), ("v1.2", AUDIT_REJECTED)):
            db.session.add(
                CodeRelease(
                    company_id=company.id,
                    app_id=app.id,
                    template_id=5,
                    user_version=version,
                    user_desc="d",
                    ext_json="{}",
                    status=status,
                    status_time=utcnow(),
                    reason="1:小程序内容不符合规则" if status == AUDIT_REJECTED else None,
                )
            )
        apps.append(app)
    db.session.commit()
    return apps


def test_list_shape(api, make):
    apps = seed_apps(make, 2)
    seed_apps(make, 1, authorized=False)  # cancelled: not listed
    root = make.superadmin()
    answer = body(api.as_(root).get(URL))
    assert (answer["code"], answer["msg"], answer["data"]["data_count"]) == (200, "查询成功", 2)
    items = answer["data"]["ret_data"]
    assert [i["id"] for i in items] == [apps[1].id, apps[0].id] and set(items[0]) == KEYS
    item = items[1]
    assert (item["status"], item["status_text"], item["version_num"], item["template_id"]) == (
        6,
        "审核未通过",
        "v1.2",
        5,
    )
    assert item["reason"] == "1:小程序内容不符合规则" and item["belong_user"] == "张聪0"
    assert len(item["status_time"]) == len("2018-08-22 15:20")


def test_paging_and_query_count(api, make, count_queries):
    seed_apps(make, 3)
    root = make.superadmin()
    page = body(api.as_(root).get(URL, {"current_page": 2, "length": 2}))["data"]
    assert page["data_count"] == 3 and len(page["ret_data"]) == 1
    assert body(api.as_(root).get(URL, {"length": 101}))["code"] == 303
    assert body(api.as_(root).get(URL, {"current_page": "x"}))["code"] == 301
    with count_queries() as few:
        api.as_(root).get(URL)
    seed_apps(make, 7)
    with count_queries() as many:
        assert len(body(api.as_(root).get(URL))["data"]["ret_data"]) == 10
    assert many() == few() + 1  # + the count: a full page does not tell the total (app/pagination.py)


def test_only_role_1(api, make):
    seed_apps(make, 1)
    company_admin = make.admin()
    assert body(api.as_(company_admin).get(URL))["code"] == 403
    assert body(api.get(URL))["code"] == 400
