"""Wording of the configuration area: config.toml's [audit] and [security] sections, the holiday arrangement file."""

MESSAGES: dict[str, str] = {
    # --- [audit] (quorum.audit_settings) --------------------------------------------------------
    "config.anchor_file_in_data_dir": "锚定文件 {target} 位于数据目录 {data_dir} 内；请在 config.toml [audit] "
                                      "anchor_file 中指定数据目录之外的文件",
    "config.audit_key_invalid": "审计密钥文件 {key_file} 无效：应为至少 {digits} 位十六进制字符",
    # --- [security]: the password rule a new password breaks (quorum.security_settings) ---------
    "config.password_too_short": "密码至少 {length} 位",
    "config.password_classes": "密码须包含大写字母、小写字母、数字、其他符号中的至少 {classes} 类",
    "config.password_names_person": "密码不得包含用户名或姓名",
}

# The words a holiday arrangement file may begin a line with (quorum.calendar_arrangement): the file
# format's vocabulary, as written in the State Council's notice — parsed, never shown.
ARRANGEMENT_KINDS: dict[str, str] = {"放假": "holidays", "休息": "holidays", "上班": "workdays", "调休上班": "workdays"}
# The full-width comma a person may type between the cells of a line, read as ","
ARRANGEMENT_FULL_WIDTH_COMMA = "，"
