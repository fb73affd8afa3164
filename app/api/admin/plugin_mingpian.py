"""/zhugeleida/admin/plugin_mingpian — endpoints arrive with their issue."""

from flask import Blueprint

bp = Blueprint("plugin_mingpian", __name__, url_prefix="/plugin_mingpian")
