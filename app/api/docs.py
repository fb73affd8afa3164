"""GET /openapi.json and an offline Swagger UI at /docs (assets from the swagger-ui-bundle package)."""

from flask import Blueprint, current_app, jsonify, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from app.openapi import spec_for

docs_bp = Blueprint("docs", __name__)

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>zhugeleida API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui"});</script>
</body></html>"""


@docs_bp.get("/openapi.json")
def openapi_json():
    """The OpenAPI 3 description of every endpoint."""
    return jsonify(spec_for(current_app._get_current_object()))


@docs_bp.get("/docs")
def docs_page():
    """The API documentation page (Swagger UI, served offline)."""
    return PAGE


@docs_bp.get("/docs/assets/<path:filename>")
def docs_assets(filename):
    """Swagger UI's static assets."""
    return send_from_directory(swagger_ui_path, filename)
