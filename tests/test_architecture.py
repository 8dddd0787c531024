"""The house rules that keep the package easy to change: data flows one way (no import cycle
among ``simulator/`` modules) and every module stays small enough to read in one sitting."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "simulator"
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> the ``simulator`` modules it imports (at any depth in the file)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            for target in targets:
                if target in modules and target != name:
                    graph[name].add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first repeated last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_in_the_package() -> None:
    graph = import_graph()
    assert len(graph) > 20 and graph["simulator.cli.app"], "the walk found the package"
    assert find_cycle(graph) is None, f"import cycle: {' -> '.join(find_cycle(graph) or [])}"


def test_no_module_over_400_lines() -> None:
    long = {
        str(p.relative_to(PACKAGE.parent)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"


# --- the layers ------------------------------------------------------------------------------

FEATURES = ("crm", "calibrate", "forecast", "backtest", "decide", "check", "story", "replay",
            "report", "explain", "recovery")  # fmt: skip
LAYERS = ("model", "metrics", "scenario", "runs", "cli")  # the flow, lowest first


def folder_of(module: str) -> str:
    """``simulator.crm.load`` -> ``simulator.crm``; a root module is its own folder."""
    return ".".join(module.split(".")[:2])


def folder_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    folders: dict[str, set[str]] = {}
    for module, targets in graph.items():
        own = folder_of(module)
        folders.setdefault(own, set()).update(folder_of(t) for t in targets if folder_of(t) != own)
    return folders


def reached(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in graph[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_no_cycle_between_folders() -> None:
    """A feature folder and the root modules it uses never import each other back."""
    folders = folder_graph(import_graph())
    assert "simulator.crm" in folders and "simulator.report" in folders
    cycle = find_cycle(folders)
    assert cycle is None, f"folder cycle: {' -> '.join(cycle or [])}"


def test_the_model_imports_no_adapter_feature_or_run() -> None:
    """The model and its mechanisms are handed their starting point as data: they never read
    an export (``crm/``, ``scenario/``), and know nothing of the metrics, features and runs
    built on them."""
    graph = import_graph()
    forbidden = {f"simulator.{name}" for name in (*FEATURES, *LAYERS[1:])}
    for module in (m for m in graph if folder_of(m) == "simulator.model"):
        bad = {folder_of(m) for m in reached(graph, module)} & forbidden
        assert not bad, f"{module} reaches {sorted(bad)}"


def test_each_layer_imports_only_those_below_it() -> None:
    """model <- metrics <- scenario <- runs <- cli: a layer never imports one above it."""
    folders = folder_graph(import_graph())
    for index, layer in enumerate(LAYERS):
        above = {f"simulator.{name}" for name in LAYERS[index + 1 :]}
        bad = reached(folders, f"simulator.{layer}") & above
        assert not bad, f"{layer} reaches {sorted(bad)}"


def test_the_crm_adapter_does_not_reach_the_runs_or_the_commands() -> None:
    """Reading and writing exports needs the log's vocabulary (``model.events``) and the deals
    table (``metrics``), never a run or a command."""
    folders = folder_graph(import_graph())
    bad = reached(folders, "simulator.crm") & {
        "simulator.runs",
        "simulator.cli",
        "simulator.scenario",
    }
    assert not bad, f"crm reaches {sorted(bad)}"
