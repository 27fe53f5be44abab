"""Wording of administration: people and posts, the community's units, sign-in, the outbox and the audit chain."""

MESSAGES: dict[str, str] = {
    # --- people and posts (quorum.services.admin) -----------------------------------------------
    "admin.what_person": "人员",
    "admin.what_post": "任职",
    "admin.name_empty": "姓名不能为空",
    "admin.name_too_long": "姓名过长（最多200个字符）",
    "admin.email_malformed": "电子邮箱「{email}」格式不正确",
    "admin.phone_malformed": "电话「{phone}」格式不正确，请只填写数字、空格、连字符",
    "admin.username_malformed": "用户名须为2–64位字母、数字、点、下划线或连字符，且以字母或数字开头",
    "admin.username_taken": "用户名「{username}」已存在",
    "admin.deactivate_self": "不能停用本人的账号",
    "admin.role_unknown": "未知的角色「{role}」，角色须在规则文件 roles.toml 中定义",
    "admin.unit_unknown": "未知的单位「{unit}」",
    "admin.holder_inactive": "{name}的账号已停用，不能任职",
    "admin.post_held": "{name}已在{unit}担任「{role}」",
    "admin.post_ended": "该任职已结束",
    "admin.last_administrator": "至少须保留一名系统管理员",
    "admin.person_choice": "{name}（{title}）",
    # --- the community's units (quorum.services.org) --------------------------------------------
    "org.what_unit": "单位",
    "org.already_loaded": "数据库中已有单位和人员，不能重复导入",
    "org.post_unit_unknown": "人员 {username} 的任职单位「{unit}」不存在",
    # --- sign-in, passwords and tokens (quorum.services.access) ---------------------------------
    "access.credentials_wrong": "用户名或密码错误",
    "access.source_throttled": "登录失败次数过多，请 {minutes} 分钟后再试",
    "access.account_locked": "账号因连续登录失败已被锁定，请 {minutes} 分钟后再试或联系管理员",
    "access.current_password_wrong": "当前密码不正确",
    "access.password_unchanged": "新密码不能与当前密码相同",
    "access.what_token": "令牌",
    # --- the outbox (quorum.services.outbox) ----------------------------------------------------
    "outbox.channel_email": "电子邮件",
    "outbox.channel_webhook": "群机器人",
    "outbox.robot_gone": "config.toml 中已没有名为「{name}」的机器人",
    "outbox.invitation_filename": "会议邀请.ics",
    "outbox.channel_unknown": "未知的发送渠道「{channel}」",
    "outbox.what_message": "待发消息",
    "outbox.already_sent": "该消息已发送成功",
    # --- the audit chain (quorum.services.audit, quorum.services.audit_anchor) ------------------
    "audit.verify_head_mismatch": "末尾事件缺失或被改动（与链头记录不符）",
    "audit.anchored_title": "审计链已锚定：第{seq}条事件",
    "audit.anchored_body": "审计链于 {at} 锚定：截至第{seq}条事件，链头哈希 {hash}。"
                           "请留存本通知，核验时可与锚定文件 {anchor_file} 比对。\n{line}",
    # --- the API's own refusals (webui.api.blueprint) ------------------------------------------
    "api.token_required": "请提供有效的访问令牌",
    "api.out_of_range": "数据超出允许的长度或范围",
}
