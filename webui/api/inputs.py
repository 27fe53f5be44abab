"""Read a request's JSON body and query string into typed values; refuse bad input in Chinese (422).

The engine checks the rules; this module only makes sure what reaches it has the right shape, so a
list where a number belongs, a NUL byte or a 10,000-character title becomes a clear 422, never a
500 from deep inside the database driver.
"""

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app, has_app_context, request

from quorum.calendar import TZ
from quorum.core.errors import InvalidInput
from quorum.core.messages import message
from quorum.limits_settings import LimitsSettings
from quorum.services import search

MAX_ID = 2**31 - 1               # database integer ids; larger numbers cannot name a row
NAME_LENGTH = 200                # titles and places (the Name column; [limits] title_max may lower it)
KEY_LENGTH = 64                  # usernames, workflow, body and step keys
TEXT_LENGTH = 20_000             # opinions, reasons, summaries (the default of [limits] long_text_max)
SCALARS = (str, int, float, bool, type(None))
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

# The kinds of text a field may hold. The API (Body.text), the OpenAPI schema and the web forms'
# maxlength all read their bound here, so the documented bound is the enforced one.
KEY, TITLE, TEXT, LONG_TEXT = "key", "title", "text", "long_text"
SECRET, AMOUNT, DAY, MOMENT, NAME, PHONE, QUERY = "secret", "amount", "day", "moment", "name", "phone", "query"
FIXED_LENGTHS = {KEY: KEY_LENGTH, SECRET: 1024, AMOUNT: 40, DAY: 20, MOMENT: 40, NAME: NAME_LENGTH, PHONE: 40,
                 QUERY: search.QUERY_LIMIT}
LIMIT_KEYS = {TITLE: "title_max", TEXT: "text_max", LONG_TEXT: "long_text_max"}     # [limits] keys


def refuse(reason: str) -> InvalidInput:
    return InvalidInput(reason=reason)


def limits() -> LimitsSettings:
    """[limits] of the running app's config.toml (Quorum's defaults outside a request)."""
    if has_app_context():       # the app's WebRuntime (webui.runtime.runtime(), which imports this module)
        return current_app.extensions["quorum"].settings.limits
    return LimitsSettings()


def title_limit() -> int:
    return max_length(TITLE)


def max_length(kind: str | int, bounds: LimitsSettings | None = None) -> int:
    """The longest value of a text kind under these [limits] (the running app's by default)."""
    if isinstance(kind, int):
        return kind
    if kind in FIXED_LENGTHS:
        return FIXED_LENGTHS[kind]
    value = getattr(bounds or limits(), LIMIT_KEYS[kind])
    return min(NAME_LENGTH, value) if kind == TITLE else value


def lengths(bounds: LimitsSettings) -> dict[str, int]:
    """Every text kind's longest value under these [limits]: the maxlength of the web forms."""
    return {kind: max_length(kind, bounds) for kind in (*FIXED_LENGTHS, *LIMIT_KEYS)}


def _check_no_nul(value: Any) -> None:
    """Refuse NUL characters anywhere: PostgreSQL cannot store them in text or JSON."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str) and "\x00" in item:
            raise refuse(message("api.input_nul"))
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


class Body:
    """The request body as a JSON object, read key by key."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data

    @classmethod
    def read(cls, *, form: bool = False) -> "Body":
        """Parse the body; an empty body is an empty object. With form=True a posted form is accepted too."""
        if form and request.mimetype in FORM_TYPES:
            data: Any = request.form.to_dict()
        elif not request.get_data(cache=True):
            data = {}
        else:
            try:
                data = request.get_json(force=True, silent=True)
            except RecursionError:
                data = None
            if not isinstance(data, dict):
                raise refuse(message("api.input_not_an_object"))
        _check_no_nul(data)
        return cls(data)

    def _get(self, key: str, required: bool) -> Any:
        value = self.data.get(key)
        if value is None and required:
            raise refuse(message("api.input_missing", field=key))
        return value

    def text(self, key: str, *, required: bool = False, limit: str | int = LONG_TEXT) -> str:
        """A string of at most `limit` characters: a text kind (default: [limits] long_text_max) or a number."""
        limit = max_length(limit)
        value = self._get(key, required)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise refuse(message("api.input_not_a_string", field=key))
        if required and not value.strip():
            raise refuse(message("api.input_empty", field=key))
        if len(value) > limit:
            raise refuse(message("security.input_too_long", field=key, limit=limit))
        return value

    def optional_text(self, key: str, *, limit: int = KEY_LENGTH) -> str | None:
        return self.text(key, limit=limit).strip() or None

    def choice(self, key: str, options: Iterable[str]) -> str:
        value = self.text(key, required=True, limit=KEY_LENGTH)
        options = list(options)
        if value not in options:
            raise refuse(message("api.input_choice_invalid", field=key, value=value,
                                 options=message("api.input_choice_separator").join(options)))
        return value

    def flag(self, key: str) -> bool:
        value = self._get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise refuse(message("api.input_not_a_flag", field=key))
        return value

    def identifier(self, key: str) -> int:
        return as_id(self._get(key, True), key)

    def identifiers(self, key: str) -> list[int]:
        value = self._get(key, False)
        if value is None:
            return []
        if not isinstance(value, list):
            raise refuse(message("api.input_not_a_list_of_ids", field=key))
        return [as_id(v, key) for v in value]

    def moment(self, key: str) -> datetime:
        """An ISO 8601 date-time; without an offset it is read as Beijing time."""
        text = self.text(key, required=True, limit=40)
        try:
            value = datetime.fromisoformat(text.strip())
        except ValueError:
            raise refuse(message("api.input_not_a_moment", field=key)) from None
        bounds = limits().bounds
        if not 2000 <= value.year <= 2099 or not bounds.date_min <= value.date() <= bounds.date_max:
            low, high = max(2000, bounds.date_min.year), min(2099, bounds.date_max.year)
            raise refuse(message("api.input_year_out_of_range", field=key, low=low, high=high))
        return value if value.tzinfo is not None else value.replace(tzinfo=TZ)

    def fields(self, key: str) -> dict[str, Any]:
        """A workflow's field values: an object of plain values (text, number, true/false, null)."""
        value = self._get(key, False)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise refuse(message("api.input_fields_not_an_object", field=key))
        for name, item in value.items():
            if isinstance(item, list) and all(isinstance(i, str) and len(i) <= KEY_LENGTH for i in item):
                continue               # a people field: a list of usernames
            if not isinstance(item, SCALARS):
                raise refuse(message("api.input_field_value_kind", field=name))
            _check_number(name, item)
            longest = limits().long_text_max
            if isinstance(item, str) and len(item) > longest:
                raise refuse(message("api.input_field_value_too_long", field=name, limit=longest))
        return dict(value)

    def opinions(self, key: str) -> dict[int, str]:
        """Texts by agenda item number: an object {"1": "…", "2": "…"} of strings of at most [limits] long_text_max."""
        value = self._get(key, False)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise refuse(message("api.input_opinions_not_an_object", field=key))
        longest = limits().long_text_max
        out: dict[int, str] = {}
        for seq, text in value.items():
            if not (isinstance(seq, str) and seq.isdigit() and 0 < int(seq) < 1000) or not isinstance(text, str):
                raise refuse(message("api.input_opinions_not_an_object", field=key))
            if len(text) > longest:
                raise refuse(message("security.input_too_long", field=f"{key}.{seq}", limit=longest))
            out[int(seq)] = text
        return out

    def amount(self, key: str) -> str:
        """A required sum in yuan as text ("120000.00") of at most [limits] money_max; the engine reads its form."""
        text = self.text(key, required=True, limit=AMOUNT).strip()
        try:
            value = Decimal(text.replace(",", ""))
        except InvalidOperation:
            return text                    # the engine names a malformed amount in the field's words
        ceiling = limits().bounds.money_max
        if value.is_finite() and value > ceiling:
            raise refuse(message("security.input_money_max", field=key, ceiling=f"{ceiling:,}"))
        return text

    def usernames(self, key: str) -> list[str]:
        """A non-empty list of usernames, e.g. ["alatan", "liyan"]."""
        value = self._get(key, True)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
            raise refuse(message("api.input_not_usernames", field=key))
        if any(len(v) > KEY_LENGTH for v in value) or len(value) > 100:
            raise refuse(message("api.input_usernames_too_long", field=key))
        return [v.strip() for v in value]

    def day(self, key: str) -> date | None:
        """An optional ISO date (2026-11-22)."""
        text = self.text(key, limit=20).strip()
        if not text:
            return None
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise refuse(message("api.input_not_a_day", field=key)) from None
        bounds = limits().bounds
        if not bounds.date_min <= day <= bounds.date_max:
            raise refuse(message("api.input_day_out_of_range", field=key, day=day.isoformat(),
                                 low=bounds.date_min.isoformat(), high=bounds.date_max.isoformat()))
        return day

    def decision_record(self, key: str) -> dict[str, Any] | None:
        value = self._get(key, False)
        return None if value is None else decision_record(value)


def _check_number(name: str, value: Any) -> None:
    """A number among a workflow's field values lies within 0 and [limits] money_max (the largest any field takes)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return
    ceiling = limits().bounds.money_max
    if not 0 <= value <= ceiling:
        raise refuse(message("security.input_number_range", field=name, ceiling=f"{ceiling:,}"))


def as_id(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise refuse(message("api.input_not_an_id", field=key))
    if not 1 <= value <= MAX_ID:
        raise refuse(message("api.input_id_out_of_range", field=key, value=value))
    return value


def _unit_keys(value: Any, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and len(v) <= KEY_LENGTH for v in value):
        raise refuse(message("api.input_not_unit_keys", field=key))
    return value


def _supervision_item(raw: Any, n: int) -> dict[str, Any]:
    where = message("api.input_supervision_item", n=n)
    if not isinstance(raw, dict):
        raise refuse(message("api.input_supervision_item_not_an_object", item=where))
    item = Body(raw)
    out: dict[str, Any] = {"title": item.text("title", required=True, limit=TITLE),
                           "lead_unit": item.text("lead_unit", required=True, limit=KEY_LENGTH),
                           "co_units": _unit_keys(raw.get("co_units", []), "co_units")}
    if raw.get("due_date") is not None:
        out["due_date"] = item.text("due_date", limit=20)
    if raw.get("due_working_days") is not None:
        days = raw["due_working_days"]
        if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 3650:
            raise refuse(message("api.input_supervision_due_working_days", item=where))
        out["due_working_days"] = days
    return out


def decision_record(value: Any) -> dict[str, Any]:
    """The minutes' record of a `record` action: {summary?, items: [{title, lead_unit, co_units, due_*}]}."""
    if not isinstance(value, dict):
        raise refuse(message("api.input_record_not_an_object"))
    items = value.get("items", [])
    if not isinstance(items, list):
        raise refuse(message("api.input_record_items_not_a_list"))
    record: dict[str, Any] = {"items": [_supervision_item(raw, n) for n, raw in enumerate(items, 1)]}
    if value.get("summary") is not None:
        record["summary"] = Body(value).text("summary")
    return record


def query_choice(name: str, options: Iterable[str]) -> str | None:
    value = request.args.get(name)
    if value is None or value == "":
        return None
    options = list(options)
    if value not in options:
        raise refuse(message("api.input_query_choice_invalid", name=name, value=value,
                             options=message("api.input_choice_separator").join(options)))
    return value


def query_text(name: str) -> str | None:
    value = request.args.get(name, "").strip()
    if len(value) > KEY_LENGTH or "\x00" in value:
        raise refuse(message("api.input_query_invalid", name=name))
    return value or None


def query_int(name: str, default: int, maximum: int) -> int:
    value = request.args.get(name)
    if value is None or value == "":
        return default
    if not (value.isascii() and value.isdigit() and len(value) <= 10) or int(value) > maximum:
        raise refuse(message("api.input_query_int", name=name, maximum=maximum))
    return int(value)
