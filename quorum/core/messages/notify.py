"""Notification wording: what mail and webhook delivery tell a person (bodies live in templates/messages/)."""

MESSAGES: dict[str, str] = {
    # --- quorum/notify/mail.py ---------------------------------------------------------------------
    "notify.mail_not_configured": "未配置邮件服务器（config.toml [mail] host）",
    "notify.mail_address_malformed": "收件地址「{to}」格式有误",
    "notify.mail_login_refused": "邮件服务器拒绝登录（用户 {username}）：{smtp_code}",
    "notify.mail_recipient_refused": "邮件服务器拒收收件人 {to}",
    "notify.mail_failed": "邮件发送失败：{exc}",
    "notify.mail_unreachable": "无法连接邮件服务器 {host}:{port}：{exc}",
    # --- quorum/notify/webhook.py ------------------------------------------------------------------
    "notify.robot_http_error": "机器人「{name}」返回 HTTP {code}",
    "notify.robot_unreachable": "无法连接机器人「{name}」：{reason}",
    "notify.robot_answer_not_json": "机器人「{name}」的应答不是 JSON",
    "notify.robot_refused": "机器人「{name}」拒收：errcode {errcode} {errmsg}",
    "notify.card_button": "查看详情",
    "notify.card_ellipsis": "…",
    # --- quorum/services/outbox.py (e-mail bodies) --------------------------------------------------
    "notify.link_line": "办理入口：{url}",
    "notify.all_notifications_line": "全部通知：{url}",
    # --- quorum/notify/wording.py ------------------------------------------------------------------
    "notify.template_missing": "缺少通知模板",
}
