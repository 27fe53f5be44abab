"""Which actions a person may take on a task: one function for both the buttons and the check."""

from dataclasses import dataclass
from datetime import date

from quorum.core.errors import NotPermitted
from quorum.core.messages import MESSAGES, message
from quorum.core.steps import kind_class, step_kinds

DECISION_KINDS = tuple(k for k in step_kinds() if kind_class(k).initiator_may_not_answer)
SIGNER_KINDS = tuple(k for k in step_kinds() if kind_class(k).holder_may_add_signer)     # 加签
SECONDARY = ("comment", "cc", "add_signer")


def action_name(action: str) -> str:
    text = message(f"option.{action}")
    return action if text == f"option.{action}" else text


ACTION_NAMES = {key.split(".", 1)[1]: text for key, text in MESSAGES.items() if key.startswith("option.")}


@dataclass(frozen=True)
class TaskFacts:
    task_open: bool
    kind: str                      # review | countersign | gate | record | resubmit | publicity | filing | execution
    assignee_id: int
    actor_id: int
    matter_initiator_id: int
    can_return: bool               # the step names an earlier step to return to
    acting_for: frozenset[int] = frozenset()   # principals whose tasks the actor may act on (代理)
    options: tuple[str, ...] = ()  # the step's answers; empty: approve / reject
    excluded: frozenset[int] = frozenset()     # the nominee and relatives: no task on their own matter
    not_before: date | None = None # publicity: no outcome until the window has ended
    today: date | None = None

    @property
    def may_act(self) -> bool:
        return self.actor_id == self.assignee_id or self.assignee_id in self.acting_for

    @property
    def self_approval(self) -> bool:
        return self.kind in DECISION_KINDS and self.matter_initiator_id in (self.actor_id, self.assignee_id)

    @property
    def conflicted(self) -> bool:
        return bool({self.actor_id, self.assignee_id} & self.excluded)

    @property
    def too_early(self) -> bool:
        return self.not_before is not None and self.today is not None and self.today <= self.not_before


def available_actions(facts: TaskFacts) -> list[str]:
    """Return the actions the actor may take on this task, in display order."""
    if not facts.task_open or not facts.may_act:
        return []
    if facts.kind == "record":
        return ["record"]
    if facts.kind == "resubmit":
        return ["resubmit", "withdraw"]
    if facts.kind == "execution":
        return ["pay", "complete"]
    if facts.self_approval or facts.conflicted or facts.too_early:
        return []                  # nobody approves their own matter, not even through a delegate
    actions = list(facts.options or ("approve", "reject"))
    if facts.can_return:
        actions.append("return")
    return actions


def secondary_actions(facts: TaskFacts) -> list[str]:
    """Comment (with attachments), copy and add_signer: open to the task's holder alongside the decision."""
    if not facts.task_open or not facts.may_act or facts.conflicted:
        return []
    return [a for a in SECONDARY if a != "add_signer" or facts.kind in SIGNER_KINDS]


def require_action(facts: TaskFacts, action: str) -> None:
    """Raise NotPermitted unless available_actions (or secondary_actions) allows action."""
    if action in available_actions(facts) or action in secondary_actions(facts):
        return
    if facts.task_open and facts.may_act and facts.self_approval:
        raise NotPermitted("self_approval")
    if facts.task_open and facts.may_act and facts.conflicted:
        raise NotPermitted("own_nomination")
    if not facts.task_open:
        raise NotPermitted.because("task.refused_done")
    if not facts.may_act:
        raise NotPermitted.because("task.refused_not_yours")
    if facts.too_early:
        raise NotPermitted("publicity_running", end=facts.not_before.isoformat())
    raise NotPermitted.because("task.refused_unsupported", action=action_name(action))
