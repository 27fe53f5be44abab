"""quorum.core is pure: it imports only the standard library and quorum.core itself."""

import ast
import sys
from pathlib import Path

import quorum.core

CORE = Path(quorum.core.__file__).resolve().parent


def imported_modules(path: Path) -> list[str]:
    """Return the absolute module names a file imports (relative imports resolve inside quorum.core)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.append("quorum.core" if node.level else node.module)
    return names


def test_core_files_found():
    files = {p.relative_to(CORE).as_posix() for p in CORE.rglob("*.py")}
    assert {"conditions.py", "spec.py", "routing.py", "voting.py", "states.py", "actions.py", "audit.py",
            "errors.py", "messages/__init__.py"} <= files


def test_core_imports_only_stdlib_and_core():
    offenders = []
    for path in sorted(CORE.rglob("*.py")):
        for name in imported_modules(path):
            top = name.split(".")[0]
            if top in sys.stdlib_module_names:
                continue
            if name == "quorum.core" or name.startswith("quorum.core."):
                continue
            offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_the_check_would_catch_a_framework_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import sqlalchemy\nfrom quorum.db import matters\nfrom quorum import settings\n", encoding="utf-8")
    names = imported_modules(bad)
    assert names == ["sqlalchemy", "quorum.db", "quorum"]
    assert [n for n in names if n.split(".")[0] not in sys.stdlib_module_names
            and not (n == "quorum.core" or n.startswith("quorum.core."))] == names
