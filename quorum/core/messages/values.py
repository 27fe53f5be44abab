"""Wording of field values, money, dates, conditions and the checks made on a submission."""

MESSAGES: dict[str, str] = {
    # --- punctuation that joins words a person reads --------------------------------------------
    "value.list_separator": "、",
    "value.clause_separator": "；",
    "value.sentence_separator": "，",
    "value.parenthesised": "（{text}）",
    "value.labelled": "{label}：{text}",
    # --- field values (quorum.core.values) ------------------------------------------------------
    "value.money_over_limit": "「{label}」的金额 {value} 元超出上限 {limit} 元",
    "value.date_out_of_range": "「{label}」的日期 {value} 超出允许范围（{first} 至 {last}）",
    "value.hint_money": "请填写不带单位的金额（元），最多两位小数",
    "value.hint_int": "请填写整数",
    "value.hint_bool": "请填写 是/否",
    "value.hint_date": "日期格式为 2026-11-22",
    "value.hint_choice": "可选：{choices}",
    "value.hint_person": "请填写人员用户名",
    "value.hint_people": "请填写人员用户名，多人用逗号分隔",
    "value.invalid": "「{label}」的值「{raw}」无效。{hint}",
    "value.system_set": "「{labels}」由系统设置，不能填写",
    "value.unknown_fields": "流程「{workflow}」没有字段：{fields}",
    "value.required": "「{label}」为必填项",
    "value.not_text": "「{label}」应为文字",
    "value.too_long": "「{label}」不能超过{max_length}个字",
    "value.control_characters": "「{label}」含有无法保存的控制字符",
    # --- money (quorum.core.money, quorum.services.checks) --------------------------------------
    "value.amount_below": "「{label}」不能小于「{first}」",
    "value.related_matter": "第{matter_id}号「{title}」{amount}",
    "value.people_missing": "「{label}」中的人员不存在：{names}",
    "value.units_missing": "会签单位未登记：{units}",
    # --- conditions (quorum.core.conditions) ----------------------------------------------------
    "value.condition_joiner": "，{joiner}",
    "value.condition_compare": "{label} {actual} {op} {expected}",
    "value.condition_is": "{label}为{truth}",
    "value.condition_requires": "{label} {op} {expected}",
    "value.condition_not": "并非（{text}）",
    # --- voting (quorum.core.voting) ------------------------------------------------------------
    "value.vote_option": "{option}（{name}）",
    "value.more_than": "超过",
    "value.at_least": "不少于",
    # --- records, dashboard, opinions -----------------------------------------------------------
    "value.no_unit": "未指定单位",
    "value.year_month": "{year}年{month}月",
    "value.month": "{month}月",
}

# Data, not wording, matched in what people typed: the separators typed between names (full-width ones
# included; quorum.core.values) and the full-width brackets folded to "()" when comparing a vendor, project
# or purpose (quorum.core.money).
PEOPLE_SEPARATORS = r"[,，、\s]+"
FULL_WIDTH_BRACKETS = "（）"
