"""The layering contracts of DESIGN.md, checked on every run (import-linter plus a direct scan)."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORKS = {"flask", "flask_login", "prefect", "webui", "flows"}


def imported_modules(package: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path.relative_to(ROOT))] = names
    return found


def test_import_linter_contracts_hold():
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_engine_never_imports_frameworks_or_entry_points():
    offenders = {f: sorted(n for n in names if n.split(".")[0] in FRAMEWORKS)
                 for f, names in imported_modules(ROOT / "quorum").items()}
    assert {f: n for f, n in offenders.items() if n} == {}


def test_core_uses_only_the_standard_library():
    offenders = {}
    for f, names in imported_modules(ROOT / "quorum" / "core").items():
        bad = [n for n in names if n.split(".")[0] not in sys.stdlib_module_names
               and not n.startswith("quorum.core")]
        if bad:
            offenders[f] = bad
    assert offenders == {}


def test_webui_and_flows_never_import_each_other():
    webui = imported_modules(ROOT / "webui")
    flows = imported_modules(ROOT / "flows")
    assert not [f for f, names in webui.items() if any(n.split(".")[0] == "flows" for n in names)]
    assert not [f for f, names in flows.items() if any(n.split(".")[0] == "webui" for n in names)]


def test_no_eval_or_exec_in_the_engine():
    for path in (ROOT / "quorum").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
        assert "eval" not in calls and "exec" not in calls, path


def _import_graph(*packages: str, root: Path = ROOT) -> dict[str, set[str]]:
    """Module → the modules of `packages` it imports, at the top or inside a function alike.

    Importing `a.b.c` runs `a/__init__.py` and `a/b/__init__.py` first, so the importer depends on the packages
    `a.b` and `a` too — but not on its own enclosing packages: Python has run those before the importer itself,
    and a package importing its submodules (to register their routes, say) is fine as long as no submodule
    imports a name from it in return.
    """
    modules = {}
    for package in packages:
        for path in (root / package).rglob("*.py"):
            parts = path.relative_to(root).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph = {}
    for name, path in modules.items():
        here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {resolve(alias.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if node.level:              # a relative import: from the importer's own package upwards
                    module = ".".join(here[:len(here) - node.level + 1] + ([module] if module else []))
                named = {resolve(f"{module}.{alias.name}") for alias in node.names}
                found |= named if named - {resolve(module)} else {resolve(module)}
        found.discard(None)
        enclosing = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
        parents = {".".join(target.split(".")[:i]) for target in found for i in range(1, target.count(".") + 1)}
        graph[name] = (found | {p for p in parents if p in modules}) - enclosing - {name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_is_on_an_import_cycle():
    """quorum/, webui/ and flows/ import one way, counting imports inside functions and the packages an import
    runs first (issue 13): no module of them is on a cycle."""
    assert _cycles(_import_graph("quorum", "webui", "flows")) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_import_graph_counts_the_packages_an_import_runs_first(tmp_path):
    """runtime imports app.api.inputs, which runs app/api/__init__.py, which imports views, which import runtime."""
    files = {"app/__init__.py": "", "app/api/__init__.py": "from app.api import views\n",
             "app/api/views.py": "def view():\n    from app.runtime import env\n",
             "app/runtime.py": "from app.api.inputs import limits\n", "app/api/inputs.py": "limits = 1\n",
             "app/api/blueprint.py": "from . import inputs\nimport app.runtime\n"}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    graph = _import_graph("app", root=tmp_path)
    assert graph == {"app": set(), "app.api": {"app.api.views"}, "app.api.views": {"app.runtime"},
                     "app.runtime": {"app.api.inputs", "app.api"}, "app.api.inputs": set(),
                     "app.api.blueprint": {"app.api.inputs", "app.runtime"}}
    assert _cycles(graph) == [["app.api", "app.api.views", "app.runtime"]]
    (tmp_path / "app/api/__init__.py").write_text("")        # the package no longer imports its views
    assert _cycles(_import_graph("app", root=tmp_path)) == []


def _status_assignments(path: Path) -> list[int]:
    """Lines where a status is set other than through quorum.core.states.apply."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        flat = [t for target in targets for t in (target.elts if isinstance(target, ast.Tuple) else [target])]
        if any(isinstance(t, ast.Attribute) and t.attr == "status" for t in flat):
            lines.append(node.lineno)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "values" \
                and any(k.arg == "status" for k in node.keywords):
            lines.append(node.lineno)          # an UPDATE … SET status = … behind the transitions' back
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr" \
                and len(node.args) > 1 and isinstance(node.args[1], ast.Constant) and node.args[1].value == "status":
            lines.append(node.lineno)
    return lines


def test_a_status_changes_only_through_the_transitions_of_its_aggregate():
    """Every status change goes through quorum.core.states.apply, the one place the transitions are checked."""
    allowed = ROOT / "quorum" / "core" / "states.py"
    offenders = {str(path.relative_to(ROOT)): lines
                 for package in ("quorum", "webui", "flows") for path in sorted((ROOT / package).rglob("*.py"))
                 if path != allowed and (lines := _status_assignments(path))}
    assert offenders == {}


# The command line imports what a command runs inside the command (`quorum --help` stays quick), and Alembic's
# env.py imports inside its functions by design; everywhere else a module of quorum is imported at the top.
LAZY_BY_DESIGN = ("quorum/cli.py", "quorum/cli_support.py", "quorum/migrations/env.py")


def _function_level_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("quorum"):
                    found.append(node.module)
                elif isinstance(node, ast.Import):
                    found += [alias.name for alias in node.names if alias.name.startswith("quorum")]
    return found


def test_modules_of_the_engine_are_imported_at_the_top():
    """No import of a quorum module hides inside a function (it hid the cycles) but in the command line."""
    offenders = {}
    for path in sorted((ROOT / "quorum").rglob("*.py")):
        name = str(path.relative_to(ROOT))
        if name in LAZY_BY_DESIGN or name.endswith("_commands.py"):
            continue
        if found := _function_level_imports(path):
            offenders[name] = found
    assert offenders == {}
