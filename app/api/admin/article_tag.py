"""/zhugeleida/admin/article_tag — endpoints arrive with their issue."""

from flask import Blueprint

bp = Blueprint("article_tag", __name__, url_prefix="/article_tag")
