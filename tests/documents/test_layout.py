"""Every kind, reopened from its frozen .docx: GB/T 9704 page, grid, fonts, 版头, 发文字号, 成文日期, 版记, 页码.

The fonts are not installed on this machine; the file must still name them (edge case 38), so the
assertions read the XML, not a rendering.
"""

import io
import re

import docx
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt

from quorum.services import documents

KINDS = ("agenda_form", "meeting_notice", "minutes", "decision", "notice", "request", "reply",
         "consultation_letter", "publicity_notice", "appointment_notice", "filing_report", "supervision_sheet")
NUMBER = re.compile(r"^\S+〔2026〕[1-9]\d*号$")
DATE = re.compile(r"^\d{4}年[1-9]\d?月[1-9]\d?日$")


def mm(length) -> float:
    return round(Length(length).mm, 1)


def reopen(community, denv, document_id):
    with community.sessions.begin() as s:
        doc = documents.get(s, document_id)
        data = documents.read_file(denv, doc)
        return docx.Document(io.BytesIO(data)), doc.doc_number, doc.kind


def fonts_of(run):
    rfonts = run._element.rPr.rFonts
    return rfonts.get(qn("w:eastAsia")), rfonts.get(qn("w:ascii")), run.font.size


def runs(d):
    for p in d.paragraphs:
        yield from ((p, r) for r in p.runs if r.text.strip())


def bottom_border(p):
    pbdr = p._p.pPr.find(qn("w:pBdr")) if p._p.pPr is not None else None
    return None if pbdr is None else pbdr.find(qn("w:bottom"))


def test_every_kind_keeps_the_page_grid_and_fonts(world, community, denv):
    for kind in KINDS:
        check_page(*reopen(community, denv, world["kinds"][kind]))


def check_page(d, number, kind):
    section = d.sections[0]
    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert tuple(map(mm, (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin))) == (
        37, 35, 28, 26)
    assert mm(section.page_width - section.left_margin - section.right_margin) == 156
    assert mm(section.page_height - section.top_margin - section.bottom_margin) == 225
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars" and grid.get(qn("w:linePitch")) == "579"
    line = d.styles["Normal"].paragraph_format.line_spacing
    assert line == Pt(28.95) and int(Mm(225).pt // line.pt) == 22
    pitch = 16 + int(grid.get(qn("w:charSpace"))) / 4096
    assert int(Mm(156).pt // pitch) == 28                             # the grid's character pitch
    body_runs = [r for p, r in runs(d) if r.font.size == Pt(16)]
    condensed = {r._element.rPr.find(qn("w:spacing")).get(qn("w:val")) for r in body_runs}
    assert len(condensed) == 1 and int(Mm(156).pt // (16 + int(condensed.pop()) / 20)) == 28   # 28 per line
    east_asian = {fonts_of(r)[0] for r in body_runs}
    assert "仿宋_GB2312" in east_asian and east_asian <= {"仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体"}
    title = next(p for p in d.paragraphs if p.runs and fonts_of(p.runs[0])[2] == Pt(22))
    assert fonts_of(title.runs[0])[:2] == ("方正小标宋简体", "方正小标宋简体") and title.alignment == 1
    assert d.settings.odd_and_even_pages_header_footer
    for footer, align in ((section.footer, 2), (section.even_page_footer, 0)):
        p = footer.paragraphs[0]
        assert p.alignment == align
        assert "".join(r.text for r in p.runs) == "—  1 —".replace("  ", " ") and "PAGE" in p._p.xml
        assert {fonts_of(r)[0] for r in p.runs} == {"宋体"} and {r.font.size for r in p.runs} == {Pt(14)}
        ind = p._p.pPr.find(qn("w:ind"))
        assert ind.get(qn("w:rightChars" if align == 2 else "w:leftChars")) == "100"


def test_red_heading_and_separator(world, community, denv):
    for kind in KINDS:
        if kind not in ("agenda_form", "supervision_sheet"):
            check_heading(*reopen(community, denv, world["kinds"][kind]))


def check_heading(d, number, kind):
    heading = next(p for p in d.paragraphs if p.runs and p.runs[0].font.color.rgb is not None)
    run = heading.runs[0]
    assert str(run.font.color.rgb) == "FF0000" and fonts_of(run)[0] == "方正小标宋简体" and heading.alignment == 1
    xml = d.element.body.xml
    red_lines = re.findall(r'<w:(?:bottom) w:val="(\w+)" w:sz="\d+" w:space="(\d+)" w:color="FF0000"', xml)
    assert red_lines, "no red separator"
    if kind == "minutes":
        # each body's 纪要 is a series of its own (乌兰社区中心班子会议纪要〔2026〕第1期); the page prints
        # 〔2026〕第1期 under the heading that names the body
        series = re.fullmatch(r"(\S+纪要)〔2026〕第[1-9]\d*期", number)
        assert series and heading.runs[0].text.endswith("纪要"), number
        assert any(number[len(series.group(1)):] in p.text for p in d.paragraphs), number
        return
    assert NUMBER.match(number), number
    number_para = next(p for p in d.paragraphs if number in p.text)
    if kind in ("request", "filing_report"):                   # upward: flush left (one char in), 签发人 right
        assert number_para.text.startswith(number) and "签发人：" in number_para.text
        assert number_para._p.pPr.find(qn("w:ind")).get(qn("w:leftChars")) == "100"
        assert fonts_of(number_para.runs[-1])[0] == "楷体_GB2312"
    elif kind == "consultation_letter":
        assert number_para.alignment == 2
    elif "★" not in xml:
        assert number_para.alignment == 1 and bottom_border(number_para).get(qn("w:color")) == "FF0000"
        assert bottom_border(number_para).get(qn("w:space")) == "11"   # 4 mm below the number


def test_party_minutes_carry_the_red_star(world, community, denv):
    d, number, _ = reopen(community, denv, world["party_minutes"])
    heading = next(p for p in d.paragraphs if p.runs and p.runs[0].font.color.rgb is not None)
    assert heading.text == "医共体党委会议纪要" and re.fullmatch(r"党委会议纪要〔2026〕第[1-9]\d*期", number)
    star = next(c for t in d.tables for row in t.rows for c in row.cells if c.text == "★")
    assert str(star.paragraphs[0].runs[0].font.color.rgb) == "FF0000"


def test_date_in_arabic_numerals_four_characters_from_the_right(world, community, denv):
    for kind in KINDS:
        if kind == "minutes":
            continue
        d, _number, _ = reopen(community, denv, world["kinds"][kind])
        dated = [p for p in d.paragraphs if DATE.match(p.text.strip())]
        assert dated, f"no 成文日期 in {kind}"
        p = dated[-1]
        assert p.alignment == 2 and p._p.pPr.find(qn("w:ind")).get(qn("w:rightChars")) == "400"
        with community.sessions.begin() as s:
            day = documents.get(s, world["kinds"][kind]).doc_date
        assert p.text == f"{day.year}年{day.month}月{day.day}日"


def test_end_block_between_thick_and_thin_black_lines(world, community, denv):
    d, _number, _ = reopen(community, denv, world["kinds"]["minutes"])
    table = d.tables[-1]
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    sizes = {side: borders.find(qn(f"w:{side}")).get(qn("w:sz")) for side in ("top", "bottom", "insideH")}
    assert sizes == {"top": "8", "bottom": "8", "insideH": "6"}       # 0.35 mm / 0.35 mm / 0.25 mm
    cells = [row.cells[0].text for row in table.rows]
    assert cells[0].startswith("分送：") and cells[0].endswith("。")
    assert re.fullmatch(r"二连浩特市总医院党政办公室\t\d{4}年[1-9]\d?月[1-9]\d?日印发", cells[-1])
    assert {fonts_of(r)[2] for row in table.rows for r in row.cells[0].paragraphs[0].runs} == {Pt(14)}
    assert table._tbl.tblPr.find(qn("w:tblpPr")).get(qn("w:vertAnchor")) == "margin"


def test_request_goes_to_the_approving_bureaus_with_signer_and_contact_note(world, community, denv):
    d, number, _ = reopen(community, denv, world["kinds"]["request"])
    texts = [p.text for p in d.paragraphs]             # drafted for the 会签 of the three bureaus: 主送 all three
    assert texts.count("二连浩特市卫生健康委员会、二连浩特市人力资源和社会保障局、二连浩特市财政局：") == 1
    assert any(re.fullmatch(r"（联系人：\S+，电话：[\d-]+）", t) for t in texts)
    assert "妥否，请批示。" in texts


def test_reply_cites_the_request_title_and_number(world, community, denv):
    with community.sessions.begin() as s:
        request = documents.get(s, documents.get(s, world["kinds"]["reply"]).request_id)
        title, number = request.title, request.doc_number
    d, _n, _ = reopen(community, denv, world["kinds"]["reply"])
    assert f"你单位《{title}》（{number}）收悉。经研究，批复如下：" in [p.text for p in d.paragraphs]


def test_headings_take_their_level_fonts(world, community, denv):
    d, _n, _ = reopen(community, denv, world["kinds"]["meeting_notice"])
    level1 = next(p for p in d.paragraphs if p.text.startswith("一、"))
    level2 = next(p for p in d.paragraphs if p.text.startswith("（一）"))
    assert fonts_of(level1.runs[0])[0] == "黑体" and fonts_of(level2.runs[0])[0] == "楷体_GB2312"
    assert level1._p.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"
