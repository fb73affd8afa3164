"""What the views answer where a service builds the `data` (app/declare.py `@answers`): the exact keys.

The schemas the views dump through live beside their input schemas; these describe dicts the services and
views build. While testing, every answer is checked against its declaration, so a key added here or there
without the other fails the tests. `required=True` marks a key every answer carries.
"""

from marshmallow import Schema, fields

from app.declare import Page
from app.schemas.activity_page import ActivityPageSchema
from app.schemas.company import CompanyOutSchema
from app.schemas.customer import CustomerDetailSchema, TreeNodeSchema
from app.schemas.radar_user import DepartmentOutSchema, RadarUserOutSchema, TempUserOutSchema
from app.schemas.share import CardPageSchema, H5ArticleOutSchema, RadarUserCardSchema, RankingItemSchema


def _str(**kwargs) -> fields.String:
    return fields.String(required=True, **kwargs)


def _int(**kwargs) -> fields.Integer:
    return fields.Integer(required=True, **kwargs)


# --- health -------------------------------------------------------------------------------------------------


class HealthSchema(Schema):
    """Each check's outcome: "ok", or what failed."""

    database = _str()
    redis = fields.String()
    redis_persistence = fields.String()
    worker = fields.String()


class LiveSchema(Schema):
    status = _str()


# --- ids and jobs -------------------------------------------------------------------------------------------


class IdSchema(Schema):
    """The id of the row the request created."""

    id = _int()


class JobStartedSchema(Schema):
    """The background job the request started (GET /zhugeleida/admin/jobs/<job_id>)."""

    job_id = _str()


# --- admin: account, roles ----------------------------------------------------------------------------------


class PasswordChangedSchema(Schema):
    """1.1: the new token (the old one no longer signs) and the user."""

    token = _str()
    user_id = _int()


class LoginRulesSchema(Schema):
    """1.2: the url_path of every access rule the caller's role holds."""

    rules_list = fields.List(fields.String(), required=True)


class RoleIdSchema(Schema):
    role_id = _int()


class ChildRuleSchema(Schema):
    children_rule_id = _int()
    selected = fields.Boolean(required=True)
    children_rule_name = _str()


class RuleTreeSchema(Schema):
    """A parent access rule, whether the role holds it, and its children."""

    children_rule_list = fields.List(fields.Nested(ChildRuleSchema), required=True)
    parent_rule_id = _int()
    selected = fields.Boolean(required=True)
    parent_rule_name = _str()


class RoleRowSchema(Schema):
    """4.1: a role and the rule tree it holds."""

    role_id = _int()
    role_name = _str()
    rules_data = fields.List(fields.Nested(RuleTreeSchema), required=True)
    create_date = _str()


# --- admin: companies ---------------------------------------------------------------------------------------


class CompanyIdSchema(Schema):
    company_id = _int()


class CompanyRowSchema(CompanyOutSchema):
    """7.1.1: a company with its seats used, customers and service days (services.companies.company_rows)."""

    user_count = _int()
    customer_num = _int()
    used_days = _int()
    available_days = _int()


class AgentSavedSchema(Schema):
    name = _str()
    agent_id = _int()


class LastSyncSchema(Schema):
    job_id = _str()
    status = _str()
    create_date = _str()


class AuthorRowSchema(Schema):
    """7.1: the address book (corp_id, last_sync) or a radar app (app_type; agent_id and agent_name once set)."""

    name = _str()
    is_validate = fields.Boolean(required=True)
    corp_id = fields.String()
    last_sync = fields.Nested(LastSyncSchema, allow_none=True)
    app_type = fields.Integer()
    agent_id = fields.Integer()
    agent_name = fields.String()


class AuthorStatusSchema(Schema):
    ret_data = fields.List(fields.Nested(AuthorRowSchema), required=True)


# --- admin: jobs, customers, mini-programs ------------------------------------------------------------------


class JobErrorSchema(Schema):
    code = fields.Integer(required=True, allow_none=True)
    msg = _str()


class JobStatusSchema(Schema):
    """GET /zhugeleida/admin/jobs/<job_id> (app/services/job_status.py job_payload); an export's `result` carries
    its download link for the admin who started it (docs/exports.md)."""

    job_id = _str()
    kind = _str()
    company_id = fields.Integer(required=True, allow_none=True)
    status = _str()
    progress = fields.Integer(required=True, allow_none=True)
    stage = fields.String(required=True, allow_none=True)
    result = fields.Dict(required=True, allow_none=True)
    error = fields.Nested(JobErrorSchema, required=True, allow_none=True)
    attempts = _int()
    create_date = _str()
    started_at = fields.String(required=True, allow_none=True)
    finished_at = fields.String(required=True, allow_none=True)


class CustomerDetailAnswerSchema(Schema):
    ret_data = fields.Nested(CustomerDetailSchema, required=True)


class ForwardTreeSchema(Schema):
    """An article's forwarding tree by level (services.customers.forward_tree) and the ranking by reach."""

    article_id = _int()
    title = _str()
    level_num = _int()
    count = _int()
    truncated = fields.Boolean(required=True)
    ret_data = fields.List(fields.Nested(TreeNodeSchema), required=True)
    ranking = fields.List(fields.Nested(TreeNodeSchema), required=True)


class XcxAppSchema(Schema):
    """12.1: a mini-program with the state of its newest release (schemas.open_platform.xcx_app_item)."""

    id = _int()
    appid = fields.String(required=True, allow_none=True)
    name = fields.String(required=True, allow_none=True)
    belong_user = fields.String(required=True, allow_none=True)
    company_id = _int()
    company_name = _str()
    version_num = fields.String(required=True, allow_none=True)
    template_id = fields.Integer(required=True, allow_none=True)
    status = _int()
    status_text = _str()
    status_time = fields.String(required=True, allow_none=True)
    experience_qrcode = fields.String(required=True, allow_none=True)
    reason = _str()


# --- admin: dashboard, radar users, scan-to-join ------------------------------------------------------------


class HomePageFiguresSchema(Schema):
    """1.5 (services.statistics.home_page)."""

    company_name = _str()
    username = _str()
    mingpian_num = _int()
    user_count = _int()
    seats_used = _int()
    seats_left = _int()
    expired_time = fields.String(required=True, allow_none=True)
    open_up_date = fields.String(required=True, allow_none=True)
    available_days = _int()
    used_days = _int()
    customer_num = _int()


class HomePageSchema(Schema):
    ret_data = fields.Nested(HomePageFiguresSchema, required=True)


class MetricsSchema(Schema):
    """1.6: each metric in one window."""

    customer_num = _int()
    follow_num = _int()
    browse_num = _int()
    forward_num = _int()
    saved_total_num = _int()
    praise_sum = _int()


class WindowsSchema(Schema):
    count_data = fields.Nested(MetricsSchema, required=True)
    today_data = fields.Nested(MetricsSchema, required=True)
    yesterday_data = fields.Nested(MetricsSchema, required=True)
    nearly_seven_days = fields.Nested(MetricsSchema, required=True)
    nearly_thirty_days = fields.Nested(MetricsSchema, required=True)


class AccountDataSchema(Schema):
    ret_data = fields.Nested(WindowsSchema, required=True)


class LinePointSchema(Schema):
    statics_date = _str()
    value = _int()


class LineInfoAnswerSchema(Schema):
    """1.7: one point per day, oldest first."""

    ret_data = fields.List(fields.Nested(LinePointSchema), required=True)


class RadarUserAddedSchema(Schema):
    id = _int()
    userid = _str()


class ScanCodeSchema(Schema):
    """1.8: the invite QR code's picture and the link it holds."""

    qrcode_url = _str()
    url = _str()


class RefusedSchema(Schema):
    temp_user_id = _int()
    reason = _str()


class ApprovalResultSchema(Schema):
    """5.9.6: the requests approved (and the radar users made of them) and those refused, with why."""

    approved = fields.List(fields.Integer(), required=True)
    radar_user_ids = fields.List(fields.Integer(), required=True)
    refused = fields.List(fields.Nested(RefusedSchema), required=True)


class QrCodeMadeSchema(Schema):
    qr_code = _str()


class TemplateListSchema(Schema):
    """12.2: WeChat's code template library, as WeChat lists it."""

    template_list = fields.List(fields.Dict(), required=True)


class GrantedSchema(Schema):
    authorization_appid = _str()
    name = fields.String(required=True, allow_none=True)


class TempUserListSchema(Page(TempUserOutSchema)):
    """5.9.3: the pending scan-to-join requests, and the company's departments."""

    department_list = fields.List(fields.Nested(DepartmentOutSchema), required=True)


class RadarUserListSchema(Page(RadarUserOutSchema)):
    """1.4: the radar users, the seats the company has, and its departments."""

    mingpian_available_num = _int()
    department_list = fields.List(fields.Nested(DepartmentOutSchema), required=True)


# --- admin: the third-party platform ------------------------------------------------------------------------


class AuthDetailsSchema(Schema):
    """11.6 / 13.4 ret_data: the appid alone before authorisation (steps 1, 2); the account's details after,
    with (mini-program) its introduction, auto-release and versions."""

    authorization_appid = fields.String(required=True, allow_none=True)
    name = fields.String(allow_none=True)
    principal_name = fields.String(allow_none=True)
    head_img = fields.String(allow_none=True)
    verify_type_info = fields.Boolean()
    service_category = fields.String(allow_none=True)
    qrcode_url = fields.String(allow_none=True)
    introduce = fields.String(allow_none=True)
    auto_release = fields.Boolean()
    version_num = fields.String(allow_none=True)
    release_time = fields.String(allow_none=True)
    stay_version_num = fields.String(allow_none=True)
    stay_audit_time = fields.String(allow_none=True)


class AuthProcessSchema(Schema):
    step = fields.Raw(
        required=True, metadata={"description": "1 no appid, 2 not authorised, 3 details missing, '' done"}
    )
    ret_data = fields.Nested(AuthDetailsSchema, required=True)


# --- admin: products ----------------------------------------------------------------------------------------


class ProductStatusAnswerSchema(Schema):
    """2.5 (schemas.product.status_data)."""

    product_id = _int()
    status = _str()
    status_code = _int()


# --- the customer's H5 pages and the radar user's side ------------------------------------------------------


class ArticlePageSchema(Schema):
    """15.1: the article, the view that heartbeats refer to, the seconds between heartbeats, and the sharing
    radar user's card (null when that user is disabled)."""

    ret_data = fields.List(fields.Nested(H5ArticleOutSchema), required=True)
    article_access_log_id = _int()
    heartbeat_interval = _int()
    user_card = fields.Nested(RadarUserCardSchema, required=True, allow_none=True)


class StayTimeAnswerSchema(Schema):
    """16.5: the seconds the page waits before its next heartbeat (twice 15.1's while the server is busy)."""

    heartbeat_interval = _int()


class CardPageAnswerSchema(Schema):
    ret_data = fields.Nested(CardPageSchema, required=True)


class ActivityPageAnswerSchema(Schema):
    ret_data = fields.Nested(ActivityPageSchema, required=True)


class CodeSentSchema(Schema):
    """The SMS code's lifetime in seconds."""

    expires_in = _int()


class CustomerLoginSchema(Schema):
    """16.1: situation 2 {user_id, token, is_verify: true}, or situation 1 {authorize_url, is_verify: false}."""

    user_id = fields.Integer()
    token = fields.String()
    authorize_url = fields.String()
    is_verify = fields.Boolean(required=True)


class AuthorizeUrlSchema(Schema):
    authorize_url = _str()


class ShareUrlSchema(Schema):
    share_url = _str()


class JsSdkConfigSchema(Schema):
    """16.3: wx.config's values for the page."""

    appid = _str()
    timestamp = _int()
    nonceStr = _str()
    signature = _str()


class RankingSchema(Schema):
    """16.6: the depth of the caller's chain, the level shown and its rows."""

    level_num = _int()
    level = _int()
    ret_data = fields.List(fields.Nested(RankingItemSchema), required=True)
    article_id = _str()
    count = _int()


class RadarLoginSchema(Schema):
    user_id = _int()
    token = _str()
    username = _str()
    company_id = _int()


class PictureSchema(Schema):
    picture_url = _str()


class MergedSchema(Schema):
    """3.1: the merged picture's URL."""

    ret_data = fields.Nested(PictureSchema, required=True)
