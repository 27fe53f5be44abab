"""Bounded request fields of the OpenAPI document, resolved against the deployment's [limits] when served.

The request schemas in webui/api/openapi.py name a text kind (webui/api/inputs.py) rather than a number;
`bounded` turns each into `maxLength` (and the date window, the money ceiling) of the running app's
config.toml, so a county that lowers title_max sees it in /api/v1/openapi.json — one source, the same
one Body.text enforces.
"""

from typing import Any

from quorum.core.messages import message
from quorum.limits_settings import LimitsSettings
from webui.api.inputs import AMOUNT, DAY, KEY, LIMIT_KEYS, LONG_TEXT, MAX_ID, MOMENT, max_length

LENGTH, WINDOW, MONEY, FIELDS = "x-quorum-length", "x-quorum-window", "x-quorum-money", "x-quorum-fields"
MARKERS = (LENGTH, WINDOW, MONEY, FIELDS)
AMOUNT_PATTERN = r"^\d+(\.\d{1,2})?$"
IDENTIFIER = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


def text(kind: str | int = LONG_TEXT, **extra: Any) -> dict[str, Any]:
    """A string of a text kind (or a fixed number of characters)."""
    return {"type": "string", LENGTH: kind, **extra}


def day(**extra: Any) -> dict[str, Any]:
    return {"type": "string", "format": "date", LENGTH: DAY, WINDOW: True, **extra}


def moment(**extra: Any) -> dict[str, Any]:
    return {"type": "string", "format": "date-time", LENGTH: MOMENT, WINDOW: True, **extra}


def money(**extra: Any) -> dict[str, Any]:
    return {"type": "string", "pattern": AMOUNT_PATTERN, LENGTH: AMOUNT, MONEY: True, **extra}


def field_values(**extra: Any) -> dict[str, Any]:
    """A workflow's field values: text, a number, true/false, null or a list of usernames."""
    values = {"anyOf": [text(), {"type": "number", "minimum": 0, MONEY: True}, {"type": ["boolean", "null"]},
                        {"type": "array", "items": text(KEY)}]}
    return {"type": "object", "additionalProperties": values, FIELDS: True, **extra}


def bounded(node: Any, limits: LimitsSettings) -> Any:
    """A copy of a schema (or a whole document) with every marker replaced by the bounds of these [limits]."""
    if isinstance(node, list):
        return [bounded(item, limits) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: bounded(value, limits) for key, value in node.items() if key not in MARKERS}
    if LENGTH in node:
        out["maxLength"] = max_length(node[LENGTH], limits)
        if node[LENGTH] in LIMIT_KEYS:
            out["x-limits"] = LIMIT_KEYS[node[LENGTH]]
    _describe(out, node, limits)
    return out


def _describe(out: dict[str, Any], node: dict[str, Any], limits: LimitsSettings) -> None:
    """Add the date window, the money ceiling or the field values' bounds, in words and as x- keys."""
    b, words = limits.bounds, ""
    low, high, ceiling = b.date_min.isoformat(), b.date_max.isoformat(), f"{b.money_max:,}"
    if node.get(WINDOW):
        out["x-minimum-date"], out["x-maximum-date"] = low, high
        words = message("security.openapi_date_window", low=low, high=high)
    if node.get(MONEY) and node.get("type") == "number":
        out["maximum"] = int(b.money_max)
    elif node.get(MONEY):
        out["x-maximum"] = str(b.money_max)
        words = message("security.openapi_money", ceiling=ceiling)
    if node.get(FIELDS):
        words = message("security.openapi_fields", ceiling=ceiling, low=low, high=high, limit=limits.long_text_max)
    if words:
        out["description"] = " ".join(part for part in (node.get("description", ""), words) if part)
