"""What a view takes and answers, declared once on the view: the declarations run, and they document.

`@takes(Schema)` loads the body with `load()` and hands it to the view as `body`; `@takes(query=Schema)` loads the
query string into `query`. The query string is loaded before the body. A view that must choose its body schema
itself (two are declared) or read it from a `source` other than the request body still declares it here; `load()`
refuses, while testing, a request read that its view did not declare (app/schemas/base.py).

`@answers(Schema)` names the shape of the envelope's `data` on success: the view returns `ok(...)` as usual,
and while testing every answer is checked against the declaration (keys, required keys, types), so the
description cannot drift from what the views send. `page(items, total, Schema)` builds the list envelope
`{"ret_data": [...], "data_count": n}` that `Page(Schema)` declares.

app/openapi.py builds /openapi.json from these declarations (`declared(view)`).
"""

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache, wraps

from flask import current_app, request
from marshmallow import Schema, fields

from app.schemas.base import load

FILE = {"schema": {"type": "string", "format": "binary"}}  # a success that is a file, whatever its type
TEXT = {"schema": {"type": "string"}}
PAGE_ITEMS, PAGE_TOTAL = "ret_data", "data_count"  # the contract's list envelope
SPEECH_PAGE = ("otherList", "objsCount")  # 17.4/17.8 name theirs otherwise


class Empty(Schema):
    """`data` is `{}`: the answer carries nothing but its code and message."""


class EmptyList(Schema):
    """`data` is `[]` (the article answers of the contract)."""


class Text(Schema):
    """`data` is a string (a URL)."""


@dataclass(frozen=True)
class Declared:
    bodies: tuple[type, ...] = ()
    query: type | None = None
    source: Callable | None = None  # where the body is read from, when not the request body alone
    also_query: type | None = None  # query parameters the `source` (or the view) reads: described, not loaded
    files: tuple[str, ...] = ()  # multipart file parts
    raw: str | None = None  # media type of a raw body the view reads itself
    answers: tuple = ()  # data schemas (one of them), many-ness as ("many", Schema)
    produces: dict = field(default_factory=dict)  # media type → schema of a 200 that is not the envelope
    redirect: str | None = None  # a browser is sent elsewhere (302): where and when
    redirect_only: bool = False  # answers only with a redirect


def declared(view) -> Declared | None:
    return getattr(view, "declared", None)


def _declare(view, **changes) -> None:
    view.declared = replace(declared(view) or Declared(), **changes)


def takes(
    *bodies: type,
    query: type | None = None,
    source: Callable | None = None,
    also_query: type | None = None,
    files: tuple[str, ...] = (),
    raw: str | None = None,
    partial: bool = False,
    target: Callable | None = None,
):
    """Load the query string (`query`) and the body (one schema: `body`; `partial`: only the fields sent)
    before the view runs. `target`, called with the path parameters and `query` it names, finds what the
    request is about before the body is read (so another company's id is a 302 whatever the body holds);
    the view receives it as `target`."""

    def decorate(view):
        loads_body = len(bodies) == 1

        @wraps(view)
        def run(*args, **kwargs):
            if query is not None:
                kwargs["query"] = load(query, request.args)
            if target is not None:
                wanted = inspect.signature(target).parameters
                kwargs["target"] = target(**{name: value for name, value in kwargs.items() if name in wanted})
            if loads_body:
                kwargs["body"] = load(bodies[0], source() if source else None, partial=partial)
            return view(*args, **kwargs)

        _declare(run, bodies=bodies, query=query, source=source, also_query=also_query, files=files, raw=raw)
        return run

    return decorate


def answers(*schemas, many: bool = False, produces: dict | None = None, redirect: str | None = None):
    """The `data` of a successful envelope: one of `schemas` (a list of them with many=True). `produces` names
    a success that is not the envelope; `redirect` a 302 the view may answer instead."""

    def decorate(view):
        shapes = tuple(("many", s) if many else s for s in schemas)
        if not shapes:
            _declare(view, produces=produces or {}, redirect=redirect)
            return view

        @wraps(view)
        def run(*args, **kwargs):
            response = current_app.make_response(view(*args, **kwargs))
            if current_app.testing and shapes and response.mimetype == "application/json":
                _check_answer(request.endpoint, shapes, response)
            return response

        _declare(run, answers=shapes, produces=produces or {}, redirect=redirect)
        return run

    return decorate


def redirects(view):
    """The view answers only with a 302 redirect."""
    _declare(view, redirect_only=True)
    return view


@cache
def Page(schema: type, keys: tuple[str, str] = (PAGE_ITEMS, PAGE_TOTAL)) -> type:
    """The list envelope of `schema`'s items: `{ret_data: [item], data_count: total}`."""
    items, total = keys
    declared_fields = {
        items: fields.List(fields.Nested(schema), required=True),
        total: fields.Integer(required=True),
    }
    page_schema = Schema.from_dict(declared_fields, name=f"{schema.__name__.removesuffix('Schema')}Page")
    page_schema.page_of = schema
    return page_schema


@cache
def _many(schema: type) -> Schema:
    return schema(many=True)


def page(items, total: int, schema: type | Schema, keys: tuple[str, str] = (PAGE_ITEMS, PAGE_TOTAL)) -> dict:
    """The list envelope `Page(schema)` declares: the items dumped with `schema` (a class or an instance)."""
    dumper = schema if isinstance(schema, Schema) else _many(schema)
    return {keys[0]: dumper.dump(items, many=True), keys[1]: total}


# --- the check of answers while testing ---------------------------------------------------------------------


def _check_answer(endpoint: str, shapes: tuple, response) -> None:
    body = json.loads(response.get_data())
    if not isinstance(body, dict) or body.get("code") != 200:
        return
    problems = [_mismatch(shape, body.get("data"), "data") for shape in shapes]
    if all(problems):
        raise AssertionError(f"{endpoint} answered data that its @answers does not declare: {problems}")


def _mismatch(shape, value, path: str) -> str | None:
    """Why `value` is not of `shape` (a Schema class, or ("many", Schema)); None when it is."""
    if isinstance(shape, tuple):
        if not isinstance(value, list):
            return f"{path} is not a list"
        return next((p for i, item in enumerate(value) if (p := _mismatch(shape[1], item, f"{path}[{i}]"))), None)
    if shape is EmptyList:
        return None if value == [] else f"{path} is not []"
    if shape is Text:
        return None if isinstance(value, str) else f"{path} is not a string"
    if not isinstance(value, dict):
        return f"{path} is not an object"
    names = _output_fields(shape)
    if unknown := set(value) - set(names):
        return f"{path} has undeclared keys {sorted(unknown)}"
    if missing := {k for k, f in names.items() if f.required and k not in value}:
        return f"{path} lacks required keys {sorted(missing)}"
    for key, item in value.items():
        if problem := _field_mismatch(names[key], item, f"{path}.{key}"):
            return problem
    return None


@cache
def _output_fields(schema_cls: type) -> dict[str, fields.Field]:
    """The keys a dump of `schema_cls` may carry, with their fields."""
    return {f.data_key or name: f for name, f in schema_cls().fields.items() if not f.load_only}


def _field_mismatch(field_obj, value, path: str) -> str | None:
    if value is None:
        return None  # outputs are nullable (an unset attribute dumps as None)
    if isinstance(field_obj, fields.Nested):
        nested = type(field_obj.schema)
        return _mismatch(("many", nested) if field_obj.many else nested, value, path)
    if isinstance(field_obj, fields.List):
        if not isinstance(value, list):
            return f"{path} is not a list"
        inner = field_obj.inner
        return next((p for i, v in enumerate(value) if (p := _field_mismatch(inner, v, f"{path}[{i}]"))), None)
    for kind, types in _TYPES:
        if isinstance(field_obj, kind):
            ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
            return None if ok else f"{path} is {type(value).__name__}, not {kind.__name__}"
    return None


_TYPES = (
    (fields.Boolean, (bool,)),
    (fields.Integer, (int,)),
    (fields.Number, (int, float)),
    (fields.String, (str,)),
    (fields.Dict, (dict,)),
)
