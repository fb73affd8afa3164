"""The share journey, over HTTP against the WeChat sandbox: a radar user logs in through WeChat Work, shares an
article; customers open it through the official account's OAuth and share it on, three levels deep; they read,
stay and forward; the radar user's 16.6 ranking and the company's 1.6 dashboard show it. Forged links, another
company's article, stale or foreign credentials are refused along the way."""

import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from app.extensions import db
from app.models.article import STATUS_PUBLISHED
from app.models.company import APP_AI_RADAR
from app.models.share import ArticleView
from app.timefmt import utcnow
from app.wechat.work import oauth_home_url, radar_entry
from tests.conftest import body
from tests.fixtures.wechat import AGENT_ID, CORP_ID, GZH_APPID

GZH = "/zhugeleida/gongzhonghao"
QY = "/zhugeleida/qiyeweixin"


@dataclass
class Principal:
    """Whoever 16.1 or the WeChat Work login answered for: what a front end keeps to sign its requests."""

    id: int
    token: str


def _query(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


class Journey:
    def __init__(self, api, h5_sandbox, company, article):
        self.api, self.sandbox, self.company, self.article = api, h5_sandbox, company, article
        self.links: dict[str, dict] = {}  # customer name → the landing query its page was opened with

    # --- the radar user ---------------------------------------------------------------------------

    def radar_login(self, userid: str) -> Principal:
        entry, _domain = radar_entry(self.company.id, APP_AI_RADAR)
        redirected = self.sandbox.open_in_wechat(oauth_home_url(CORP_ID, AGENT_ID, entry), userid)
        answer = body(self.api.get(urlsplit(redirected).path, _query(redirected)))
        assert answer["code"] == 200, answer
        return Principal(answer["data"]["user_id"], answer["data"]["token"])

    def radar_link(self, radar: Principal) -> str:
        answer = body(self.api.as_(radar).get(f"{QY}/article/create_share_url/{self.article.id}"))
        assert answer["code"] == 200, answer
        return answer["data"]["share_url"]

    # --- a customer in WeChat ---------------------------------------------------------------------

    def landing(self, share_url: str, openid: str) -> dict:
        location = self.sandbox.open_in_wechat(share_url, openid)
        return {**_query(location), "article_id": urlsplit(location).path.rsplit("/", 1)[-1]}

    def open(self, name: str, share_url: str) -> Principal:
        """A new reader: silent login → consent page → login with its user info → the article page."""
        openid = f"o_{name}"
        self.sandbox.add_user(GZH_APPID, openid, nickname=f"客户{name}", sex=1, province="山西", city="运城")
        first = body(self.api.get(f"{GZH}/work_gongzhonghao_auth", self.landing(share_url, openid)))
        assert first["code"] == 200 and first["data"]["is_verify"] is False, first
        landing = self.landing(first["data"]["authorize_url"], openid)
        second = body(self.api.get(f"{GZH}/work_gongzhonghao_auth", landing))
        assert second["code"] == 200 and second["data"]["is_verify"] is True, second
        self.links[name] = landing
        return Principal(second["data"]["user_id"], second["data"]["token"])

    def chain(self, name: str) -> dict:
        landing = self.links[name]
        return {"uid": landing["uid"], "pid": landing["pid"]}

    def read(self, name: str, customer: Principal) -> int:
        answer = body(self.api.as_(customer).get(f"{GZH}/article/myarticle/{self.article.id}", self.chain(name)))
        assert answer["code"] == 200, answer
        return answer["data"]["article_access_log_id"]

    def stay(self, name: str, customer: Principal, view_id: int, seconds: int) -> None:
        """`seconds` on the page, then a heartbeat (the last beat is put `seconds` before now instead of waiting).

        The server counts whole seconds since the last beat: the beat is set early in a second, so the heartbeat
        is measured within that same second even on a slow machine (moving the stored time back instead would
        also count the real time since the view was opened)."""
        while utcnow().microsecond > 300_000:
            time.sleep(0.02)
        view = db.session.get(ArticleView, view_id)
        view.last_beat_at = utcnow().replace(microsecond=0) - timedelta(seconds=seconds)
        db.session.commit()
        query = {**self.chain(name), "article_access_log_id": view_id}
        assert body(self.api.as_(customer).get(f"{GZH}/article/staytime/{self.article.id}", query))["code"] == 200

    def forward(self, name: str, customer: Principal, forward_type: int) -> None:
        query = {**self.chain(name), "forward_type": forward_type}
        answer = body(self.api.as_(customer).get(f"{GZH}/article/forward_article/{self.article.id}", query))
        assert answer["code"] == 200, answer

    def share(self, name: str, customer: Principal) -> str:
        landing = self.links[name]
        query = {"uid": landing["uid"], "level": landing["level"], "article_id": self.article.id}
        url = f"{GZH}/work_gongzhonghao_auth/create_gongzhonghao_share_auth_url"
        answer = body(self.api.as_(customer).get(url, {**query, "company_id": self.company.id}))
        assert answer["code"] == 200, answer
        return answer["data"]["share_url"]

    def ranking(self, radar: Principal, level: int) -> dict:
        url = f"{QY}/article/customer_effect_ranking_by_level/{self.article.id}"
        answer = body(self.api.as_(radar).get(url, {"uid": radar.id, "level": level}))
        assert answer["code"] == 200, answer
        return answer["data"]


@pytest.fixture
def journey(api, make, radar, pa_make, radar_apps_company, platform, h5_sandbox):
    company = radar_apps_company
    admin = make.admin(company)
    radar.user(company, userid="user00001", username="张聪")
    h5_sandbox.add_authorizer(GZH_APPID, "official", nick_name="诸葛雷达公众号", service_type=2)
    assert platform.grant(admin, GZH_APPID, kind="gzh")["code"] == 200
    article = pa_make.article(admin, status=STATUS_PUBLISHED, title="猫家的披萨520爱分享")
    db.session.rollback()
    return Journey(api, h5_sandbox, company, article), admin


def test_three_levels_of_sharing(api, app, journey, make, radar, pa_make):
    trip, admin = journey
    dashboard_before = body(api.as_(admin).get("/zhugeleida/admin/home_page/acount_data"))["data"]["ret_data"]

    # The radar user logs in through the AI雷达 app and shares the article.
    zhang = trip.radar_login("user00001")
    root = trip.radar_link(zhang)

    # A and D open the radar user's link (level 1); A shares, B and E open A's link (level 2); B shares, C (level 3).
    a, d = trip.open("A", root), trip.open("D", root)
    link_a = trip.share("A", a)
    b, e = trip.open("B", link_a), trip.open("E", link_a)
    c = trip.open("C", trip.share("B", b))
    assert [trip.links[n]["level"] for n in "ADBEC"] == ["1", "1", "2", "2", "3"]

    # Reads, stay time (heartbeats), forwards.
    views = {name: trip.read(name, who) for name, who in zip("ADBEC", (a, d, b, e, c), strict=True)}
    trip.read("B", b)  # B reads twice
    for name, who, seconds in (("A", a, 20), ("D", d, 25), ("B", b, 5), ("E", e, 5), ("C", c, 9)):
        trip.stay(name, who, views[name], seconds)
    trip.stay("A", a, views["A"], 3600)  # left the page open: one heartbeat adds at most STAYTIME_MAX_STEP
    trip.forward("A", a, 1)
    trip.forward("A", a, 2)
    trip.forward("B", b, 1)

    # 16.6: three levels, each ordered by stay time then reads; A: 20 s + one heartbeat capped at the step.
    cap = app.config["STAYTIME_MAX_STEP"]
    first = trip.ranking(zhang, 0)
    assert (first["level_num"], first["count"]) == (3, 2)
    assert [r["customer_name"] for r in first["ret_data"]] == ["客户A", "客户D"]
    assert [r["stay_time"] for r in first["ret_data"]] == [20 + cap, 25]
    second = trip.ranking(zhang, 2)
    assert [r["customer_name"] for r in second["ret_data"]] == ["客户B", "客户E"]  # same stay, B read more
    assert [(r["stay_time"], r["read_count"]) for r in second["ret_data"]] == [(5, 2), (5, 1)]
    third = trip.ranking(zhang, 3)
    assert ([r["customer_name"] for r in third["ret_data"]], third["count"]) == (["客户C"], 1)
    assert {r["user_name"] for r in first["ret_data"] + second["ret_data"]} == {"张聪"}

    # 1.6: the browses, forwards and new customers of the journey.
    after = body(api.as_(admin).get("/zhugeleida/admin/home_page/acount_data"))["data"]["ret_data"]
    for window in ("count_data", "today_data"):
        moved = {key: after[window][key] - dashboard_before[window][key] for key in after[window]}
        assert (moved["browse_num"], moved["forward_num"], moved["customer_num"]) == (6, 3, 5), window

    # --- refusals along the way ---------------------------------------------------------------------
    # A forged link: B's landing with a lower level, or C claiming to come from the radar user directly.
    forged = trip.landing(trip.share("B", b), "o_C")
    for change in ({"level": "1"}, {"pid": ""}, {"uid": str(zhang.id + 1000)}):
        assert body(api.get(f"{GZH}/work_gongzhonghao_auth", {**forged, **change}))["code"] == 403
    # Another company's article, on the page and in a login.
    foreign = pa_make.article(make.admin(), status=STATUS_PUBLISHED)
    assert body(api.as_(a).get(f"{GZH}/article/myarticle/{foreign.id}", trip.chain("A")))["code"] == 302
    assert body(api.get(f"{GZH}/work_gongzhonghao_auth", {**forged, "article_id": foreign.id}))["code"] == 403
    # A stale timestamp, a customer of another company, a customer's token on the radar side.
    stale = int((time.time() - 3600) * 1000)
    url = f"{GZH}/article/myarticle/{trip.article.id}"
    assert body(api.as_(a).get(url, trip.chain("A"), timestamp=stale))["code"] == 400
    outsider = radar.customer(make.company())
    assert body(api.as_(outsider).get(url, trip.chain("A")))["code"] == 302
    assert body(api.as_(Principal(a.id, "0" * 32)).get(url, trip.chain("A")))["code"] == 400
    ranking_url = f"{QY}/article/customer_effect_ranking_by_level/{trip.article.id}"
    assert body(api.as_(a).get(ranking_url, {"level": 0}))["code"] == 400
