"""Wording out of code: no Chinese string literal in a .py file but the message table and the demo data.

Everything a person reads lives in templates/ or in quorum/core/messages/. Docstrings are not wording.
The files still being cleared are listed in LEFT with the number of literals they hold; the number may
only go down — a file that reaches 0 leaves the list, and a file not listed may hold none.
"""

import ast
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
EXEMPT = ("quorum/core/messages/", "quorum/services/demo.py", "quorum/services/demo_chains.py")

LEFT = {
    "quorum/audit_commands.py": 20,
    "quorum/audit_settings.py": 6,
    "quorum/calendar_arrangement.py": 5,
    "quorum/core/documents.py": 9,
    "quorum/core/money.py": 1,
    "quorum/core/values.py": 1,
    "quorum/documents/layout.py": 5,
    "quorum/documents/titles.py": 9,      # line-breaking data: particles no line starts with, ends of names
    "quorum/documents/typesetting.py": 5,
    "quorum/documents/wording.py": 4,
    "quorum/security_settings.py": 5,
    "quorum/services/dossier.py": 1,
    "quorum/services/supervision_import.py": 16,
    "webui/api/inputs.py": 61,
    "webui/api/openapi.py": 135,
    "webui/screenshots.py": 7,
}


def _docstrings(tree: ast.AST) -> set[int]:
    kinds = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, kinds) and node.body and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)}


def chinese_literals() -> Counter:
    found: Counter = Counter()
    for package in ("quorum", "webui", "flows"):
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name.startswith(EXEMPT):
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            docs = _docstrings(tree)
            found[name] += sum(1 for node in ast.walk(tree) if isinstance(node, ast.Constant)
                               and isinstance(node.value, str) and id(node) not in docs and CJK.search(node.value))
    return +found


def test_no_chinese_literal_outside_the_message_table():
    grown = {name: (count, LEFT.get(name, 0)) for name, count in chinese_literals().items() if count > LEFT.get(name, 0)}
    assert grown == {}, "Chinese literals (found, allowed) — move them to quorum/core/messages/ or templates/"


def test_the_list_of_files_left_is_kept_current():
    found = chinese_literals()
    stale = {name: (found.get(name, 0), allowed) for name, allowed in LEFT.items() if found.get(name, 0) < allowed}
    assert stale == {}, "lower these entries of LEFT (found, listed) — or drop them at 0"


def test_a_message_key_is_defined_once():
    from quorum.core import messages
    seen: Counter = Counter()
    for area in messages._AREAS:
        seen.update(area.MESSAGES.keys())
    assert [key for key, n in seen.items() if n > 1] == []
