"""/zhugeleida/public — shared endpoints for any signed-in admin user (3.1 upload)."""

from flask import Blueprint

from app.api.public import upload
from app.auth import authenticate_admin

public_bp = Blueprint("public", __name__, url_prefix="/zhugeleida/public")


@public_bp.before_request
def _authenticate():
    authenticate_admin()


CHILDREN = [upload.bp]
for child in CHILDREN:
    public_bp.register_blueprint(child)
