"""The component client against the sandbox: the ticket from the push, the component token fetched once and
shared, pre-auth codes per use, one refresh on a refused token, authorizer tokens and refresh tokens."""

import json

from sqlalchemy import text

from app.extensions import db
from app.models.open_platform import MiniProgramApp
from app.wechat.component import NO_TICKET_MSG, NOT_CONFIGURED_MSG, ComponentClient, authorizer_token_key
from app.wechat.tokens import token_store
from tests.conftest import body
from tests.fixtures.wechat import COMPONENT_CONFIG, XCX_APPID
from tests.open_platform.test_lifecycle import batch

GRANT = "/zhugeleida/admin/open_weixin/create_grant_url"


def calls(driver, path: str) -> int:
    return sum(1 for call in driver.calls() if call["path"].endswith(path))


def pre_auth_code(url: str) -> str:
    return url.split("pre_auth_code=")[1].split("&")[0]


def test_the_pushed_ticket_is_stored_in_the_token_store(platform, app):
    first = ComponentClient().component_verify_ticket
    assert first.startswith("ticket@@@")
    if app.config["REDIS_URL"]:
        redis = token_store().redis
        key = f"{app.config['WECHAT_TOKEN_PREFIX']}:component:{COMPONENT_CONFIG['COMPONENT_APPID']}:verify_ticket"
        assert 0 < redis.ttl(key) <= 12 * 3600
    platform.ticket()  # every ten minutes a new one replaces it
    db.session.rollback()
    assert ComponentClient().component_verify_ticket not in (None, first)


def test_no_ticket_yet_is_a_clear_error(api, make, open_platform, ctx):
    admin = make.admin()
    body(api.as_(admin).post("/zhugeleida/admin/xcx_auth_process/update/app_id", {"authorization_appid": XCX_APPID}))
    answer = body(api.as_(admin).post(GRANT))
    assert (answer["code"], answer["msg"]) == (-1, NO_TICKET_MSG)


def test_not_configured_is_a_clear_error(api, make, app, open_platform, ctx):
    admin = make.admin()
    body(api.as_(admin).post("/zhugeleida/admin/xcx_auth_process/update/app_id", {"authorization_appid": XCX_APPID}))
    app.config["COMPONENT_AES_KEY"] = "too-short"
    answer = body(api.as_(admin).post(GRANT))
    assert (answer["code"], answer["msg"]) == (500, NOT_CONFIGURED_MSG)
    app.config["COMPONENT_APPID"] = ""
    assert body(api.client.post("/zhugeleida/open_weixin/event", data="<xml/>"))["code"] == 500


def test_one_component_token_and_a_fresh_pre_auth_code_per_url(api, make, platform):
    platform.driver.clear_calls()
    first, second = make.admin(), make.admin()
    for admin in (first, second):
        body(
            api.as_(admin).post(
                "/zhugeleida/admin/xcx_auth_process/update/app_id",
                {"authorization_appid": f"wxa1b2c3d4e5f6{admin.id:04d}"},
            )
        )
    urls = [body(api.as_(admin).post(GRANT))["data"] for admin in (first, second, first)]
    assert len({pre_auth_code(url) for url in urls}) == 3  # never shared, never reused
    assert calls(platform.driver, "api_create_preauthcode") == 3
    assert calls(platform.driver, "api_component_token") == 1  # fetched once, then shared


def test_a_refused_component_token_is_refreshed_once(api, make, platform):
    admin = make.admin()
    body(api.as_(admin).post("/zhugeleida/admin/xcx_auth_process/update/app_id", {"authorization_appid": XCX_APPID}))
    assert body(api.as_(admin).post(GRANT))["code"] == 200
    platform.driver.expire_platform_tokens()  # WeChat dropped it before our TTL did
    platform.driver.clear_calls()
    assert body(api.as_(admin).post(GRANT))["code"] == 200
    assert calls(platform.driver, "api_create_preauthcode") == 2 and calls(platform.driver, "api_component_token") == 1


def test_a_refresh_token_wechat_replaces_is_persisted(api, make, platform):
    """The authorizer token expires; api_authorizer_token hands out a new refresh token (the old one stops
    working): the row keeps the new one, encrypted, so the next refresh works too."""
    _company, _admin, row = platform.authorized_xcx(make, rotate_refresh=True)
    old = row.refresh_token
    root = make.superadmin()
    for version in ("v1", "v2"):
        platform.driver.expire_platform_tokens()
        token_store().delete(authorizer_token_key(XCX_APPID))
        outcome = batch(api, root, "upload_code", [row.id], user_version=version, template_id=1, user_desc="d")
        assert outcome[row.id]["outcome"] == "ok", outcome
        db.session.rollback()
        current = db.session.get(MiniProgramApp, row.id).refresh_token
        assert current != old and current.startswith("refreshtoken@@@")
        old = current
    stored = db.session.scalar(text("SELECT refresh_token FROM mini_program_app WHERE id = :id"), {"id": row.id})
    assert "refreshtoken" not in stored  # encrypted at rest


def test_secrets_are_never_answered(api, make, platform):
    _company, admin, row = platform.authorized_xcx(make)
    root = make.superadmin()
    batch(api, root, "upload_code", [row.id], user_version="v1", template_id=1, user_desc="d")
    answers = [
        api.as_(admin).get("/zhugeleida/admin/xcx_auth_process"),
        api.as_(root).get("/zhugeleida/admin/xcx_app"),
        api.as_(admin).get("/zhugeleida/admin/gzh_auth_process"),
    ]
    for answer in answers:
        text_ = json.dumps(body(answer), ensure_ascii=False)
        assert row.refresh_token not in text_ and "refresh_token" not in text_ and "ticket" not in text_
