"""Which actions a person may take on a task: one function for both the buttons and the check."""

from dataclasses import dataclass

from quorum.core.errors import NotPermitted

ACTION_NAMES = {
    "approve": "同意",
    "reject": "不同意",
    "return": "退回",
    "record": "形成纪要/决定",
    "resubmit": "重新申报",
    "withdraw": "撤回",
    "comment": "评论",
    "postpone": "缓议",
}


@dataclass(frozen=True)
class TaskFacts:
    task_open: bool
    kind: str                      # review | gate | record | resubmit
    assignee_id: int
    actor_id: int
    matter_initiator_id: int
    can_return: bool               # the step names an earlier step to return to
    acting_for: frozenset[int] = frozenset()   # principals whose tasks the actor may act on (代理)

    @property
    def may_act(self) -> bool:
        return self.actor_id == self.assignee_id or self.assignee_id in self.acting_for


def available_actions(facts: TaskFacts) -> list[str]:
    """Return the actions the actor may take on this task, in display order."""
    if not facts.task_open or not facts.may_act:
        return []
    if facts.kind == "record":
        return ["record"]
    if facts.kind == "resubmit":
        return ["resubmit", "withdraw"]
    if facts.kind == "review" and facts.matter_initiator_id in (facts.actor_id, facts.assignee_id):
        return []                  # nobody approves a matter they submitted, not even through a delegate
    actions = ["approve", "reject"]
    if facts.can_return:
        actions.append("return")
    return actions


def require_action(facts: TaskFacts, action: str) -> None:
    """Raise NotPermitted unless available_actions allows action."""
    if action in available_actions(facts):
        return
    if (facts.task_open and facts.kind == "review" and facts.may_act
            and facts.matter_initiator_id in (facts.actor_id, facts.assignee_id)):
        raise NotPermitted("self_approval")
    if not facts.task_open:
        raise NotPermitted(reason="该待办已办结")
    if not facts.may_act:
        raise NotPermitted(reason="该待办不是分派给您的，您也不是其代理人")
    raise NotPermitted(reason=f"此待办不支持「{ACTION_NAMES.get(action, action)}」操作")
