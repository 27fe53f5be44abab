"""Wording of states: what each aggregate is called, the status names beyond the engine's, the verbs of a move."""

MESSAGES: dict[str, str] = {
    # --- the aggregates a status belongs to (quorum.core.states.advance) ------------------------
    "state.what_matter": "事项",
    "state.what_step": "环节",
    "state.what_task": "待办",
    "state.what_meeting": "会议",
    "state.what_item": "议题",
    "state.what_supervision": "督办事项",
    "state.what_document": "公文",
    # --- an aggregate's own word for a status, where the shared status.* word does not fit -------
    # (quorum.core.states.status_name; the pages use them too)
    "state.meeting_scheduled": "已安排",
    "state.meeting_in_session": "会议进行中",
    "state.meeting_closed": "已散会",
    "state.meeting_cancelled": "已取消",
    "state.supervision_open": "办理中",
    "state.supervision_done": "已办结",
    "state.supervision_overdue": "已逾期",
    # --- document statuses (quorum.core.documents) ----------------------------------------------
    "state.document_draft": "草稿",
    "state.document_frozen": "已签发",
    "state.document_void": "已作废",
    # --- duty statuses (quorum.core.duties) -----------------------------------------------------
    "state.duty_done": "已完成",
    "state.duty_due": "待办",
    "state.duty_missing": "缺失",
    "state.duty_upcoming": "未到期",
    # --- task refusals (quorum.core.actions) ----------------------------------------------------
    "task.refused_done": "该待办已办结",
    "task.refused_not_yours": "该待办不是分派给您的，您也不是其代理人",
    "task.refused_unsupported": "此待办不支持「{action}」操作",
    # --- verbs of a move and outcome notes (quorum.services.timers) -----------------------------
    "state.timer_elapsed_note": "期满",
    "state.consent_by_silence": "视为同意",
    "state.notice_about_matter": "{text}：{title}",
}
