"""/zhugeleida/admin/talkGroupManageShow — endpoints arrive with their issue."""

from flask import Blueprint

bp = Blueprint("talkGroupManageShow", __name__, url_prefix="/talkGroupManageShow")
