"""/zhugeleida/admin/gzh_auth_process — endpoints arrive with the third-party-platform issue."""

from flask import Blueprint

bp = Blueprint("gzh_auth_process", __name__, url_prefix="/gzh_auth_process")
