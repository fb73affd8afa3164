"""The import graph of app/ (docs/layers.md): no import cycles, and every import points down the layers.

The graph is read with `ast` from every module, imports inside functions included (a function-level import is an
arrow like any other, not a way around one). `from app.x import y` is an arrow to app.x.y when that is a module,
else to app.x; importing a submodule is not counted as importing its package's __init__.
"""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"

# Top to bottom. A module belongs to the layer of its longest matching name; "app" itself (the app factory) only
# by that exact name. A module may import its own layer or any layer below it.
LAYERS = [
    ("entry", ["app", "app.commands"]),
    ("api", ["app.api", "app.fastpath", "app.openapi"]),
    ("tasks", ["app.tasks"]),
    ("services", ["app.services", "app.auth", "app.limits", "app.tenancy"]),
    (
        "schemas, wechat, job plumbing",
        [
            "app.schemas",
            "app.declare",
            "app.wechat",
            "app.jobs",
            "app.metrics",
            "app.rule_cache",
            "app.caller_cache",
            "app.sms",
        ],
    ),
    ("models", ["app.models"]),
    (
        "extensions, config, util",
        [
            "app.access",
            "app.database",
            "app.error_reporting",
            "app.extensions",
            "app.gunicorn_logging",
            "app.headers",
            "app.inputs",
            "app.logging",
            "app.pagination",
            "app.request_id",
            "app.responses",
            "app.sanitize",
            "app.security",
            "app.signatures",
            "app.storage",
            "app.timefmt",
        ],
    ),
]


def _modules() -> dict[str, Path]:
    modules = {}
    for path in APP.rglob("*.py"):
        parts = list(path.relative_to(APP.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _target(name: str, modules) -> str | None:
    """The module an imported name lives in (a name imported from a package may be a submodule)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(parent + ([node.module] if node.module else []))
                imported = [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            for full in imported:
                if full == "app" or full.startswith("app."):
                    target = _target(full, modules)
                    if target and target != name:
                        graph[name].add(target)
    return graph


def layer_of(module: str) -> int | None:
    best, best_len = None, -1
    for rank, (_title, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            exact = module == prefix
            if (exact or (prefix != "app" and module.startswith(prefix + "."))) and len(prefix) > best_len:
                best, best_len = rank, len(prefix)
    return best


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), and modules importing themselves."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_function_level_imports():
    """The reader itself: an import inside a function is an arrow (app.__init__ imports app.api in create_app)."""
    graph = import_graph()
    assert "app.api" in graph["app"]
    assert "app.jobs.runner" in graph["app.jobs"]  # from app.jobs import ..., runner
    assert len(graph) > 100


def test_every_module_has_a_layer():
    missing = sorted(module for module in import_graph() if layer_of(module) is None)
    assert not missing, f"add these modules to a layer in tests/test_layers.py and docs/layers.md: {missing}"


def test_no_import_cycles():
    cycles = _cycles(import_graph())
    assert not cycles, "import cycles:\n" + "\n".join(" ↔ ".join(cycle) for cycle in cycles)


def test_imports_point_down_the_layers():
    upward = []
    for module, targets in sorted(import_graph().items()):
        for target in sorted(targets):
            if layer_of(target) < layer_of(module):
                upward.append(f"{module} ({LAYERS[layer_of(module)][0]}) → {target} ({LAYERS[layer_of(target)][0]})")
    assert not upward, "imports from a lower layer to a higher one:\n" + "\n".join(upward)


def test_the_job_plumbing_names_the_tasks_only_by_dotted_path():
    """app.jobs reaches the tasks (and the app factory) only through the registry's dotted paths, and those
    paths name functions that exist."""
    from werkzeug.utils import import_string

    from app.jobs import registry

    for kind in registry.KINDS.values():
        assert kind.func.startswith("app.tasks."), kind
        assert callable(import_string(kind.func)), kind
    for entry in registry.CRON:
        assert entry.func.startswith(("app.tasks.", "app.jobs.")), entry
        assert callable(import_string(entry.func)), entry
    assert callable(import_string(registry.APP_FACTORY))
