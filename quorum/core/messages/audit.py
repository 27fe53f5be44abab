"""Wording of audit verification: a broken chain, an anchor that does not match, records that disagree."""

MESSAGES: dict[str, str] = {
    # --- the hash chain (quorum.core.audit.verify) ----------------------------------------------
    "audit.event_missing": "缺少第{expected}条事件（下一条为第{seq}条），疑似被删除",
    "audit.prev_hash_mismatch": "前一事件哈希不符，链条被改动",
    "audit.event_unsigned": "事件未用审计密钥签名，疑似伪造追加",
    "audit.key_missing": "未提供审计密钥，无法校验加密钥的事件",
    "audit.event_tampered": "事件内容与哈希不符，记录被篡改",
    # --- anchors (quorum.core.audit.parse_anchors, check_anchors) -------------------------------
    "audit.anchor_line_bad": "锚定文件第{number}行无效或签名不符，锚定记录被改动",
    "audit.chain_truncated": "链条止于第{last_seq}条，而第{seq}条已于{at}锚定，疑似尾部被删除",
    "audit.anchor_mismatch": "与{at}的锚定哈希不符，链条被改写",
    # --- records against the log (quorum.services.audit_rederive) -------------------------------
    "audit.task_last_event": "最后的状态事件为第{seq}条（{kind}）",
    "audit.task_no_event": "审计日志中没有它的状态事件",
    "audit.task_status_differs": "待办 #{task_id} 的状态为「{status}」，而{where}",
    "audit.task_outcome_differs": "待办 #{task_id} 的办理结果为「{outcome}」，而审计日志第{seq}条记为「{action}」",
    "audit.ballot_not_logged": "表决记录 #{ballot_id}（会议 #{meeting_id} 第{item}项议题，{voter}：{choice}）"
                               "在审计日志中没有对应的投票事件",
    "audit.vote_not_recorded": "审计日志第{seq}条投票事件（会议 #{meeting_id} 第{item}项议题，{voter}：{choice}）"
                               "没有对应的表决记录",
    "audit.secret_tally_differs": "无记名表决计票（会议 #{meeting_id} 第{item}项议题）合计 {total} 票，"
                                  "审计日志记有 {logged} 张选票",
    # --- the commands (quorum.audit_commands) ---------------------------------------------------
    "audit.help": "审计",
    "audit.help_verify": "校验审计哈希链（及锚定记录），并核对表决记录",
    "audit.help_anchors": "锚定文件：核对链条未被截断、改写或伪造追加",
    "audit.help_anchor": "把审计链头（序号、哈希、时间）签名写入数据目录之外的锚定文件并通知纪检",
    "audit.help_anchor_file": "锚定文件（默认 config.toml [audit] anchor_file）",
    "audit.file_metavar": "文件",
    "audit.anchors_unreadable": "无法读取锚定文件 {path}：{error}",
    "audit.verified": "审计链完整：共 {count} 条事件，逐条哈希校验通过{anchored}。",
    "audit.verified_anchors": "，与 {anchors} 条锚定记录一致",
    "audit.anchored": "审计链已锚定：第 {seq} 条事件，哈希 {hash}，写入 {file}。",
}
