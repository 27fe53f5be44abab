"""Describe a workflow and its bodies' 议事规则 in words (`quorum policy explain`, the web policy page)."""

from typing import Any

from quorum.core.conditions import describe
from quorum.core.messages import message
from quorum.core.routing import FieldFormatter, format_money
from quorum.core.spec import BodySpec, PolicySet, WorkflowSpec

KIND_NAMES = {"submit": "申报", "gate": "前置程序", "review": "审核（或签）", "countersign": "会签",
              "meeting": "上会表决", "record": "形成纪要", "supervise": "督办", "publicity": "公示",
              "filing": "备案", "timer": "计时（期满开启待办）", "execution": "执行"}


def body_rules(policies: PolicySet, body: BodySpec) -> list[str]:
    options = "、".join(message(f"choice.{o}") for o in body.vote_options)
    personnel = "、".join(message(f"choice.{o}") for o in body.personnel_vote_options)
    lines = [
        f"应到会：{'、'.join(policies.role_name(r) for r in body.seat_roles)}；主持人：{policies.role_name(body.chair_role)}，"
        f"回避或缺席时依次由{'、'.join(policies.role_name(r) for r in body.acting_chair_roles) or '—'}主持",
        f"法定人数：一般议题{body.quorum}，人事议题{body.personnel_quorum}"
        f"（{'回避人员不计入基数' if body.recusal_reduces_base else '回避人员仍计入基数'}；"
        f"无利害关系的到会成员少于{body.min_unconflicted_present}人须提交上级）",
        f"通过：同意票{body.pass_ratio}{message('base.' + body.pass_base)}；平票或同意不足为未通过",
        f"表决选项：一般议题 {options}；人事议题 {personnel}"
        f"{'，可无记名投票' if body.secret_ballot_personnel else ''}",
        f"末位表态：{'是' if body.chair_speaks_last else '否'}；会议通知至少提前{body.notice_working_days}个工作日",
    ]
    return lines


def workflow_context(policies: PolicySet, wf: WorkflowSpec) -> dict[str, Any]:
    fmt = FieldFormatter(wf.fields)
    steps = []
    for st in wf.steps:
        lines = []
        if st.roles:
            for rule in st.roles:
                who = policies.role_name(rule.role)
                lines.append(f"办理人：{who}" + (f"（当 {describe(rule.when, fmt)}）" if rule.when else ""))
        if st.when is not None:
            lines.append(f"适用条件：{describe(st.when, fmt)}" + (f"——{st.reason}" if st.reason else ""))
        elif st.reason:
            lines.append(st.reason)
        for req in st.requirements:
            cond = f"（当 {describe(req.when, fmt)}）" if req.when else "（所有事项）"
            lines.append(f"须有：{req.name}，由{policies.role_name(req.role)}出具{cond}")
        if st.body:
            body = policies.body(st.body)
            lines.append(f"议事机构：{body.name}")
            lines.extend("  " + line for line in body_rules(policies, body))
        if st.deadline_working_days is not None:
            lines.append(f"时限：{st.deadline_working_days}个工作日")
        if st.kind not in ("submit", "supervise", "record"):
            lines.append("不同意时：" + ("流程终止" if st.on_reject == "end" else f"退回「{st.on_reject[7:]}」")
                         + (f"；缓议时：退回「{st.on_postpone[7:]}」" if st.on_postpone else ""))
        steps.append({"name": st.name, "kind_name": KIND_NAMES[st.kind], "lines": lines})
    return {"wf": wf, "steps": steps, "initiators": [policies.role_name(r) for r in wf.initiator_roles],
            "money": format_money}
