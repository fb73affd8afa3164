"""Every text an input schema takes is bounded, and never beyond the column it is written to: a longer value
would be a 500 on MariaDB (a 143-character email did). Schemas are found as the OpenAPI builder finds them,
from the views' declarations (app/declare.py @takes); the schema → model mapping below names where each writes."""

import re
import re._parser as sre_parser

import pytest
from marshmallow import fields, validate
from sqlalchemy.dialects import mysql

from app.declare import declared
from app.models.admin import AccessRule, AdminUser, Role
from app.models.article import Article, ArticleTag
from app.models.company import Company, CompanyApp
from app.models.open_platform import CodeRelease, MiniProgramApp
from app.models.plugin import Activity, ActivitySignUp, Goods, MingpianCard
from app.models.product import Product
from app.models.radar import RadarUser, TempUser
from app.models.speech import SpeechDetail, TalkGroup
from app.models.website import WebsiteTemplate
from app.schemas import (
    access_rule,
    admin_user,
    article,
    company,
    open_platform,
    plugin,
    product,
    radar_user,
    role,
    speech,
    website,
)
from app.schemas.base import Utf8Bytes
from app.schemas.fields import JSONList
from app.security import EncryptedText
from tests.conftest import body

# schema → (model it writes, {field name: column name} where they differ)
WRITES = {
    access_rule.AccessRuleSchema: (AccessRule, {}),
    admin_user.AdminUserSchema: (AdminUser, {}),
    admin_user.AdminUserUpdateSchema: (AdminUser, {}),
    article.ArticleSchema: (Article, {}),
    article.TagSchema: (ArticleTag, {"tag_name": "name"}),
    company.CompanySchema: (Company, {}),
    company.TongxunluSchema: (Company, {}),
    company.AgentSchema: (CompanyApp, {"app_secret": "secret"}),
    open_platform.UploadCodeSchema: (CodeRelease, {}),
    open_platform.XcxInfoSchema: (MiniProgramApp, {}),
    plugin.ActivitySchema: (Activity, {}),
    plugin.CardSchema: (MingpianCard, {}),
    plugin.GoodsSchema: (Goods, {}),
    plugin.SignUpSchema: (ActivitySignUp, {"customer_name": "name"}),
    product.ProductAddSchema: (Product, {}),
    product.ProductUpdateSchema: (Product, {}),
    radar_user.RadarUserAddSchema: (RadarUser, {}),
    radar_user.RadarUserSchema: (RadarUser, {}),
    radar_user.ScanJoinSchema: (TempUser, {}),
    role.RoleSchema: (Role, {}),
    speech.SpeechDetailSchema: (SpeechDetail, {}),
    speech.TalkGroupSchema: (TalkGroup, {}),
    website.TemplateSchema: (WebsiteTemplate, {}),
}
MYSQL = mysql.dialect()
# Characters a column holds on MariaDB (utf8mb4: up to 4 bytes a character in TEXT types).
TEXT_BYTES = {"TINYTEXT": 255, "TEXT": 65535, "MEDIUMTEXT": 16777215, "LONGTEXT": 4294967295}


def column_capacity(column) -> int | None:
    """How many characters `column` stores on MariaDB; None for types that are not text."""
    compiled = column.type.compile(dialect=MYSQL)
    if match := re.fullmatch(r"(?:NATIONAL )?(?:VAR)?CHAR\((\d+)\).*", compiled):
        return int(match.group(1))
    if compiled in TEXT_BYTES:
        stored = TEXT_BYTES[compiled]
        if isinstance(column.type, EncryptedText):  # Fernet: base64 of the text plus 73 bytes
            stored = stored * 3 // 4 - 73
        return stored // 4
    return None


# Bounded another way: the base64 chunk is limited by the request body (UPLOAD_BODY_MAX_BYTES) and, decoded,
# by UPLOAD_MAX_CHUNK_BYTES; it is never stored in a column.
EXEMPT = {"UploadChunkSchema.img_data"}


def _ends_anchored(items) -> bool:
    if not items:
        return False
    op, arg = items[-1]
    if op == sre_parser.AT:
        return arg in (sre_parser.AT_END, sre_parser.AT_END_STRING)
    if op == sre_parser.BRANCH:
        return all(_ends_anchored(list(branch)) for branch in arg[1])
    if op == sre_parser.SUBPATTERN:
        return _ends_anchored(list(arg[-1]))
    return False


def regexp_bound(pattern) -> int | None:
    """The longest text a Regexp validator accepts (it matches from the start): None when unbounded."""
    text = pattern if isinstance(pattern, str) else pattern.pattern
    parsed = sre_parser.parse(text)
    width = parsed.getwidth()[1]
    if width >= sre_parser.MAXREPEAT or not _ends_anchored(list(parsed)):
        return None
    return width + (1 if "$" in text else 0)  # `$` also matches before a final newline


def field_bound(field) -> int | None:
    """The most characters `field` accepts: Length(max), the longest OneOf choice, or a bounded Regexp."""
    limits = [v.max for v in field.validators if isinstance(v, validate.Length) and v.max is not None]
    limits += [max(len(str(c)) for c in v.choices) for v in field.validators if isinstance(v, validate.OneOf)]
    limits += [b for v in field.validators if isinstance(v, validate.Regexp) and (b := regexp_bound(v.regex))]
    return min(limits) if limits else None


def fits(field, column) -> bool:
    """Whether every value `field` accepts fits `column` on MariaDB (characters, or UTF-8 bytes for TEXT)."""
    capacity, bound = column_capacity(column), field_bound(field)
    if capacity is None or (bound is not None and bound <= capacity):
        return True
    compiled = column.type.compile(dialect=MYSQL)
    byte_limits = [v.max for v in field.validators if isinstance(v, Utf8Bytes)]
    return (
        compiled in TEXT_BYTES
        and not isinstance(column.type, EncryptedText)
        and min(byte_limits or [1 << 62]) <= TEXT_BYTES[compiled]
    )


def _input_schemas(app) -> set[type]:
    """The schemas the views load (followed into nested schemas), as their @takes declares them."""
    found = set()
    for view in app.view_functions.values():
        io = declared(view)
        if io is not None:
            found.update(io.bodies, filter(None, (io.query, io.also_query)))
    return found


def _string_fields(schema_cls, prefix=""):
    """(path, field) of every text field a schema loads, nested schemas and list items included."""
    for name, field in schema_cls().fields.items():
        if field.dump_only:
            continue
        yield from _text_in(field, f"{prefix}{schema_cls.__name__}.{name}")


def _text_in(field, path):
    if isinstance(field, fields.String):
        yield path, field
    elif isinstance(field, fields.List):
        yield from _text_in(field.inner, path + "[]")
    elif isinstance(field, fields.Nested):
        yield from _string_fields(type(field.schema), path + ".")
    elif isinstance(field, JSONList) and field.item is not None:
        yield from _text_in(field.item, path + "[]")
    elif hasattr(field, "schema_cls"):  # JSON-in-form object validated by a schema
        yield from _string_fields(field.schema_cls, path + ".")


@pytest.fixture(scope="module")
def input_schemas(app):
    schemas = _input_schemas(app)
    assert set(WRITES) <= schemas, set(WRITES) - schemas
    return schemas


def test_every_text_input_is_bounded(app, input_schemas):
    with app.app_context():
        unbounded = sorted(path for cls in input_schemas for path, f in _string_fields(cls) if field_bound(f) is None)
    assert sorted(set(unbounded) - EXEMPT) == []


def test_no_text_input_is_longer_than_its_column(app):
    too_long = []
    with app.app_context():
        for schema_cls, (model, renames) in WRITES.items():
            columns = model.__table__.columns
            for name, field in schema_cls().fields.items():
                column = columns.get(renames.get(name, field.attribute or name))
                if field.dump_only or column is None or not isinstance(field, fields.String):
                    continue
                if not fits(field, column):
                    capacity, bound = column_capacity(column), field_bound(field)
                    too_long.append(
                        f"{schema_cls.__name__}.{name}: {bound} > {model.__name__}.{column.name} {capacity}"
                    )
    assert too_long == []


def test_the_capacity_of_columns():
    assert column_capacity(RadarUser.__table__.c.email) == 128
    assert column_capacity(Company.__table__.c.remarks) == 16383
    assert column_capacity(Article.__table__.c.content) == 16777215 // 4
    assert 12000 < column_capacity(Company.__table__.c.tongxunlu_secret) < 16383
    assert column_capacity(Company.__table__.c.website_content) is None


def test_the_bound_of_a_regexp():
    assert regexp_bound(r"^[0-9+\-() ]{3,20}$") == 21 and regexp_bound(r"^[0-9]{3,20}\Z") == 20
    assert regexp_bound(r"^$|^1[3-9]\d{9}$") == 12
    assert regexp_bound(r"^a+$") is None and regexp_bound(r"^ab") is None and regexp_bound(r"^(a{2}|b)$") == 3


@pytest.mark.parametrize(
    ("field", "value"),
    [("userid", "a" * 64 + "\n"), ("wechat_phone", "13800138000\n"), ("mingpian_phone", "1380013800\u0660")],
)
def test_a_final_newline_or_a_non_ascii_digit_is_refused(api, make, field, value):
    form = {"username": "张三", "userid": "zhangsan", "wechat_phone": "13800138000", "department_id": "[]"}
    payload = body(api.as_(make.admin()).post("/zhugeleida/admin/user/add/0", {**form, field: value}))
    assert payload["code"] == 303, payload


def test_a_long_email_is_303_not_500(api, make):
    admin = make.admin()
    form = {"username": "张三", "userid": "zhangsan", "wechat_phone": "13800138000", "department_id": "[]"}
    email = "a" * 131 + "@example.com"  # 143 characters: a valid address, longer than the column
    payload = body(api.as_(admin).post("/zhugeleida/admin/user/add/0", {**form, "email": email}))
    assert payload["code"] == 303 and "128" in payload["msg"], payload


def test_ads_beyond_a_text_column_in_bytes_are_303_and_within_it_are_stored(api, make):
    """`insert_ads` (TEXT: 65535 bytes on MariaDB) may be 60000 ASCII characters but not 22000 Chinese ones."""
    from tests.api.admin.test_article import BASE, _form

    client = api.as_(make.admin())
    payload = body(client.post(f"{BASE}/add/0", _form(insert_ads="广" * 22000)))  # 66000 bytes
    assert payload["code"] == 303 and "65535字节" in payload["msg"], payload
    assert body(client.post(f"{BASE}/add/0", _form(insert_ads="a" * 60000)))["code"] == 200
    assert body(client.post(f"{BASE}/add/0", _form(title="第二篇", insert_ads="广" * 21845)))["code"] == 200
