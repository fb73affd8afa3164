"""The OpenAPI 3 description, built from the URL map, the views' docstrings and their declarations.

- Inputs: what each view declares with `@takes` (app/declare.py): its query and body schemas, file parts, a raw
  body.
- Security: who signs each route — an admin (`/zhugeleida/admin`, `/zhugeleida/public`), a radar user
  (`/zhugeleida/qiyeweixin`), a customer (`/zhugeleida/gongzhonghao`), the scan-to-join invite, or nobody
  (login, WeChat's callbacks and OAuth redirects, `/healthz`, the docs, statics). A view's `principal_kind`
  marker or `@public` overrides its blueprint's default.
- Responses: the envelope `{code, msg, data}`; `data` of a success as the view's `@answers` declares it (a
  list envelope `Page(Schema)` inline, a schema as a component, `Empty` as `{}`); a success that is no envelope
  (`produces`) or a redirect as declared; every other code with the error envelope.
"""

import inspect
import re
from dataclasses import dataclass
from functools import cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from flask import Flask
from marshmallow import fields

from app.access import required_rule
from app.declare import FILE, Declared, Empty, EmptyList, Text, declared
from app.responses import Code
from app.schemas.fields import JSONDict, JSONList, JSONNested, LocalDate, LocalDateTime, _JSONCarrier
from app.schemas.plugin import MAX_PRICE
from app.schemas.plugin import Price as PluginPrice
from app.schemas.upload import UploadId

CODES = {
    Code.OK: "成功",
    Code.DUPLICATE: "名称已存在",
    Code.TYPE_ERROR: "数据类型验证失败（msg 指出字段，data 为各字段错误）",
    Code.NOT_FOUND: "ID 不存在（或属于其他公司）",
    Code.INVALID: "表单验证失败（msg 指出字段，data 为各字段错误）",
    Code.HAS_CHILDREN: "含有子级数据",
    Code.FORBIDDEN_SELF: "不能删除自己 / 密码复杂度不够",
    Code.DISABLED: "账户未启用",
    Code.AUTH_FAILED: "认证失败（rand_str、timestamp、user_id）",
    Code.BAD_LOGIN: "用户名或密码错误",
    Code.BAD_METHOD: "请求方式异常（HTTP 405）",
    Code.FORBIDDEN: "没有权限",
    Code.ILLEGAL: "非法请求（HTTP 404）",
    Code.PAYLOAD_TOO_LARGE: "请求体过大（HTTP 413；上限见 docs/security.md）",
    Code.TOO_MANY_REQUESTS: "尝试次数过多（HTTP 429）",
    Code.SERVER_ERROR: "服务器错误（HTTP 500）",
}
CODES_TEXT = "; ".join(f"{code.value} {text}" for code, text in CODES.items())

# Who signs the requests of a URL prefix; routes elsewhere are public.
PRINCIPAL_PREFIXES = (
    ("/zhugeleida/admin/", "admin"),
    ("/zhugeleida/public/", "admin"),
    ("/zhugeleida/qiyeweixin/", "radar_user"),
    ("/zhugeleida/gongzhonghao/", "customer"),
)
PRINCIPAL_KINDS = {"admin": "admin", "radar": "radar_user", "customer": "customer"}  # principal_kind markers
SIGNERS = {
    "admin": "an admin user (后台用户) — token from 1.0 login",
    "radar_user": "a radar user (雷达用户) — token from the WeChat Work login work_weixin_auth",
    "customer": "a customer (客户) — token from 16.1 work_gongzhonghao_auth",
    "invite": "the scan-to-join QR code of an admin (1.8): its invite secret, never the admin's token",
}


@dataclass(frozen=True)
class Hint:
    """What a view cannot declare itself (Flask's static route) or who signs it when no blueprint says."""

    principal: str | None = None
    summary: str | None = None


HINTS: dict[str, Hint] = {
    "admin.user.scan_code_to_add_user": Hint(principal="invite"),
    "admin.user.scan_code_check": Hint(principal="invite"),
    "admin.user.scan_code_departments": Hint(principal="invite"),
    "health.metrics_view": Hint(summary="Prometheus 指标（METRICS_TOKEN 或允许的地址，见 docs/operations.md）."),
    "static": Hint(summary="上传的图片和生成的二维码（statics/ 下的文件）."),
}
STATIC = Declared(produces={"*/*": FILE})


def _redirect(description: str) -> dict:
    location = {"description": "where the browser goes", "schema": {"type": "string", "format": "uri"}}
    return {"description": description, "headers": {"Location": location}}


# Custom input fields whose JSON schema apispec cannot infer.
CUSTOM_FIELDS = {
    UploadId: {"type": "string", "pattern": r"^\d{1,20}$"},
    PluginPrice: {"type": "number", "minimum": 0, "maximum": float(MAX_PRICE)},
}


def _field_attributes(self, field, **kwargs):
    """apispec attribute function: JSON-carrying fields, output-only formats, custom fields, nullable outputs."""
    ret = dict(kwargs.get("ret", {}))
    extra: dict = {}
    if isinstance(field, JSONNested):
        extra = {"allOf": [self.resolve_nested_schema(field.schema_cls)], "x-form": "json"}
    elif isinstance(field, JSONList):
        items = self.field2property(field.item) if field.item is not None else {}
        extra = {"type": "array", "items": items, "x-form": "json"}
    elif isinstance(field, JSONDict | _JSONCarrier):
        extra = {"type": "object", "x-form": "json"}
    elif isinstance(field, LocalDateTime | LocalDate):
        extra = {"type": "string"}
    elif type(field) in CUSTOM_FIELDS:
        extra = dict(CUSTOM_FIELDS[type(field)])
    if getattr(self, "output_mode", False) and "type" in {**ret, **extra}:
        extra["nullable"] = True  # a dump prints None for an unset attribute, whatever the field
    return extra


class _Names:
    """Component names: the class name without "Schema", made unique across modules."""

    def __init__(self):
        self.taken: dict[str, type] = {}

    def __call__(self, schema) -> str:
        cls = resolve_schema_cls(schema)
        base = cls.__name__.removesuffix("Schema") or cls.__name__
        name, n = base, 1
        while self.taken.setdefault(name, cls) is not cls:
            n += 1
            name = f"{base}{n}"
        return name


class _Builder:
    def __init__(self, app: Flask):
        self.app = app
        self.names = _Names()
        self.plugin = MarshmallowPlugin(schema_name_resolver=self.names)
        self.spec = APISpec(
            title="zhugeleida admin backend",
            version="1.0.0",
            openapi_version="3.0.3",
            plugins=[self.plugin],
            info={"description": INFO},
        )
        self.plugin.converter.add_attribute_function(_field_attributes)
        self.converter = self.plugin.converter
        _components(self.spec)
        self.operation_ids: set[str] = set()

    # --- schemas --------------------------------------------------------------------------------------------

    def ref(self, schema_cls, output: bool = False) -> dict:
        name = self.names(schema_cls)
        if name not in self.spec.components.schemas:
            self.converter.output_mode = output
            try:
                self.spec.components.schema(name, schema=schema_cls)
            finally:
                self.converter.output_mode = False
        return {"$ref": f"#/components/schemas/{name}"}

    def data_schema(self, shape) -> dict:
        """The JSON schema of a declared `data`: a schema class, ("many", class), Empty or EmptyList."""
        if isinstance(shape, tuple):
            return {"type": "array", "items": self.data_schema(shape[1])}
        if shape is Empty:
            return {"type": "object", "maxProperties": 0}
        if shape is EmptyList:
            return {"type": "array", "maxItems": 0}
        if shape is Text:
            return {"type": "string"}
        if getattr(shape, "page_of", None) is not None:
            return self.page_schema(shape)
        return self.ref(shape, output=True)

    def page_schema(self, schema_cls) -> dict:
        """A list envelope (app/declare.py Page) inline: its items, its total, and any key a view adds."""
        properties, required = {}, []
        self.converter.output_mode = True
        try:
            for name, field_obj in schema_cls().fields.items():
                key = field_obj.data_key or name
                inner = getattr(field_obj, "inner", None)
                if isinstance(inner, fields.Nested):
                    properties[key] = {"type": "array", "items": self.ref(inner.nested, output=True)}
                elif isinstance(field_obj, fields.Integer) and field_obj.required:
                    properties[key] = {"type": "integer"}
                else:
                    properties[key] = self.converter.field2property(field_obj)
                if field_obj.required:
                    required.append(key)
        finally:
            self.converter.output_mode = False
        return {"type": "object", "required": required, "properties": properties}

    def form_schema(self, bodies: list) -> dict:
        """The body as form fields: JSON-carrying fields are JSON text, everything else a scalar string/number.
        Several schemas (the view reads one of them): their fields together, required where all require them."""
        properties, required = {}, None
        for schema_cls in bodies:
            component = self.spec.components.schemas[self.ref(schema_cls)["$ref"].rsplit("/", 1)[1]]
            for name, prop in component.get("properties", {}).items():
                if prop.get("x-form") == "json":
                    prop = {"type": "string", "description": "JSON 文本（JSON-encoded text）"}
                elif prop.get("type") not in ("string", "integer", "number", "boolean"):
                    prop = {"type": "string"}
                properties.setdefault(name, {k: v for k, v in prop.items() if k != "nullable"})
            names = set(component.get("required", []))
            required = names if required is None else required & names
        schema = {"type": "object", "properties": properties}
        if required:
            schema["required"] = sorted(required)
        return schema

    # --- operations -----------------------------------------------------------------------------------------

    def declaration(self, rule, view) -> Declared:
        if rule.endpoint == "static":
            return STATIC
        return declared(view) or Declared()  # undeclared: no input, and `data` unknown ({})

    def operation(self, rule, view, method: str) -> dict:
        hint = HINTS.get(rule.endpoint, Hint())
        io = self.declaration(rule, view)
        summary, _, description = (hint.summary or inspect.getdoc(view) or "").partition("\n\n")
        summary = " ".join(summary.split())  # the docstring's first paragraph
        principal = principal_of(rule, view)
        operation = {
            "operationId": self.operation_id(rule, method),
            "summary": summary.strip(),
            "description": "\n\n".join(filter(None, [description.strip(), self.notes(rule, view, principal)])),
            "tags": [rule.endpoint.rsplit(".", 1)[0]],
            "parameters": _path_parameters(rule),
            "responses": self.responses(io),
            "security": _security(principal),
            "x-principal": principal,
        }
        for query in filter(None, (io.query, io.also_query)):
            operation["parameters"] += self.converter.schema2parameters(query, location="query")
        if method in {"post", "put", "patch"} and (io.bodies or io.files or io.raw):
            operation["requestBody"] = self.request_body(list(io.bodies), io)
        return operation

    def operation_id(self, rule, method: str) -> str:
        base = f"{rule.endpoint}.{method}"
        operation_id, n = base, 1
        while operation_id in self.operation_ids:
            n += 1
            operation_id = f"{base}.{n}"
        self.operation_ids.add(operation_id)
        return operation_id

    def request_body(self, bodies: list, io: Declared) -> dict:
        if io.raw:
            return {"required": True, "content": {io.raw: {"schema": {"type": "string"}}}}
        content = {}
        form = self.form_schema(bodies)
        content["application/x-www-form-urlencoded"] = {"schema": form}
        if io.files:
            multipart = {**form, "properties": dict(form["properties"])}
            for name in io.files:
                multipart["properties"][name] = {"type": "string", "format": "binary"}
            content["multipart/form-data"] = {"schema": multipart}
        if bodies:
            refs = [self.ref(schema_cls) for schema_cls in bodies]
            content["application/json"] = {"schema": refs[0] if len(refs) == 1 else {"anyOf": refs}}
        return {"required": True, "content": content}

    def responses(self, io: Declared) -> dict:
        default = {"$ref": "#/components/responses/Error"}
        if io.redirect_only:
            html = {"text/html": {"schema": {"type": "string"}}}
            headers = {"Location": {"schema": {"type": "string"}, "description": "where to go"}}
            redirect = {"description": "重定向 (a redirect)", "headers": headers, "content": html}
            return {"302": redirect, "default": default}
        if io.produces:
            content = {**_json({"$ref": "#/components/schemas/Error"}), **io.produces}
            success = {"description": "成功；出错时为错误信封 (the error envelope on failure)", "content": content}
            return {"200": success, "default": default}
        variants = []
        for shape in io.answers or [None]:
            schema = self.data_schema(shape) if shape is not None else {}
            if schema not in variants:
                variants.append(schema)
        data = variants[0] if len(variants) == 1 else {"anyOf": variants}
        ok_schema = {
            "type": "object",
            "required": ["code", "msg", "data"],
            "properties": {"code": {"type": "integer", "enum": [200]}, "msg": {"type": "string"}, "data": data},
        }
        envelope = {"anyOf": [ok_schema, {"$ref": "#/components/schemas/Error"}]}
        redirect = {"302": _redirect(io.redirect)} if io.redirect else {}
        return {
            "200": {"description": "信封：code 200 时 data 如下；其他业务码见 Error", "content": _json(envelope)},
            **redirect,
            "default": default,
        }

    def notes(self, rule, view, principal: str) -> str:
        codes = [Code.OK]
        io = self.declaration(rule, view)
        if io.query or io.bodies or io.also_query:
            codes += [Code.TYPE_ERROR, Code.INVALID]
        lines = []
        if principal == "public":
            lines.append("无需签名（公开）。")
        else:
            lines.append(f"签名者 Signed by {SIGNERS[principal]}.")
            codes += [Code.AUTH_FAILED, Code.DISABLED]
        if principal == "admin" and rule.rule.startswith("/zhugeleida/admin/"):
            superadmin = getattr(view, "superadmin_only", False)
            rule_path = required_rule(rule.endpoint, view)
            lines.append(f"权限 Access rule: `{rule_path}`" + ("; 仅超级管理员 (role 1 only)." if superadmin else "."))
            codes.append(Code.FORBIDDEN)
        lines.append("业务码 Codes: " + ", ".join(str(int(c)) for c in sorted(set(codes))) + " …")
        return "\n\n".join(lines)


INFO = (
    "Every API response is the JSON envelope `{code, msg, data}` (HTTP 200 unless noted). "
    f"Business codes: {CODES_TEXT}; WeChat errors pass through as WeChat's `errcode`.\n\n"
    "Signed requests carry `rand_str`, `timestamp`, `user_id` in the query string: "
    "`rand_str = md5(timestamp + token)`, `timestamp` in epoch milliseconds (within AUTH_MAX_SKEW_SECONDS)."
)


def principal_of(rule, view) -> str:
    """admin, radar_user, customer, invite or public."""
    hint = HINTS.get(rule.endpoint)
    if hint is not None and hint.principal:
        return hint.principal
    if getattr(view, "is_public", False):
        return "public"
    if getattr(view, "principal_kind", None):
        return PRINCIPAL_KINDS[view.principal_kind]
    for prefix, kind in PRINCIPAL_PREFIXES:
        if rule.rule.startswith(prefix):
            return kind
    return "public"


def _security(principal: str) -> list:
    if principal == "public":
        return []
    return [{f"{principal}_{name}": [] for name in ("rand_str", "timestamp", "user_id")}]


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


_CONVERTERS = {
    "int": {"type": "integer", "minimum": 0},
    "float": {"type": "number", "minimum": 0},
    "default": {"type": "string", "pattern": "^[^/]+$"},
    "path": {"type": "string"},
}


def _path_parameters(rule) -> list[dict]:
    params = []
    for name, converter in rule._converters.items():
        kind = next((k for k, cls in rule.map.converters.items() if isinstance(converter, cls) and k != "any"), "")
        schema = dict(_CONVERTERS.get(kind, {"type": "string"}))
        if getattr(converter, "max", None) is not None and schema["type"] != "string":
            schema["maximum"] = converter.max
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def _components(spec: APISpec) -> None:
    for principal, signer in SIGNERS.items():
        for name, meaning in (
            ("rand_str", "md5(timestamp + token) as 32 hex digits"),
            ("timestamp", "the client's epoch milliseconds"),
            ("user_id", "the signer's id"),
        ):
            scheme = {"type": "apiKey", "in": "query", "name": name, "description": f"{meaning}; signer: {signer}"}
            spec.components.security_scheme(f"{principal}_{name}", scheme)
    error = {
        "type": "object",
        "required": ["code", "msg", "data"],
        "properties": {
            "code": {"type": "integer", "not": {"enum": [200]}, "description": CODES_TEXT},
            "msg": {"type": "string"},
            "data": {"description": "{} or, on 301/303, the errors of each field"},
        },
    }
    spec.components.schema("Error", error)
    spec.components.response(
        "Error", {"description": "The error envelope", "content": _json({"$ref": "#/components/schemas/Error"})}
    )


def build_spec(app: Flask) -> dict:
    builder = _Builder(app)
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        view = app.view_functions[rule.endpoint]
        path = re.sub(r"<(?:[^>:]+:)?(\w+)>", r"{\1}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = builder.operation(rule, view, method.lower())
    for path, operations in paths.items():
        builder.spec.path(path=path, operations=operations)
    return builder.spec.to_dict()


def undeclared_views(app: Flask) -> list[str]:
    """Endpoints whose view declares neither its input nor its answer (a test keeps it empty)."""
    return sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and declared(app.view_functions[rule.endpoint]) is None
    )


@cache
def _spec_for(app_id: int, app: Flask) -> dict:
    return build_spec(app)


def spec_for(app: Flask) -> dict:
    return _spec_for(id(app), app)
