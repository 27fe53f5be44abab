"""Render plain-text records (CLI output) from templates/text/ in a sandboxed Jinja2 environment."""

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment


def _when(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


@lru_cache(maxsize=8)
def environment(templates_dir: Path) -> SandboxedEnvironment:
    """One environment per templates directory: it compiles each template once per process."""
    env = SandboxedEnvironment(loader=FileSystemLoader(str(Path(templates_dir) / "text")),
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                               keep_trailing_newline=True)
    env.filters["when"] = _when
    return env


def render(templates_dir: Path, template: str, /, **context: Any) -> str:
    return environment(Path(templates_dir)).get_template(template).render(**context)
