"""A step whose answer was lost (worker killed, network cut after WeChat acted) is run again: what WeChat already
did is recognised and recorded, not reported as an error."""

import requests

from app.wechat.component import authorizer_token_key
from app.wechat.tokens import token_store
from tests.fixtures.wechat import XCX_APPID
from tests.open_platform.test_lifecycle import batch, listed, poll


def wechat_did(platform, method: str, path: str, json=None) -> dict:
    """Call the sandbox with the app's own token, as our lost attempt did."""
    token = token_store().get(authorizer_token_key(XCX_APPID))
    url = f"{platform.driver.url}/api/{path}"
    return requests.request(method, url, params={"access_token": token}, json=json, timeout=10).json()


def uploaded(api, make, platform):
    _company, _admin, app = platform.authorized_xcx(make)
    root = make.superadmin()
    batch(api, root, "upload_code", [app.id], user_version="v3", template_id=1, user_desc="d")
    return root, app


def test_a_submit_wechat_already_took_is_adopted(api, make, platform):
    root, app = uploaded(api, make, platform)
    item = {"address": "pages/index/index", "first_id": 287, "second_id": 612}
    auditid = wechat_did(platform, "POST", "wxa/submit_audit", {"item_list": [item]})["auditid"]
    outcome = batch(api, root, "submit_audit", [app.id])[app.id]
    assert (outcome["outcome"], outcome["status"]) == ("ok", 4)
    platform.driver.decide_audit(XCX_APPID, 0)
    assert poll(api, root)[app.id]["status"] == 5  # the adopted auditid is the one WeChat decided
    assert platform.driver.authorizer(XCX_APPID)["audits"][0]["auditid"] == auditid


def test_a_release_wechat_already_made_is_recorded(api, make, platform):
    root, app = uploaded(api, make, platform)
    batch(api, root, "submit_audit", [app.id])
    platform.driver.decide_audit(XCX_APPID, 0)
    poll(api, root)
    assert wechat_did(platform, "POST", "wxa/release", {})["errcode"] == 0
    outcome = batch(api, root, "relase_code", [app.id])[app.id]
    assert (outcome["outcome"], outcome["status"]) == ("ok", 7)
    assert listed(api, root)[app.id]["status_text"] == "上线成功"


def test_an_undo_wechat_already_did_is_recorded(api, make, platform):
    root, app = uploaded(api, make, platform)
    batch(api, root, "submit_audit", [app.id])
    assert wechat_did(platform, "GET", "wxa/undocodeaudit")["errcode"] == 0
    outcome = batch(api, root, "undocode_audit", [app.id])[app.id]
    assert (outcome["outcome"], outcome["status"]) == ("ok", 9)


def test_an_undo_of_an_audit_already_decided_fails_and_the_poll_catches_up(api, make, platform):
    root, app = uploaded(api, make, platform)
    batch(api, root, "submit_audit", [app.id])
    platform.driver.decide_audit(XCX_APPID, 1, "不符合规范")
    outcome = batch(api, root, "undocode_audit", [app.id])[app.id]
    assert (outcome["outcome"], outcome["code"], outcome["status"]) == ("failed", 85019, 10)
    assert poll(api, root)[app.id]["status"] == 6
    assert listed(api, root)[app.id]["reason"] == "不符合规范"
