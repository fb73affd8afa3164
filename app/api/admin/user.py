"""/zhugeleida/admin/user — endpoints arrive with their issue."""

from flask import Blueprint

bp = Blueprint("user", __name__, url_prefix="/user")
