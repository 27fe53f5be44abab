"""The [limits] section of config.toml, validated: the range of dates and amounts, and text lengths.

Read only through quorum.settings.load_settings; each error names the file, the section and the key.
The dates and the money ceiling travel to the pure core as a quorum.core.values.Bounds; the text
lengths bound every form and API field (webui/api/inputs.py) and are published in the OpenAPI schema.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from quorum.core.messages import message
from quorum.core.values import Bounds
from quorum.scheduler_settings import _bad, _int, _table

KEYS = {"date_min", "date_max", "money_max", "title_max", "text_max", "long_text_max"}


@dataclass(frozen=True)
class LimitsSettings:
    """What a value may be: dates and money as Bounds, and the longest title, text and long text."""

    bounds: Bounds = field(default_factory=Bounds)
    title_max: int = 200             # titles, names, places
    text_max: int = 1000             # opinions, reasons, short texts
    long_text_max: int = 20_000      # summaries, bodies


def _day(t: Mapping[str, Any], key: str, default: date, path: Path) -> date:
    value = t.get(key, default)
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise _bad(path, "limits", key, message("settings.not_a_date", value=value)) from None
    if not isinstance(value, date) or not 1900 <= value.year <= 9998:
        raise _bad(path, "limits", key, message("settings.date_out_of_range", value=value))
    return value


def parse_limits(raw: Mapping[str, Any], path: Path) -> LimitsSettings:
    """Validate [limits]; every key is optional (the defaults are Quorum's own bounds)."""
    t = _table(raw, "limits", path, KEYS)
    default = Bounds()
    low, high = _day(t, "date_min", default.date_min, path), _day(t, "date_max", default.date_max, path)
    if low >= high:
        raise _bad(path, "limits", "date_max", message("settings.date_max_before_min", low=low.isoformat(),
                                                       high=high.isoformat()))
    money = t.get("money_max", int(default.money_max))
    if isinstance(money, bool) or not isinstance(money, int | float) or not 1 <= money <= 10**15:
        raise _bad(path, "limits", "money_max", message("settings.money_out_of_range", money=money))
    title = _int(t, "title_max", 200, path, "limits", 10, 1000)
    text = _int(t, "text_max", 1000, path, "limits", 100, 100_000)
    long_text = _int(t, "long_text_max", 20_000, path, "limits", text, 1_000_000)
    return LimitsSettings(Bounds(low, high, Decimal(str(money))), title, text, long_text)
