"""Workflow and body specs: immutable data parsed and validated from the policy files.

A spec never changes once parsed; a running matter points at the policy version it started
under (see quorum.services.policies). Every validation error names the file and the step or
field at fault, so a secretariat editing policies/ can find the mistake.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from quorum.core.conditions import COMPARISONS, AllOf, AnyOf, Condition, Leaf, Not, as_decimal
from quorum.core.errors import InvalidInput, InvalidPolicy
from quorum.core.messages import message
from quorum.core.step_spec import OptionSpec, Requirement, RoleRule, StepSpec, check_references, parse_step
from quorum.core.steps import StepReader
from quorum.core.steps.kinds import SubmitStep
from quorum.core.values import clean_text, coerce_fields, coerce_value
from quorum.core.workflow_rules import WorkflowRules, parse_rules

FIELD_TYPES = ("text", "textarea", "money", "int", "bool", "choice", "date", "unit", "person", "people")
__all__ = ["OptionSpec", "Requirement", "RoleRule", "StepSpec", "clean_text", "coerce_fields", "coerce_value"]


@dataclass(frozen=True)
class Ratio:
    """A share of a base: ">1/2" (strictly more than half) or ">=2/3" (at least two thirds)."""

    fraction: Fraction
    strict: bool

    def required(self, base: int) -> int:
        """Return the smallest whole count that satisfies the ratio of base."""
        exact = self.fraction * base
        if self.strict:
            return int(exact) + 1 if exact.denominator == 1 else -(-exact.numerator // exact.denominator)
        return -(-exact.numerator // exact.denominator)

    def __str__(self) -> str:
        return message("policy.ratio_strict" if self.strict else "policy.ratio_at_least",
                       numerator=self.fraction.numerator, denominator=self.fraction.denominator)


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
class BodySpec:
    """A 议事机构 and its 议事规则."""

    key: str
    name: str
    short_name: str
    seat_roles: tuple[str, ...]
    chair_role: str
    acting_chair_roles: tuple[str, ...]
    principal_role: str
    quorum: Ratio
    personnel_quorum: Ratio
    pass_ratio: Ratio
    pass_base: str
    chair_speaks_last: bool
    vote_options: tuple[str, ...]
    personnel_vote_options: tuple[str, ...]
    secret_ballot_personnel: bool
    recusal_reduces_base: bool
    min_unconflicted_present: int
    notice_working_days: int
    min_meetings_per_year: int = 0
    scope: str = "community"      # "unit": each unit holds its own meeting (成员单位班子会), seats from that unit


@dataclass(frozen=True)
class PolicySet:
    label: str
    roles: Mapping[str, str]
    bodies: Mapping[str, BodySpec]
    workflows: Mapping[str, WorkflowSpec]
    meta: Mapping[str, Any] = field(default_factory=dict)

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


# --------------------------------------------------------------------------------------------
# parsing


class _Ctx:
    """Where we are while parsing, for error messages."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, reason: str) -> InvalidPolicy:
        source = message("policy.source_where", source=self.source, where=where) if where else self.source
        return InvalidPolicy(source=source, reason=reason)


def parse_ratio(raw: Any, ctx: _Ctx, where: str) -> Ratio:
    """Parse ">1/2" or ">=2/3"."""
    text = str(raw).strip()
    strict = not text.startswith(">=")
    body = text[2:] if text.startswith(">=") else text[1:] if text.startswith(">") else None
    if body is None:
        raise ctx.fail(where, message("policy.ratio_form", text=text))
    try:
        fraction = Fraction(body)
    except (ValueError, ZeroDivisionError):
        raise ctx.fail(where, message("policy.ratio_not_fraction", text=text)) from None
    if not 0 < fraction <= 1:
        raise ctx.fail(where, message("policy.ratio_range", text=text))
    return Ratio(fraction, strict)


def _require(data: Mapping, key: str, ctx: _Ctx, where: str, kind: type = str) -> Any:
    if key not in data:
        raise ctx.fail(where, message("policy.missing", setting=key))
    value = data[key]
    if not isinstance(value, kind):
        raise ctx.fail(where, message("policy.wrong_type", setting=key, type=kind.__name__))
    return value


def parse_bodies(data: Mapping, roles: Mapping[str, str], source: str) -> dict[str, BodySpec]:
    ctx = _Ctx(source)
    bodies = {}
    for key, raw in (data.get("bodies") or {}).items():
        where = message("policy.body_where", body=key)
        seat_roles = tuple(_require(raw, "seat_roles", ctx, where, list))
        for role in (*seat_roles, raw.get("chair_role", ""), *raw.get("acting_chair_roles", [])):
            if role not in roles:
                raise ctx.fail(where, message("policy.unknown_role", role=role))
        options = tuple(raw.get("vote_options", ["agree", "disagree", "abstain"]))
        personnel_options = tuple(raw.get("personnel_vote_options", ["agree", "disagree", "postpone"]))
        for option in (*options, *personnel_options):
            if option not in ("agree", "disagree", "abstain", "postpone"):
                raise ctx.fail(where, message("policy.vote_option_unknown", option=option))
        if "agree" not in options or "agree" not in personnel_options:
            raise ctx.fail(where, message("policy.vote_options_need_agree"))
        pass_base = raw.get("pass_base", "expected")
        if pass_base not in ("expected", "present"):
            raise ctx.fail(where, message("policy.pass_base"))
        bodies[key] = BodySpec(
            key=key,
            name=_require(raw, "name", ctx, where),
            short_name=raw.get("short_name", raw["name"]),
            seat_roles=seat_roles,
            chair_role=_require(raw, "chair_role", ctx, where),
            acting_chair_roles=tuple(raw.get("acting_chair_roles", [])),
            principal_role=raw.get("principal_role", raw["chair_role"]),
            quorum=parse_ratio(raw.get("quorum", ">1/2"), ctx, where + " quorum"),
            personnel_quorum=parse_ratio(raw.get("personnel_quorum", ">=2/3"), ctx, where + " personnel_quorum"),
            pass_ratio=parse_ratio(raw.get("pass_ratio", ">1/2"), ctx, where + " pass_ratio"),
            pass_base=pass_base,
            chair_speaks_last=bool(raw.get("chair_speaks_last", True)),
            vote_options=options,
            personnel_vote_options=personnel_options,
            secret_ballot_personnel=bool(raw.get("secret_ballot_personnel", True)),
            recusal_reduces_base=bool(raw.get("recusal_reduces_base", True)),
            min_unconflicted_present=int(raw.get("min_unconflicted_present", 3)),
            notice_working_days=int(raw.get("notice_working_days", 2)),
            min_meetings_per_year=int(raw.get("min_meetings_per_year", 0)),
            scope=_body_scope(raw, ctx, where),
        )
    if not bodies:
        raise ctx.fail("", message("policy.no_bodies"))
    return bodies


def _body_scope(raw: Mapping, ctx: _Ctx, where: str) -> str:
    scope = raw.get("scope", "community")
    if scope not in ("community", "unit"):
        raise ctx.fail(where, message("policy.body_scope"))
    return scope


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
                     workflows=workflows, meta=policy)
