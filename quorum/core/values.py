"""Field values: turn what a form, the CLI or a policy file gives into a field's typed value.

Money is Decimal with at most two decimals (never a float); dates are ISO; a choice accepts its key
or its label; people are usernames. Every refusal is InvalidInput in the secretariat's words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from quorum.core.conditions import as_decimal
from quorum.core.errors import InvalidInput
from quorum.core.messages import message
from quorum.core.messages import values as value_data


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    type: str
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""
    input: bool = True            # false: a flag the engine sets (never on a form)
    default: Any = None
    recuse: bool = False          # person/people: recused at meetings, no task on their own matter
    not_initiator: bool = False   # person: the initiator may not be this person (提名人不得为被提名人)
    own_unit: bool = False        # unit: the filer's own unit (申请单位) — see matter.file_for_other_unit

    def choice_label(self, value: str) -> str:
        return dict(self.choices).get(value, value)


class FieldSet(Protocol):
    """What coerce_fields needs of a workflow (quorum.core.spec.WorkflowSpec, which imports this module)."""

    name: str
    fields: tuple[FieldSpec, ...]

    @property
    def input_fields(self) -> tuple[FieldSpec, ...]: ...

    def field(self, key: str) -> FieldSpec: ...


@dataclass(frozen=True)
class Bounds:
    """The range a field value may take ([limits] in config.toml): a 10^25-yuan amount or a date in
    9999 is a typing mistake or an attack on the record, never a decision to take."""

    date_min: date = date(2000, 1, 1)
    date_max: date = date(2100, 12, 31)
    money_max: Decimal = Decimal(10) ** 12        # 元

    def check(self, spec: FieldSpec, value: Any) -> Any:
        """Return value if it lies within the bounds, else refuse it naming the bound."""
        if spec.type == "money" and value > self.money_max:
            raise InvalidInput.because("value.money_over_limit", label=spec.label, value=value,
                                       limit=f"{self.money_max:,}")
        if spec.type == "date" and not self.date_min <= value <= self.date_max:
            raise InvalidInput.because("value.date_out_of_range", label=spec.label, value=value.isoformat(),
                                       first=self.date_min.isoformat(), last=self.date_max.isoformat())
        return value


DEFAULT_BOUNDS = Bounds()


def coerce_value(spec: FieldSpec, raw: Any, bounds: Bounds = DEFAULT_BOUNDS) -> Any:
    """Turn a raw form/CLI/policy value into the field's type within bounds, or raise InvalidInput in Chinese."""
    value = _coerce(spec, raw)
    return value if value is None else bounds.check(spec, value)


def _coerce(spec: FieldSpec, raw: Any) -> Any:
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    try:
        if spec.type == "money":
            if not re.fullmatch(r"\d+(\.\d{1,2})?", str(raw).replace(",", "").strip()):
                raise ValueError
            value = as_decimal(raw)
            if not value.is_finite() or value < 0 or value.as_tuple().exponent < -2:
                raise ValueError
            return value
        if spec.type == "int":
            return int(str(raw))
        if spec.type == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in ("true", "1", "yes", message("yes"), "y", "on"):
                return True
            if text in ("false", "0", "no", message("no"), "n", "off"):
                return False
            raise ValueError
        if spec.type == "date":
            return raw if isinstance(raw, date) else date.fromisoformat(str(raw))
        if spec.type == "people":
            # the separators people type between names, full-width ones included: data, not wording
            items = raw if isinstance(raw, (list, tuple)) else re.split(value_data.PEOPLE_SEPARATORS, str(raw))
            names = [str(i).strip() for i in items if str(i).strip()]
            if not all(re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", n) for n in names):
                raise ValueError
            return list(dict.fromkeys(names)) or None
        if spec.type == "person" and not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", str(raw).strip()):
            raise ValueError
        if spec.type == "choice":
            text = str(raw)
            by_label = {label: key for key, label in spec.choices}
            text = by_label.get(text, text)
            if text not in dict(spec.choices):
                raise ValueError
            return text
        return str(raw).strip()
    except (ValueError, InvalidOperation):
        raise InvalidInput.because("value.invalid", label=spec.label, raw=raw, hint=_hint(spec)) from None


def _hint(spec: FieldSpec) -> str:
    if spec.type not in ("money", "int", "bool", "date", "choice", "person", "people"):
        return ""
    choices = message("value.list_separator").join(label for _, label in spec.choices)
    return message(f"value.hint_{spec.type}", choices=choices)


def coerce_fields(spec: FieldSet, raw: Mapping[str, Any], system: Mapping[str, Any] | None = None,
                  bounds: Bounds = DEFAULT_BOUNDS) -> dict[str, Any]:
    """Validate a whole submission against the workflow's declared fields.

    Flags and computed amounts (input = false) are never taken from the person filing; `system`
    carries the values the engine already holds for them.
    """
    unknown = set(raw) - {f.key for f in spec.input_fields}
    if unknown:
        system_set = unknown & {f.key for f in spec.fields}
        if system_set:
            raise InvalidInput.because("value.system_set", labels=message("value.list_separator").join(
                spec.field(k).label for k in sorted(system_set)))
        raise InvalidInput.because("value.unknown_fields", workflow=spec.name,
                                   fields=message("value.list_separator").join(sorted(unknown)))
    values = {}
    for field_spec in spec.fields:
        if not field_spec.input:
            values[field_spec.key] = (system or {}).get(field_spec.key, field_spec.default)
            continue
        value = coerce_value(field_spec, raw.get(field_spec.key), bounds)
        if value is None:
            value = field_spec.default
        if value is None and field_spec.required:
            raise InvalidInput.because("value.required", label=field_spec.label)
        values[field_spec.key] = value
    return values


def clean_text(value: Any, label: str, max_length: int = 200, required: bool = True) -> str:
    """Return value as trimmed text fit for storage, or refuse it in words (too long, control characters)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput.because("value.not_text", label=label)
    text = value.strip()
    if required and not text:
        raise InvalidInput.because("value.required", label=label)
    if len(text) > max_length:
        raise InvalidInput.because("value.too_long", label=label, max_length=max_length)
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in text):
        raise InvalidInput.because("value.control_characters", label=label)
    return text
