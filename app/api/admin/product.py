"""/zhugeleida/admin/product — endpoints arrive with their issue."""

from flask import Blueprint

bp = Blueprint("product", __name__, url_prefix="/product")
