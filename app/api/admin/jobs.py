"""/zhugeleida/admin/jobs — endpoints arrive with their issue."""

from flask import Blueprint

bp = Blueprint("jobs", __name__, url_prefix="/jobs")
