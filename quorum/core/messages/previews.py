"""Wording of attachment previews (附件预览): why a file has no preview, and what a missing page is called."""

MESSAGES: dict[str, str] = {
    "preview.failed": "无法生成预览，请下载查看",
    "preview.unreadable": "无法生成预览，请下载查看（文件无法识别或已损坏）",
    "preview.timeout": "无法生成预览，请下载查看（转换超时）",
    "preview.too_large": "无法生成预览，请下载查看（文件过大）",
    "preview.missing": "无法生成预览，请下载查看（附件文件不存在）",
    "preview.no_tools": "无法生成预览，请下载查看（服务器未安装转换工具）",
    "preview.not_previewable": "此类文件不能在页面中预览，请下载查看",
    "preview.what_page": "预览页",
    "preview.note_converting": "正在生成附件预览",
    "job.what_attachment_preview": "生成附件预览",
    # --- python -m webui.screenshots: the .docx attached to the scene's matter (demo data) ----------
    "preview.screenshots_filename": "乌兰社区卫生服务中心设备购置方案.docx",
    "preview.screenshots_title": "乌兰社区卫生服务中心设备购置方案",
    "preview.screenshots_body": "一、购置理由：中心现有全自动生化分析仪已使用九年，故障频繁，影响慢病随访检验。\n"
                                "二、购置内容：全自动生化分析仪一台、配套试剂首批三个月用量。\n"
                                "三、资金来源：2026 年基本公共卫生服务补助资金，预算已列支。\n"
                                "四、采购方式：按规定委托医共体总医院统一采购，公开招标。\n"
                                "五、预计金额：人民币 380,000 元。",
}
