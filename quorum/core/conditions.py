"""Structured routing conditions: an allow-listed evaluator over declared matter fields.

A condition is data, never code:
    {field = "amount", op = ">=", value = "200000"}
    {field = "amount", op = ">=", threshold = "funds_party_committee"}
    {all = [...]}, {any = [...]}, {not = {...}}
Evaluation returns the truth value and a sentence a secretariat understands: the field's name, the
amount in yuan, the operator and the threshold in yuan. Money is Decimal; "or more" (yishang) maps
to ">=" and includes the boundary.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from quorum.core.messages import message

COMPARISONS = ("==", "!=", ">=", ">", "<=", "<", "in", "not_in", "is_true", "is_false")
NEGATION = {
    "==": "!=", "!=": "==", ">=": "<", ">": "<=", "<=": ">", "<": ">=",
    "in": "not_in", "not_in": "in", "is_true": "is_false", "is_false": "is_true",
}


@dataclass(frozen=True)
class Leaf:
    field: str
    op: str
    value: Any  # already coerced to the field's type (Decimal, str, tuple of str, bool or None)


@dataclass(frozen=True)
class AllOf:
    parts: tuple["Condition", ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple["Condition", ...]


@dataclass(frozen=True)
class Not:
    part: "Condition"


Condition = Leaf | AllOf | AnyOf | Not


def _compare(op: str, actual: Any, expected: Any) -> bool:
    if op == "is_true":
        return actual is True
    if op == "is_false":
        return actual is not True
    if actual is None:
        return op in ("!=", "not_in")
    if op == "in":
        return actual in expected
    if op == "not_in":
        return actual not in expected
    if op == "==":
        return actual == expected
    if op == "!=":
        return actual != expected
    if expected is None:
        return False
    return {">=": actual >= expected, ">": actual > expected, "<=": actual <= expected, "<": actual < expected}[op]


class Formatter(Protocol):
    """Renders field labels and values for explanations."""

    def label(self, name: str) -> str: ...

    def value(self, name: str, value: Any) -> str: ...


def evaluate(cond: Condition, values: Mapping[str, Any], fmt: Formatter) -> tuple[bool, str]:
    """Evaluate cond over values and say why, in the secretariat's words."""
    if isinstance(cond, Leaf):
        actual = values.get(cond.field)
        result = _compare(cond.op, actual, cond.value)
        shown_op = cond.op if result else NEGATION[cond.op]
        return result, _sentence(cond, actual, shown_op, fmt)
    if isinstance(cond, Not):
        inner, text = evaluate(cond.part, values, fmt)
        return (not inner), text
    outcomes = [evaluate(part, values, fmt) for part in cond.parts]
    if isinstance(cond, AllOf):
        result = all(r for r, _ in outcomes)
        shown = [t for r, t in outcomes if r == result]
        joiner = message("join.all") if result else message("join.any")
    else:
        result = any(r for r, _ in outcomes)
        shown = [t for r, t in outcomes if r == result]
        joiner = message("join.any") if result else message("join.all")
    return result, message("value.condition_joiner", joiner=joiner).join(shown)


def _sentence(cond: Leaf, actual: Any, op: str, fmt: Formatter) -> str:
    label = fmt.label(cond.field)
    shown_actual = fmt.value(cond.field, actual)
    if op in ("is_true", "is_false") or isinstance(cond.value, bool):
        return message("value.labelled", label=label, text=shown_actual)
    if isinstance(cond.value, tuple):
        expected = message("value.list_separator").join(fmt.value(cond.field, v) for v in cond.value)
    else:
        expected = fmt.value(cond.field, cond.value)
    return message("value.condition_compare", label=label, actual=shown_actual, op=message("op." + op),
                   expected=expected)


def fields_used(cond: Condition) -> set[str]:
    """Return the names of the fields a condition reads."""
    if isinstance(cond, Leaf):
        return {cond.field}
    if isinstance(cond, Not):
        return fields_used(cond.part)
    used: set[str] = set()
    for part in cond.parts:
        used |= fields_used(part)
    return used


def as_decimal(raw: Any) -> Decimal:
    """Parse a money value given as a string or integer (floats are refused: they lose cents)."""
    if isinstance(raw, bool) or isinstance(raw, float):
        raise ValueError(raw)
    return Decimal(str(raw).replace(",", "").strip())


def describe(cond: Condition, fmt: Formatter) -> str:
    """Say what a condition requires, without any matter's values: for `policy explain`."""
    if isinstance(cond, Leaf):
        label = fmt.label(cond.field)
        if cond.op in ("is_true", "is_false"):
            return message("value.condition_is", label=label, truth=message("yes" if cond.op == "is_true" else "no"))
        if isinstance(cond.value, tuple):
            expected = message("value.list_separator").join(fmt.value(cond.field, v) for v in cond.value)
        else:
            expected = fmt.value(cond.field, cond.value)
        return message("value.condition_requires", label=label, op=message("op." + cond.op), expected=expected)
    if isinstance(cond, Not):
        return message("value.condition_not", text=describe(cond.part, fmt))
    joiner = message("join.all") if isinstance(cond, AllOf) else message("join.any")
    parts = [describe(p, fmt) if isinstance(p, Leaf) else message("value.parenthesised", text=describe(p, fmt))
             for p in cond.parts]
    return f" {joiner} ".join(parts)
