"""Plan a matter's route through its workflow and explain every choice in words."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from quorum.core.conditions import Condition, evaluate
from quorum.core.messages import message
from quorum.core.spec import FieldSpec, Requirement, StepSpec, WorkflowSpec


@dataclass(frozen=True)
class RouteStep:
    key: str
    name: str
    applies: bool
    why: str

    @property
    def sentence(self) -> str:
        return message("route.applies" if self.applies else "route.skipped", step=self.name, why=self.why)


class FieldFormatter:
    """Render a workflow's field labels and values the way the secretariat writes them."""

    def __init__(self, fields: tuple[FieldSpec, ...]) -> None:
        self.fields = {f.key: f for f in fields}

    def label(self, name: str) -> str:
        return self.fields[name].label

    def value(self, name: str, value: Any) -> str:
        field = self.fields[name]
        if value is None and field.type == "bool" and not field.input:
            return message("no")             # a flag nobody raised
        if value is None:
            return message("not_filled")
        if field.type == "money":
            return format_money(value)
        if field.type == "choice":
            return field.choice_label(value)
        if field.type == "bool":
            return message("yes" if value else "no")
        return str(value)


def format_money(value: Any) -> str:
    """Render 600000 as "600,000" and 1234.5 as "1,234.50", followed by the yuan unit word."""
    text = f"{Decimal(value):,.2f}"
    return message("money", amount=text[:-3] if text.endswith(".00") else text)


def explain(cond: Condition, values: Mapping[str, Any], spec: WorkflowSpec) -> tuple[bool, str]:
    return evaluate(cond, values, FieldFormatter(spec.fields))


def step_applies(step: StepSpec, values: Mapping[str, Any], spec: WorkflowSpec) -> RouteStep:
    """Decide whether one step applies to a matter with these field values."""
    if not step.enabled:
        return RouteStep(step.key, step.name, False, message("route.disabled"))
    if step.when is None:
        return RouteStep(step.key, step.name, True, step.reason or message("route.always"))
    applies, text = explain(step.when, values, spec)
    why = message("steps.route_reason", why=text, reason=step.reason) if applies and step.reason else text
    return RouteStep(step.key, step.name, applies, why)


def plan_route(spec: WorkflowSpec, values: Mapping[str, Any]) -> list[RouteStep]:
    """Return every step of the workflow with whether it applies and why."""
    return [step_applies(step, values, spec) for step in spec.steps]


def required_opinions(step: StepSpec, values: Mapping[str, Any], spec: WorkflowSpec
                      ) -> list[tuple[Requirement, bool, str]]:
    """Return each gate requirement with whether this matter needs it and why."""
    out = []
    for req in step.requirements:
        if req.when is None:
            out.append((req, True, message("route.always")))
        else:
            needed, why = explain(req.when, values, spec)
            out.append((req, needed, why))
    return out


def assignee_role(step: StepSpec, values: Mapping[str, Any], spec: WorkflowSpec) -> str | None:
    """Return the role that acts on a review/record step for this matter (first matching rule)."""
    for rule in step.roles:
        if rule.when is None or explain(rule.when, values, spec)[0]:
            return rule.role
    return None


def is_personnel(spec: WorkflowSpec, values: Mapping[str, Any]) -> bool:
    """Return whether a matter is a personnel item (≥2/3 quorum, agree/disagree/postpone, secret ballot allowed)."""
    if spec.personnel_always:
        return True
    return spec.personnel_when is not None and explain(spec.personnel_when, values, spec)[0]
