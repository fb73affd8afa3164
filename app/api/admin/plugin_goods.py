"""/zhugeleida/admin/plugin_goods — endpoints arrive with their issue."""

from flask import Blueprint

bp = Blueprint("plugin_goods", __name__, url_prefix="/plugin_goods")
