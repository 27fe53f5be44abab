"""The web server's wording: serving, health and screenshots (page text lives in templates/web/)."""

MESSAGES: dict[str, str] = {
    # --- webui/commands.py -------------------------------------------------------------------------
    "web.demo_login_name": "{username}（{name}）",
    # --- webui/health.py ---------------------------------------------------------------------------
    "web.health_no_revision": "无",
    # --- webui/screenshots.py ----------------------------------------------------------------------
    "web.screenshots_description": "截取主要页面的手机和桌面截图以供审阅",
    "web.screenshots_out_help": "输出目录（不纳入版本库）",
}
