"""Wording of the typesetting area, and the data of Chinese text the document code matches and sets.

Not wording but data a person never reads on its own: the rules of a 公文 (the words of a request, the frame
of a title), the font names of GB/T 9704, the heading numbering and the line-breaking data of titles. They
are kept here, named, so that no Chinese literal is left in the code (tests/test_wording.py).
"""

MESSAGES: dict[str, str] = {
}

# --- 公文 rules (quorum.core.documents) -----------------------------------------------------------
# The words that mark a request, looked for in a 报告's body, and the genre they may not appear in: matched
# against documents and policies/documents.toml.
REQUEST_WORDS = ("请批示", "请审批", "请批准", "妥否", "请予批复", "请审定")
REPORT_GENRE = "报告"
# The 关于 … 的议题 frame of a title, matched in what people typed, and dropped to leave its 事由.
TITLE_FRAME_START = r"^关于"
TITLE_FRAME_END = r"(的)?(议题|请示|报告|事项|申请|方案)$"
# The characters of a 发文字号 kept in a file name (quorum.services.dossier); anything else is dropped.
DOCUMENT_NUMBER_DROPPED = r"[^\w〔〕年第期号-]"

# --- fonts as installed (quorum.documents.typesetting): the names a word processor looks up ----------
FONT_FANGSONG = "仿宋_GB2312"
FONT_HEITI = "黑体"
FONT_KAITI = "楷体_GB2312"
FONT_XIAOBIAOSONG = "方正小标宋简体"
FONT_SONGTI = "宋体"

# --- reading a body (quorum.documents.layout) ------------------------------------------------------
# The full stop ending a heading's lead sentence, and the numbering of heading levels 一、 （一） 1. （1）
SENTENCE_END = "。"
HEADING_LEVEL_1 = r"^[一二三四五六七八九十百]+、"
HEADING_LEVEL_2 = r"^（[一二三四五六七八九十百]+）"
HEADING_LEVEL_3 = r"^\d+[.．]"
HEADING_LEVEL_4 = r"^（\d+）"

# --- template filters (quorum.documents.wording) ---------------------------------------------------
# Chinese numerals (a number system: 1 → 一, 12 → 十二), the full-width bar a cell's "|" becomes (the
# row's separator cannot appear in a cell) and the closing punctuation stripped from a quoted phrase.
NUMERAL_DIGITS = "零一二三四五六七八九"
NUMERAL_TEN = "十"
CELL_BAR = "｜"
CLOSING_PUNCTUATION = "。；;.，,"

# --- breaking a title between words (quorum.documents.titles, GB/T 9704 §7.3.3) -------------------
# Particles and punctuation a line never starts with.
NO_LINE_START = "的之和与及、，。）》”"
# Words that close the name of an organ or a person: a break after one keeps the name whole. The last,
# 同志, closes a person's name (a break before it does not split an organ's name).
NAME_ENDS = ("委员会", "医共体", "医院", "中心", "服务站", "卫生院", "政府", "同志")
