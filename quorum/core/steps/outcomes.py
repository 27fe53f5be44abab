"""What a step's `on_reject` / `on_postpone` rule does, parsed once at load from its policy text.

    "end"              EndMatter()          the matter ends rejected
    "return:<step>"    ReturnTo(step)       the matter goes back to that earlier step
    "flag:<field>"     SetFlag(field)       a system flag is raised and the route goes on (ratification refused)
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from quorum.core.messages import message


@dataclass(frozen=True)
class EndMatter:
    """The matter ends rejected."""

    def describe(self, step_names: Mapping[str, str], field_labels: Mapping[str, str]) -> str:
        """Say in words what happens."""
        return message("steps.outcome_end")

    def __str__(self) -> str:
        return "end"


@dataclass(frozen=True)
class ReturnTo:
    """The matter goes back to an earlier step."""

    step: str

    def describe(self, step_names: Mapping[str, str], field_labels: Mapping[str, str]) -> str:
        """Say in words what happens."""
        return message("steps.outcome_return", step=step_names.get(self.step, self.step))

    def __str__(self) -> str:
        return f"return:{self.step}"


@dataclass(frozen=True)
class SetFlag:
    """A system flag field becomes true and the route goes on."""

    field: str

    def describe(self, step_names: Mapping[str, str], field_labels: Mapping[str, str]) -> str:
        """Say in words what happens."""
        return message("steps.outcome_flag", flag=field_labels.get(self.field, self.field))

    def __str__(self) -> str:
        return f"flag:{self.field}"


Outcome = EndMatter | ReturnTo | SetFlag


def parse_outcome(text: object, flags: set[str], setting: str, fail: Callable[[str], Exception]) -> Outcome:
    """Parse an on_reject / on_postpone rule; a flag must name a system yes/no field."""
    if text == "end":
        return EndMatter()
    head, _, rest = text.partition(":") if isinstance(text, str) else ("", "", "")
    if head == "return" and rest:
        return ReturnTo(rest)
    if head == "flag" and rest in flags:
        return SetFlag(rest)
    if head == "flag":
        raise fail(message("policy.outcome_flag_not_system", setting=setting, text=text))
    raise fail(message("policy.outcome_invalid", text=text))
