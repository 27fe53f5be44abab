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
