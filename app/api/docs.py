"""GET /openapi.json and an offline Swagger UI at /docs (assets from the swagger-ui-bundle package)."""

import base64
import hashlib

from flask import Blueprint, current_app, jsonify, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from app.declare import FILE, TEXT, answers
from app.openapi import spec_for

docs_bp = Blueprint("docs", __name__)

INIT_SCRIPT = 'SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui"});'
PAGE = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>zhugeleida API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>{INIT_SCRIPT}</script>
</body></html>"""
# Scripts: the bundle from here and the one inline start-up script above (by its hash), nothing else.
# Swagger UI styles elements inline, draws some icons as data: images and fetches /openapi.json.
_INIT_HASH = base64.b64encode(hashlib.sha256(INIT_SCRIPT.encode()).digest()).decode()
DOCS_CSP = (
    f"default-src 'none'; script-src 'self' 'sha256-{_INIT_HASH}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)


@docs_bp.get("/openapi.json")
@answers(produces={"application/json": {"schema": {"type": "object", "required": ["openapi", "paths"]}}})
def openapi_json():
    """The OpenAPI 3 description of every endpoint."""
    return jsonify(spec_for(current_app._get_current_object()))


@docs_bp.get("/docs")
@answers(produces={"text/html": TEXT})
def docs_page():
    """The API documentation page (Swagger UI, served offline)."""
    return PAGE, {"Content-Security-Policy": DOCS_CSP}


@docs_bp.get("/docs/assets/<path:filename>")
@answers(produces={"*/*": FILE})
def docs_assets(filename):
    """Swagger UI's static assets."""
    return send_from_directory(swagger_ui_path, filename)
