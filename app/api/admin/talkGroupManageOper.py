"""/zhugeleida/admin/talkGroupManageOper — endpoints arrive with their issue."""

from flask import Blueprint

bp = Blueprint("talkGroupManageOper", __name__, url_prefix="/talkGroupManageOper")
