"""The forwarding tree at the service level: signed share parameters and recording customers in the forwarding tree
(what 16.1 does with a verified link; 16.1 itself is tested over HTTP against the sandbox)."""

import dataclasses

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.radar import SOURCE_ARTICLE, UserCustomer
from app.models.share import ArticleShare
from app.responses import ApiError
from app.services import share
from app.services.share_links import ShareParams, verified


def _record(customer, params):
    row = share.record_visit(customer, params)
    db.session.commit()
    return row


def _rows():
    return db.session.scalar(select(func.count()).select_from(ArticleShare))


def test_levels_come_from_the_parent_rows(h5):
    """Radar user → A (1) → B (2) → C (3): each link is built from the sharer's stored row."""
    a, b, c = h5.customer, h5.customer_(), h5.customer_()
    root = share.root_link(h5.user, h5.article.id)
    assert (root.uid, root.pid, root.level) == (h5.user.id, None, 1)
    row_a = _record(a, root)
    link_a = share.next_link(a, h5.article.id, h5.user.id)
    assert (link_a.pid, link_a.level) == (a.id, 2)
    row_b = _record(b, link_a)
    row_c = _record(c, share.next_link(b, h5.article.id, h5.user.id))
    assert [(r.level, r.parent_customer_id) for r in (row_a, row_b, row_c)] == [(1, None), (2, a.id), (3, b.id)]
    assert {r.radar_user_id for r in (row_a, row_b, row_c)} == {h5.user.id}


def test_recording_is_idempotent_and_links_the_customer(h5):
    root = share.root_link(h5.user, h5.article.id)
    first = _record(h5.customer, root)
    assert _record(h5.customer, root).id == first.id
    assert _rows() == 1
    [relation] = db.session.scalars(select(UserCustomer)).all()
    assert (relation.radar_user_id, relation.source, relation.referrer_customer_id) == (
        h5.user.id,
        SOURCE_ARTICLE,
        None,
    )
    assert relation.last_activity_time is not None


def test_the_referrer_is_the_sharer(h5):
    a, b = h5.customer, h5.customer_()
    _record(a, share.root_link(h5.user, h5.article.id))
    _record(b, share.next_link(a, h5.article.id, h5.user.id))
    relation = db.session.scalars(select(UserCustomer).where(UserCustomer.customer_id == b.id)).one()
    assert relation.referrer_customer_id == a.id


def test_opening_ones_own_link_adds_no_row(h5):
    row = _record(h5.customer, share.root_link(h5.user, h5.article.id))
    own = share.next_link(h5.customer, h5.article.id, h5.user.id)
    assert _record(h5.customer, own).id == row.id
    assert _rows() == 1


def test_a_level_is_never_taken_from_the_link(h5):
    """Even a correctly signed link with a wrong level lands one below the sharer's stored row."""
    a, b = h5.customer, h5.customer_()
    _record(a, share.root_link(h5.user, h5.article.id))
    lying = ShareParams(h5.article.id, h5.company.id, h5.user.id, a.id, 7)
    assert _record(b, lying).level == 2


def test_sharer_outside_the_chain_is_refused(h5, radar):
    stranger = h5.customer_()
    params = ShareParams(h5.article.id, h5.company.id, h5.user.id, stranger.id, 2)
    with pytest.raises(ApiError) as err:
        share.record_visit(h5.customer, params)
    assert err.value.code == 302
    with pytest.raises(ApiError) as err:
        share.next_link(stranger, h5.article.id, h5.user.id)
    assert err.value.code == 302


@pytest.mark.parametrize("what", ["company", "article", "uid"])
def test_another_companys_article_or_radar_user_is_refused(h5, make, pa_make, radar, what):
    other_admin = make.admin()
    params = share.root_link(h5.user, h5.article.id)
    if what == "company":
        params = dataclasses.replace(params, company_id=other_admin.company_id)
    elif what == "article":
        params = dataclasses.replace(params, article_id=pa_make.article(other_admin, status=1).id)
    else:
        params = dataclasses.replace(params, uid=radar.user(other_admin.company).id)
    with pytest.raises(ApiError) as err:
        share.record_visit(h5.customer, params)
    assert err.value.code == 302
    db.session.rollback()
    assert _rows() == 0


def test_signature_binds_every_parameter(h5):
    params = ShareParams(h5.article.id, h5.company.id, h5.user.id, 5, 2)
    sign = params.query()["sign"]
    assert verified(params, sign) == params
    assert verified(params, sign.upper()) == params
    for change in (
        {"uid": h5.user.id + 1},
        {"pid": 6},
        {"pid": None},
        {"level": 1},
        {"article_id": 999},
        {"company_id": 999},
    ):
        with pytest.raises(ApiError) as err:
            verified(dataclasses.replace(params, **change), sign)
        assert err.value.code == 403, change
    for bad in ("", None, "0" * 32):
        with pytest.raises(ApiError):
            verified(params, bad)


def test_signature_depends_on_the_key(app, h5):
    params = ShareParams(h5.article.id, h5.company.id, h5.user.id, None, 1)
    before = params.signature()
    app.config["SHARE_SIGN_KEY"] = "another-key"
    try:
        assert params.signature() != before
    finally:
        app.config["SHARE_SIGN_KEY"] = None


def test_page_url_carries_the_signed_parameters(app, h5):
    params = ShareParams(h5.article.id, h5.company.id, h5.user.id, None, 1)
    url = params.page_url()
    assert url.startswith(app.config["H5_ARTICLE_URL"].format(article_id=h5.article.id) + "?")
    assert f"uid={h5.user.id}" in url and "pid=&" in url and "level=1" in url and f"sign={params.signature()}" in url
