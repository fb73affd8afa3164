"""/zhugeleida/admin/xcx_auth_process — endpoints arrive with the third-party-platform issue."""

from flask import Blueprint

bp = Blueprint("xcx_auth_process", __name__, url_prefix="/xcx_auth_process")
