"""/zhugeleida/admin/website_template — endpoints arrive with their issue."""

from flask import Blueprint

bp = Blueprint("website_template", __name__, url_prefix="/website_template")
