"""Render notification wording from templates/messages/<kind>.txt (sandboxed Jinja2).

A template's first line is the title; the rest, after a blank line, is the body.
"""

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateNotFound
from jinja2.sandbox import SandboxedEnvironment

from quorum.core.errors import InvalidPolicy
from quorum.core.messages import message
from quorum.resources import shipped

WEEKDAYS = message("calendar.weekday_names")
# The shipped templates/, for notices raised inside a use case that has no deployment settings at hand
# (an urge from the web or the command line); the scheduler renders with config.toml's templates path.
DEFAULT_TEMPLATES = shipped("templates")


def _when(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return message("calendar.day_with_weekday", day=value.isoformat(), weekday=WEEKDAYS[value.weekday()])
    return "" if value is None else str(value)


@lru_cache(maxsize=16)
def _environment(templates_dir: Path) -> SandboxedEnvironment:
    """One environment per templates directory: it caches the compiled templates (and reloads an edited file)."""
    env = SandboxedEnvironment(loader=FileSystemLoader(str(Path(templates_dir) / "messages")),
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["when"] = _when
    return env


def render(templates_dir: Path | None, kind: str, **context: Any) -> tuple[str, str]:
    """Return (title, body) of a notification of this kind."""
    try:
        text = _environment(Path(templates_dir or DEFAULT_TEMPLATES)).get_template(f"{kind}.txt").render(**context)
    except TemplateNotFound:
        raise InvalidPolicy(source=f"templates/messages/{kind}.txt",
                            reason=message("notify.template_missing")) from None
    title, _, body = text.strip().partition("\n")
    return title.strip()[:200], body.strip()
