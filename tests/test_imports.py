"""The import graph of ``outreach/``: layers point downwards, and nothing imports in a circle.

Every ``import`` statement counts, including those inside functions and under
``TYPE_CHECKING``: a lower layer never reaches a higher one, not even lazily.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "outreach"

# Lowest first. A unit is a package (``links``) or a top-level module (``db``); ``app`` is
# the app factory in ``outreach/__init__.py``.
SHARED = frozenset(
    {"db", "config", "extensions", "scoping", "urls", "web", "resources", "encryption", "redact"}
)
LAYERS: tuple[frozenset[str], ...] = (
    SHARED,  # plain helpers: they import no feature
    frozenset({"accounts", "activity", "jobs", "net"}),  # services every feature uses
    frozenset({"prospects", "backlinks", "campaigns"}),  # the core records
    frozenset({"links", "pitches", "crawl", "scoring", "webhooks"}),  # features
    frozenset({"api", "pipeline", "reports", "main"}),  # pages gathering several features
    # the app: factory, commands, demo data, WSGI app, the config module of `rq cron`
    frozenset({"app", "cli", "models", "demo", "wsgi", "cron"}),
)

# Imports that go up a layer on purpose, each with its reason. An entry that no longer
# matches an import fails the test, so the list only ever shrinks.
ALLOWED_UPWARDS = {
    ("outreach.jobs.process", "outreach"): (
        "a plain `rq worker` has no app: worker_app builds one with create_app"
    ),
}


@dataclass(frozen=True)
class Import:
    """One import statement: which module imports which, and where."""

    importer: str
    imported: str
    line: int


def _modules() -> dict[str, Path]:
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The module of ours that ``name`` (a module, or a name inside one) lives in."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(modules: dict[str, Path]) -> Iterator[Import]:
    """Every import of one of our modules by another, anywhere in a module's code."""
    for module, path in modules.items():
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    base = ".".join(
                        [*package[: len(package) - node.level + 1], *filter(None, [base])]
                    )
                names = [f"{base}.{alias.name}" for alias in node.names]
            for name in names:
                target = _resolve(name, modules)
                if target is not None and target != module:
                    yield Import(module, target, node.lineno)


def unit_of(module: str) -> str:
    """The package or top-level module a module belongs to (``app`` for the factory)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "app"


def layer_of(unit: str) -> int:
    """The index in LAYERS of a unit; AssertionError for a unit placed in no layer."""
    for index, layer in enumerate(LAYERS):
        if unit in layer:
            return index
    raise AssertionError(f"outreach/{unit} is in no layer: add it to LAYERS in {__file__}")


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def _graph(found: Iterable[Import], unit: bool) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for item in found:
        if (item.importer, item.imported) in ALLOWED_UPWARDS:
            continue
        source = unit_of(item.importer) if unit else item.importer
        target = unit_of(item.imported) if unit else item.imported
        if source != target:
            edges.setdefault(source, set()).add(target)
    return edges


def test_every_package_sits_in_a_layer() -> None:
    for module in _modules():
        layer_of(unit_of(module))


def test_shared_helpers_import_no_feature() -> None:
    wrong = [
        f"{i.importer} (line {i.line}) imports {i.imported}"
        for i in imports_of(_modules())
        if unit_of(i.importer) in SHARED and unit_of(i.imported) not in SHARED
    ]
    assert wrong == []


def test_no_import_reaches_a_higher_layer() -> None:
    found = list(imports_of(_modules()))
    upwards = [
        i
        for i in found
        if layer_of(unit_of(i.imported)) > layer_of(unit_of(i.importer))
        and (i.importer, i.imported) not in ALLOWED_UPWARDS
    ]
    assert [f"{i.importer} (line {i.line}) imports {i.imported}" for i in upwards] == []
    used = {(i.importer, i.imported) for i in found}
    assert [pair for pair in ALLOWED_UPWARDS if pair not in used] == [], "stale allowance"


def test_packages_import_each_other_in_no_cycle() -> None:
    assert cycles(_graph(imports_of(_modules()), unit=True)) == []


def test_modules_import_each_other_in_no_cycle() -> None:
    assert cycles(_graph(imports_of(_modules()), unit=False)) == []


def test_the_checks_see_a_cycle_and_a_lazy_import(tmp_path: Path) -> None:
    """The walker itself: an import inside a function counts, and a loop is found."""
    (tmp_path / "a.py").write_text("def f():\n    from pkg import b\n")
    (tmp_path / "b.py").write_text("from pkg.a import f\n")
    modules = {"pkg.a": tmp_path / "a.py", "pkg.b": tmp_path / "b.py"}
    found = list(imports_of(modules))
    assert {(i.importer, i.imported) for i in found} == {("pkg.a", "pkg.b"), ("pkg.b", "pkg.a")}
    assert cycles(_graph(found, unit=False)) == [["pkg.a", "pkg.b"]]
