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
}
