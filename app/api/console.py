"""The web apps this same app serves from their Vite builds: the operator console (console/) at /console/ —
`/` leads there — and the mobile H5 pages (h5/) at /h5/ that QR codes and share links open.

Vite builds each into its dist directory (CONSOLE_DIST_DIR, H5_DIST_DIR): `index.html` plus content-hashed
files under `assets/`. Any other path under the app's prefix is a page of the app (history-mode routing), so
it answers `index.html`. The page is never cached (a new build is picked up at once); hashed assets are cached
for a year. Without a build, the prefix answers one page saying how to make one. See docs/console.md and
docs/h5.md.
"""

from pathlib import Path

from flask import Blueprint, current_app, redirect, send_from_directory
from werkzeug.security import safe_join

from app.declare import FILE, TEXT, answers, redirects

ASSET_CACHE = "public, max-age=31536000, immutable"
NO_BUILD_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>诸葛雷达 {title} — not built</title></head>
<body style="font-family: sans-serif; max-width: 46em; margin: 3em auto; padding: 0 1em; line-height: 1.6">
<h1>诸葛雷达 {title}</h1>
<p>The {what} has not been built on this machine, so there is nothing to show here yet.
The API itself is running (<a href="/docs">/docs</a>).</p>
<p>To build it, install Node.js 20 (or newer) with npm, then run in the repository:</p>
<pre>make {target}          # = cd {target} &amp;&amp; npm ci &amp;&amp; npm run build</pre>
<p>and reload this page. <code>make run</code> does it for you whenever Node is present.</p>
</body></html>"""


def single_page_app(name: str, prefix: str, dist_setting: str, title: str, what: str) -> Blueprint:
    """A blueprint serving the Vite build in `app.config[dist_setting]` at `/{prefix}/`."""
    bp = Blueprint(name, __name__)
    no_build = NO_BUILD_PAGE.format(title=title, what=what, target=prefix)

    def dist() -> Path:
        return Path(current_app.config[dist_setting])

    def index_page():
        folder = dist()
        if not (folder / "index.html").is_file():
            response = current_app.response_class(no_build, mimetype="text/html")
        else:
            response = send_from_directory(folder, "index.html", max_age=0)
        response.headers["Cache-Control"] = "no-cache"
        return response

    def index():
        return index_page()

    def page(path):
        folder = dist()
        if path.startswith("assets/"):
            response = send_from_directory(folder, path)  # 404 for a missing asset: never the page in its place
            response.headers["Cache-Control"] = ASSET_CACHE
            return response
        target = safe_join(str(folder), path)
        if target is not None and path != "index.html" and Path(target).is_file():
            return send_from_directory(folder, path, max_age=3600)  # favicon and other unhashed files
        return index_page()

    index.__doc__ = f"The {what} (its HTML page)."
    page.__doc__ = f"A file of the {what}'s build, or (for any page of the app) its HTML page."
    bp.add_url_rule(f"/{prefix}/", "index", answers(produces={"text/html": TEXT})(index), methods=["GET"])
    bp.add_url_rule(f"/{prefix}/<path:path>", "page", answers(produces={"*/*": FILE})(page), methods=["GET"])
    return bp


console_bp = single_page_app("console", "console", "CONSOLE_DIST_DIR", "运营后台", "operator console")
h5_bp = single_page_app("h5", "h5", "H5_DIST_DIR", "H5", "mobile H5 pages")


@console_bp.get("/")
@redirects
def root():
    """The site root: redirects to the console."""
    return redirect("/console/")
