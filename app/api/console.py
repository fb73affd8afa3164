"""The operator web console (console/, a Vue app) served at /console/ by this same app; `/` leads there.

Vite builds it into CONSOLE_DIST_DIR (console/dist): `index.html` plus content-hashed files under
`assets/`. Any other path under /console/ is a page of the app (history-mode routing), so it answers
`index.html`. The page is never cached (a new build is picked up at once); hashed assets are cached for a
year. Without a build, /console/ answers one page saying how to make one. See docs/console.md.
"""

from pathlib import Path

from flask import Blueprint, current_app, redirect, send_from_directory
from werkzeug.security import safe_join

console_bp = Blueprint("console", __name__)

ASSET_CACHE = "public, max-age=31536000, immutable"
NO_BUILD_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>诸葛雷达 运营后台 — not built</title></head>
<body style="font-family: sans-serif; max-width: 46em; margin: 3em auto; line-height: 1.6">
<h1>诸葛雷达 运营后台</h1>
<p>The console has not been built on this machine, so there is nothing to show here yet.
The API itself is running (<a href="/docs">/docs</a>).</p>
<p>To build the console, install Node.js 20 (or newer) with npm, then run in the repository:</p>
<pre>make console          # = cd console &amp;&amp; npm ci &amp;&amp; npm run build</pre>
<p>and reload this page. <code>make run</code> does it for you whenever Node is present.</p>
</body></html>"""


def _dist() -> Path:
    return Path(current_app.config["CONSOLE_DIST_DIR"])


def _index():
    dist = _dist()
    if not (dist / "index.html").is_file():
        response = current_app.response_class(NO_BUILD_PAGE, mimetype="text/html")
    else:
        response = send_from_directory(dist, "index.html", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@console_bp.get("/")
def root():
    """The site root: redirects to the console."""
    return redirect("/console/")


@console_bp.get("/console/")
def index():
    """The operator web console (its HTML page)."""
    return _index()


@console_bp.get("/console/<path:path>")
def page(path):
    """A file of the console's build, or (for any page of the app) its HTML page."""
    dist = _dist()
    if path.startswith("assets/"):
        response = send_from_directory(dist, path)  # 404 for a missing asset: never the page in its place
        response.headers["Cache-Control"] = ASSET_CACHE
        return response
    target = safe_join(str(dist), path)
    if target is not None and path != "index.html" and Path(target).is_file():
        return send_from_directory(dist, path, max_age=3600)  # favicon and other unhashed files
    return _index()
