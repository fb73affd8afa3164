"""12.1's filters (the release board): status of the newest release, company_id, name."""

import pytest

from app.extensions import db
from app.models.open_platform import AUDIT_REJECTED, AUDITING, NEVER, RELEASED, CodeRelease, MiniProgramApp
from app.timefmt import utcnow
from tests.api.admin.test_xcx_app import URL, seed_apps
from tests.conftest import body


def _ids(payload) -> list[int]:
    assert payload["code"] == 200, payload
    return [item["id"] for item in payload["data"]["ret_data"]]


def _release(app: MiniProgramApp, status: int) -> None:
    db.session.add(
        CodeRelease(
            company_id=app.company_id,
            app_id=app.id,
            template_id=6,
            user_version="v2.0",
            user_desc="d",
            ext_json="{}",
            status=status,
            status_time=utcnow(),
        )
    )
    db.session.commit()


@pytest.fixture
def board(make):
    """Three apps whose newest release is rejected (6), auditing (4) and released (7), and one never released."""
    rejected, auditing, released = seed_apps(make, 3)
    _release(auditing, AUDITING)
    _release(released, RELEASED)
    fresh = MiniProgramApp(
        company_id=make.company().id, authorizer_appid="wx00000000000fresh", authorized=True, name="新小程序"
    )
    db.session.add(fresh)
    db.session.commit()
    return {"rejected": rejected, "auditing": auditing, "released": released, "fresh": fresh}


def test_status_filter_uses_the_newest_release(api, make, board):
    root = api.as_(make.superadmin())
    assert _ids(body(root.get(URL, {"status": AUDIT_REJECTED}))) == [board["rejected"].id]
    assert _ids(body(root.get(URL, {"status": RELEASED}))) == [board["released"].id]  # not the older 7 rows
    assert _ids(body(root.get(URL, {"status": AUDITING}))) == [board["auditing"].id]
    never = body(root.get(URL, {"status": NEVER}))
    assert _ids(never) == [board["fresh"].id] and never["data"]["ret_data"][0]["status_text"] == "未上线过"
    assert body(root.get(URL, {"status": 5}))["data"] == {"ret_data": [], "data_count": 0}


def test_company_and_name_filters(api, make, board):
    root = api.as_(make.superadmin())
    released = board["released"]
    assert _ids(body(root.get(URL, {"company_id": released.company_id}))) == [released.id]
    assert _ids(body(root.get(URL, {"name": "小程序2"}))) == [released.id]
    assert _ids(body(root.get(URL, {"name": released.authorizer_appid[-6:]}))) == [released.id]  # or the appid
    assert _ids(body(root.get(URL, {"name": "%"}))) == []  # a LIKE wildcard is matched literally
    both = body(root.get(URL, {"name": "小程序", "status": RELEASED, "company_id": released.company_id}))
    assert _ids(both) == [released.id] and both["data"]["data_count"] == 1


@pytest.mark.parametrize(
    ("query", "code"),
    [({"status": 13}, 303), ({"status": "x"}, 301), ({"company_id": "x"}, 301), ({"name": "n" * 65}, 303)],
)
def test_bad_filters(api, make, query, code):
    assert body(api.as_(make.superadmin()).get(URL, query))["code"] == code


def test_filters_stay_role_1_only(api, make, board):
    assert body(api.as_(make.admin()).get(URL, {"company_id": board["released"].company_id}))["code"] == 403


def test_filtered_query_count_is_constant(api, make, count_queries):
    root = api.as_(make.superadmin())
    seed_apps(make, 1)
    with count_queries() as few:
        assert len(_ids(body(root.get(URL, {"status": AUDIT_REJECTED, "name": "小程序"})))) == 1
    seed_apps(make, 8)
    with count_queries() as many:
        assert len(_ids(body(root.get(URL, {"status": AUDIT_REJECTED, "name": "小程序"})))) == 9
    assert many() == few()
