"""What a view reads and answers, found in its source (and in the same module's helpers it calls).

Inputs: `load(Schema)` is the body, `load(Schema, request.args)` the query string; a schema passed to a
helper as an argument (or as its default) is followed. Anything else that reads the request — `load()` on
other data, `request.form`, `request.files`, `request.get_data()`, … — is reported as *unresolved*: the
OpenAPI builder needs an explicit hint for it, and a test fails while one is missing.

Outputs: the `data` of each `ok(...)` the view (or its helpers) returns, as a small shape tree: marshmallow
dumps (`X(many=True).dump(...)`, a module-level `X_OUT.dump(...)`), dict and list literals, local variables
assigned from them; anything else is "any".
"""

import ast
import inspect
import textwrap
from dataclasses import dataclass, field
from functools import cache

from flask import request as flask_request
from marshmallow import Schema
from werkzeug.local import LocalProxy

from app.responses import ok as ok_function
from app.schemas.base import load as load_function
from app.schemas.base import request_data as request_data_function

# request attributes that carry client data (reading `request.method` or `.endpoint` is not an input)
DATA_ATTRIBUTES = {"args", "form", "files", "values", "data", "json", "get_data", "get_json", "stream"}
UNKNOWN = object()
MAX_DEPTH = 3


@dataclass
class Shape:
    """`kind`: schema (cls, many), object (keys), array (item), value (python type), empty, any."""

    kind: str
    schema: type | None = None
    many: bool = False
    keys: dict = field(default_factory=dict)
    item: "Shape | None" = None
    value_type: type | None = None


ANY = Shape("any")


@dataclass
class ViewScan:
    query: list[type] = field(default_factory=list)
    body: list[type] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    returns: list[Shape] = field(default_factory=list)


def _source_tree(func) -> ast.AST | None:
    try:
        return ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError, SyntaxError):
        return None


class _FunctionScan:
    def __init__(self, func, env: dict, result: ViewScan, depth: int, module: str):
        self.func, self.env, self.result, self.depth, self.module = func, env, result, depth, module
        self.globals = func.__globals__
        self.assigned: dict[str, ast.AST] = {}

    def resolve(self, node):
        """The Python object an expression names (a Name or a dotted attribute), or UNKNOWN."""
        if isinstance(node, ast.Name):
            if node.id in self.env:
                return self.env[node.id]
            return self.globals.get(node.id, UNKNOWN)
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            if base is UNKNOWN or isinstance(base, LocalProxy):  # request.x, g.x: nothing to resolve statically
                return UNKNOWN
            return getattr(base, node.attr, UNKNOWN)
        if isinstance(node, ast.Constant):
            return node.value
        return UNKNOWN

    def run(self, tree: ast.AST) -> None:
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                self.assigned[node.targets[0].id] = node.value
        handled: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                self.call(node, handled)
            elif self._reads_request(node) and id(node) not in handled:
                self.result.unresolved.append(f"request.{node.attr}")

    def _reads_request(self, node) -> bool:
        """`request.form`, `request.files`, … (client data; `request.method` is not)."""
        return isinstance(node, ast.Attribute) and node.attr in DATA_ATTRIBUTES and self._is_request(node.value)

    def _is_request(self, node) -> bool:
        return self.resolve(node) is flask_request

    def call(self, node: ast.Call, handled: set[int]) -> None:
        target = self.resolve(node.func)
        if target is load_function and node.args:
            self.load(node, handled)
        elif target is request_data_function:
            self.result.unresolved.append("request_data()")
        elif target is ok_function:
            self.result.returns.append(self.shape(node.args[0]) if node.args else Shape("empty"))
        elif inspect.isfunction(target) and target.__module__ == self.module and self.depth < MAX_DEPTH:
            self.helper(target, node)

    def load(self, node: ast.Call, handled: set[int]) -> None:
        schema = self.resolve(node.args[0])
        if not (isinstance(schema, type) and issubclass(schema, Schema)):
            self.result.unresolved.append(f"load({ast.unparse(node.args[0])})")
            return
        data = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "data"), None)
        if data is None:
            self.result.body.append(schema)
        elif isinstance(data, ast.Attribute) and data.attr == "args" and self._is_request(data.value):
            handled.add(id(data))
            self.result.query.append(schema)
        else:
            self.result.unresolved.append(f"load({schema.__name__}, {ast.unparse(data)})")

    def helper(self, helper, node: ast.Call) -> None:
        tree = _source_tree(helper)
        if tree is None:
            return
        env = {}
        try:
            bound = inspect.signature(helper).bind_partial(
                *node.args, **{k.arg: k.value for k in node.keywords if k.arg}
            )
        except TypeError:
            bound = None
        for name, param in inspect.signature(helper).parameters.items():
            given = bound.arguments.get(name) if bound else None
            env[name] = self.resolve(given) if isinstance(given, ast.AST) else param.default
        _FunctionScan(helper, env, self.result, self.depth + 1, self.module).run(tree)

    def shape(self, node, depth: int = 0) -> Shape:
        if depth > 4:
            return ANY
        if isinstance(node, ast.Dict):
            if not node.keys:
                return Shape("empty")
            if all(isinstance(k, ast.Constant) and isinstance(k.value, str) for k in node.keys):
                return Shape(
                    "object",
                    keys={k.value: self.shape(v, depth + 1) for k, v in zip(node.keys, node.values, strict=True)},
                )
            return ANY
        if isinstance(node, ast.List | ast.ListComp):
            items = [node.elt] if isinstance(node, ast.ListComp) else node.elts
            return Shape("array", item=self.shape(items[0], depth + 1) if items else None)
        if isinstance(node, ast.Constant):
            return Shape("empty") if node.value is None else Shape("value", value_type=type(node.value))
        if isinstance(node, ast.JoinedStr):
            return Shape("value", value_type=str)
        if isinstance(node, ast.Name) and node.id in self.assigned:
            return self.shape(self.assigned[node.id], depth + 1)
        if isinstance(node, ast.Call):
            return self._call_shape(node)
        return ANY

    def _call_shape(self, node: ast.Call) -> Shape:
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("str", "len", "int", "bool"):
            return Shape("value", value_type={"str": str, "len": int, "int": int, "bool": bool}[func.id])
        if not (isinstance(func, ast.Attribute) and func.attr == "dump"):
            return ANY
        owner = func.value
        if isinstance(owner, ast.Call):  # X(...).dump(...)
            cls = self.resolve(owner.func)
            many = any(k.arg == "many" and getattr(k.value, "value", False) is True for k in owner.keywords)
        else:  # X_OUT.dump(...), a module-level schema instance
            instance = self.resolve(owner)
            cls, many = type(instance), bool(getattr(instance, "many", False))
        if isinstance(cls, type) and issubclass(cls, Schema):
            return Shape("schema", schema=cls, many=many)
        return ANY


@cache
def scan_view(view) -> ViewScan:
    func = inspect.unwrap(view)
    result = ViewScan()
    tree = _source_tree(func)
    if tree is not None:
        _FunctionScan(func, {}, result, 0, func.__module__).run(tree)
    return result
