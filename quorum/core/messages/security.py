"""Security wording: passwords set by an administrator, API tokens, input bounds, audit key rotation."""

MESSAGES: dict[str, str] = {
    "security.api_must_change_password": "管理员已重置您的密码，请先通过 POST /api/v1/me/password 设置新密码",
    "security.input_too_long": "「{field}」不能超过{limit}个字符",
    "security.form_too_long": "「{field}」不能超过{limit}个字，已保留您填写的内容，请删减后再提交",
    "security.openapi_length": "不超过 {limit} 个字符（[limits] {key}）",
    "security.openapi_date_window": "日期在 {low} 至 {high} 之间（[limits] date_min—date_max）",
    "security.openapi_money": "金额（元）写成字符串，如 \"860000\"，不超过 {ceiling} 元（[limits] money_max）",
    "security.openapi_fields": ("流程声明的字段值：金额写成字符串，不超过 {ceiling} 元；日期在 {low} 至 {high} 之间；"
                                "文字不超过 {limit} 个字符；数字在 0 至 {ceiling} 之间"),
    "security.audit_key_missing": "第{seq}条事件把审计密钥轮换为指纹 {fingerprint} 的密钥，但密钥环中没有这把密钥",
    "security.audit_key_rotated": ("审计密钥已轮换：新密钥指纹 {fingerprint}（第 {seq} 条事件用旧密钥签名记录了这次轮换），"
                                   "旧密钥保存在 {kept}。"),
    "security.help_rotate_key": ("轮换审计密钥：生成新密钥，旧密钥留在密钥环中（audit.key.1、audit.key.2……），"
                                 "审计链记下这次轮换（用旧密钥签名）"),
    "security.input_money_max": "「{field}」的金额超出上限 {ceiling} 元",
    "security.input_number_range": "字段「{field}」的数值应在 0 至 {ceiling} 之间",
    "security.form_field_other": "填写的内容",
    "security.form_field.title": "标题",
    "security.form_field.place": "地点",
    "security.form_field.reason": "理由",
    "security.form_field.note": "说明",
    "security.form_field.comment": "意见",
    "security.form_field.text": "内容",
    "security.form_field.summary": "纪要摘要",
    "security.form_field.finding": "核查情况",
    "security.form_field.feedback": "反馈情况",
    "security.form_field.body": "正文",
    "security.form_field.complainant": "反映人",
    "security.form_field.contact": "联系方式",
}
