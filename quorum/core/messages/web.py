"""The web server's wording: serving, health and screenshots (page text lives in templates/web/)."""

MESSAGES: dict[str, str] = {
    # --- webui/commands.py -------------------------------------------------------------------------
    "web.demo_login_name": "{username}（{name}）",
    # --- webui/health.py ---------------------------------------------------------------------------
    "web.health_no_revision": "无",
    # --- webui/screenshots.py ----------------------------------------------------------------------
    "web.screenshots_description": "截取主要页面的手机和桌面截图以供审阅",
    "web.screenshots_out_help": "输出目录（不纳入版本库）",
    # the scene's demo data, what people would have typed: a second matter, its opinions, its meeting
    "web.screenshots_scene_title": "关于乌兰社区卫生服务中心购置数字化X光机的议题",
    "web.screenshots_scene_summary": "购置数字化X光机（DR）一台，提升社区影像检查能力。",
    "web.screenshots_scene_agree": "同意。",
    "web.screenshots_scene_consulted": "已征求意见。",
    "web.screenshots_scene_place": "总医院行政楼三楼会议室",
    "web.screenshots_scene_absence": "外出学习",
}
