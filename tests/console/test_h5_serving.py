"""The H5 pages' files at /h5/ (served like the console's, from H5_DIST_DIR): history-mode fallback, caching,
the page shown without a build."""

import pytest


@pytest.fixture
def h5_dist(app, tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text('<!doctype html><div id="app"></div><script src="/h5/assets/a.js">')
    (tmp_path / "assets" / "index-1a2b3c4d.js").write_text("console.log('h5')")
    saved = app.config["H5_DIST_DIR"]
    app.config["H5_DIST_DIR"] = str(tmp_path)
    yield tmp_path
    app.config["H5_DIST_DIR"] = saved


@pytest.mark.parametrize(
    "path", ["/h5/", "/h5/scan_code_to_add_user?rand_str=a&timestamp=1&user_id=2", "/h5/yulanwenzhang/7?uid=1"]
)
def test_every_h5_page_answers_its_index_html_uncached(app, h5_dist, path):
    response = app.test_client().get(path)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert '<div id="app">' in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-cache"


def test_h5_assets_are_cached_and_a_missing_one_is_404(app, h5_dist):
    client = app.test_client()
    response = client.get("/h5/assets/index-1a2b3c4d.js")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get("/h5/assets/index-00000000.js").status_code == 404


def test_the_console_and_the_h5_pages_are_separate_builds(app, h5_dist, tmp_path_factory):
    console = tmp_path_factory.mktemp("console")
    (console / "index.html").write_text("<title>console</title>")
    saved = app.config["CONSOLE_DIST_DIR"]
    app.config["CONSOLE_DIST_DIR"] = str(console)
    try:
        assert "console" in app.test_client().get("/console/x").get_data(as_text=True)
        assert '<div id="app">' in app.test_client().get("/h5/x").get_data(as_text=True)
    finally:
        app.config["CONSOLE_DIST_DIR"] = saved


def test_without_a_build_h5_says_how_to_make_one(app, tmp_path):
    saved = app.config["H5_DIST_DIR"]
    app.config["H5_DIST_DIR"] = str(tmp_path / "missing")
    try:
        response = app.test_client().get("/h5/yulanwenzhang/1")
    finally:
        app.config["H5_DIST_DIR"] = saved
    assert response.status_code == 200 and "make h5" in response.get_data(as_text=True)
