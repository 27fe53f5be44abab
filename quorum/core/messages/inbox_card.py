"""Wording of the approval card (我的待办), the matter page's decision-first layout and the background jobs."""

MESSAGES: dict[str, str] = {
    # --- background jobs (quorum.services.background_jobs) -----------------------------------------------
    "state.what_job": "后台任务",
    "state.job_queued": "排队中",
    "state.job_running": "进行中",
    "state.job_done": "已完成",
    "state.job_failed": "失败",
    "job.action_claim": "开始执行",
    "job.note_queued": "已提交，等待执行",
    "job.note_started": "正在准备",
    "job.note_done": "已完成",
    "job.note_failed": "未能完成",
    "job.note_pdf_converting": "正在用 LibreOffice 转换为 PDF，通常需要 10 秒左右",
    "job.error_lost": "执行该任务的进程意外中止，已重试仍未完成，请重新发起",
    "job.error_internal": "任务执行时出现内部错误，已记入系统日志，请稍后重试或联系管理员",
    "job.started": "已开始{what}，完成后本页会显示下载链接",
    "job.what_document_pdf": "生成 PDF",
    # --- the inbox card ----------------------------------------------------------------------------------
    "inbox.amount": "¥{amount}",
    "inbox.returned_to": "已退回：{title}，退回至「{step}」",
    # the screenshots' scene (webui/screenshots.py): what a 党政办 would have typed
    "inbox.screenshots_card_title": "关于建设医共体远程会诊中心二期工程的议题",
    "inbox.screenshots_card_summary": "二期工程含远程会诊室改造及配套信息系统采购，预算已列入年度预算，资金来源为专项资金。",
}
