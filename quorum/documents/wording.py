"""The wording of each kind: templates/documents/<kind>.j2 rendered in a sandboxed Jinja2 environment.

A template defines named blocks; each is rendered on its own from the same structured record:
  title    the document's title (事由 + 文种)
  body     the editable draft text the secretariat may change before 签发
  record   text drawn only from the record (attendance, votes, recusals, the cited 请示 ...),
           rendered again at 签发 and never editable — so a 纪要 cannot disagree with the votes
  notes    附注 (e.g. 联系人 and 电话 of a 请示)
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
    """1 → 一, 12 → 十二: the numbers of 一、 headings."""
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
