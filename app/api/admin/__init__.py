"""/zhugeleida/admin — every child is guarded by authentication and its access rule."""

from flask import Blueprint

from app.api.admin import access_rules, account, admin_role, admin_userprofile, company
from app.auth import guard_admin_request

admin_bp = Blueprint("admin", __name__, url_prefix="/zhugeleida/admin")
admin_bp.before_request(guard_admin_request)

CHILDREN = [account.bp, access_rules.bp, admin_role.bp, admin_userprofile.bp, company.bp]
for child in CHILDREN:
    admin_bp.register_blueprint(child)
