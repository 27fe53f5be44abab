"""Wording of the rendering of documents: PDF fonts, OFD export, the GB/T 9704 page."""

MESSAGES: dict[str, str] = {
    "rendering.no_pdftotext": "未安装 pdftotext（poppler-utils），无法导出 OFD",
    "rendering.ofd_text_failed": "pdftotext 读取 PDF 文字失败，无法导出 OFD：{error}",
    "rendering.ofd_no_pages": "PDF 没有页面，无法导出 OFD",
    "rendering.gbt9704_page_size": "纸张应为 A4（210×297 毫米），实为 {size} 毫米",
    "rendering.gbt9704_margin": "页边距（{side}）应为 {want} 毫米，实为 {mm} 毫米",
    "rendering.gbt9704_font_missing": "未使用标准字体「{font}」",
    "rendering.gbt9704_font_unknown": "使用了标准以外的字体「{font}」",
    "rendering.gbt9704_heading": "发文机关标志应为「{want}」，实为「{found}」",
    "rendering.gbt9704_number": "版头未见发文字号「{number}」",
    "rendering.gbt9704_no_serif": "PDF 中没有衬线（宋/仿宋类）中文字体：{fonts}",
    "rendering.gbt9704_sans_body": "PDF 正文使用了无衬线字体：{fonts}",
    "rendering.gbt9704_page_number": "第{page}页版心下方没有「— {page} —」页码",
    "rendering.gbt9704_page_number_on_end_page": "版记页（第{page}页）前有空白页，空白页和版记页均不编排页码",
    "rendering.gbt9704_end_block_missing": "最后一页（第{page}页）没有版记",
    "rendering.gbt9704_end_block_odd_page": "版记应排在偶数页（封四），实在第{page}页",
    "rendering.gbt9704_end_block_not_at_foot": "版记未排在最后一页版心底部（距底边 {mm} 毫米）",
    "rendering.gbt9704_end_block_overlaps": "版记与正文重叠：「{text}」",
}
