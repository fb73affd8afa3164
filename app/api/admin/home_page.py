"""/zhugeleida/admin/home_page — endpoints arrive with their issue."""

from flask import Blueprint

bp = Blueprint("home_page", __name__, url_prefix="/home_page")
