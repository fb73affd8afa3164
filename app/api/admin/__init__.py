"""/zhugeleida/admin — every child is guarded by authentication and its access rule."""

from flask import Blueprint

from app.api.admin import (
    access_rules,
    account,
    admin_role,
    admin_userprofile,
    article,
    article_tag,
    company,
    customer,
    dai_xcx,
    export,
    gzh_auth_process,
    home_page,
    jobs,
    open_weixin,
    open_weixin_gongzhonghao,
    operation_log,
    plugin_goods,
    plugin_mingpian,
    plugin_report,
    product,
    speechDetailsManageOper,
    speechDetailsManageShow,
    talkGroupManageOper,
    talkGroupManageShow,
    user,
    user_invite,  # noqa: F401 - adds the scan-to-join H5 page's invite-signed reads to user.bp
    user_wechat,  # noqa: F401 - adds the WeChat routes of /admin/user to user.bp
    website,
    website_template,
    xcx_app,
    xcx_auth_process,
)
from app.auth import guard_admin_request
from app.services.oplog import record_write

admin_bp = Blueprint("admin", __name__, url_prefix="/zhugeleida/admin")
admin_bp.before_request(guard_admin_request)
admin_bp.after_request(record_write)  # the operation log: runs before the app's commit, in its transaction

CHILDREN = [
    account.bp,
    access_rules.bp,
    admin_role.bp,
    admin_userprofile.bp,
    company.bp,
    user.bp,
    customer.bp,
    home_page.bp,
    product.bp,
    website.bp,
    website_template.bp,
    plugin_mingpian.bp,
    plugin_report.bp,
    plugin_goods.bp,
    article.bp,
    article_tag.bp,
    talkGroupManageShow.bp,
    talkGroupManageOper.bp,
    speechDetailsManageShow.bp,
    speechDetailsManageOper.bp,
    jobs.bp,
    operation_log.bp,
    export.bp,
    xcx_auth_process.bp,
    open_weixin.bp,
    xcx_app.bp,
    dai_xcx.bp,
    gzh_auth_process.bp,
    open_weixin_gongzhonghao.bp,
]
for child in CHILDREN:
    admin_bp.register_blueprint(child)
