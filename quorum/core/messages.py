"""The single table of user-facing wording used by the engine.

Every message a person reads from the engine (errors, route explanations, status names) is keyed
here so that the Chinese text lives in one place. Document wording lives in templates/documents/,
reminder bodies in templates/messages/.
"""

MESSAGES: dict[str, str] = {
    # --- errors -------------------------------------------------------------------------------
    "not_found": "未找到{what}：{ref}",
    "not_permitted": "无权执行此操作：{reason}",
    "invalid_transition": "{what}当前状态为「{state}」，不能{action}",
    "invalid_input": "输入有误：{reason}",
    "invalid_policy": "规则文件有误（{source}）：{reason}",
    "conflict": "操作冲突：{reason}，请刷新后重试",
    "quorum_not_met": "未达到法定人数：{reason}",
    "chair_must_speak_last": "末位表态：主持人须在其他到会且未回避的成员全部表态后表态，尚待表态：{pending}",
    "already_voted": "{name}已对本议题表决，同一人对同一议题只能表决一次",
    "not_a_voter": "{name}不是本议题的表决成员（未到会、已离席、已回避或非本机构成员）",
    "gate_not_passed": "议题「{title}」前置程序未完成，不能列入议程：{missing}",
    "ad_hoc_motion": "临时动议不予上会：议题须事先申报并经审定；紧急议题须由主要负责人标记为紧急",
    "notice_too_late": "会议通知须至少提前{days}个工作日发出（最迟{latest}），紧急会议除外",
    "not_at_meeting_step": "事项「{title}」当前不在{body}上会环节",
    "self_approval": "不得审批本人提交的事项",
    "bad_vote_option": "表决选项「{choice}」不适用，可选：{options}",
    "item_bundled": "一事一议：每个议题只能包含一个事项",
    "secret_ballot_only_personnel": "无记名投票仅适用于人事议题",
    "no_holder": "没有人担任「{role}」，无法分派待办",
    "unknown_user": "用户不存在：{username}",
    "audit_broken": "审计链在第{seq}条事件处断裂：{reason}",
    # --- vote choices -------------------------------------------------------------------------
    "choice.agree": "同意",
    "choice.disagree": "不同意",
    "choice.abstain": "弃权",
    "choice.postpone": "缓议",
    # --- item results -------------------------------------------------------------------------
    "result.passed": "通过",
    "result.not_passed": "未通过",
    "result.postponed": "缓议",
    "result.deferred": "因不足法定人数暂缓表决",
    # --- statuses -----------------------------------------------------------------------------
    "status.active": "办理中",
    "status.decided": "已决定",
    "status.closed": "已办结",
    "status.rejected": "未通过",
    "status.withdrawn": "已撤回",
    "status.pending": "待处理",
    "status.open": "进行中",
    "status.done": "已完成",
    "status.skipped": "不适用",
    "status.returned": "已退回",
    "status.scheduled": "已安排",
    "status.in_session": "会议进行中",
    "status.voting": "表决中",
    "status.cancelled": "已取消",
    "status.deferred": "暂缓表决",
    "status.decided_item": "已表决",
    # --- route explanation --------------------------------------------------------------------
    "route.applies": "【{step}】适用：{why}",
    "route.skipped": "【{step}】不适用：{why}",
    "route.always": "所有事项均须经此环节",
    "op.==": "为",
    "op.!=": "不为",
    "op.>=": "≥",
    "op.>": ">",
    "op.<=": "≤",
    "op.<": "<",
    "op.in": "属于",
    "op.not_in": "不属于",
    "op.is_true": "是",
    "op.is_false": "否",
    "join.all": "且",
    "join.any": "或",
    "money": "{amount} 元",
    "yes": "是",
    "no": "否",
    # --- audit events (timeline) ---------------------------------------------------------------
    "event.matter.submitted": "申报事项",
    "event.matter.resubmitted": "重新申报",
    "event.matter.marked_urgent": "标记为紧急议题",
    "event.matter.decision_recorded": "形成纪要（决定）",
    "event.matter.closed": "事项办结",
    "event.matter.rejected": "事项终止（未通过）",
    "event.matter.withdrawn": "撤回事项",
    "event.step.active": "进入环节",
    "event.step.done": "完成环节",
    "event.step.returned": "退回",
    "event.step.pending": "待重新办理",
    "event.step.rejected": "否决",
    "event.step.skipped": "跳过环节",
    "event.task.opened": "分派待办",
    "event.task.done": "办理待办",
    "event.task.cancelled": "待办撤销（已由他人办理或流程变化）",
    "event.meeting.scheduled": "安排会议并发出通知",
    "event.meeting.item_added": "列入会议议程",
    "event.meeting.opened": "开会",
    "event.meeting.attendance": "登记出席情况",
    "event.meeting.recusal": "登记回避",
    "event.meeting.written_opinion": "登记书面意见",
    "event.meeting.ballot": "表决",
    "event.meeting.item_decided": "宣布表决结果",
    "event.meeting.item_deferred": "议题暂缓表决",
    "event.meeting.closed": "散会",
    "event.supervision.opened": "立项督办",
    "event.supervision.progress": "报告督办进展",
    "event.supervision.done": "督办事项办结",
    "event.policy.version_stored": "登记规则版本",
    "event.attachment.added": "上传附件",
    "event.delegation.created": "设置代理",
    "event.org.person_created": "新增人员",
    "event.org.person_updated": "修改人员信息",
    "event.org.password_set": "重置密码",
    "event.org.post_added": "新增任职",
    "event.org.post_ended": "免去任职",
    "event.delegation.cancelled": "取消代理",
    "event.org.loaded": "导入单位和人员",
    # --- quorum basis -------------------------------------------------------------------------
    "quorum.basis": (
        "应到会{expected}人，回避{recused}人，计算基数{base}人，实到（未回避）{present}人，"
        "法定人数须{required}人（{fraction}）"
    ),
    "quorum.too_few_unconflicted": "无利害关系的到会成员不足{minimum}人，须提交上级机构决策",
    "tally.basis": (
        "同意{agree}票，须{compare}{base_name}（{base}人）的{fraction}，即至少{required}票"
    ),
    "base.expected": "应到会人数",
    "base.expected_less_recused": "应到会人数扣除回避后",
    "base.present": "实到会人数",
}


def message(key: str, **params: object) -> str:
    """Return the wording for key, filled with params."""
    template = MESSAGES.get(key)
    if template is None:
        return key
    return template.format(**params)
