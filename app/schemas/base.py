"""Input parsing shared by every schema: load(), request_data(), validators, paging (fields: fields.py)."""

from functools import cache

from flask import current_app, has_request_context, request
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from app.inputs import DEPTH_MESSAGE, JSONInputError, parse_json, remember_input
from app.responses import ApiError, Code
from app.sanitize import URL_RULE

# marshmallow's own messages, split into "wrong type" (301) and "missing/invalid" (303).
TYPE_MESSAGES = {
    "Not a valid integer.": "必须是整数",
    "Not a valid number.": "必须是数字",
    "Not a valid string.": "必须是字符串",
    "Not a valid boolean.": "必须是布尔值",
    "Not a valid date.": "必须是日期（YYYY-MM-DD）",
    "Not a valid datetime.": "必须是时间（YYYY-MM-DD HH:MM:SS）",
    "Not a valid list.": "必须是列表",
    "Not a valid mapping type.": "必须是对象",
    "Invalid input type.": "类型错误",
    "Invalid value.": "类型错误",
    "不是合法的 JSON": "不是合法的 JSON",
    DEPTH_MESSAGE: DEPTH_MESSAGE,
    URL_RULE: URL_RULE,
}
FORM_MESSAGES = {
    "Missing data for required field.": "不能为空",
    "Field may not be null.": "不能为空",
}


# Every integer input fits the database's INTEGER columns (and an OFFSET): a larger one would overflow
# SQLite's driver or be refused by MariaDB, a 500 either way; out of this range it is a 303.
INT_RANGE = validate.Range(min=-(2**31), max=2**31 - 1, error="超出范围")


def max_length(limit: int) -> validate.Length:
    """At most `limit` characters (a String(n) column: limit <= n; tests/test_input_bounds.py checks it)."""
    return validate.Length(max=limit, error=f"长度不能超过{limit}")


class Utf8Bytes(validate.Validator):
    """At most `limit` bytes once encoded as UTF-8: what a TEXT column holds on MariaDB (65535)."""

    def __init__(self, limit: int):
        self.max = limit

    def __call__(self, value):
        if isinstance(value, str) and len(value.encode("utf-8", "surrogatepass")) > self.max:
            raise ValidationError(f"长度不能超过{self.max}字节")
        return value


# A password is hashed, never stored; a bound keeps hashing cheap and the body small.
PASSWORD_MAX = 128


class BaseSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    def on_bind_field(self, field_name, field_obj):
        if isinstance(field_obj, fields.Integer) and INT_RANGE not in field_obj.validators:
            field_obj.validators = [*field_obj.validators, INT_RANGE]


def _first_leaf(messages):
    """(path, message) of the first error in marshmallow's nested error dict."""
    if isinstance(messages, dict):
        key, value = next(iter(messages.items()))
        path, msg = _first_leaf(value)
        return [key, *path], msg
    if isinstance(messages, list) and messages:
        return _first_leaf(messages[0]) if not isinstance(messages[0], str) else ([], messages[0])
    return [], str(messages)


def _all_leaves(messages):
    if isinstance(messages, dict):
        for value in messages.values():
            yield from _all_leaves(value)
    elif isinstance(messages, list):
        for value in messages:
            yield from _all_leaves(value)
    else:
        yield str(messages)


def _by_wire_name(schema: Schema) -> dict:
    """The schema's input fields by the name a client sends (a field's data_key, else its own name)."""
    return {field.data_key or name: field for name, field in schema.load_fields.items()}


def _label(schema: Schema, key) -> str:
    """The label of the field an error names: marshmallow keys its errors by the wire name."""
    field = _by_wire_name(schema).get(key) if isinstance(key, str) else None
    return (field.metadata.get("label") if field else None) or str(key)


def _as_sent(schema: Schema, result):
    """A loaded input keyed by the names the client sent, as the operation log shows them."""
    if not isinstance(result, dict):
        return result
    sent = {field.attribute or field.name: key for key, field in _by_wire_name(schema).items()}
    return {sent.get(key, key): value for key, value in result.items()}


def load(schema_cls, data=None, **kwargs):
    """Validate `data` (default: the request's form/JSON) with `schema_cls`; 301/303 on error."""
    if has_request_context() and current_app.testing and (data is None or data is request.args):
        _check_declared(schema_cls, "body" if data is None else "query")
    schema = _instance(schema_cls, **kwargs)
    try:
        result = schema.load(request_data() if data is None else data)
    except ValidationError as err:
        messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        is_type = any(m in TYPE_MESSAGES for m in _all_leaves(messages))
        path, msg = _first_leaf(messages)
        text = TYPE_MESSAGES.get(msg) or FORM_MESSAGES.get(msg) or msg
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path[1:])
        label = "" if path and path[0] == "_schema" else _label(schema, path[0] if path else "")
        code = Code.TYPE_ERROR if is_type else Code.INVALID
        raise ApiError(code, f"{label}{where} {text}".strip(), messages) from None
    remember_input(_as_sent(schema, result))  # a write's input, for its operation-log summary (app/services/oplog.py)
    return result


@cache
def _instance(schema_cls, **kwargs) -> Schema:
    """One instance of each input schema (and options) per process: building one costs more than a load, and
    a load keeps its state in the call (the schemas hold none of their own)."""
    return schema_cls(**kwargs)


def _check_declared(schema_cls, where: str) -> None:
    """While testing: the view reading the request with `schema_cls` declares it with @takes (app/declare.py),
    so /openapi.json describes every input a view reads."""
    io = getattr(current_app.view_functions.get(request.endpoint or ""), "declared", None)
    allowed = () if io is None else io.bodies if where == "body" else (io.query, io.also_query)
    if schema_cls not in allowed:
        raise AssertionError(f"{request.endpoint} loads its {where} with {schema_cls.__name__} without @takes")


def request_data() -> dict:
    """The request's body as a plain dict: JSON if sent as JSON, else the form fields."""
    if request.is_json:
        try:
            body = parse_json(request.get_data())
        except JSONInputError as err:
            raise ApiError(Code.TYPE_ERROR, f"请求体{err.msg}") from None
        if not isinstance(body, dict):
            raise ApiError(Code.TYPE_ERROR, "请求体不是合法的 JSON 对象")
        return body
    return request.form.to_dict()


class PageSchema(BaseSchema):
    """current_page (default 1) and length (default 10, at most 100)."""

    current_page = fields.Integer(
        load_default=1, validate=validate.Range(min=1, error="必须大于等于1"), metadata={"label": "页码"}
    )
    length = fields.Integer(
        load_default=10,
        validate=validate.Range(min=1, max=100, error="必须在1到100之间"),
        metadata={"label": "每页条数"},
    )
