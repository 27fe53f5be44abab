"""Wording of the arrivals area (see quorum/core/messages/__init__.py): notices on arrival.

Their titles and bodies are templates/messages/<kind>.txt; here only the few words said in code.
"""

MESSAGES: dict[str, str] = {
    # --- quorum/services/arrivals.py ---------------------------------------------------------------
    "arrivals.ellipsis": "……",
    # --- quorum/scheduler_settings.py ([web] base_url) ----------------------------------------------
    "arrivals.base_url_invalid": "应为平台的访问地址，以 http:// 或 https:// 开头（如 https://yigongti.example.org），现为「{url}」",
    # --- webui/notifications.py (read receipts) ----------------------------------------------------
    "arrivals.read_at": "已读（{at}）",
    "arrivals.unread": "未读",
}
