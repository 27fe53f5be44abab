"""The base step spec: the fields every kind has, the behaviour each kind declares, and the kind registry.

A step kind is one subclass of `StepSpec`, registered under its policy `kind` string with
`@register`: it holds only its own fields (read from the step's table by `read`), checks them
(`check`), and declares how it runs as class attributes — the services and the explanation ask
the step, never its kind string. `step_class` is the one place a kind string is looked up.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar, TypeVar

from quorum.core.conditions import Condition
from quorum.core.messages import message
from quorum.core.steps.outcomes import EndMatter, Outcome, ReturnTo, SetFlag

ROLE_SCOPES = ("any", "matter_unit")


class TaskPlan(Enum):
    """Which tasks a step opens when it becomes active."""

    NONE = "none"                    # the step waits (a meeting, a timer, 督办) or is the initiator's
    BY_ROLE = "by_role"              # one 或签 group of the holders of the step's role
    PER_REQUIREMENT = "requirement"  # gate: one group per opinion the matter needs
    PER_UNIT = "unit"                # countersign: one group per unit


@dataclass(frozen=True)
class Span:
    """How long a step runs once active: one of months, calendar days or working days."""

    months: int = 0
    days: int = 0
    working_days: int = 0
    from_decision: bool = False      # count from the matter's last collective decision, not from today


@dataclass(frozen=True)
class Requirement:
    """One opinion a gate needs (legality review, risk assessment, consultation, the workers' congress's review ...)."""

    key: str
    name: str
    role: str
    when: Condition | None = None


@dataclass(frozen=True)
class RoleRule:
    role: str
    when: Condition | None = None


@dataclass(frozen=True)
class OptionSpec:
    """One answer a task of this step offers, and what it does."""

    key: str
    label: str
    effect: str
    sets: str | None = None
    needs_comment: bool = False

    @property
    def return_target(self) -> str | None:
        return self.effect.split(":", 1)[1] if self.effect.startswith("return:") else None


class StepReader:
    """One step's raw policy table, read with errors that name the file and the step."""

    def __init__(self, raw: Mapping[str, Any], fail: Callable[[str], Exception],
                 condition: Callable[[Any, str], Condition | None], role: Callable[[str | None], str | None],
                 context: Mapping[str, Any]) -> None:
        self.raw, self.fail, self._condition, self.role, self.context = raw, fail, condition, role, context

    def get(self, key: str, default: Any = None) -> Any:
        return self.raw.get(key, default)

    def condition(self, key: str) -> Condition | None:
        """Parse the condition under key (None when absent)."""
        return self._condition(self.raw.get(key), key)

    def condition_of(self, value: Any, label: str) -> Condition | None:
        """Parse a condition found elsewhere in the step (None when absent); label names it in errors."""
        return self._condition(value, label)

    def require(self, raw: Mapping[str, Any], key: str, kind: type = str) -> Any:
        """Return raw[key], which must be present and of this type."""
        if key not in raw:
            raise self.fail(message("policy.missing", setting=key))
        if not isinstance(raw[key], kind):
            raise self.fail(message("policy.wrong_type", setting=key, type=kind.__name__))
        return raw[key]

    def int(self, key: str, minimum: int = 0) -> int | None:
        """Return the integer setting under key, at least minimum (None when absent)."""
        value = self.raw.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(message("policy.int_setting", setting=key, minimum=minimum))
        return value

    def choice(self, key: str, allowed: tuple[str, ...], default: str) -> str:
        """Return the setting under key, one of allowed."""
        value = self.raw.get(key, default)
        if value not in allowed:
            allowed_text = message("value.list_separator").join(allowed)
            raise self.fail(message("policy.choice_setting", setting=key, allowed=allowed_text))
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        """Return the list of strings under key (empty when absent)."""
        value = self.raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(message("policy.string_list", setting=key))
        return tuple(value)


@dataclass(frozen=True, kw_only=True)
class StepSpec:
    """One step of a workflow; a subclass per kind says what the step is and how it runs."""

    kind: ClassVar[str] = ""
    needs_role: ClassVar[bool] = False          # a role (or role_when) must say who acts
    tasks: ClassVar[TaskPlan] = TaskPlan.NONE
    default_options: ClassVar[tuple[tuple[str, str], ...]] = ()   # (answer key, effect) when none are given
    takes_options: ClassVar[bool] = False       # the policy may define its own [[steps.options]]
    states_reject_rule: ClassVar[bool] = True   # the explanation says what 不同意 does
    reopens_to_initiator: ClassVar[bool] = False    # submit: a return gives the initiator a resubmit task
    waits_for_supervision: ClassVar[bool] = False   # supervise: done when the matter's 督办 items are
    waits_for_meeting: ClassVar[bool] = False       # decided by a body on an agenda
    fires_when_due: ClassVar[bool] = False          # timer: finishes itself on its due date
    has_window: ClassVar[bool] = False              # publicity: a window, then the decision
    pays_out: ClassVar[bool] = False                # execution: payments until done or lapsed
    outcome_is_answer: ClassVar[bool] = False       # the step's outcome is the chosen answer, not "approved"
    answers_may_return: ClassVar[bool] = False      # a task may send the matter back to an earlier step
    holder_may_add_signer: ClassVar[bool] = False   # a task's holder may add a signer (加签)
    initiator_may_not_answer: ClassVar[bool] = False    # a decision: nobody answers on their own matter
    # what a step of another kind has: none of these (a gate's requirements, a meeting's body ...)
    requirements: ClassVar[tuple[Requirement, ...]] = ()
    body: ClassVar[str | None] = None
    acknowledge: ClassVar[tuple[str, ...]] = ()
    mandatory: ClassVar[bool] = False
    postpone_months: ClassVar[int | None] = None

    key: str
    name: str
    roles: tuple[RoleRule, ...] = ()
    when: Condition | None = None
    reason: str = ""
    deadline_working_days: int | None = None
    on_reject: Outcome = EndMatter()
    on_postpone: Outcome | None = None
    documents: tuple[str, ...] = ()     # 文种 keys this step produces (see policies/documents.toml)
    options: tuple[OptionSpec, ...] = ()
    role_scope: str = "any"             # matter_unit: only holders of the role at the matter's unit
    valid_months: int | None = None     # the step's result expires (民主推荐 12 months) ...
    valid_until: str | None = None      # ... and must still be valid when this step decides
    silence_consent_days: int | None = None          # no reply within these days counts as consent ...
    silence_consent_when: Condition | None = None    # ... for these matters only (双重管理)
    escalate_role: str | None = None    # who is pressed when a timed decision is overdue
    enabled: bool = True

    @classmethod
    def read(cls, reader: StepReader) -> dict[str, Any]:
        """Return this kind's own fields from the step's table."""
        return {}

    def check(self, fail: Callable[[str], Exception]) -> None:
        """Refuse settings that contradict each other."""
        if (self.valid_months is None) != (self.valid_until is None):
            raise fail(message("policy.validity_pair"))
        if any(o.effect == "postpone" for o in self.options) and self.postpone_months is None:
            raise fail(message("policy.postpone_needs_months"))

    def span(self, execution_months: int | None) -> Span | None:
        """How long the step runs once active (None: no due date); execution_months: the [execution] rule."""
        return Span(working_days=self.deadline_working_days) if self.deadline_working_days is not None else None

    def counted_working_days(self) -> int | None:
        """The working days the due date counts, when it counts working days from activation."""
        return self.deadline_working_days

    @property
    def kind_name(self) -> str:
        return message(f"steps.kind_{self.kind}")

    @property
    def return_target(self) -> str | None:
        return self.on_reject.step if isinstance(self.on_reject, ReturnTo) else None

    @property
    def reject_flag(self) -> str | None:
        return self.on_reject.field if isinstance(self.on_reject, SetFlag) else None

    def option(self, key: str) -> OptionSpec | None:
        return next((o for o in self.options if o.key == key), None)

    def body_for(self, values: Mapping[str, Any]) -> str | None:
        """The body that decides this step for a matter with these values (None: no meeting)."""
        return None


_KINDS: dict[str, type[StepSpec]] = {}
S = TypeVar("S", bound=type[StepSpec])


def register(cls: S) -> S:
    """Make a step kind available to policies under its `kind` string."""
    if not cls.kind or cls.kind in _KINDS:
        raise ValueError(f"step kind {cls.kind!r} is empty or registered twice")
    _KINDS[cls.kind] = cls
    return cls


def unregister(kind: str) -> None:
    """Remove a step kind (a test's toy kind)."""
    del _KINDS[kind]


def step_class(kind: str) -> type[StepSpec] | None:
    """Return the class of a step kind, or None when no such kind is registered."""
    return _KINDS.get(kind)


def kind_class(kind: str) -> type[StepSpec]:
    """Return the class of a stored step kind (a MatterStep row's `kind`, always a registered one)."""
    return _KINDS[kind]


def step_kinds() -> tuple[str, ...]:
    """Return the registered kind strings, in registration order."""
    return tuple(_KINDS)
