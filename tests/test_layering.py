"""The package layering, kept by a test instead of a reviewer (STYLE.md, "large-scale shape").

Every import in ``src/folio`` counts, at module top or inside a function, except those under
``if TYPE_CHECKING:`` (they never run). ``python tests/test_layering.py`` prints the graph of
domain packages and its cycles.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "folio"
CLIENT = Path(__file__).resolve().parents[1] / "clients" / "python" / "src" / "folio_client"

# modules that assemble the application; no package imports them (``folio.assembly``, the
# runtime with its event consumers, is for the processes' entry points: app, CLI, workers)
COMPOSITION = {"app", "cli", "admin_cli", "assembly"}
ENTRY_POINTS = {"app", "cli", "admin_cli", "workers"}
# the libraries under the domains: they import no domain package
FOUNDATION = {"core", "pipeline", "config"}
# packages that consume the event log; ``events`` reaches none of them (they subscribe)
EVENT_CONSUMERS = {"notifications", "realtime", "webhooks"}

# cycles between domain packages that stay, each with the reason
ALLOWED_CYCLES: dict[frozenset[str], str] = {
    frozenset({"documents", "usage"}): (
        "an upload checks and counts the plan's quotas (usage); the usage summary reports "
        "the storage a team's documents take"
    ),
}


def _imported_modules(tree: ast.Module, module: str) -> Iterator[str]:
    skipped = {id(n) for n in _type_checking_blocks(tree) for n in ast.walk(n)}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: -node.level]
                yield ".".join([*base, node.module] if node.module else base)
            elif node.module:
                yield node.module


def _type_checking_blocks(tree: ast.Module) -> Iterator[ast.If]:
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield node


def unit_of(module: str) -> str | None:
    """``folio.documents.service`` → ``documents``; ``folio.app`` → ``app``."""
    parts = module.split(".")
    if parts[0] != "folio" or len(parts) < 2:
        return None
    return parts[1]


def import_graph() -> dict[str, dict[str, set[str]]]:
    """{importing unit: {imported unit: files that import it}} over ``src/folio``."""
    graph: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC.parent)
        module = ".".join(relative.with_suffix("").parts)
        if module.endswith(".__init__"):
            module = module.removesuffix(".__init__") + ".__init__"
        source = unit_of(module)
        if source is None or source == "__init__":
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for imported in _imported_modules(tree, module):
            target = unit_of(imported)
            if target is not None and target != source and target != "__init__":
                graph[source][target].add(str(path.relative_to(SRC)))
        graph.setdefault(source, defaultdict(set))
    return graph


def domain_graph(graph: dict[str, dict[str, set[str]]]) -> dict[str, set[str]]:
    outside = COMPOSITION | FOUNDATION | {"models", "migrations"}
    return {
        unit: {target for target in targets if target not in outside}
        for unit, targets in graph.items()
        if unit not in outside and (SRC / unit).is_dir()
    }


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components of more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


GRAPH = import_graph()


def test_the_walk_found_the_packages() -> None:
    assert {"core", "pipeline", "documents", "workers", "events", "app"} <= set(GRAPH)
    assert sum(len(targets) for targets in GRAPH.values()) > 100


def test_pipeline_is_a_library_of_its_own() -> None:
    assert set(GRAPH["pipeline"]) == set()


def test_core_imports_no_domain() -> None:
    assert set(GRAPH["core"]) <= FOUNDATION


def test_no_package_imports_the_application() -> None:
    offenders = {
        (unit, target)
        for unit, targets in GRAPH.items()
        for target in targets
        if target in COMPOSITION and unit not in ENTRY_POINTS
    }
    assert offenders == set()
    assert "app" not in GRAPH["jobs"] and "app" not in GRAPH["workers"]


def test_the_event_log_imports_no_consumer() -> None:
    assert set(GRAPH["events"]) <= FOUNDATION
    assert not EVENT_CONSUMERS & set(GRAPH["events"])


def test_domain_packages_have_no_cycle_but_the_listed_ones() -> None:
    found = {frozenset(cycle) for cycle in cycles(domain_graph(GRAPH))}
    assert found <= set(ALLOWED_CYCLES), [sorted(c) for c in found - set(ALLOWED_CYCLES)]


def test_listed_cycles_still_exist() -> None:
    """A cycle that was broken is taken off the list, so it cannot come back unnoticed."""
    found = {frozenset(cycle) for cycle in cycles(domain_graph(GRAPH))}
    assert set(ALLOWED_CYCLES) <= found


def test_the_remote_cli_reaches_the_server_only_through_the_client() -> None:
    """``folio remote`` speaks the public API (``folio_client``), never the server's modules."""
    assert set(GRAPH["remote"]) == set()


def test_the_client_package_imports_nothing_of_the_server() -> None:
    """``folio-client`` installs on its own: no import of ``folio``."""
    imported = set()
    for path in sorted(CLIENT.rglob("*.py")):
        module = "folio_client." + path.stem
        imported |= set(_imported_modules(ast.parse(path.read_text()), module))
    assert "folio_client._core" in imported  # the walk saw the package
    assert {name for name in imported if name == "folio" or name.startswith("folio.")} == set()


def print_graph() -> None:
    domains = domain_graph(GRAPH)
    for unit in sorted(GRAPH):
        print(f"{unit} -> {', '.join(sorted(GRAPH[unit])) or '(nothing in folio)'}")
    print()
    found = cycles(domains)
    print(f"cycles between domain packages: {len(found)}")
    for cycle in found:
        print(f"  {' <-> '.join(sorted(cycle))}")
        for unit in sorted(cycle):
            for target in sorted(domains[unit] & cycle):
                print(f"    {unit} -> {target}: {', '.join(sorted(GRAPH[unit][target]))}")


if __name__ == "__main__":
    print_graph()
    sys.exit(0)
