"""Third-party platform: authorization steps (11.x, 13.x), batch code release (12.x), mini-program codes (5.6).

Outputs never carry an authorizer refresh token.
"""

from marshmallow import fields, validate

from app.models.open_platform import STATUS_TEXT, CodeRelease, MiniProgramApp
from app.schemas.base import BaseSchema, PageSchema, max_length
from app.schemas.fields import SafeUrl, int_id_list
from app.timefmt import fmt_datetime, fmt_minute

APPID_RULE = r"^wx[0-9A-Za-z]{16}\Z"
MAX_BATCH = 500


class AppIdSchema(BaseSchema):
    authorization_appid = fields.String(
        required=True,
        validate=validate.Regexp(APPID_RULE, error="格式不正确（wx 开头的 18 位 appid）"),
        metadata={"label": "授权方appid"},
    )


class XcxInfoSchema(BaseSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=64), metadata={"label": "小程序名称"})
    head_img = SafeUrl("小程序头像", 512, required=True)
    introduce = fields.String(required=True, validate=validate.Length(min=1, max=255), metadata={"label": "介绍语"})
    service_category = fields.String(
        required=True, validate=validate.Length(min=1, max=255), metadata={"label": "服务类目"}
    )
    auto_release = fields.Boolean(load_default=None, metadata={"label": "审核通过后自动发布"})


class AuthCodeQuerySchema(BaseSchema):
    auth_code = fields.String(required=True, validate=validate.Length(min=1, max=512), metadata={"label": "auth_code"})
    grant = fields.String(required=True, validate=validate.Length(min=1, max=1024), metadata={"label": "授权参数"})
    expires_in = fields.Integer(load_default=None, metadata={"label": "有效期"})


class AppIdsSchema(BaseSchema):
    app_ids = int_id_list(
        "小程序ID列表",
        required=True,
        data_key="app_ids_list",
        validate=validate.Length(min=1, max=MAX_BATCH, error=f"须包含 1 到 {MAX_BATCH} 个小程序"),
    )


class UploadCodeSchema(AppIdsSchema):
    user_version = fields.String(required=True, validate=validate.Length(min=1, max=64), metadata={"label": "版本号"})
    template_id = fields.Integer(
        required=True, validate=validate.Range(min=0, error="不能小于0"), metadata={"label": "模板ID"}
    )
    user_desc = fields.String(required=True, validate=validate.Length(min=1, max=255), metadata={"label": "版本描述"})


class CompanyTargetQuerySchema(BaseSchema):
    """11.x/13.x: role 1 names the client company it authorises for; the others may only name their own."""

    company_id = fields.Integer(load_default=None, metadata={"label": "公司ID"})


class XcxAppQuerySchema(PageSchema):
    status = fields.Integer(
        load_default=None,
        validate=validate.OneOf(sorted(STATUS_TEXT), error="只能是 0 到 12"),
        metadata={"label": "状态"},
    )
    company_id = fields.Integer(load_default=None, metadata={"label": "公司ID"})
    name = fields.String(
        load_default=None, validate=validate.Length(max=64, error="长度不能超过64"), metadata={"label": "小程序名称"}
    )


class QrCodeSchema(BaseSchema):
    user_id = fields.Integer(load_default=None, metadata={"label": "企业用户ID"})
    env_version = fields.String(
        load_default="release", validate=validate.OneOf(("release", "trial", "develop")), metadata={"label": "版本"}
    )


# --- outputs ---------------------------------------------------------------------------------------------


def xcx_app_item(app: MiniProgramApp, release: CodeRelease | None) -> dict:
    """12.1 one mini-program with the state of its newest release."""
    status = release.status if release is not None else 0
    return {
        "id": app.id,
        "appid": app.authorizer_appid,
        "name": app.name,
        "belong_user": app.authorizer_admin.username if app.authorizer_admin else None,
        "company_id": app.company_id,
        "company_name": app.company.name,
        "version_num": release.user_version if release else None,
        "template_id": release.template_id if release else None,
        "status": status,
        "status_text": STATUS_TEXT[status],
        "status_time": fmt_minute(release.status_time) if release else None,
        "experience_qrcode": release.experience_qrcode if release else None,
        "reason": (release.reason or "") if release else "",
    }


def authorizer_details(app, verified: bool) -> dict:
    """11.6 / 13.4 ret_data (without the release part)."""
    return {
        "authorization_appid": app.authorizer_appid,
        "name": app.name,
        "principal_name": app.principal_name,
        "head_img": app.head_img,
        "verify_type_info": verified,
        "service_category": app.service_category,
        "qrcode_url": app.qrcode_url,
    }


def version_details(summary: dict) -> dict:
    online, waiting = summary["online"], summary["waiting"]
    return {
        "version_num": online.user_version if online else None,
        "release_time": fmt_datetime(online.release_time) if online else None,
        "stay_version_num": waiting.user_version if waiting else None,
        "stay_audit_time": fmt_datetime(waiting.submit_time) if waiting else None,
    }


class WeChatPushQuerySchema(BaseSchema):
    """The query string of WeChat's pushes to the platform (described; the service verifies it itself)."""

    msg_signature = fields.String(
        required=True, validate=max_length(64), metadata={"description": "WeChat's message signature"}
    )
    timestamp = fields.String(required=True, validate=max_length(32))
    nonce = fields.String(required=True, validate=max_length(64))
    signature = fields.String(validate=max_length(64))
    encrypt_type = fields.String(validate=max_length(16))
