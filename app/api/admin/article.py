"""/zhugeleida/admin/article — endpoints arrive with their issue."""

from flask import Blueprint

bp = Blueprint("article", __name__, url_prefix="/article")
