"""/zhugeleida/admin/dai_xcx — endpoints arrive with the third-party-platform issue."""

from flask import Blueprint

bp = Blueprint("dai_xcx", __name__, url_prefix="/dai_xcx")
