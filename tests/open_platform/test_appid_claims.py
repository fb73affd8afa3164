"""An appid claim (11.2/13.2) binds nothing: only a completed grant binds an account to a company, so another
company's earlier claim can neither block nor steal it (docs/security.md "Onboarding and sign-ups")."""

from app.extensions import db
from app.models.open_platform import MiniProgramApp, OfficialAccountApp
from tests.conftest import body
from tests.fixtures.wechat import GZH_APPID, XCX_APPID, wait_for_jobs

XCX = "/zhugeleida/admin/xcx_auth_process"
GZH = "/zhugeleida/admin/gzh_auth_process"


def row(company_id, model=MiniProgramApp):
    db.session.rollback()
    return db.session.scalar(db.select(model).filter_by(company_id=company_id))


def claim(api, admin, appid=XCX_APPID, base=XCX) -> dict:
    return body(api.as_(admin).post(f"{base}/update/app_id", {"authorization_appid": appid}))


def test_an_earlier_claim_does_not_block_the_owner(api, make, platform):
    """Company A claims B's mini-program first; B still claims and authorises it, and it is B's."""
    platform.driver.add_authorizer(XCX_APPID, "miniprogram", nick_name="乙的小程序")
    squatter, owner = make.admin(), make.admin()
    assert claim(api, squatter)["code"] == 200
    answer = platform.grant(owner, XCX_APPID)  # claims (200), grant URL, the account's admin confirms, callback
    assert answer["code"] == 200, answer
    mine = row(owner.company_id)
    assert (mine.authorizer_appid, mine.pending_appid, mine.authorized, mine.name) == (
        XCX_APPID,
        None,
        True,
        "乙的小程序",
    )
    theirs = row(squatter.company_id)
    assert (theirs.authorizer_appid, theirs.authorized, theirs.refresh_token) == (None, False, None)
    assert body(api.as_(squatter).get(XCX))["data"]["step"] == 2  # still only a claim


def test_a_push_for_an_account_two_companies_claim_binds_neither(api, make, platform):
    """A push names no company: with two claims it waits for the callback, which names the grant's company."""
    platform.driver.add_authorizer(XCX_APPID, "miniprogram")
    squatter, owner = make.admin(), make.admin()
    assert claim(api, squatter)["code"] == 200
    assert claim(api, owner)["code"] == 200
    platform.driver.authorize(XCX_APPID)
    assert platform.deliver(platform.driver.push("authorized", XCX_APPID)).get_data(as_text=True) == "success"
    assert (row(squatter.company_id).authorized, row(owner.company_id).authorized) == (False, False)
    assert platform.grant(owner, XCX_APPID)["code"] == 200
    assert row(owner.company_id).authorizer_appid == XCX_APPID and row(squatter.company_id).authorizer_appid is None


def test_a_later_claim_does_not_take_a_bound_account(api, make, platform):
    company, _owner, _app = platform.authorized_xcx(make)
    squatter = make.admin()
    assert claim(api, squatter)["code"] == 200
    platform.driver.update_authorizer(XCX_APPID, func_info=[17, 18])
    assert platform.deliver(platform.driver.push("updateauthorized", XCX_APPID)).get_data(as_text=True) == "success"
    wait_for_jobs()  # the push hands the code exchange to a job
    bound = row(company.id)
    assert (bound.authorizer_appid, bound.authorized, bound.func_info) == (XCX_APPID, True, [17, 18])
    assert row(squatter.company_id).authorized is False
    # Its grant URL is for the claimed appid, but only the account's admin confirming it would move the account.
    assert body(api.as_(squatter).post("/zhugeleida/admin/open_weixin/create_grant_url"))["code"] == 200
    assert row(company.id).authorizer_appid == XCX_APPID


def test_the_accounts_own_grant_moves_it(api, make, platform):
    """The account's admin confirming another company's grant is its choice: the account moves there."""
    company, first, _app = platform.authorized_xcx(make)
    second = make.admin()
    assert platform.grant(second, XCX_APPID)["code"] == 200
    assert row(second.company_id).authorizer_appid == XCX_APPID and row(second.company_id).authorized
    old = row(company.id)
    assert (old.authorizer_appid, old.authorized, old.refresh_token) == (None, False, None)
    assert body(api.as_(first).get(XCX))["data"]["step"] == 1


def test_official_accounts_too(api, make, platform):
    platform.driver.add_authorizer(GZH_APPID, "official")
    squatter, owner = make.admin(), make.admin()
    assert claim(api, squatter, GZH_APPID, GZH)["code"] == 200
    assert platform.grant(owner, GZH_APPID, kind="gzh")["code"] == 200
    assert row(owner.company_id, OfficialAccountApp).authorizer_appid == GZH_APPID
    assert row(squatter.company_id, OfficialAccountApp).authorizer_appid is None
