"""/zhugeleida/admin/plugin_report — endpoints arrive with their issue."""

from flask import Blueprint

bp = Blueprint("plugin_report", __name__, url_prefix="/plugin_report")
