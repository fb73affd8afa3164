"""The OpenAPI 3 description, built from the URL map, the views' docstrings and the marshmallow
schemas each view loads (found in the view's own source: `load(Schema)` is a body,
`load(Schema, request.args)` is the query string)."""

import ast
import inspect
import re
import textwrap
from functools import cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from app.responses import Code
from app.schemas.base import JSONDict, JSONList, LocalDate, LocalDateTime

PUBLIC_PREFIXES = ("/healthz", "/openapi.json", "/docs", "/statics")
CODES_TEXT = "; ".join(f"{code.value} {code.name.lower()}" for code in Code)
_CONVERTER_TYPES = {"int": "integer", "float": "number"}


def _json_carrier(self, field, **_kwargs):
    if isinstance(field, JSONList):
        return {"type": "array", "description": "JSON 列表（表单中为 JSON 字符串）"}
    if isinstance(field, JSONDict):
        return {"type": "object", "description": "JSON 对象（表单中为 JSON 字符串）"}
    if isinstance(field, LocalDateTime | LocalDate):
        return {"type": "string"}
    return {}


def _loaded_schemas(view) -> tuple[type | None, type | None]:
    """(query schema, body schema) that the view passes to load()."""
    func = inspect.unwrap(view)
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError):
        return None, None
    query = body = None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "load" and node.args:
            schema = func.__globals__.get(getattr(node.args[0], "id", ""))
            in_query = len(node.args) > 1 and ast.unparse(node.args[1]) == "request.args"
            if in_query:
                query = schema
            else:
                body = schema
    return query, body


def _path_parameters(rule) -> list[dict]:
    params = []
    for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", rule.rule):
        schema = {"type": _CONVERTER_TYPES.get(converter, "string")}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def _is_public(rule, view) -> bool:
    return rule.rule.startswith(PUBLIC_PREFIXES) or getattr(view, "is_public", False)


def _operation(spec: APISpec, rule, view, method: str) -> dict:
    doc = inspect.getdoc(view) or ""
    summary, _, description = doc.partition("\n")
    query, body = _loaded_schemas(view)
    converter = spec.plugins[0].converter
    operation = {
        "operationId": f"{rule.endpoint}.{method}",
        "summary": summary.strip(),
        "description": description.strip() or summary.strip(),
        "tags": [rule.endpoint.rsplit(".", 1)[0]],
        "parameters": _path_parameters(rule),
        "responses": {"200": {"$ref": "#/components/responses/Envelope"}},
    }
    if query is not None:
        operation["parameters"] += converter.schema2parameters(query(), location="query")
    if body is not None and method in {"post", "put", "patch"}:
        ref = {"$ref": f"#/components/schemas/{_schema_name(spec, body)}"}
        operation["requestBody"] = {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": ref}, "application/json": {"schema": ref}},
        }
    if _is_public(rule, view):
        operation["security"] = []
    return operation


def _schema_name(spec: APISpec, schema_cls) -> str:
    name = schema_cls.__name__.removesuffix("Schema") or schema_cls.__name__
    if name not in spec.components.schemas:
        spec.components.schema(name, schema=schema_cls)
    return name


def build_spec(app: Flask) -> dict:
    plugin = MarshmallowPlugin()
    spec = APISpec(
        title="zhugeleida admin backend",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[plugin],
        info={"description": f"Every response is the envelope {{code, msg, data}}. Business codes: {CODES_TEXT}."},
    )
    plugin.converter.add_attribute_function(_json_carrier)
    _components(spec)
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(spec, rule, view, method.lower())
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _components(spec: APISpec) -> None:
    for name in ("rand_str", "timestamp", "user_id"):
        spec.components.security_scheme(
            name,
            {"type": "apiKey", "in": "query", "name": name, "description": "rand_str = md5(timestamp + token)"},
        )
    spec.options["security"] = [{"rand_str": [], "timestamp": [], "user_id": []}]
    spec.components.schema(
        "Envelope",
        {
            "type": "object",
            "required": ["code", "msg", "data"],
            "properties": {
                "code": {"type": "integer", "enum": [c.value for c in Code], "description": CODES_TEXT},
                "msg": {"type": "string"},
                "data": {},
            },
        },
    )
    envelope = {"application/json": {"schema": {"$ref": "#/components/schemas/Envelope"}}}
    spec.components.response("Envelope", {"description": "The envelope", "content": envelope})


@cache
def _spec_for(app_id: int, app: Flask) -> dict:
    return build_spec(app)


def spec_for(app: Flask) -> dict:
    return _spec_for(id(app), app)
