"""Wording of the supervision import: reading a key-task list and the refusals of its rows."""

MESSAGES: dict[str, str] = {
    # --- title suffixes of an imported item -----------------------------------------------------
    "supervision.import_continuing_suffix": "（完成后持续推进，每季度检查）",
    "supervision.import_recurring_suffix": "（持续实施，每季度检查）",
    # --- 完成时限 (quorum.services.supervision_import.parse_deadline) ----------------------------
    "supervision.import_deadline_label": "{where}「完成时限」",
    "supervision.import_deadline_empty": "{label}为空",
    "supervision.import_deadline_unknown": "{label}「{text}」无法识别",
    "supervision.import_deadline_no_year": "{label}「{text}」未写年份，请指定清单所属年份（--year）",
    "supervision.import_deadline_hint": "{label}「{text}」无法识别，应写作如「2022年6月底」「12月底」"
                                        "「2023年3月底前完成并持续推进」「持续实施」",
    "supervision.import_deadline_month": "{label}「{text}」的月份应在 1 至 12 之间",
    "supervision.import_deadline_year": "{label}「{text}」的年份 {year} 不合理",
    # --- reading the file -----------------------------------------------------------------------
    "supervision.import_file": "文件「{name}」",
    "supervision.import_columns_missing": "{source}的表头缺少列：{columns}（应为 序号,任务,责任单位,完成时限）",
    "supervision.import_file_empty": "文件「{name}」是空的",
    "supervision.import_file_not_found": "找不到文件「{path}」",
    "supervision.import_file_type": "不支持的文件类型「{suffix}」：请提供 .csv（UTF-8）或 .xlsx 文件",
    # --- rows -----------------------------------------------------------------------------------
    "supervision.import_row": "第{line}行",
    "supervision.import_row_number": "（序号 {number}）",
    "supervision.import_task_empty": "{where}「任务」为空",
    "supervision.import_owner_empty": "{where}「责任单位」为空；请在清单中填写，或指定默认牵头单位（--default-unit）",
    "supervision.import_owner_unknown": "{where}「责任单位」中的「{names}」不对应任何已登记单位；"
                                        "请在 unit_aliases.csv 中补充对应关系，或使用 --skip-unknown 跳过此行",
    "supervision.import_skipped_unknown": "未知责任单位：{names}",
    "supervision.import_task_too_long": "{where}「任务」过长（连同标注不能超过{limit}个字）",
    "supervision.import_task_control": "{where}「任务」含有无法保存的控制字符",
    "supervision.import_skipped_existing": "已有相同的未办结督办事项（编号 {item_id}）",
}


# The task list's format: not wording but the vocabulary a file is matched against — the column names (also the
# keys of a read row), the other header names accepted for each (the seeds say 具体任务 or 主要内容 for the task
# text), the separators between owners, the prefixes of generic owners and the patterns of 完成时限.
TASK_LIST_NUMBER, TASK_LIST_TASK, TASK_LIST_OWNERS, TASK_LIST_DEADLINE = "序号", "任务", "责任单位", "完成时限"
TASK_LIST_COLUMNS: dict[str, tuple[str, ...]] = {
    TASK_LIST_NUMBER: (TASK_LIST_NUMBER,),
    TASK_LIST_TASK: (TASK_LIST_TASK, "具体任务", "主要内容"),
    TASK_LIST_OWNERS: (TASK_LIST_OWNERS, "牵头单位"),
    TASK_LIST_DEADLINE: (TASK_LIST_DEADLINE, "时限"),
}
TASK_LIST_ALIAS_NAME = "名称"          # the column of unit_aliases.csv holding the generic owner name
TASK_LIST_GENERIC_PREFIXES = ("各地", "各")
TASK_LIST_OWNER_SEPARATORS = r"[、，,；;/]"
TASK_LIST_CONTINUING_TAIL = r"[,，、\s]*并?(?:完成)?并?持续(?:推进|实施)$"
TASK_LIST_MONTH = r"^(?:(\d{4})年)?(\d{1,2})月(?:底|末|份)?$"
TASK_LIST_YEAR_END = r"^(\d{4})年(?:底|末)$"
TASK_LIST_DONE_TAIL = r"(?:前)?(?:完成)?$"
