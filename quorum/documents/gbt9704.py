"""A clerk's GB/T 9704-2012 check of a rendered document: its .docx as written and its PDF as printed.

check(docx, pdf, expect) returns the findings (empty when the document passes): A4 with margins of
37/35/28/26 mm, the standard faces named (FangSong body, Xiaobiaosong title, Heiti / Kaiti headings), the
header block with the issuing organ and the doc_number, the printed fonts (a CJK serif for the body, a sans
face only where Heiti is named), a "— N —" page number on every page, and the end block (banji) on the foot
of the last page (an even one) below every line of the body.
"""

import io
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import docx
from docx.oxml.ns import qn

from quorum.core.messages import message
from quorum.documents.ofd import Word, _boxes
from quorum.documents.typesetting import FANGSONG, HEITI, KAITI, XIAOBIAOSONG

PAGE_MM = (210.0, 297.0)
MARGINS_MM = {"top": 37.0, "bottom": 35.0, "left": 28.0, "right": 26.0}
TYPE_BOTTOM_MM = PAGE_MM[1] - MARGINS_MM["bottom"]
LINE_MM = 10.2                                    # one line of the 22-line grid
TOLERANCE_MM = 1.5
DASH = "\u2014"                                   # the em dash around a page number (a glyph, not wording)


@dataclass(frozen=True)
class Expect:
    """What the record says the document must show."""

    heading: str = ""                             # the 发文机关标志 (empty: forms)
    number: str = ""                              # the 发文字号 or 第N期
    end_block: bool = True                        # has a 版记
    cc_labels: tuple[str, ...] = ()               # 抄送 / 分送


@dataclass(frozen=True)
class Finding:
    key: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return message(f"rendering.gbt9704_{self.key}", **self.params)


@dataclass(frozen=True)
class Printed:
    """What the PDF shows: each page's size and words (mm), and the names of its fonts."""

    pages: list[tuple[float, float, tuple[Word, ...]]]
    fonts: tuple[str, ...]


def read_pdf(pdf: bytes, timeout: int = 120) -> Printed:
    """Locate the words of every page (pdftotext -bbox) and list the fonts (pdffonts)."""
    with tempfile.TemporaryDirectory(prefix="quorum-check-") as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        run = {"check": True, "capture_output": True, "timeout": timeout}
        boxes = subprocess.run([shutil.which("pdftotext") or "pdftotext", "-bbox", str(source), "-"], **run).stdout
        listing = subprocess.run([shutil.which("pdffonts") or "pdffonts", str(source)], **run).stdout
    names = tuple(line.split()[0] for line in listing.decode().splitlines()[2:] if line.strip())
    return Printed(_boxes(boxes), names)


def check(docx_bytes: bytes, printed: Printed, expect: Expect) -> list[Finding]:
    """Every finding of the docx and PDF checks, in reading order."""
    document = docx.Document(io.BytesIO(docx_bytes))
    return [*check_page_setup(document), *check_fonts_named(document), *check_head(document, expect),
            *check_printed_fonts(document, printed), *check_page_numbers(printed),
            *(check_end_block(printed, expect) if expect.end_block else [])]


def check_page_setup(document) -> list[Finding]:
    section = document.sections[0]
    size = (round(section.page_width.mm, 1), round(section.page_height.mm, 1))
    margins = {side: round(getattr(section, f"{side}_margin").mm, 1) for side in MARGINS_MM}
    found = [] if size == PAGE_MM else [Finding("page_size", {"size": "x".join(map(str, size))})]
    return found + [Finding("margin", {"side": side, "mm": mm, "want": MARGINS_MM[side]})
                    for side, mm in margins.items() if mm != MARGINS_MM[side]]


def _east_asian(run) -> str | None:
    fonts = run._element.rPr.rFonts if run._element.rPr is not None else None
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def check_fonts_named(document) -> list[Finding]:
    """The body in FangSong, the title in Xiaobiaosong, headings in Heiti / Kaiti: no other face is named."""
    named = {_east_asian(r) for p in document.paragraphs for r in p.runs if r.text.strip()}
    found = [Finding("font_missing", {"font": font}) for font in (FANGSONG, XIAOBIAOSONG) if font not in named]
    return found + [Finding("font_unknown", {"font": font}) for font in sorted(named - {FANGSONG, XIAOBIAOSONG,
                                                                                        HEITI, KAITI}, key=str)]


def check_head(document, expect: Expect) -> list[Finding]:
    """The red issuer heading names the organ; the doc_number is printed in the header block."""
    texts = [p.text.strip() for p in document.paragraphs]
    red = [p.text.strip() for p in document.paragraphs
           if p.runs and p.runs[0].font.color is not None and p.runs[0].font.color.rgb is not None]
    found = []
    if expect.heading and (not red or red[0] != expect.heading):
        found.append(Finding("heading", {"found": red[0] if red else "", "want": expect.heading}))
    if expect.number and not any(t.startswith(expect.number) or t.endswith(expect.number) for t in texts[:8]):
        found.append(Finding("number", {"number": expect.number}))
    return found


def check_printed_fonts(document, printed: Printed) -> list[Finding]:
    """A CJK serif carries the body; a sans face appears only when Heiti is named."""
    serif = [f for f in printed.fonts if "Serif" in f or "Song" in f or "Ming" in f or "FangSong" in f]
    sans = [f for f in printed.fonts if "Sans" in f or "Hei" in f]
    found = [] if serif else [Finding("no_serif", {"fonts": ", ".join(printed.fonts)})]
    uses_heiti = any(_east_asian(r) == HEITI for p in document.paragraphs for r in p.runs if r.text.strip())
    return found + ([Finding("sans_body", {"fonts": ", ".join(sans)})] if sans and not uses_heiti else [])


def page_text(words: tuple[Word, ...]) -> str:
    return "".join(w.text for w in words)


def check_page_numbers(printed: Printed) -> list[Finding]:
    """The page number "— N —" below the type area of page N; none on a blank page before the end block's page, nor
    on that page (§7.5).
    """
    pages = printed.pages
    blank_before_end = len(pages) >= 3 and not pages[-2][2]
    found = [Finding("page_number_on_end_page", {"page": len(pages)})
             for _w, _h, words in pages[-1:] if blank_before_end and DASH in page_text(words)]
    for n, (_w, _h, words) in enumerate(pages[:-2] if blank_before_end else pages, 1):
        foot = page_text(tuple(w for w in words if w.y >= TYPE_BOTTOM_MM - TOLERANCE_MM))
        if f"{DASH}{n}{DASH}" not in foot:
            found.append(Finding("page_number", {"page": n}))
    return found


def check_end_block(printed: Printed, expect: Expect) -> list[Finding]:
    """The printing line ends on the type area's last line of the last, even page, below every line of the body."""
    words = printed.pages[-1][2] if printed.pages else ()
    printed_on = message("document.printed_on", date="")
    line = [w for w in words if w.text.endswith(printed_on)]
    if not line:
        return [Finding("end_block_missing", {"page": len(printed.pages)})]
    if len(printed.pages) % 2:
        return [Finding("end_block_odd_page", {"page": len(printed.pages)})]
    bottom = max(w.y + w.height for w in line)
    if not TYPE_BOTTOM_MM - LINE_MM <= bottom <= TYPE_BOTTOM_MM + TOLERANCE_MM:
        return [Finding("end_block_not_at_foot", {"mm": round(TYPE_BOTTOM_MM - bottom, 1)})]
    labels = tuple(message("document.list_label", label=label) for label in expect.cc_labels)
    top = min([w.y for w in words if labels and w.text.startswith(labels)] + [min(w.y for w in line)])
    above = [w for w in words if w.y + w.height > top + TOLERANCE_MM and w.y < top - TOLERANCE_MM]
    return [Finding("end_block_overlaps", {"text": page_text(tuple(above))[:20]})] if above else []
