"""/zhugeleida/admin/website — endpoints arrive with their issue."""

from flask import Blueprint

bp = Blueprint("website", __name__, url_prefix="/website")
