"""Step kinds as classes: the base spec, the registry, the eleven kinds and the typed on_reject rules."""

from quorum.core.steps import kinds
from quorum.core.steps.base import (
    OptionSpec,
    Requirement,
    RoleRule,
    Span,
    StepReader,
    StepSpec,
    TaskPlan,
    kind_class,
    register,
    step_class,
    step_kinds,
    unregister,
)
from quorum.core.steps.outcomes import EndMatter, Outcome, ReturnTo, SetFlag, parse_outcome

__all__ = ["EndMatter", "OptionSpec", "Outcome", "Requirement", "ReturnTo", "RoleRule", "SetFlag", "Span",
           "StepReader", "StepSpec", "TaskPlan", "kind_class", "kinds", "parse_outcome", "register", "step_class", "step_kinds",
           "unregister"]
