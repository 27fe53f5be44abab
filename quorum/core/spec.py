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
        return f"{'超过' if self.strict else '不少于'}{self.fraction.numerator}/{self.fraction.denominator}"


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
            raise InvalidInput(reason=f"未知的流程「{key}」，可选：{'、'.join(self.workflows)}") from None

    def body(self, key: str) -> BodySpec:
        try:
            return self.bodies[key]
        except KeyError:
            raise InvalidInput(reason=f"未知的议事机构「{key}」，可选：{'、'.join(self.bodies)}") from None

    def role_name(self, key: str) -> str:
        return self.roles.get(key, key)


# --------------------------------------------------------------------------------------------
# parsing


class _Ctx:
    """Where we are while parsing, for error messages."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, reason: str) -> InvalidPolicy:
        return InvalidPolicy(source=f"{self.source}，{where}" if where else self.source, reason=reason)


def parse_ratio(raw: Any, ctx: _Ctx, where: str) -> Ratio:
    """Parse ">1/2" or ">=2/3"."""
    text = str(raw).strip()
    strict = not text.startswith(">=")
    body = text[2:] if text.startswith(">=") else text[1:] if text.startswith(">") else None
    if body is None:
        raise ctx.fail(where, f"比例「{text}」应写作 \">1/2\"（超过）或 \">=2/3\"（不少于）")
    try:
        fraction = Fraction(body)
    except (ValueError, ZeroDivisionError):
        raise ctx.fail(where, f"比例「{text}」不是有效分数") from None
    if not 0 < fraction <= 1:
        raise ctx.fail(where, f"比例「{text}」须在 0 与 1 之间")
    return Ratio(fraction, strict)


def _require(data: Mapping, key: str, ctx: _Ctx, where: str, kind: type = str) -> Any:
    if key not in data:
        raise ctx.fail(where, f"缺少必填项「{key}」")
    value = data[key]
    if not isinstance(value, kind):
        raise ctx.fail(where, f"「{key}」类型应为{kind.__name__}")
    return value


def parse_bodies(data: Mapping, roles: Mapping[str, str], source: str) -> dict[str, BodySpec]:
    ctx = _Ctx(source)
    bodies = {}
    for key, raw in (data.get("bodies") or {}).items():
        where = f"议事机构 {key}"
        seat_roles = tuple(_require(raw, "seat_roles", ctx, where, list))
        for role in (*seat_roles, raw.get("chair_role", ""), *raw.get("acting_chair_roles", [])):
            if role not in roles:
                raise ctx.fail(where, f"未定义的角色「{role}」（见 policies/roles.toml）")
        options = tuple(raw.get("vote_options", ["agree", "disagree", "abstain"]))
        personnel_options = tuple(raw.get("personnel_vote_options", ["agree", "disagree", "postpone"]))
        for option in (*options, *personnel_options):
            if option not in ("agree", "disagree", "abstain", "postpone"):
                raise ctx.fail(where, f"未知的表决选项「{option}」")
        if "agree" not in options or "agree" not in personnel_options:
            raise ctx.fail(where, "表决选项必须包含 agree（同意）")
        pass_base = raw.get("pass_base", "expected")
        if pass_base not in ("expected", "present"):
            raise ctx.fail(where, "pass_base 只能是 expected（应到会）或 present（实到会）")
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
        raise ctx.fail("", "未定义任何议事机构（[bodies.*]）")
    return bodies


def _body_scope(raw: Mapping, ctx: _Ctx, where: str) -> str:
    scope = raw.get("scope", "community")
    if scope not in ("community", "unit"):
        raise ctx.fail(where, "scope 只能是 community（医共体）或 unit（各单位分别召开）")
    return scope


def parse_fields(raw_fields: list, ctx: _Ctx) -> tuple[FieldSpec, ...]:
    fields = []
    seen = set()
    for raw in raw_fields:
        key = _require(raw, "key", ctx, "字段")
        where = f"字段 {key}"
        if key in seen:
            raise ctx.fail(where, "字段重复定义")
        seen.add(key)
        ftype = raw.get("type", "text")
        if ftype not in FIELD_TYPES:
            raise ctx.fail(where, f"未知的字段类型「{ftype}」，可选：{'、'.join(FIELD_TYPES)}")
        choices = tuple((str(k), str(v)) for k, v in (raw.get("choices") or {}).items())
        if ftype == "choice" and not choices:
            raise ctx.fail(where, "choice 类型字段须给出 choices")
        if (raw.get("recuse") or raw.get("not_initiator")) and ftype not in ("person", "people"):
            raise ctx.fail(where, "recuse / not_initiator 只适用于 person、people 类型字段")
        spec = FieldSpec(key, _require(raw, "label", ctx, where), ftype, bool(raw.get("required", False)),
                         choices, raw.get("help", ""), bool(raw.get("input", True)), None,
                         bool(raw.get("recuse", False)), bool(raw.get("not_initiator", False)))
        if not spec.input and ftype not in ("bool", "money"):
            raise ctx.fail(where, "input = false 的字段只能是 bool（标记）或 money（系统计算金额）")
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
        raise ctx.fail(where, "条件须为表（{ field=…, op=…, value=… }）")
    if "all" in raw or "any" in raw:
        key = "all" if "all" in raw else "any"
        parts = tuple(parse_condition(p, fields, thresholds, ctx, where) for p in raw[key])
        if not parts:
            raise ctx.fail(where, f"{key} 条件不能为空")
        return AllOf(parts) if key == "all" else AnyOf(parts)
    if "not" in raw:
        return Not(parse_condition(raw["not"], fields, thresholds, ctx, where))
    name = raw.get("field")
    if name not in fields:
        raise ctx.fail(where, f"条件引用了未声明的字段「{name}」")
    op = raw.get("op")
    if op not in COMPARISONS:
        raise ctx.fail(where, f"未知的比较符「{op}」，可选：{' '.join(COMPARISONS)}")
    if op in ("is_true", "is_false"):
        return Leaf(name, op, None)
    if "threshold" in raw:
        if raw["threshold"] not in thresholds:
            raise ctx.fail(where, f"未定义的阈值「{raw['threshold']}」")
        value: Any = thresholds[raw["threshold"]]
    elif "value" in raw:
        value = raw["value"]
    else:
        raise ctx.fail(where, "条件须给出 value 或 threshold")
    spec = fields[name]
    try:
        if op in ("in", "not_in"):
            if not isinstance(value, list):
                raise ctx.fail(where, f"{op} 的 value 须为列表")
            value = tuple(coerce_value(spec, v) for v in value)
        else:
            value = coerce_value(spec, value)
    except InvalidInput as exc:
        raise ctx.fail(where, exc.params.get("reason", str(exc))) from None
    return Leaf(name, op, value)


def _parse_step(raw: Mapping, fields: Mapping[str, FieldSpec], thresholds: Mapping[str, Decimal],
                bodies: Mapping[str, BodySpec], roles: Mapping[str, str], ctx: _Ctx) -> StepSpec:
    key = _require(raw, "key", ctx, "步骤")
    where = f"步骤 {key}"

    def fail(reason: str) -> InvalidPolicy:
        return ctx.fail(where, reason)

    def cond(value: Any, label: str) -> Condition | None:
        return None if value is None else parse_condition(value, fields, thresholds, ctx, f"{where} {label}")

    def role(name: str | None) -> str | None:
        if name is not None and name not in roles:
            raise fail(f"未定义的角色「{name}」（见 policies/roles.toml）")
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
            raise ctx.fail(f"阈值 {name}", f"「{raw}」不是有效金额（请写成字符串，如 \"200000\"）") from None
    steps = tuple(_parse_step(s, by_key, thresholds, bodies, roles, ctx) for s in data.get("steps", []))
    if not steps or not isinstance(steps[0], SubmitStep):
        raise ctx.fail("", "流程的第一个步骤必须是 submit（申报）")
    check_references(steps, ctx.fail)
    initiators = tuple(data.get("initiator_roles", []))
    for role_key in initiators:
        if role_key not in roles:
            raise ctx.fail("initiator_roles", f"未定义的角色「{role_key}」")
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
            raise roles_ctx.fail(f"角色 {key}", "须给出 name")
        roles[key] = value["name"]
    if not roles:
        raise roles_ctx.fail("", "未定义任何角色（[roles.*]）")
    bodies = parse_bodies(raw.get("bodies", {}), roles, sources.get("bodies", "policies/bodies.toml"))
    workflows = {}
    for name, data in raw.get("workflows", {}).items():
        source = sources.get(f"workflows/{name}", f"policies/workflows/{name}.toml")
        spec = parse_workflow(data, bodies, roles, source)
        if spec.key in workflows:
            raise InvalidPolicy(source=source, reason=f"流程 key「{spec.key}」重复")
        workflows[spec.key] = spec
    policy = raw.get("policy", {})
    return PolicySet(label=str(policy.get("version", "unversioned")), roles=roles, bodies=bodies,
                     workflows=workflows, meta=policy)
