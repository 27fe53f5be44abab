"""Step specs: one step of a workflow, as parsed and validated from its policy file.

A step is data. Its kind — a class in quorum.core.steps — says how it runs (see DESIGN.md "Step
kinds"); its options say what a person may answer on its tasks and what each answer does:

    effect "pass"            the answer counts toward completing the step
    effect "reject"          the step's on_reject rule applies (end, return:<step>, flag:<field>)
    effect "return:<step>"   the matter goes back to that earlier step
    effect "postpone"        (publicity) the decision waits, at most postpone_months
    sets = "<field>"         a system flag field becomes true, and the route is planned again

Flags are how a later step depends on an earlier answer without any code: a member unit's objection
sets `member_objection`, and the council coordination step has `when = { field = "member_objection", op = "is_true" }`.
"""

from collections.abc import Callable, Mapping
from dataclasses import fields as dataclass_fields
from typing import Any

from quorum.core.messages import message
from quorum.core.steps import (
    OptionSpec,
    Requirement,
    ReturnTo,
    RoleRule,
    StepReader,
    StepSpec,
    parse_outcome,
    step_class,
    step_kinds,
)
from quorum.core.steps.base import ROLE_SCOPES

NEEDS_COMMENT = ("reject", "object", "appoint_reminded", "not_appoint", "defer_appointment", "fail", "disagree")
EFFECTS = ("pass", "reject", "postpone", "end")
__all__ = ["OptionSpec", "Requirement", "RoleRule", "StepSpec", "check_references", "parse_step"]


def parse_step(reader: StepReader, key: str, name: str) -> StepSpec:
    """Build a step of its kind's class from its table; the kind string is read here and only here."""
    kind = reader.get("kind")
    cls = step_class(kind) if isinstance(kind, str) else None
    if cls is None:
        kinds = message("value.list_separator").join(step_kinds())
        raise reader.fail(message("policy.step_unknown_kind", kind=kind, kinds=kinds))
    own = {f.name for f in dataclass_fields(cls)}
    if reader.get("required") is not None and "required" not in own:
        raise reader.fail(message("policy.required_only_countersign"))
    roles = _roles(reader)
    if cls.needs_role and not roles:
        raise reader.fail(message("policy.step_needs_role", kind=kind))
    specific = cls.read(reader)
    flags = reader.context["flags"]
    step = cls(
        key=key, name=name, roles=roles, when=reader.condition("when"), reason=reader.get("reason", ""),
        deadline_working_days=reader.int("deadline_working_days"),
        on_reject=parse_outcome(reader.get("on_reject", "end"), flags, "on_reject", reader.fail),
        on_postpone=None if reader.get("on_postpone") is None else
        parse_outcome(reader.get("on_postpone"), flags, "on_postpone", reader.fail),
        documents=reader.strings("documents"), options=parse_options(reader, cls),
        role_scope=reader.choice("role_scope", ROLE_SCOPES, "any"),
        valid_months=reader.int("valid_months", 1), valid_until=reader.get("valid_until"),
        silence_consent_days=reader.int("silence_consent_days", 1),
        silence_consent_when=reader.condition("silence_consent_when"),
        escalate_role=reader.role(reader.get("escalate_role")), enabled=bool(reader.get("enabled", True)),
        **specific)
    step.check(reader.fail)
    return step


def _roles(reader: StepReader) -> tuple[RoleRule, ...]:
    rules = [RoleRule(reader.role(r["role"]), reader.condition_of(r.get("when"), "role_when"))
             for r in reader.get("role_when", [])]
    if "role" in reader.raw:
        rules.append(RoleRule(reader.role(reader.raw["role"])))
    return tuple(rules)


def parse_options(reader: StepReader, cls: type[StepSpec]) -> tuple[OptionSpec, ...]:
    """Parse `[[steps.options]]`, or give the kind's default answers."""
    given = reader.get("options")
    if given is None:
        return tuple(OptionSpec(k, option_label(k) or k, e, None, k in NEEDS_COMMENT) for k, e in cls.default_options)
    if not cls.takes_options:
        raise reader.fail(message("policy.options_not_allowed", kind=cls.kind))
    if not isinstance(given, list) or not given:
        raise reader.fail(message("policy.options_empty"))
    options: list[OptionSpec] = []
    for item in given:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            raise reader.fail(message("policy.option_no_key"))
        if item["key"] in {o.key for o in options} or len(item["key"]) > 20:
            raise reader.fail(message("policy.option_duplicate", option=item["key"]))
        options.append(_option(item, reader.context["flags"], reader.fail))
    return tuple(options)


def _option(item: Mapping[str, Any], flags: set[str], fail: Callable[[str], Exception]) -> OptionSpec:
    key, effect, sets = item["key"], item.get("effect", "pass"), item.get("sets")
    if effect not in EFFECTS and not str(effect).startswith("return:"):
        raise fail(message("policy.option_effect", option=key, effect=effect))
    if sets is not None and sets not in flags:
        raise fail(message("policy.option_sets", option=key, sets=sets))
    needs = bool(item.get("needs_comment", key in NEEDS_COMMENT or effect != "pass"))
    label = item.get("label") or option_label(key)
    if not label:
        raise fail(message("policy.option_label", option=key))
    return OptionSpec(key, label, effect, sets, needs)


def check_references(steps: tuple[StepSpec, ...], fail: Callable[[str, str], Exception]) -> None:
    """Every return target names an earlier step; valid_until names a later one."""
    keys = [s.key for s in steps]
    for step in steps:
        where = message("policy.step_where", step=step.key)
        if keys.count(step.key) > 1:
            raise fail(where, message("policy.step_duplicate"))
        rules = [r for r in (step.on_reject, step.on_postpone) if isinstance(r, ReturnTo)]
        targets = [(str(r), r.step) for r in rules] + [(o.effect, o.return_target) for o in step.options
                                                          if o.effect not in EFFECTS]
        for text, target in targets:
            if target is None or target not in keys or keys.index(target) >= keys.index(step.key):
                raise fail(where, message("policy.outcome_invalid", text=text))
        if step.valid_until is not None and (step.valid_until not in keys
                                             or keys.index(step.valid_until) <= keys.index(step.key)):
            raise fail(where, message("policy.valid_until_later", step=step.valid_until))


def option_label(key: str) -> str | None:
    text = message(f"option.{key}")
    return None if text == f"option.{key}" else text
