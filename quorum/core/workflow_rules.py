"""Workflow-wide rules beyond the steps: split_evasion, validity and tolerance of approvals, repeat watch.

Each is optional data in the workflow file:

    [split_evasion]   window_months, match_fields, basis_fields, tiers, target, flag
    [execution]       validity_months, tolerance            (an approval lapses; changes beyond re-approve)
    [repeat_watch]    window_months, threshold, flag         (the same person using the path repeatedly)
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from quorum.core.messages import message


@dataclass(frozen=True)
class SplitRule:
    window_months: int
    match_fields: tuple[str, ...]    # same unit plus the same value of any of these: vendor, project, purpose
    basis_fields: tuple[str, ...]    # money fields; the largest (the contract total) decides, not one payment
    tiers: tuple[str, ...]           # threshold names in ascending order
    target: str                      # system money field that receives the amount routing uses
    flag: str                        # system flag field set when the aggregate crosses a higher tier


@dataclass(frozen=True)
class ExecutionRule:
    validity_months: int
    tolerance: Decimal               # 0.10: an increase beyond 10 % of the approved amount needs re-approval


@dataclass(frozen=True)
class RepeatRule:
    window_months: int
    threshold: int                   # this many uses by one person inside the window raise the flag
    flag: str


@dataclass(frozen=True)
class WorkflowRules:
    split_evasion: SplitRule | None = None
    execution: ExecutionRule | None = None
    repeat_watch: RepeatRule | None = None


def parse_rules(data: Mapping[str, Any], fields: Mapping[str, Any], thresholds: Mapping[str, Decimal],
                roles: Mapping[str, str], fail: Callable[[str, str], Exception]) -> WorkflowRules:
    """Parse the optional rule tables of a workflow file, checking every field and threshold they name."""

    def field_of(where: str, name: Any, types: tuple[str, ...], system: bool | None = None) -> str:
        spec = fields.get(name)
        if spec is None or spec.type not in types or (system is not None and spec.input == system):
            kind = message("policy.rule_system_field" if system else "policy.rule_field")
            raise fail(where, message("policy.rule_field_type", field=name, types="/".join(types), kind=kind))
        return name

    def months(where: str, raw: Mapping, key: str) -> int:
        value = raw.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise fail(where, message("policy.rule_months", setting=key))
        return value

    split = execution = repeat = None
    if "split_evasion" in data:
        raw, where = data["split_evasion"], "split_evasion"
        tiers = tuple(raw.get("tiers", []))
        if not tiers or any(t not in thresholds for t in tiers):
            raise fail(where, message("policy.rule_tiers_defined"))
        if [thresholds[t] for t in tiers] != sorted(thresholds[t] for t in tiers):
            raise fail(where, message("policy.rule_tiers_ascending"))
        split = SplitRule(
            window_months=months(where, raw, "window_months"),
            match_fields=tuple(field_of(where, f, ("text", "textarea")) for f in raw.get("match_fields", [])),
            basis_fields=tuple(field_of(where, f, ("money",), system=False) for f in raw.get("basis_fields", [])),
            tiers=tiers, target=field_of(where, raw.get("target"), ("money",), system=True),
            flag=field_of(where, raw.get("flag"), ("bool",), system=True))
        if not split.match_fields or not split.basis_fields:
            raise fail(where, message("policy.rule_match_and_basis"))
    if "execution" in data:
        raw, where = data["execution"], "execution"
        try:
            tolerance = Decimal(str(raw.get("tolerance", "0")))
        except InvalidOperation:
            raise fail(where, message("policy.rule_tolerance_decimal")) from None
        if not Decimal(0) <= tolerance < Decimal(1):
            raise fail(where, message("policy.rule_tolerance_range"))
        execution = ExecutionRule(months(where, raw, "validity_months"), tolerance)
    if "repeat_watch" in data:
        raw, where = data["repeat_watch"], "repeat_watch"
        threshold = raw.get("threshold")
        if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 2:
            raise fail(where, message("policy.rule_threshold"))
        repeat = RepeatRule(months(where, raw, "window_months"), threshold,
                            field_of(where, raw.get("flag"), ("bool",), system=True))
    return WorkflowRules(split, execution, repeat)
