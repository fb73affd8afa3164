"""/zhugeleida/admin/xcx_app — endpoints arrive with the third-party-platform issue."""

from flask import Blueprint

bp = Blueprint("xcx_app", __name__, url_prefix="/xcx_app")
