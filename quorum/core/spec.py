"""Workflow and body specs: immutable data parsed and validated from the policy files.

A spec never changes once parsed; a running matter points at the policy version it started
under (see quorum.services.policies). Every validation error names the file and the step or
field at fault, so a secretariat editing policies/ can find the mistake.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from quorum.core.body_spec import BodySpec, Ratio, parse_bodies, parse_ratio
from quorum.core.body_spec import ParseContext as _Ctx
from quorum.core.body_spec import require as _require
from quorum.core.conditions import COMPARISONS, AllOf, AnyOf, Condition, Leaf, Not, as_decimal
from quorum.core.errors import InvalidInput, InvalidPolicy
from quorum.core.messages import message
from quorum.core.step_spec import OptionSpec, Requirement, RoleRule, StepSpec, check_references, parse_step
from quorum.core.steps import StepReader
from quorum.core.steps.kinds import SubmitStep
from quorum.core.values import FieldSpec, clean_text, coerce_fields, coerce_value
from quorum.core.workflow_rules import WorkflowRules, parse_rules

FIELD_TYPES = ("text", "textarea", "money", "int", "bool", "choice", "date", "unit", "person", "people")
__all__ = ["BodySpec", "FieldSpec", "OptionSpec", "Ratio", "Requirement", "RoleRule", "StepSpec", "clean_text", "coerce_fields",
           "coerce_value", "parse_ratio"]


@dataclass(frozen=True)
class WorkflowSpec:
    key: str
    name: str
    description: str
    fields: tuple[FieldSpec, ...]
    steps: tuple[StepSpec, ...]
    initiator_roles: tuple[str, ...]
    personnel_when: Condition | None
    thresholds: Mapping[str, Decimal]
    source: str
    rules: WorkflowRules = field(default_factory=WorkflowRules)
    personnel_always: bool = False     # `personnel = true`: every matter of this workflow is a personnel item

    def field(self, key: str) -> FieldSpec:
        return next(f for f in self.fields if f.key == key)

    def step(self, key: str) -> StepSpec:
        return next(s for s in self.steps if s.key == key)

    def step_index(self, key: str) -> int:
        return [s.key for s in self.steps].index(key)

    @property
    def input_fields(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.input)

    @property
    def recused_fields(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.recuse)


@dataclass(frozen=True)
class PolicySet:
    label: str
    roles: Mapping[str, str]
    bodies: Mapping[str, BodySpec]
    workflows: Mapping[str, WorkflowSpec]
    meta: Mapping[str, Any] = field(default_factory=dict)
    substitutes: Mapping[str, str] = field(default_factory=dict)   # role → who decides when all its holders recuse

    def workflow(self, key: str) -> WorkflowSpec:
        try:
            return self.workflows[key]
        except KeyError:
            raise InvalidInput(reason=message("policy.workflow_unknown", workflow=key,
                                              choices=message("value.list_separator").join(self.workflows))) from None

    def body(self, key: str) -> BodySpec:
        try:
            return self.bodies[key]
        except KeyError:
            raise InvalidInput(reason=message("policy.body_unknown", body=key,
                                              choices=message("value.list_separator").join(self.bodies))) from None

    def role_name(self, key: str) -> str:
        return self.roles.get(key, key)

    def substitutes_of(self, role: str) -> tuple[str, ...]:
        """The roles that decide, in turn, when every holder of `role` must recuse (roles.toml `substitute`)."""
        chain, seen = [], {role}
        while (role := self.substitutes.get(role)) is not None and role not in seen:
            chain.append(role)
            seen.add(role)
        return tuple(chain)


# --------------------------------------------------------------------------------------------
# parsing


def parse_fields(raw_fields: list, ctx: _Ctx) -> tuple[FieldSpec, ...]:
    fields = []
    seen = set()
    for raw in raw_fields:
        key = _require(raw, "key", ctx, message("policy.field_where_any"))
        where = message("policy.field_where", field=key)
        if key in seen:
            raise ctx.fail(where, message("policy.field_duplicate"))
        seen.add(key)
        ftype = raw.get("type", "text")
        if ftype not in FIELD_TYPES:
            raise ctx.fail(where, message("policy.field_type_unknown", type=ftype,
                                          types=message("value.list_separator").join(FIELD_TYPES)))
        choices = tuple((str(k), str(v)) for k, v in (raw.get("choices") or {}).items())
        if ftype == "choice" and not choices:
            raise ctx.fail(where, message("policy.field_choices_missing"))
        if (raw.get("recuse") or raw.get("not_initiator")) and ftype not in ("person", "people"):
            raise ctx.fail(where, message("policy.field_person_only"))
        spec = FieldSpec(key, _require(raw, "label", ctx, where), ftype, bool(raw.get("required", False)),
                         choices, raw.get("help", ""), bool(raw.get("input", True)), None,
                         bool(raw.get("recuse", False)), bool(raw.get("not_initiator", False)),
                         bool(raw.get("own_unit", False)))
        if spec.own_unit and ftype != "unit":
            raise ctx.fail(where, message("permission.own_unit_not_unit"))
        if not spec.input and ftype not in ("bool", "money"):
            raise ctx.fail(where, message("policy.field_system_type"))
        if "default" in raw:
            try:
                spec = replace(spec, default=coerce_value(spec, raw["default"]))
            except InvalidInput as exc:
                raise ctx.fail(where, exc.params.get("reason", str(exc))) from None
        fields.append(spec)
    return tuple(fields)


def parse_condition(raw: Any, fields: Mapping[str, FieldSpec], thresholds: Mapping[str, Decimal],
                    ctx: _Ctx, where: str) -> Condition:
    """Parse a condition table, checking every field, operator and value against the declared fields."""
    if not isinstance(raw, dict):
        raise ctx.fail(where, message("policy.condition_not_table"))
    if "all" in raw or "any" in raw:
        key = "all" if "all" in raw else "any"
        parts = tuple(parse_condition(p, fields, thresholds, ctx, where) for p in raw[key])
        if not parts:
            raise ctx.fail(where, message("policy.condition_empty", group=key))
        return AllOf(parts) if key == "all" else AnyOf(parts)
    if "not" in raw:
        return Not(parse_condition(raw["not"], fields, thresholds, ctx, where))
    name = raw.get("field")
    if name not in fields:
        raise ctx.fail(where, message("policy.condition_unknown_field", field=name))
    op = raw.get("op")
    if op not in COMPARISONS:
        raise ctx.fail(where, message("policy.condition_unknown_op", op=op, ops=" ".join(COMPARISONS)))
    if op in ("is_true", "is_false"):
        return Leaf(name, op, None)
    if "threshold" in raw:
        if raw["threshold"] not in thresholds:
            raise ctx.fail(where, message("policy.threshold_unknown", threshold=raw["threshold"]))
        value: Any = thresholds[raw["threshold"]]
    elif "value" in raw:
        value = raw["value"]
    else:
        raise ctx.fail(where, message("policy.condition_no_value"))
    spec = fields[name]
    try:
        if op in ("in", "not_in"):
            if not isinstance(value, list):
                raise ctx.fail(where, message("policy.condition_list", op=op))
            value = tuple(coerce_value(spec, v) for v in value)
        else:
            value = coerce_value(spec, value)
    except InvalidInput as exc:
        raise ctx.fail(where, exc.params.get("reason", str(exc))) from None
    return Leaf(name, op, value)


def _parse_step(raw: Mapping, fields: Mapping[str, FieldSpec], thresholds: Mapping[str, Decimal],
                bodies: Mapping[str, BodySpec], roles: Mapping[str, str], ctx: _Ctx) -> StepSpec:
    key = _require(raw, "key", ctx, message("policy.step_where_any"))
    where = message("policy.step_where", step=key)

    def fail(reason: str) -> InvalidPolicy:
        return ctx.fail(where, reason)

    def cond(value: Any, label: str) -> Condition | None:
        return None if value is None else parse_condition(value, fields, thresholds, ctx, f"{where} {label}")

    def role(name: str | None) -> str | None:
        if name is not None and name not in roles:
            raise fail(message("policy.unknown_role", role=name))
        return name

    _require(raw, "kind", ctx, where)
    flags = {f.key for f in fields.values() if not f.input and f.type == "bool"}
    reader = StepReader(raw, fail, cond, role, {"flags": flags, "fields": fields, "bodies": bodies})
    return parse_step(reader, key, _require(raw, "name", ctx, where))


def parse_workflow(data: Mapping, bodies: Mapping[str, BodySpec], roles: Mapping[str, str],
                   source: str) -> WorkflowSpec:
    """Parse and validate one workflow file's data."""
    ctx = _Ctx(source)
    key = _require(data, "key", ctx, "")
    fields = parse_fields(data.get("fields", []), ctx)
    by_key = {f.key: f for f in fields}
    thresholds = {}
    for name, raw in (data.get("thresholds") or {}).items():
        try:
            thresholds[name] = as_decimal(raw)
        except (ValueError, InvalidOperation):
            raise ctx.fail(message("policy.threshold_where", threshold=name),
                           message("policy.threshold_not_money", value=raw)) from None
    steps = tuple(_parse_step(s, by_key, thresholds, bodies, roles, ctx) for s in data.get("steps", []))
    if not steps or not isinstance(steps[0], SubmitStep):
        raise ctx.fail("", message("policy.first_step_submit"))
    check_references(steps, ctx.fail)
    initiators = tuple(data.get("initiator_roles", []))
    for role_key in initiators:
        if role_key not in roles:
            raise ctx.fail("initiator_roles", message("policy.initiator_role_unknown", role=role_key))
    personnel = data.get("personnel_when")
    return WorkflowSpec(
        key=key, name=_require(data, "name", ctx, ""), description=data.get("description", ""),
        fields=fields, steps=steps, initiator_roles=initiators,
        personnel_when=None if personnel is None else parse_condition(personnel, by_key, thresholds, ctx,
                                                                      "personnel_when"),
        thresholds=thresholds, source=source,
        rules=parse_rules(data, by_key, thresholds, roles, lambda where, reason: ctx.fail(where, reason)),
        personnel_always=data.get("personnel") is True,
    )


def parse_policy_set(raw: Mapping[str, Any]) -> PolicySet:
    """Build a PolicySet from the raw data of all policy files.

    raw = {"policy": {...}, "roles": {...}, "bodies": {...},
           "workflows": {key: data}, "sources": {name: file}} — as stored in the database.
    """
    sources = raw.get("sources", {})
    roles_data = raw.get("roles", {}).get("roles", {})
    roles_ctx = _Ctx(sources.get("roles", "policies/roles.toml"))
    roles = {}
    for key, value in roles_data.items():
        if not isinstance(value, dict) or "name" not in value:
            raise roles_ctx.fail(message("policy.role_where", role=key), message("policy.role_needs_name"))
        roles[key] = value["name"]
    if not roles:
        raise roles_ctx.fail("", message("policy.no_roles"))
    substitutes = {key: value["substitute"] for key, value in roles_data.items() if value.get("substitute")}
    for key, substitute in substitutes.items():
        if substitute not in roles or substitute == key:
            raise roles_ctx.fail(message("policy.role_where", role=key),
                                 message("policy.substitute_unknown", substitute=substitute))
    bodies = parse_bodies(raw.get("bodies", {}), roles, sources.get("bodies", "policies/bodies.toml"))
    workflows = {}
    for name, data in raw.get("workflows", {}).items():
        source = sources.get(f"workflows/{name}", f"policies/workflows/{name}.toml")
        spec = parse_workflow(data, bodies, roles, source)
        if spec.key in workflows:
            raise InvalidPolicy(source=source, reason=message("policy.workflow_duplicate", workflow=spec.key))
        workflows[spec.key] = spec
    policy = raw.get("policy", {})
    return PolicySet(label=str(policy.get("version", "unversioned")), roles=roles, bodies=bodies,
                     workflows=workflows, meta=policy, substitutes=substitutes)
