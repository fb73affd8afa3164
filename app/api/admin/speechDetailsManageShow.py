"""/zhugeleida/admin/speechDetailsManageShow — endpoints arrive with their issue."""

from flask import Blueprint

bp = Blueprint("speechDetailsManageShow", __name__, url_prefix="/speechDetailsManageShow")
