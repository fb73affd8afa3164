"""The console's files at /console/: history-mode fallback, cache headers, the page shown without a build."""

import pytest


@pytest.fixture
def dist(app, tmp_path):
    """A stand-in build: index.html, one hashed asset, one unhashed file."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text('<!doctype html><div id="app"></div><script src="/console/assets/a.js">')
    (tmp_path / "assets" / "index-3f9a1c2b.js").write_text("console.log('console')")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    saved = app.config["CONSOLE_DIST_DIR"]
    app.config["CONSOLE_DIST_DIR"] = str(tmp_path)
    yield tmp_path
    app.config["CONSOLE_DIST_DIR"] = saved


@pytest.fixture
def no_build(app, tmp_path):
    saved = app.config["CONSOLE_DIST_DIR"]
    app.config["CONSOLE_DIST_DIR"] = str(tmp_path / "missing")
    yield
    app.config["CONSOLE_DIST_DIR"] = saved


def test_root_redirects_to_the_console(app):
    response = app.test_client().get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/console/")


@pytest.mark.parametrize("path", ["/console/", "/console", "/console/login", "/console/users/radar?page=2"])
def test_the_page_and_every_app_route_answer_index_html_uncached(app, dist, path):
    response = app.test_client().get(path)
    assert response.status_code == 200
    assert '<div id="app">' in response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    assert response.headers["Cache-Control"] == "no-cache"


def test_index_html_by_name_is_not_cached_either(app, dist):
    response = app.test_client().get("/console/index.html")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache"


def test_hashed_assets_are_cached_for_a_year(app, dist):
    response = app.test_client().get("/console/assets/index-3f9a1c2b.js")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "console.log('console')"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_a_missing_asset_is_404_not_the_page(app, dist):
    response = app.test_client().get("/console/assets/index-00000000.js")
    assert response.status_code == 404
    assert '<div id="app">' not in response.get_data(as_text=True)


def test_unhashed_files_are_served_with_a_short_cache(app, dist):
    response = app.test_client().get("/console/favicon.svg")
    assert response.status_code == 200 and response.get_data(as_text=True) == "<svg/>"
    assert "no-cache" not in response.headers["Cache-Control"]


@pytest.mark.parametrize("path", ["/console/../config.py", "/console/%2e%2e/config.py", "/console/assets/../../x"])
def test_paths_outside_the_build_are_never_served(app, dist, path):
    response = app.test_client().get(path)
    assert response.status_code in (200, 404)
    assert "SECRET_KEY" not in response.get_data(as_text=True)


def test_without_a_build_the_page_says_how_to_make_one(app, no_build):
    for path in ("/console/", "/console/dashboard"):
        response = app.test_client().get(path)
        assert response.status_code == 200 and response.mimetype == "text/html"
        text = response.get_data(as_text=True)
        assert "make console" in text and "npm ci" in text and "Node.js" in text
        assert response.headers["Cache-Control"] == "no-cache"


def test_the_api_is_untouched_by_the_console(app, dist):
    """API paths keep their envelope; the console's fallback covers /console/ only."""
    response = app.test_client().get("/zhugeleida/admin/login_rules")
    assert response.get_json()["code"] == 400
    assert app.test_client().get("/nothing-here").status_code == 404
