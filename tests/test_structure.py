"""The package's shape (DESIGN.md, "Shape"): no import cycle between the modules of `cemprende`,
none hidden by an import inside a function, and no package `__init__.py` importing its views.

The graph is read from the source with `ast`, without importing anything: an edge goes from a
module to every `cemprende` module it imports at its top level (also inside a top-level `if`,
`try`, `with` or class body, which run on import; never inside `if TYPE_CHECKING:`); imports
inside a function are edges of their own kind, that run only when the function does.
`from pkg import name` leads to `pkg.name` when that is a module, else to `pkg` itself. The
parent packages that Python initialises before a module are not edges: they start importing
first, so they never wait for it.

`python tests/test_structure.py` prints the cycles and every import of a cemprende module inside
a function, with whether moving it to the top would close a cycle.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path


PACKAGE = "cemprende"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE

# Cycles left in files being rewritten elsewhere, each named by its modules in import order from
# the alphabetically first; any other cycle fails. Remove an entry with its cycle (its xfail test
# below is strict, so it fails once the cycle is gone and the entry stays).
# Cycles tolerated for now, by module names (none left); a new one fails the tests below.
KNOWN_CYCLES: dict[tuple[str, ...], str] = {}
MAX_CYCLES = 200  # enough to show; a tangle beyond it is reported as such

@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported cemprende module
    line: int
    local: bool  # inside a function (or a class body), so it runs only when that code runs


def _module_names() -> dict[str, Path]:
    names = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


MODULES = _module_names()


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _resolve(module: str, level: int, name: str | None) -> str:
    """The absolute name of `from <level dots><name>` written in `module`."""
    if level == 0:
        return name or ""
    base = module.split(".")
    if not _is_package(module):
        base.pop()
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def _in_package(name: str) -> str | None:
    """The longest cemprende module that `name` denotes (a.b.c -> a.b when c is an attribute)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports_of(module: str) -> list[Import]:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"), filename=str(MODULES[module]))
    found: list[Import] = []

    def add(node: ast.Import | ast.ImportFrom, local: bool) -> None:
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = _resolve(module, node.level, node.module)
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                       for alias in node.names]
        for resolved in sorted({_in_package(target) for target in targets} - {None, module}):
            found.append(Import(module, resolved, node.lineno, local))

    def walk(nodes: list[ast.stmt], local: bool) -> None:
        for node in nodes:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                add(node, local)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                walk(node.body, True)
            elif isinstance(node, ast.If) and _is_type_checking(node.test):
                walk(node.orelse, local)
            else:
                # A class body, and the bodies of if/for/while/try/with/match, run where they stand.
                for child in ast.iter_child_nodes(node):
                    if isinstance(child, ast.stmt):
                        walk([child], local)
                    elif isinstance(child, (ast.excepthandler, ast.match_case)):
                        walk(child.body, local)

    walk(tree.body, False)
    return found


IMPORTS = [found for module in MODULES for found in _imports_of(module)]


def _graph(with_local: bool) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {module: set() for module in MODULES}
    for found in IMPORTS:
        if with_local or not found.local:
            graph[found.source].add(found.target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """The elementary cycles of the graph, each from its alphabetically first module: the
    strongly connected components (Tarjan), then every cycle inside each of them."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(component)

    for node in sorted(graph):
        if node not in index:
            connect(node)

    cycles: set[tuple[str, ...]] = set()
    for component in components:
        for start in sorted(component):
            path = [start]

            def extend(node: str) -> None:
                for nxt in sorted(graph[node] & component):
                    if len(cycles) >= MAX_CYCLES:
                        return
                    if nxt == start:
                        cycles.add(tuple(path))
                    elif nxt > start and nxt not in path:
                        path.append(nxt)
                        extend(nxt)
                        path.pop()

            extend(start)
    return sorted(cycles)


def _where(found: Import) -> str:
    return f"{MODULES[found.source].relative_to(ROOT.parent)}:{found.line}"


def _show(cycle: tuple[str, ...]) -> str:
    """Each step of the cycle with the lines that make it (`in a function` when they do)."""
    steps = []
    for source, target in zip(cycle, cycle[1:] + cycle[:1]):
        lines = ", ".join(_where(f) + (" (in a function)" if f.local else "")
                          for f in IMPORTS if f.source == source and f.target == target)
        steps.append(f"  {source} -> {target}   [{lines}]")
    return "\n".join(steps)


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen: set[str] = set()
    pending = [start]
    while pending:
        node = pending.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            pending.extend(graph[node])
    return False


def local_imports_report() -> str:
    """Every import of a cemprende module inside a function, and whether it would close a cycle
    at the top of its module."""
    top = _graph(with_local=False)
    return "\n".join(
        f"  {_where(f)} imports {f.target}"
        + ("   <- would close a cycle at the top" if _reaches(top, f.target, f.source) else "")
        for f in IMPORTS if f.local)


def _top_cycles() -> list[tuple[str, ...]]:
    return _cycles(_graph(with_local=False))


def _hidden_cycles() -> list[tuple[str, ...]]:
    top = set(_top_cycles())
    return [cycle for cycle in _cycles(_graph(with_local=True)) if cycle not in top]


def test_the_graph_sees_the_blueprints_and_the_api_modules():
    """A check of the reader itself, so that an empty graph cannot pass the tests below."""
    graph = _graph(with_local=True)
    assert "cemprende.participantes.views" in graph["cemprende"]
    assert "cemprende.api.base" in graph["cemprende.api.participantes"]
    assert "cemprende.participantes.services" in graph["cemprende.participantes.views"]
    assert not any(f.local for f in IMPORTS if f.source == "cemprende.api.base")
    assert any(f.local for f in IMPORTS if f.source == "cemprende")  # create_app's


def test_no_import_cycle_between_modules():
    new = [cycle for cycle in _top_cycles() if cycle not in KNOWN_CYCLES]
    assert not new, "import cycles at the top of modules:\n" + "\n\n".join(map(_show, new))


def test_no_import_cycle_hidden_inside_a_function():
    new = [cycle for cycle in _hidden_cycles() if cycle not in KNOWN_CYCLES]
    assert not new, ("import cycles closed by imports inside functions:\n"
                     + "\n\n".join(map(_show, new))
                     + "\n\nimports of cemprende modules inside functions:\n" + local_imports_report())


def test_no_package_init_imports_views():
    """Packages import nothing of their views; create_app (inside the function) imports and
    registers every blueprint."""
    offending = [f"{_where(f)} imports {f.target}" for f in IMPORTS
                 if _is_package(f.source) and f.target.rpartition(".")[2] == "views"
                 and (f.source != PACKAGE or not f.local)]
    assert not offending, "package __init__.py importing views:\n" + "\n".join(offending)


if __name__ == "__main__":
    for title, cycles in (("Cycles at the top of modules", _top_cycles()),
                          ("Cycles closed by imports inside functions", _hidden_cycles())):
        print(f"{title}:")
        for cycle in cycles:
            print(_show(cycle) + ("   (known)" if cycle in KNOWN_CYCLES else "") + "\n")
    print("Imports of cemprende modules inside functions:\n" + local_imports_report())
