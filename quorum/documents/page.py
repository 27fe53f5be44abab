"""The plain data a formal document is laid out from (no database, no wording decisions here)."""

import datetime as dt
from dataclasses import dataclass

from quorum.core.messages import message

LAYOUTS = ("standard", "upward", "letter", "minutes", "form")


@dataclass(frozen=True)
class Page:
    """Everything GB/T 9704 places on the page, already worded.

    body: one paragraph per line; a line opening with a Chinese numeral and an enumeration comma, a Chinese
    numeral in full-width parentheses, an Arabic numeral and a full stop, or an Arabic numeral in full-width
    parentheses is a heading of level 1, 2, 3 or 4; consecutive lines starting with "|" form a table
    ("|name|content|", one cell per "|").
    """

    layout: str
    title: str
    heading: str = ""                             # 发文机关标志 / 纪要标志 (red); form: the unit line
    number: str = ""                              # 发文字号 or 第N期
    signer: str = ""                              # 签发人 (upward documents)
    addressees: tuple[str, ...] = ()              # 主送机关
    body: str = ""
    attachments: tuple[str, ...] = ()             # 附件说明
    attendance: tuple[tuple[str, str], ...] = ()  # 纪要: ("出席", "巴特尔、王建华") ...
    signature: str = ""                           # 发文机关署名 ("" for none)
    date: dt.date | None = None                      # 成文日期
    notes: str = ""                               # 附注, without its brackets
    cc_label: str = message("document.cc_label_default")
    cc: tuple[str, ...] = ()
    printer: str = ""                             # 印发机关
    print_date: dt.date | None = None                # 印发日期
    secrecy: str = ""                             # 密级 / 公开属性, top left
    star: bool = False                            # 党的机关: red star in the separator
    created: dt.datetime | None = None               # stored as the file's creation time

    def __post_init__(self) -> None:
        if self.layout not in LAYOUTS:
            raise ValueError(f"unknown layout {self.layout!r}")
