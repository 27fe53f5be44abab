"""Wording out of code: no Chinese string literal in a .py file but the message table and the demo data.

Everything a person reads lives in templates/ or in quorum/core/messages/. Every other .py file of quorum/, webui/
and flows/ holds none (issue 13: 1,566 literals in 73 files at the start), docstrings included: they are written
in English (issue 13, item 3: about 400 docstrings had Chinese in them).
"""

import ast
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
EXEMPT = ("quorum/core/messages/", "quorum/services/demo.py", "quorum/services/demo_chains.py")


def chinese_literals() -> Counter:
    found: Counter = Counter()
    for package in ("quorum", "webui", "flows"):
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name.startswith(EXEMPT):
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            found[name] += sum(1 for node in ast.walk(tree) if isinstance(node, ast.Constant)
                               and isinstance(node.value, str) and CJK.search(node.value))
    return +found


def test_no_chinese_literal_outside_the_message_table():
    assert dict(chinese_literals()) == {}, "Chinese literals per file — move them to quorum/core/messages/ or templates/"


def test_a_message_key_is_defined_once():
    from quorum.core import messages
    seen: Counter = Counter()
    for area in messages._AREAS:
        seen.update(area.MESSAGES.keys())
    assert [key for key, n in seen.items() if n > 1] == []
