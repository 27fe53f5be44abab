"""GB/T 9704-2012 pages with python-docx: a Page in, the bytes of a .docx out.

Header block (secrecy, red issuer heading, doc_number / signer, red separator 4 mm below the number), body
(title, principal addressees, body with its heading levels, attachment note, the minutes' attendance lists,
signature and date of the document, notes) and end block (copies and the printing line between black lines,
anchored to the bottom of the type area), with "— 1 —" page numbers, odd pages right and even pages left.
The variants differ only in the header block: standard, upward (number flush left, signer right), letter
(heading and double line, number right), minutes (the minutes' mark, issue number, compiled-by line) and
form (a heading line and a table body).
"""

import io
import re

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.shared import Mm, Pt, Twips

from quorum.core.documents import cn_date
from quorum.core.messages import message
from quorum.core.messages import typesetting as typesetting_data
from quorum.documents.fonts import font_table
from quorum.documents.page import Page
from quorum.documents.titles import title_lines
from quorum.documents.typesetting import (
    FANGSONG,
    HEITI,
    KAITI,
    LINE,
    LINE_PITCH_TWIPS,
    MARGINS,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RED,
    RED_HEX,
    SIZE_2,
    SIZE_3,
    SIZE_4,
    SONGTI,
    TYPE_WIDTH,
    XIAOBIAOSONG,
    bookmark,
    border,
    cell_margins_zero,
    char_twips,
    document_defaults,
    document_grid,
    exact_row_height,
    exact_spacing,
    float_at_bottom,
    indent,
    no_grid_snap,
    page_field,
    scale_run,
    set_fonts,
    table_width,
)

HEADING_SIZE = Pt(36)                      # 小初: the usual size of a 发文机关标志
HEADING_TOP = Mm(35)                       # its top edge below the top of the type area
SEPARATOR_GAP_PT = 11                      # 4 mm between the 发文字号 and the red line
# The numbering of heading levels (一、 （一） 1. （1）) and the full stop ending a heading's lead sentence
# are how a body's text is read, not wording: patterns kept in the typesetting area.
SENTENCE_END = typesetting_data.SENTENCE_END
LEVELS = (
    (re.compile(typesetting_data.HEADING_LEVEL_1), HEITI),
    (re.compile(typesetting_data.HEADING_LEVEL_2), KAITI),
    (re.compile(typesetting_data.HEADING_LEVEL_3), FANGSONG),
    (re.compile(typesetting_data.HEADING_LEVEL_4), FANGSONG),
)
WIDTH_TWIPS = round(TYPE_WIDTH.pt * 20)
SEAL_LINES = 2                             # 2 free lines + 署名 + date ≈ the 42 mm of a 印章
SEAL_BOOKMARK = "seal"
TITLE_CHARS = int(TYPE_WIDTH.pt // SIZE_2.pt)             # 20 二号 characters on a line of the type area


def render_docx(page: Page) -> bytes:
    """Lay out a document and return the .docx bytes."""
    doc = Document()
    _setup(doc, page)
    _head(doc, page)
    _main(doc, page)
    if page.cc or page.printer:
        _end_block(doc, page)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# page setup


def _setup(doc, page: Page) -> None:
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    section.header_distance, section.footer_distance = Mm(15), Mm(21)
    document_grid(section)
    document_defaults(doc, FANGSONG, SIZE_3)
    font_table(doc)
    normal = doc.styles["Normal"]
    set_fonts(normal, FANGSONG, SIZE_3)
    fmt = normal.paragraph_format
    fmt.line_spacing, fmt.space_before, fmt.space_after = LINE, Pt(0), Pt(0)
    fmt.widow_control = False
    no_grid_snap(normal)
    doc.settings.odd_and_even_pages_header_footer = True
    _footer(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _footer(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)
    props = doc.core_properties
    props.title, props.author, props.comments = page.title, page.printer or page.signature, ""
    if page.created is not None:
        props.created = props.modified = page.created.replace(tzinfo=None)


def _footer(paragraph, align) -> None:
    """"— 1 —" in size-4 Song, one character in from the right (odd pages) or the left (even pages)."""
    paragraph.alignment = align
    exact_spacing(paragraph, Pt(SIZE_4.pt * 1.2))
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        indent(paragraph, right=1, size_pt=SIZE_4.pt)
    else:
        indent(paragraph, left=1, size_pt=SIZE_4.pt)
    set_fonts(paragraph.add_run("— "), SONGTI, SIZE_4)
    page_field(paragraph, SONGTI, SIZE_4)
    set_fonts(paragraph.add_run(" —"), SONGTI, SIZE_4)


def _para(doc, text: str = "", font: str = FANGSONG, size: Pt = SIZE_3, align=None, before_lines: float = 0,
          color=None, bold: bool = False):
    paragraph = doc.add_paragraph()
    exact_spacing(paragraph, LINE, before=before_lines * LINE_PITCH_TWIPS)
    if align is not None:
        paragraph.alignment = align
    if text:
        set_fonts(paragraph.add_run(text), font, size, bold=bold, color=color)
    return paragraph


# --------------------------------------------------------------------------------------------
# 版头


def _head(doc, page: Page) -> None:
    if page.secrecy:
        _para(doc, page.secrecy, HEITI)
    if page.layout == "form":
        _form_head(doc, page)
        return
    top = HEADING_TOP.twips - (LINE_PITCH_TWIPS if page.secrecy else 0)
    heading = _heading(doc, page.heading, top)
    if page.layout == "letter":
        border(heading._p.get_or_add_pPr(), "bottom", 18, RED_HEX, 4, style="thickThinSmallGap")
        number = _para(doc, page.number, align=WD_ALIGN_PARAGRAPH.RIGHT, before_lines=0.5)
        indent(number, right=1)
        return
    if page.layout == "minutes":
        _para(doc, page.number, align=WD_ALIGN_PARAGRAPH.CENTER, before_lines=1)
        line = _split_line(doc, page.printer, cn_date(page.print_date) if page.print_date else "", 1)
        _separator(doc, line, page.star)
        return
    if page.layout == "upward":
        number = _split_line(doc, page.number, "", 2)
        set_fonts(number.add_run(message("document.signer_label")), FANGSONG, SIZE_3)
        set_fonts(number.add_run(page.signer), KAITI, SIZE_3)
    else:
        number = _para(doc, page.number, align=WD_ALIGN_PARAGRAPH.CENTER, before_lines=2)
    _separator(doc, number, page.star)


def _heading(doc, text: str, top_twips: int):
    """The red issuer heading, centred; a name too long for the type width is compressed, not wrapped."""
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    exact_spacing(paragraph, Pt(HEADING_SIZE.pt * 1.25), before=top_twips)
    no_grid_snap(paragraph)
    run = paragraph.add_run(text)
    set_fonts(run, XIAOBIAOSONG, HEADING_SIZE, color=RED)
    natural = len(text) * HEADING_SIZE.pt
    if natural > TYPE_WIDTH.pt:
        scale_run(run, int(TYPE_WIDTH.pt / natural * 100))
    return paragraph


def _split_line(doc, left: str, right: str, before_lines: float):
    """A line with text one character in from the left and, on a right tab, one character from the right."""
    paragraph = _para(doc, before_lines=before_lines)
    indent(paragraph, left=1)
    paragraph.paragraph_format.tab_stops.add_tab_stop(Twips(WIDTH_TWIPS - char_twips(2)), WD_TAB_ALIGNMENT.RIGHT)
    set_fonts(paragraph.add_run(left), FANGSONG, SIZE_3)
    paragraph.add_run("\t")
    if right:
        set_fonts(paragraph.add_run(right), FANGSONG, SIZE_3)
    return paragraph


def _separator(doc, paragraph, star: bool) -> None:
    """The red line as wide as the type area, 4 mm below the doc_number (a red star in it for party organs)."""
    if not star:
        border(paragraph._p.get_or_add_pPr(), "bottom", 12, RED_HEX, SEPARATOR_GAP_PT)
        return
    table = doc.add_table(rows=2, cols=3)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    cell_margins_zero(table)
    table_width(table, WIDTH_TWIPS)
    side = (WIDTH_TWIPS - char_twips(1.6)) // 2
    for row in table.rows:
        row.height = Mm(2)
        for cell, width in zip(row.cells, (side, WIDTH_TWIPS - 2 * side, side), strict=True):
            cell.width = Twips(width)
            exact_spacing(cell.paragraphs[0], Pt(5))
    for col in (0, 2):
        border(table.rows[0].cells[col]._tc.get_or_add_tcPr(), "bottom", 12, RED_HEX)
    star_cell = table.cell(0, 1).merge(table.cell(1, 1))
    star_para = star_cell.paragraphs[0]
    star_para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    exact_spacing(star_para, Pt(14))
    set_fonts(star_para.add_run("★"), SONGTI, Pt(14), color=RED)


def _form_head(doc, page: Page) -> None:
    if page.heading:
        _para(doc, page.heading, XIAOBIAOSONG, SIZE_3, WD_ALIGN_PARAGRAPH.CENTER)
    if page.number:
        number = _para(doc, message("document.form_number", number=page.number), align=WD_ALIGN_PARAGRAPH.RIGHT)
        indent(number, right=1)


# --------------------------------------------------------------------------------------------
# 主体


def _main(doc, page: Page) -> None:
    title_gap = 1 if page.layout == "form" else 2
    for n, line in enumerate(title_lines(page.title, TITLE_CHARS)):
        title = _para(doc, line, XIAOBIAOSONG, SIZE_2, WD_ALIGN_PARAGRAPH.CENTER, title_gap if n == 0 else 0)
        no_grid_snap(title)
    if page.addressees:
        _para(doc, message("document.addressees", names=message("value.list_separator").join(page.addressees)), before_lines=1)
    _body(doc, page.body)
    _attachments(doc, page.attachments)
    _attendance(doc, page.attendance)
    _signature(doc, page)
    if page.notes:
        note = _para(doc, message("document.notes", notes=page.notes))
        indent(note, first_line=2)


def _body(doc, text: str) -> None:
    rows: list[list[str]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
            continue
        if rows:
            _table(doc, rows)
            rows = []
        if line:
            _body_paragraph(doc, line)
    if rows:
        _table(doc, rows)


def _body_paragraph(doc, line: str) -> None:
    """One paragraph, indented two characters; a heading's lead sentence takes its level's font."""
    paragraph = _para(doc)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    indent(paragraph, first_line=2)
    font = next((f for pattern, f in LEVELS if pattern.match(line)), FANGSONG)
    head, rest = line, ""
    if font in (HEITI, KAITI) and SENTENCE_END in line[:-1]:
        cut = line.index(SENTENCE_END) + 1
        head, rest = line[:cut], line[cut:]
    set_fonts(paragraph.add_run(head), font, SIZE_3)
    if rest:
        set_fonts(paragraph.add_run(rest), FANGSONG, SIZE_3)


def _table(doc, rows: list[list[str]]) -> None:
    """A bordered table; a row with fewer cells than the widest lets its last cell span the rest."""
    columns = max(len(r) for r in rows)
    table = doc.add_table(rows=len(rows), cols=columns)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table_width(table, WIDTH_TWIPS)
    for r, cells in enumerate(rows):
        row = table.rows[r]
        if len(cells) < columns:
            row.cells[len(cells) - 1].merge(row.cells[columns - 1])
        for c, text in enumerate(cells):
            cell = table.cell(r, c)
            for n, line in enumerate(text.split("\\n")):
                paragraph = cell.paragraphs[0] if n == 0 else cell.add_paragraph()
                exact_spacing(paragraph, Pt(SIZE_4.pt * 1.5))
                no_grid_snap(paragraph)
                set_fonts(paragraph.add_run(line), FANGSONG, SIZE_4)
    _para(doc)


def _attachments(doc, names: tuple[str, ...]) -> None:
    """The attachment note: one blank line after the body, names numbered and aligned, no full stop after a name."""
    numbered = len(names) > 1
    for n, name in enumerate(names, 1):
        label = f"{n}.{name}" if numbered else name
        paragraph = _para(doc, before_lines=1 if n == 1 else 0)
        indent(paragraph, left=5 + numbered, hanging=(3 + numbered) if n == 1 else numbered)
        if n == 1:
            set_fonts(paragraph.add_run(message("document.attachments_label")), FANGSONG, SIZE_3)
        set_fonts(paragraph.add_run(label.rstrip(SENTENCE_END + ".")), FANGSONG, SIZE_3)


def _attendance(doc, lists: tuple[tuple[str, str], ...]) -> None:
    """The minutes' attendance: the "present" label in Heiti two characters in, names in FangSong, wrapped lines
    aligned after the colon.
    """
    for n, (label, names) in enumerate(lists):
        paragraph = _para(doc, before_lines=1 if n == 0 else 0)
        indent(paragraph, left=2 + len(label) + 1, hanging=len(label) + 1)
        set_fonts(paragraph.add_run(message("document.list_label", label=label)), HEITI, SIZE_3)
        set_fonts(paragraph.add_run(names), FANGSONG, SIZE_3)


def _width_chars(text: str) -> float:
    return sum(0.5 if ch.isascii() else 1 for ch in text)


def _signature(doc, page: Page) -> None:
    """The signature centred over the date of the document; the date in Arabic numerals, four characters in from the
    right.

    The seal presses on the signature and the date with its top within a line of the body: the SEAL_LINES
    blank lines above the signature are left free for it, kept on one page with the body's last line and the
    date, and the signature and date are bookmarked (SEAL_BOOKMARK) for an electronic seal to find.
    """
    if page.date is None or page.layout == "minutes":
        return
    date_text = cn_date(page.date)
    if doc.paragraphs:
        doc.paragraphs[-1].paragraph_format.keep_with_next = True
    name = None
    if page.signature:
        name = _para(doc, page.signature, align=WD_ALIGN_PARAGRAPH.RIGHT, before_lines=SEAL_LINES)
        indent(name, right=max(0.0, 4 + (_width_chars(date_text) - _width_chars(page.signature)) / 2))
        name.paragraph_format.keep_with_next = True
    dated = _para(doc, date_text, align=WD_ALIGN_PARAGRAPH.RIGHT, before_lines=0 if page.signature else 1)
    indent(dated, right=4)
    if name is not None:
        bookmark(name, dated, SEAL_BOOKMARK)


# --------------------------------------------------------------------------------------------
# 版记


def _end_block(doc, page: Page) -> None:
    """Copies and the printing organ / printing date in size-4 FangSong between thick (0.35 mm) and thin (0.25 mm)
    black lines.
    """
    rows = ([(page.cc_label, page.cc)] if page.cc else []) + [("", ())]
    table = doc.add_table(rows=len(rows), cols=1)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    cell_margins_zero(table)
    table_width(table, WIDTH_TWIPS)
    tblPr = table._tbl.tblPr
    border(tblPr, "top", 8)
    border(tblPr, "bottom", 8)
    border(tblPr, "insideH", 6)
    line = round(SIZE_4.pt * 1.6 * 20)
    heights = []
    for row, (label, names) in zip(table.rows, rows, strict=True):
        cell = row.cells[0]
        cell.width = Twips(WIDTH_TWIPS)
        paragraph = cell.paragraphs[0]
        exact_spacing(paragraph, Twips(line))
        no_grid_snap(paragraph)
        text = message("document.end_block_line", label=label,
                       names=message("document.end_block_separator").join(names)) if label else ""
        lines = 1 + int(_width_chars(text) // (TYPE_WIDTH.pt / SIZE_4.pt - 2 - len(label)))
        heights.append(lines * line + 120)
        exact_row_height(row, heights[-1])
        if label:
            indent(paragraph, left=1 + len(label) + 1, right=1, hanging=len(label) + 1, size_pt=SIZE_4.pt)
            set_fonts(paragraph.add_run(text), FANGSONG, SIZE_4)
            continue
        indent(paragraph, left=1, size_pt=SIZE_4.pt)
        paragraph.paragraph_format.tab_stops.add_tab_stop(
            Twips(WIDTH_TWIPS - char_twips(2, SIZE_4.pt)), WD_TAB_ALIGNMENT.RIGHT)
        printed = message("document.printed_on", date=cn_date(page.print_date)) if page.print_date else ""
        set_fonts(paragraph.add_run(f"{page.printer}\t{printed}"), FANGSONG, SIZE_4)
    float_at_bottom(table, sum(heights))
    closing = doc.add_paragraph()          # a body cannot end with a table; this one takes no room
    exact_spacing(closing, Pt(1))
    no_grid_snap(closing)
