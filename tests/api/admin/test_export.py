"""Exports: each kind's content (headers as the console shows them, local times), its tenancy and access rule,
the job, the signed download link and its expiry, csv and xlsx."""

import csv
import io
import time
from datetime import datetime, timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer
from openpyxl import load_workbook

from app.extensions import db
from app.models.oplog import OperationLog
from app.models.radar import RADAR_DISABLED
from app.services import exports
from app.timefmt import fmt_datetime, utcnow
from tests.conftest import body
from tests.fixtures.wechat import wait_for_job

A = "/zhugeleida/admin"
E = f"{A}/export"


@pytest.fixture(autouse=True)
def export_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_DIR", str(tmp_path / "exports"))
    return tmp_path / "exports"


def _export(api, who, kind, form=None, expect=200):
    payload = body(api.as_(who).post(f"{E}/{kind}", form or {}))
    assert payload["code"] == expect, payload
    if expect != 200:
        return payload
    job = wait_for_job(payload["data"]["job_id"])
    assert job.status == "finished", (job.error, job.result)
    return job


def _link(api, who, job) -> dict:
    """The job's result as GET /jobs/<job_id> shows it to `who`."""
    payload = body(api.as_(who).get(f"{A}/jobs/{job.id}"))
    assert payload["code"] == 200, payload
    return payload["data"]["result"]


def _download(app, job):
    from app.models.admin import AdminUser

    creator = db.session.get(AdminUser, job.created_by_id)
    from tests.conftest import Api

    result = _link(Api(app.test_client()), creator, job)
    response = app.test_client().get(result["download_url"])
    assert response.status_code == 200, response.data[:300]
    assert "attachment" in response.headers["Content-Disposition"]
    return response


def _rows(app, job) -> list[list]:
    response = _download(app, job)
    if job.result["format"] == "csv":
        return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def test_radar_users_with_department_status_and_seat(app, api, make, radar):
    admin = make.admin()
    dept = radar.department(admin.company, name="华东销售部")
    on = radar.user(admin.company, [dept], username="张三")
    off = radar.user(admin.company, status=RADAR_DISABLED, username="李四")
    radar.user(make.company(), username="别家的人")
    job = _export(api, admin, "radar_users")
    assert job.company_id == admin.company_id and job.result["rows"] == 2
    header, *rows = _rows(app, job)
    assert header[:5] == ["ID", "姓名", "企业微信账号", "职位", "部门"] and "占用席位" in header
    by_name = {row[1]: row for row in rows}
    assert set(by_name) == {"张三", "李四"}
    assert by_name["张三"][4] == "华东销售部" and by_name["张三"][header.index("状态")] == "启用"
    assert by_name["张三"][header.index("占用席位")] == "是" and by_name["李四"][header.index("占用席位")] == "否"
    assert by_name["张三"][header.index("创建时间")] == fmt_datetime(on.create_date)  # local time (TIMEZONE)
    assert off.id in [row[0] for row in rows]
    assert job.result["file_name"].startswith("企业用户_") and job.result["file_name"].endswith(".xlsx")


def test_customers_with_their_activity(app, api, make, radar, pa_make, share_make):
    admin = make.admin()
    seller = radar.user(admin.company, username="王销售")
    customer = radar.customer(admin.company, nickname="小明", phone="13900001111")
    seen = utcnow() - timedelta(hours=3)
    radar.relation(seller, customer, source=2, last_activity_time=seen)
    radar.events(admin.company, 1, [utcnow(), utcnow()], user=seller, customer=customer)
    article = pa_make.article(admin)
    share_make.row(article, seller, customer, stay_time=75, forward_friend_count=2, forward_moments_count=1)
    pa_make.sign_up(pa_make.activity(admin), customer=customer)
    radar.customer(admin.company, nickname="路人")
    radar.customer(make.company(), nickname="别家客户")
    job = _export(api, admin, "customers", {"format": "csv"})
    header, *rows = _rows(app, job)
    assert header == [
        "客户ID", "昵称", "性别", "手机", "地区", "所属雷达用户", "来源", "访问次数", "停留时长（秒）",
        "转发次数", "报名次数", "最近活跃", "创建时间",
    ]  # fmt: skip
    assert {row[1] for row in rows} == {"小明", "路人"}
    ming = next(row for row in rows if row[1] == "小明")
    assert ming[3:11] == ["13900001111", "", "王销售", "转发", "2", "75", "3", "1"]
    assert ming[11] == fmt_datetime(seen)
    # the list's filters apply
    job = _export(api, admin, "customers", {"format": "csv", "nickname": "路"})
    assert [row[1] for row in _rows(app, job)[1:]] == ["路人"]


def test_role_1_exports_every_company_or_one(app, api, make, radar):
    root = make.superadmin()
    a, b = make.company(), make.company()
    radar.customer(a, nickname="甲客户")
    radar.customer(b, nickname="乙客户")
    header, *rows = _rows(app, _export(api, root, "customers"))
    assert header[-1] == "公司" and {(row[1], row[-1]) for row in rows} == {("甲客户", a.name), ("乙客户", b.name)}
    rows = _rows(app, _export(api, root, "customers", {"company_id": a.id}))[1:]
    assert [row[1] for row in rows] == ["甲客户"]


def test_another_companys_data_cannot_be_exported(api, make, radar):
    admin, other = make.admin(), make.admin()
    theirs = radar.user(other.company)
    for kind in ("radar_users", "customers", "sign_ups", "feedback", "dashboard", "operation_log"):
        assert _export(api, admin, kind, {"company_id": other.company_id}, expect=302)["data"] == {}
    assert _export(api, admin, "customers", {"uid": theirs.id}, expect=302)
    assert _export(api, admin, "code_releases", expect=403)  # role 1 only


def test_access_rules_are_the_lists(api, make):
    member = make.member()
    assert _export(api, member, "customers", expect=403)  # role 3 has no customer list
    assert _export(api, member, "operation_log", expect=403)
    assert _export(api, member, "radar_users", expect=403)
    _export(api, member, "feedback")  # role 3 has the product rule


def test_sign_ups_and_feedback(app, api, make, radar, pa_make, content_factory):
    admin = make.admin()
    activity = pa_make.activity(admin, title="春季试驾")
    pa_make.sign_up(activity, phone="13911112222", name="赵六", leave_message="周末可以")
    pa_make.sign_up(pa_make.activity(make.admin()), phone="13933334444")
    header, *rows = _rows(app, _export(api, admin, "sign_ups"))
    assert header == ["报名ID", "活动", "姓名", "手机", "留言", "客户昵称", "报名时间"]
    assert [row[1:5] for row in rows] == [["春季试驾", "赵六", "13911112222", "周末可以"]]

    author = radar.user(admin.company, username="提意见的人")
    content_factory.feedback(author)
    content_factory.feedback(radar.user(make.company()))
    header, *rows = _rows(app, _export(api, admin, "feedback"))
    assert header[:5] == ["反馈ID", "公司", "雷达用户", "问题类型", "内容"]
    assert [row[1:6] for row in rows] == [[admin.company.name, "提意见的人", "客户服务", "体验不够好", "未处理"]]


def test_dashboard_figures_for_a_date_range(app, api, make, radar):
    admin = make.admin()
    today = datetime.now(exports.local_tz()).date()
    radar.customer(admin.company)
    radar.customer(admin.company)
    start = today - timedelta(days=2)
    job = _export(api, admin, "dashboard", {"start_date": str(start), "end_date": str(today)})
    header, *rows = _rows(app, job)
    assert header == ["日期", "客户数", "跟进数", "浏览数", "被转发数", "被保存数", "被点赞数"]
    assert [row[0] for row in rows] == [str(start + timedelta(days=n)) for n in range(3)]
    assert rows[-1][1] == 2 and rows[0][1] == 0
    too_long = {"start_date": str(today - timedelta(days=400)), "end_date": str(today)}
    assert _export(api, admin, "dashboard", too_long, expect=303)
    assert _export(api, admin, "dashboard", {"start_date": str(today), "end_date": str(start)}, expect=303)


def test_code_release_history(app, api, make):
    from app.models.open_platform import CodeRelease, MiniProgramApp

    root = make.superadmin()
    company = make.company()
    xcx = MiniProgramApp(company_id=company.id, authorizer_appid="wxabcdef0123456789", name="小店")
    db.session.add(xcx)
    db.session.flush()
    db.session.add(
        CodeRelease(
            company_id=company.id, app_id=xcx.id, template_id=7, user_version="1.0.2", user_desc="修复",
            ext_json="{}", status_time=utcnow(),
        )
    )  # fmt: skip
    db.session.commit()
    header, *rows = _rows(app, _export(api, root, "code_releases"))
    assert header[:7] == ["发版ID", "公司", "小程序", "AppID", "模板ID", "版本号", "版本描述"]
    assert [row[1:7] for row in rows] == [[company.name, "小店", "wxabcdef0123456789", 7, "1.0.2", "修复"]]


def test_operation_log_export_is_confined(app, api, make):
    admin, other = make.admin(), make.admin()
    for who in (admin, other):
        assert body(api.as_(who).post(f"{A}/article_tag/add/0", {"tag_name": f"标签{who.id}"}))["code"] == 200
    header, *rows = _rows(app, _export(api, admin, "operation_log", {"action": "article_tag"}))
    assert header[:4] == ["时间", "类别", "操作人ID", "操作人"]
    assert [row[2] for row in rows] == [admin.id]
    # the export request itself is an admin write: recorded once
    db.session.expire_all()
    assert db.session.query(OperationLog).filter_by(endpoint="admin.export.operation_log").count() == 1


def test_only_the_exporting_admin_and_role_1_get_the_link(api, make):
    admin = make.admin()
    member, root = make.member(admin.company), make.superadmin()
    job = _export(api, admin, "customers")  # a list role 3 may not see
    assert "download_url" not in job.result  # not stored: the jobs list shows results company-wide
    assert "download_url" in _link(api, admin, job) and "download_url" in _link(api, root, job)
    assert "download_url" not in _link(api, member, job) and _link(api, member, job)["rows"] == 0
    listed = body(api.as_(member).get(f"{A}/jobs"))["data"]["ret_data"]
    assert listed and all("download_url" not in (item["result"] or {}) for item in listed)


def test_the_link_is_signed_and_short_lived(app, api, make, monkeypatch):
    admin = make.admin()
    job = _export(api, admin, "feedback")
    client = app.test_client()
    result = _link(api, admin, job)
    url = result["download_url"]
    assert url.startswith(f"{E}/download/") and result["expires_at"]
    # tampered: a character inside the signature (the last one may only carry padding bits)
    tampered = url[:-10] + ("A" if url[-10] != "A" else "B") + url[-9:]
    assert body(client.get(tampered))["code"] == 400
    forged = URLSafeTimedSerializer("another-key", salt="zhugeleida.export-download").dumps({"j": job.id, "f": "xlsx"})
    assert body(client.get(f"{E}/download/{forged}"))["code"] == 400
    assert _download(app, job).data  # within its lifetime
    monkeypatch.setitem(app.config, "EXPORT_LINK_TTL", 1)
    time.sleep(2.2)
    assert body(client.get(url))["code"] == 400  # expired


def test_a_failed_write_of_the_file_is_the_jobs_failure(app, api, make, export_dir):
    admin = make.admin()
    export_dir.parent.mkdir(parents=True, exist_ok=True)
    export_dir.write_text("not a folder")  # the storage refuses the file
    payload = body(api.as_(admin).post(f"{E}/feedback"))
    job = wait_for_job(payload["data"]["job_id"])
    assert job.status == "failed"


def test_formats_and_bad_input(api, make):
    admin = make.admin()
    assert _export(api, admin, "feedback", {"format": "pdf"}, expect=303)
    assert _export(api, admin, "customers", {"start_date": "2026-02-02", "end_date": "2026-02-01"}, expect=303)
    assert _export(api, admin, "customers", {"uid": "x"}, expect=301)
