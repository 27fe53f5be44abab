"""The eleven step kinds of the deliberation process, one class each (see DESIGN.md "Step kinds")."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from quorum.core.messages import message
from quorum.core.steps.base import Requirement, Span, StepReader, StepSpec, TaskPlan, register

APPROVE_OR_REJECT = (("approve", "pass"), ("reject", "reject"))
RESTARTS = ("all", "objecting")
ANCHORS = ("activation", "decision")


@register
@dataclass(frozen=True, kw_only=True)
class SubmitStep(StepSpec):
    """Submit: the initiator files the matter; a return gives it back to them to resubmit."""

    kind = "submit"
    states_reject_rule = False
    reopens_to_initiator = True


@register
@dataclass(frozen=True, kw_only=True)
class GateStep(StepSpec):
    """Gate (the prerequisite procedures): the opinions a matter needs before it may go on an agenda."""

    kind = "gate"
    tasks = TaskPlan.PER_REQUIREMENT
    default_options = APPROVE_OR_REJECT      # each required opinion: 同意 or 不同意 (the step's on_reject)
    answers_may_return = True
    holder_may_add_signer = True
    requirements: tuple[Requirement, ...] = ()

    @classmethod
    def read(cls, reader: StepReader) -> dict[str, Any]:
        """Return the gate's requirements."""
        return {"requirements": tuple(_requirement(reader, r) for r in reader.get("requirements", []))}

    def check(self, fail: Callable[[str], Exception]) -> None:
        """A gate lists at least one requirement."""
        if not self.requirements:
            raise fail(message("policy.gate_needs_requirements"))
        super().check(fail)


def _requirement(reader: StepReader, raw: Mapping[str, Any]) -> Requirement:
    key, name = reader.require(raw, "key"), reader.require(raw, "name")
    return Requirement(key, name, reader.role(raw.get("role", "")),
                       reader.condition_of(raw.get("when"), f"requirement {key}"))


@register
@dataclass(frozen=True, kw_only=True)
class ReviewStep(StepSpec):
    """Review (any_of): any one holder of the role answers."""

    kind = "review"
    needs_role = True
    tasks = TaskPlan.BY_ROLE
    answers_may_return = True
    holder_may_add_signer = True
    initiator_may_not_answer = True
    default_options = APPROVE_OR_REJECT
    takes_options = True


@register
@dataclass(frozen=True, kw_only=True)
class CountersignStep(StepSpec):
    """Countersign: one any_of group per unit; done when every group (or `required` of them) has agreed."""

    kind = "countersign"
    needs_role = True
    tasks = TaskPlan.PER_UNIT
    answers_may_return = True
    holder_may_add_signer = True
    initiator_may_not_answer = True
    default_options = APPROVE_OR_REJECT
    takes_options = True
    units: tuple[str, ...] = ()         # one group per unit (卫健委, 人社局, 财政局) ...
    unit_kind: str | None = None        # ... or per unit of this kind (member_unit)
    required: int | None = None         # n of m groups; None = every group
    restart: str = "all"                # after a return: all groups again, or only the objectors

    @classmethod
    def read(cls, reader: StepReader) -> dict[str, Any]:
        """Return the units, their number needed and the restart rule."""
        return {"units": reader.strings("units"), "unit_kind": reader.get("unit_kind"),
                "required": reader.int("required", 1), "restart": reader.choice("restart", RESTARTS, "all")}

    def check(self, fail: Callable[[str], Exception]) -> None:
        """Units or a unit kind, and no more agreements required than units."""
        if self.units and self.unit_kind:
            raise fail(message("policy.countersign_units_or_kind"))
        if self.required is not None and self.units and self.required > len(self.units):
            raise fail(message("policy.countersign_required_too_many", required=self.required,
                               units=len(self.units)))
        super().check(fail)


@register
@dataclass(frozen=True, kw_only=True)
class MeetingStep(StepSpec):
    """Meeting vote: a body decides the matter on an agenda."""

    kind = "meeting"
    waits_for_meeting = True
    body: str | None = None
    body_from: str | None = None        # the body is the value of this choice field
    acknowledge: tuple[str, ...] = ()   # flags the body must acknowledge before voting
    mandatory: bool = False             # put on the body's next meeting automatically (追认)

    @classmethod
    def read(cls, reader: StepReader) -> dict[str, Any]:
        """Return the body (or the field naming it), the flags to acknowledge and whether it is mandatory."""
        body, body_from = reader.get("body"), reader.get("body_from")
        _check_body(reader, body, body_from)
        acknowledge = reader.strings("acknowledge")
        for name in acknowledge:
            if name not in reader.context["flags"]:
                raise reader.fail(message("policy.acknowledge_not_flag", name=name))
        return {"body": body, "body_from": body_from, "acknowledge": acknowledge,
                "mandatory": bool(reader.get("mandatory", False))}

    def body_for(self, values: Mapping[str, Any]) -> str | None:
        """The body that decides this meeting step for a matter with these values."""
        return values.get(self.body_from) if self.body_from else self.body


def _check_body(reader: StepReader, body: Any, body_from: Any) -> None:
    bodies, fields = reader.context["bodies"], reader.context["fields"]
    if body_from is None:
        if body not in bodies:
            raise reader.fail(message("policy.meeting_body_unknown", body=body))
        return
    source = fields.get(body_from)
    if source is None or source.type != "choice" or any(k not in bodies for k, _ in source.choices):
        raise reader.fail(message("policy.meeting_body_from", field=body_from))


@register
@dataclass(frozen=True, kw_only=True)
class RecordStep(StepSpec):
    """Record: the secretary records the decision in the minutes."""

    kind = "record"
    needs_role = True
    tasks = TaskPlan.BY_ROLE
    states_reject_rule = False


@register
@dataclass(frozen=True, kw_only=True)
class PublicityStep(StepSpec):
    """Publicity: a window of working days, then the decision (appoint, do not appoint, postpone the appointment)."""

    kind = "publicity"
    needs_role = True
    tasks = TaskPlan.BY_ROLE
    initiator_may_not_answer = True
    default_options = (("appoint", "pass"), ("appoint_reminded", "pass"), ("not_appoint", "reject"),
                       ("defer_appointment", "postpone"))
    takes_options = True
    has_window = True
    outcome_is_answer = True
    window_working_days: int | None = None   # the 公示 window
    postpone_months: int | None = None       # 暂缓任用 at most this long

    @classmethod
    def read(cls, reader: StepReader) -> dict[str, Any]:
        """Return the window and the longest postponement."""
        return {"window_working_days": reader.int("window_working_days", 1),
                "postpone_months": reader.int("postpone_months", 1)}

    def check(self, fail: Callable[[str], Exception]) -> None:
        """A publicity step has a window."""
        if self.window_working_days is None:
            raise fail(message("policy.publicity_needs_window"))
        super().check(fail)

    def span(self, execution_months: int | None) -> Span | None:
        """The window, in working days."""
        return Span(working_days=self.window_working_days or 0)

    def counted_working_days(self) -> int | None:
        """The window."""
        return self.window_working_days


@register
@dataclass(frozen=True, kw_only=True)
class FilingStep(StepSpec):
    """Filing: the receiving body acknowledges (filing is not approval) or objects."""

    kind = "filing"
    needs_role = True
    tasks = TaskPlan.BY_ROLE
    initiator_may_not_answer = True
    default_options = (("acknowledge", "pass"),)
    takes_options = True
    outcome_is_answer = True
    days: int | None = None             # the filing deadline, in calendar days

    @classmethod
    def read(cls, reader: StepReader) -> dict[str, Any]:
        """Return the filing deadline."""
        return {"days": reader.int("days", 1)}

    def span(self, execution_months: int | None) -> Span | None:
        """Calendar days when given, else the working-day deadline."""
        return Span(days=self.days) if self.days is not None else super().span(execution_months)


@register
@dataclass(frozen=True, kw_only=True)
class TimerStep(StepSpec):
    """Timer: waits (a probation of 12 months from the decision), then finishes itself and opens the next step."""

    kind = "timer"
    fires_when_due = True
    months: int | None = None
    days: int | None = None
    anchor: str = "activation"          # count from activation or from the matter's last decision

    @classmethod
    def read(cls, reader: StepReader) -> dict[str, Any]:
        """Return the period and where it counts from."""
        return {"months": reader.int("months", 1), "days": reader.int("days", 1),
                "anchor": reader.choice("anchor", ANCHORS, "activation")}

    def check(self, fail: Callable[[str], Exception]) -> None:
        """A timer has a period."""
        if not (self.months or self.days or self.deadline_working_days):
            raise fail(message("policy.timer_needs_period"))
        super().check(fail)

    def span(self, execution_months: int | None) -> Span | None:
        """Months, else days, else working days, from activation or from the decision."""
        decision = self.anchor == "decision"
        if self.months:
            return Span(months=self.months, from_decision=decision)
        if self.days:
            return Span(days=self.days, from_decision=decision)
        return Span(working_days=self.deadline_working_days or 0, from_decision=decision)


@register
@dataclass(frozen=True, kw_only=True)
class ExecutionStep(StepSpec):
    """Execution: the approved money is paid within the validity of the workflow's [execution] rule."""

    kind = "execution"
    needs_role = True
    tasks = TaskPlan.BY_ROLE
    pays_out = True

    def span(self, execution_months: int | None) -> Span | None:
        """The approval's validity when the workflow has an [execution] rule."""
        return Span(months=execution_months) if execution_months is not None else super().span(None)


@register
@dataclass(frozen=True, kw_only=True)
class SuperviseStep(StepSpec):
    """Supervision: done when the matter's supervision items are."""

    kind = "supervise"
    states_reject_rule = False
    waits_for_supervision = True
