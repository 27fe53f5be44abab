"""What every command of `quorum` shares: exit codes, printing a result, reading pairs and times.

Kept apart from quorum/cli.py (which builds the parser and imports every command module) so that the command
modules import this, never the parser: the command line has no import cycle.
"""

import argparse
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from quorum.core.errors import InvalidInput

EXIT_USER_ERROR = 2
EXIT_AUDIT_BROKEN = 3


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value).__name__)


def emit(args: argparse.Namespace, data: Any, template: str | None = None, **context: Any) -> None:
    if args.json or template is None:
        print(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default))
        return
    from quorum.text import render
    print(render(args.runtime.settings.templates_dir, template, **context), end="")


def parse_pairs(pairs: list[str] | None, what: str) -> dict[str, str]:
    out = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise InvalidInput.because("cli.pair_malformed", what=what, pair=pair)
        key, value = pair.split("=", 1)
        out[key.strip()] = value
    return out


def parse_time(text: str) -> datetime:
    # imported late, like every heavy module: `quorum --help` stays quick
    from quorum import calendar
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput.because("cli.time_malformed", text=text) from None
    return calendar.to_local(moment)
