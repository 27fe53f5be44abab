"""Wording of search and the list filters (quorum.services.search): refusals of a bad filter, the CLI list."""

MESSAGES: dict[str, str] = {
    # --- refusals of a filter (web 400, API 422, CLI) -------------------------------------------
    "search.query_too_long": "搜索词过长：最多 {limit} 个字",
    "search.query_too_many_words": "搜索词最多 {limit} 个（以空格分隔）",
    "search.status_unknown": "状态「{value}」不存在，可选：{options}",
    "search.workflow_unknown": "流程「{value}」不存在，可选：{options}",
    "search.category_unknown": "类别「{value}」不存在，可选：{options}",
    "search.unit_unknown": "单位「{value}」未登记（可用 quorum unit list 查看单位代码）",
    "search.kind_unknown": "公文种类「{value}」不存在，可选：{options}",
    "search.date_invalid": "{which}「{value}」不是有效日期，应写作如 2026-12-07",
    "search.date_from": "起始日期",
    "search.date_to": "截止日期",
    "search.date_order": "起始日期 {start} 晚于截止日期 {end}",
    "search.page_invalid": "页码「{value}」无效，应为 1 至 {maximum} 的整数",
    "search.per_page_invalid": "每页条数「{value}」无效，应为 1 至 {maximum} 的整数",
    "search.separator": "、",
    # --- quorum matter list ---------------------------------------------------------------------
    "search.cli_total": "共 {total} 件，第 {page}/{pages} 页",
    "search.cli_none": "没有符合条件的事项",
    "search.cli_row": "#{id}  {title}  [{status}]  {workflow}{category}  {unit}  {initiator}  {created}{step}",
    "search.cli_step": "  当前环节：{step}",
    "search.cli_next": "下一页：加 --page {page}",
}
