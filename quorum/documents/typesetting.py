"""Low-level WordprocessingML helpers: east-Asian fonts, borders, indents in character units, fields, grid.

python-docx covers only part of what GB/T 9704 needs; the rest is set in the XML directly
(DOMAIN.md §4.9). Font names are written as the standard names whether or not the fonts are
installed on this machine (edge case 38): the reader's Word or WPS renders them.
"""

import copy
from typing import Any

from docx.enum.text import WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from quorum.core.messages import typesetting as typesetting_data

# Font names as installed (GB/T 9704 names them): data a word processor looks up, not wording
FANGSONG = typesetting_data.FONT_FANGSONG
HEITI = typesetting_data.FONT_HEITI
KAITI = typesetting_data.FONT_KAITI
XIAOBIAOSONG = typesetting_data.FONT_XIAOBIAOSONG
SONGTI = typesetting_data.FONT_SONGTI
RED = RGBColor(0xFF, 0x00, 0x00)
RED_HEX = "FF0000"

SIZE_2 = Pt(22)      # 二号
SIZE_3 = Pt(16)      # 三号
SIZE_4 = Pt(14)      # 四号
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
TYPE_WIDTH, TYPE_HEIGHT = Mm(156), Mm(225)
LINES, CHARS = 22, 28
LINE_PITCH_TWIPS = int(TYPE_HEIGHT.pt / LINES * 20)             # 579 twips = 28.95 pt: 22 lines fit 225 mm
CHAR_PITCH_PT = TYPE_WIDTH.pt / CHARS                           # 15.79 pt
CHAR_SPACE = round((CHAR_PITCH_PT - SIZE_3.pt) * 4096)           # w:charSpace, 1/4096 pt off the 3号 size
# A 3号 glyph is 16 pt wide, a grid cell 15.79 pt (28 × 16 pt would be 158 mm, wider than the 156 mm type
# area). Word squeezes glyphs into the cells; LibreOffice gives an over-wide glyph two cells and
# breaks lines mixing Latin digits early. So body paragraphs do not snap to the character grid and
# every 3号 run is condensed by 0.3 pt instead: 28 characters of 15.7 pt fill the line in both.
CONDENSE_TWENTIETHS = -6
CONDENSED_PT = SIZE_3.pt + CONDENSE_TWENTIETHS / 20
LINE = Twips(LINE_PITCH_TWIPS)

# Schema order of the children we add (Word refuses a file whose property children are out of order).
ORDER = {
    "w:pPr": ("w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
              "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens",
              "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
              "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
              "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
              "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"),
    "w:rPr": ("w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike",
              "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid",
              "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz", "w:szCs",
              "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs",
              "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath"),
    "w:tcPr": ("w:cnfStyle", "w:tcW", "w:gridSpan", "w:hMerge", "w:vMerge", "w:tcBorders", "w:shd", "w:noWrap",
               "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark"),
    "w:tblPr": ("w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
                "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders",
                "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook"),
}


def place(parent, child) -> None:
    """Insert child among parent's children in schema order."""
    order = ORDER[tag_name_of(parent)]
    rank = order.index(tag_name_of(child))
    for sibling in parent:
        name = tag_name_of(sibling)
        if name in order and order.index(name) > rank:
            sibling.addprevious(child)
            return
    parent.append(child)


def char_twips(chars: float, size_pt: float = CHAR_PITCH_PT) -> int:
    return round(chars * size_pt * 20)


_RUN_PROPERTIES: dict[tuple, Any] = {}
_PARAGRAPH_PROPERTIES: dict[tuple, Any] = {}


def set_fonts(run, name: str, size: Pt, bold: bool = False, color: RGBColor | None = None,
              latin: str | None = None) -> None:
    """Give a run its font on every script slot, the east-Asian one included (w:eastAsia).

    A run without properties yet gets a copy of the w:rPr built once per combination (python-docx
    builds one element at a time, a third of a document's layout time); the XML is the same.
    """
    if not isinstance(run, Run) or run._element.rPr is not None:       # a style, or a run already styled
        _set_fonts(run, name, size, bold, color, latin)
        return
    key = (name, int(size), bold, str(color), latin)
    proto = _RUN_PROPERTIES.get(key)
    if proto is None:
        scratch = Run(OxmlElement("w:r"), None)
        _set_fonts(scratch, name, size, bold, color, latin)
        proto = _RUN_PROPERTIES[key] = scratch._element.rPr
    run._element.insert(0, copy.deepcopy(proto))


def _set_fonts(run, name: str, size: Pt, bold: bool, color: RGBColor | None, latin: str | None) -> None:
    run.font.name = latin or name
    run.font.size = size
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:cs"), name)
    fonts.set(qn("w:hint"), "eastAsia")
    if size == SIZE_3:
        condense(run)


def scale_run(run, percent: int) -> None:
    """Compress a run horizontally (character scaling), used when a long issuer heading exceeds the type width."""
    width = OxmlElement("w:w")
    width.set(qn("w:val"), str(percent))
    place(run._element.get_or_add_rPr(), width)


def exact_spacing(paragraph, line: Pt | Twips = LINE, before: float = 0, after: float = 0) -> None:
    """Exact line spacing and space before/after; a new paragraph gets a copy of a w:pPr built once."""
    if not isinstance(paragraph, Paragraph) or paragraph._p.pPr is not None:
        _exact_spacing(paragraph, line, before, after)
        return
    key = (int(line), before, after)
    proto = _PARAGRAPH_PROPERTIES.get(key)
    if proto is None:
        scratch = Paragraph(OxmlElement("w:p"), None)
        _exact_spacing(scratch, line, before, after)
        proto = _PARAGRAPH_PROPERTIES[key] = scratch._p.pPr
    paragraph._p.insert(0, copy.deepcopy(proto))


def _exact_spacing(paragraph, line: Pt | Twips, before: float, after: float) -> None:
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = line
    fmt.space_before = Twips(round(before)) if before else Pt(0)
    fmt.space_after = Twips(round(after)) if after else Pt(0)


def no_grid_snap(paragraph) -> None:
    """Keep a paragraph (or a paragraph style) off the character grid: w:snapToGrid w:val="0"."""
    pPr = (paragraph._p if hasattr(paragraph, "_p") else paragraph.element).get_or_add_pPr()
    if pPr.find(qn("w:snapToGrid")) is None:
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")
        place(pPr, snap)


def indent(paragraph, first_line: float | None = None, left: float | None = None, right: float | None = None,
           hanging: float | None = None, size_pt: float = CHAR_PITCH_PT) -> None:
    """Indent in character units (w:firstLineChars="200" = 2 characters), with twips for readers without them."""
    pPr = paragraph._p.get_or_add_pPr()
    ind = pPr.get_or_add_ind()
    for attr, chars in (("firstLine", first_line), ("left", left), ("right", right), ("hanging", hanging)):
        if chars is not None:
            ind.set(qn(f"w:{attr}Chars"), str(round(chars * 100)))
            ind.set(qn(f"w:{attr}"), str(char_twips(chars, size_pt)))


def border(element_pr, side: str, size_eighths: int, color: str = "000000", space_pt: int = 0,
           style: str = "single") -> None:
    """Add a border on one side of a paragraph (w:pBdr) or cell (w:tcBorders) / table (w:tblBorders)."""
    tag = {"w:pPr": "w:pBdr", "w:tcPr": "w:tcBorders", "w:tblPr": "w:tblBorders"}[tag_name_of(element_pr)]
    box = element_pr.find(qn(tag))
    if box is None:
        box = OxmlElement(tag)
        place(element_pr, box)
    line = OxmlElement(f"w:{side}")
    line.set(qn("w:val"), style)
    line.set(qn("w:sz"), str(size_eighths))
    line.set(qn("w:space"), str(space_pt))
    line.set(qn("w:color"), color)
    box.append(line)


def tag_name_of(element) -> str:
    return element.tag.replace("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}", "w:")


def page_field(paragraph, font: str, size: Pt) -> None:
    """Append a PAGE field (begin / instruction / separate / result / end) to a paragraph."""
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = paragraph.add_run()
        set_fonts(run, font, size)
        if kind is not None:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._element.append(char)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._element.append(instr)
        else:
            run.text = text


def document_defaults(doc, font: str, size: Pt) -> None:
    """Default run properties: the body font and size, condensed to the grid, Chinese line breaking."""
    rPr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rPr.find(qn("w:rFonts"))
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{slot}"), font)
    for tag in ("w:sz", "w:szCs"):
        rPr.find(qn(tag)).set(qn("w:val"), str(round(size.pt * 2)))
    rPr.find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")


def condense(run) -> None:
    """Condense a run (or a style's run properties) by CONDENSE_TWENTIETHS."""
    rPr = run._element.get_or_add_rPr()
    spacing = rPr.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        place(rPr, spacing)
    spacing.set(qn("w:val"), str(CONDENSE_TWENTIETHS))


def document_grid(section) -> None:
    """22 lines × 28 characters: w:docGrid type linesAndChars with the line and character pitch."""
    sectPr = section._sectPr
    grid = sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sectPr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
    grid.set(qn("w:charSpace"), str(CHAR_SPACE))


def cell_margins_zero(table) -> None:
    tblPr = table._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), "0")
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    place(tblPr, margins)


def float_at_bottom(table, height_twips: int) -> None:
    """Anchor a table of known height so its last line sits on the type area's bottom edge (the end block).

    Horizontally it is placed from the page's edge at the left margin: LibreOffice (7.x) lays a table
    as wide as the type area inline, where it is anchored, unless its position is relative to the page.
    """
    position = OxmlElement("w:tblpPr")
    top = round(TYPE_HEIGHT.pt * 20) - height_twips
    for attr, value in (("leftFromText", "0"), ("rightFromText", "0"), ("vertAnchor", "margin"),
                        ("horzAnchor", "page"), ("tblpX", str(round(MARGINS["left"].twips))),
                        ("tblpY", str(top))):
        position.set(qn(f"w:{attr}"), value)
    place(table._tbl.tblPr, position)


def exact_row_height(row, twips: int) -> None:
    trPr = row._tr.get_or_add_trPr()
    height = OxmlElement("w:trHeight")
    height.set(qn("w:val"), str(twips))
    height.set(qn("w:hRule"), "exact")
    trPr.append(height)


def table_width(table, width_twips: int) -> None:
    tblPr = table._tbl.tblPr
    width = tblPr.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        place(tblPr, width)
    width.set(qn("w:w"), str(width_twips))
    width.set(qn("w:type"), "dxa")


def bookmark(first: Paragraph, last: Paragraph, name: str, ident: int = 1) -> None:
    """Mark the paragraphs first..last with a named bookmark (w:bookmarkStart / w:bookmarkEnd)."""
    start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
    start.set(qn("w:id"), str(ident))
    start.set(qn("w:name"), name)
    end.set(qn("w:id"), str(ident))
    if first._p.pPr is not None:
        first._p.pPr.addnext(start)
    else:
        first._p.insert(0, start)
    last._p.append(end)

