"""Describe a workflow and its bodies' rules of procedure in words (`quorum policy explain`, the web policy page).

With codes=True (the command line's reference, `quorum policy explain`) the words carry the codes the command line
accepts beside them, each label followed by its code in full-width parentheses: step keys (`task act --to`), answers
(`task act --action`), field choices (`--field category=…`), bodies (`meeting schedule --body`) and units
(`--field unit=…`). With `policy list`, `unit list`, `person list` and a task's line of possible actions in
`task list`, it is the command line's reference: the only text output that shows keys (tests/cli/test_newcomer.py
holds every other record's text free of them).
"""

from typing import Any

from quorum.core.actions import ACTION_NAMES
from quorum.core.conditions import describe
from quorum.core.messages import message
from quorum.core.routing import FieldFormatter, format_money
from quorum.core.spec import BodySpec, PolicySet, StepSpec, WorkflowSpec
from quorum.core.steps import TaskPlan, step_kinds

KIND_NAMES = {kind: message(f"steps.kind_{kind}") for kind in step_kinds()}


def _names(policies: PolicySet, roles: tuple[str, ...]) -> str:
    return message("value.list_separator").join(policies.role_name(r) for r in roles)


def body_rules(policies: PolicySet, body: BodySpec) -> list[str]:
    """Return the body's rules of procedure, one line each."""
    sep = message("value.list_separator")
    return [
        message("steps.explain_seats", seats=_names(policies, body.seat_roles),
                chair=policies.role_name(body.chair_role),
                acting=_names(policies, body.acting_chair_roles) or message("steps.explain_nobody")),
        message("steps.explain_quorum", quorum=body.quorum, personnel=body.personnel_quorum,
                recusal=message("steps.explain_recusal_reduces" if body.recusal_reduces_base
                                else "steps.explain_recusal_counts"),
                minimum=body.min_unconflicted_present),
        message("steps.explain_pass", ratio=body.pass_ratio, base=message("base." + body.pass_base)),
        message("steps.explain_vote_options", options=sep.join(message(f"choice.{o}") for o in body.vote_options),
                personnel=sep.join(message(f"choice.{o}") for o in body.personnel_vote_options),
                secret=message("steps.explain_secret_ballot") if body.secret_ballot_personnel else ""),
        message("steps.explain_speaking", last=message("yes" if body.chair_speaks_last else "no"),
                days=body.notice_working_days),
    ]


def coded(label: str, code: str) -> str:
    """A name followed by the code the command line takes for it, in full-width parentheses."""
    return message("cli.explain_coded", label=label, code=code)


def step_actions(wf: WorkflowSpec, st: StepSpec) -> list[tuple[str, str]]:
    """The answers (`task act --action`) a task of this step offers, as (code, label); none for a taskless step.

    The submit step has a task only when the matter is returned to it: the initiator's, to resubmit or withdraw.
    """
    if st.reopens_to_initiator:
        return [("resubmit", ACTION_NAMES["resubmit"]), ("withdraw", ACTION_NAMES["withdraw"])]
    if st.tasks is TaskPlan.NONE:
        return []
    if st.kind == "record":
        return [("record", ACTION_NAMES["record"])]
    if st.kind == "execution":
        return [("pay", ACTION_NAMES["pay"]), ("complete", ACTION_NAMES["complete"])]
    answers = [(o.key, o.label) for o in st.options] or [("approve", ACTION_NAMES["approve"]),
                                                         ("reject", ACTION_NAMES["reject"])]
    if st.answers_may_return and wf.steps.index(st) > 0:
        answers.append(("return", ACTION_NAMES["return"]))
    return answers


def step_lines(policies: PolicySet, wf: WorkflowSpec, st: StepSpec, fmt: FieldFormatter,
               codes: bool = False) -> list[str]:
    """Return what one step does, who acts, when it applies and what a reject does, one line each (codes: see above)."""
    lines = [message("steps.explain_role_when" if rule.when else "steps.explain_role",
                     role=policies.role_name(rule.role), when=describe(rule.when, fmt) if rule.when else "")
             for rule in st.roles]
    if st.when is not None:
        lines.append(message("steps.explain_when_reason" if st.reason else "steps.explain_when",
                             when=describe(st.when, fmt), reason=st.reason))
    elif st.reason:
        lines.append(st.reason)
    for req in st.requirements:
        lines.append(message("steps.explain_requirement", name=req.name, role=policies.role_name(req.role),
                             when=message("steps.explain_requirement_when", when=describe(req.when, fmt))
                             if req.when else message("steps.explain_requirement_always")))
    if st.body:
        body = policies.body(st.body)
        lines.append(message("steps.explain_body", body=coded(body.name, body.key) if codes else body.name))
        lines.extend("  " + line for line in body_rules(policies, body))
    if st.deadline_working_days is not None:
        lines.append(message("steps.explain_deadline", days=st.deadline_working_days))
    if st.states_reject_rule:
        lines.append(reject_line(wf, st))
    if codes and step_actions(wf, st):
        lines.append(message("cli.explain_actions_returned" if st.reopens_to_initiator else "cli.explain_actions",
                             actions=message("value.list_separator").join(
                                 coded(label, code) for code, label in step_actions(wf, st))))
    return lines


def reject_line(wf: WorkflowSpec, st: StepSpec) -> str:
    """Say what a reject (and a postpone) does at this step, naming steps and flags as a person knows them."""
    steps = {s.key: s.name for s in wf.steps}
    labels = {f.key: f.label for f in wf.fields}
    text = message("steps.explain_on_reject", rule=st.on_reject.describe(steps, labels))
    if st.on_postpone is not None:
        text += message("steps.explain_on_postpone", rule=st.on_postpone.describe(steps, labels))
    return text


def workflow_context(policies: PolicySet, wf: WorkflowSpec, codes: bool = False,
                     units: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    """Return the template context that explains a workflow step by step.

    codes: show the command line's codes beside the names (see the module's note); units: the registered units as
    (key, name), the choices of a unit field (None: the database is not there to ask).
    """
    fmt = FieldFormatter(wf.fields)
    steps = [{"key": st.key, "name": st.name, "kind": st.kind, "kind_name": st.kind_name,
              "lines": step_lines(policies, wf, st, fmt, codes),
              "actions": [{"key": code, "label": label} for code, label in step_actions(wf, st)]}
             for st in wf.steps]
    return {"wf": wf, "steps": steps, "initiators": [policies.role_name(r) for r in wf.initiator_roles],
            "money": format_money, "codes": codes, "units": units}
