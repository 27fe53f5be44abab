"""The wording of each kind: templates/documents/<kind>.j2 rendered in a sandboxed Jinja2 environment.

A template defines named blocks; each is rendered on its own from the same structured record:
  title    the document's title (subject + kind of document)
  body     the editable draft text the secretariat may change before sign_off
  record   text drawn only from the record (attendance, votes, recusals, the cited request ...),
           rendered again at sign_off and never editable — so the minutes cannot disagree with the votes
  notes    the notes (e.g. the contact person and telephone of a request for instructions)
  attachments  one attachment name per line
The sandbox lets a secretariat edit templates without being able to reach Python objects.
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from quorum.core.errors import InvalidInput
from quorum.core.messages import typesetting
from quorum.resources import shipped

BLOCKS = ("title", "body", "record", "notes", "attachments")
DEFAULT_DIR = shipped("templates") / "documents"
_ENVIRONMENTS: dict[Path, SandboxedEnvironment] = {}


def environment(directory: Path | None = None) -> SandboxedEnvironment:
    directory = Path(directory or DEFAULT_DIR)
    env = _ENVIRONMENTS.get(directory)
    if env is None:
        env = SandboxedEnvironment(loader=FileSystemLoader(str(directory)), undefined=StrictUndefined,
                                   trim_blocks=True, lstrip_blocks=True, autoescape=False)
        env.filters["numbered"] = _numbered
        env.filters["cell"] = _cell
        env.filters["bare"] = _bare
        _ENVIRONMENTS[directory] = env
    return env


def _numbered(index: int) -> str:
    """An index in Chinese numerals (1 to 99), as the level-1 headings are numbered."""
    # Chinese numerals are a number system, not wording (kept with the typesetting data)
    digits = typesetting.NUMERAL_DIGITS
    if index < 10:
        return digits[index]
    tens, ones = divmod(index, 10)
    return ("" if tens == 1 else digits[tens]) + typesetting.NUMERAL_TEN + (digits[ones] if ones else "")


def _cell(value: object) -> str:
    """Text fit for one table cell of a "|…|" row: no bar, line breaks kept as \\n."""
    # the full-width bar is an escape (the row's separator cannot appear in a cell), not wording
    text = "" if value is None else str(value)
    return text.replace("|", typesetting.CELL_BAR).replace("\r", "").replace("\n", "\\n")


def _bare(value: object) -> str:
    """A phrase without its closing punctuation, to be quoted inside a sentence."""
    # the closing punctuation stripped (data, not wording)
    return ("" if value is None else str(value)).strip().rstrip(typesetting.CLOSING_PUNCTUATION)


def _clean(text: str) -> str:
    """Trim each line and drop the blank lines template logic leaves behind."""
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def render(template: str, record: Mapping[str, Any], directory: Path | None = None) -> dict[str, str]:
    """Render every block of a kind's template from the record; a missing block renders as ""."""
    try:
        compiled = environment(directory).get_template(template)
        out = {}
        for name in BLOCKS:
            block = compiled.blocks.get(name)
            out[name] = _clean("".join(block(compiled.new_context(dict(record))))) if block else ""
        return out
    except (TemplateError, TypeError, ValueError, LookupError, AttributeError) as exc:
        raise InvalidInput.because("document.template_error", template=template, error=exc) from None
