"""/zhugeleida/admin/speechDetailsManageOper — endpoints arrive with their issue."""

from flask import Blueprint

bp = Blueprint("speechDetailsManageOper", __name__, url_prefix="/speechDetailsManageOper")
