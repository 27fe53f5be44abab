"""The demo's documents as a clerk checks them against GB/T 9704-2012, in the PDF LibreOffice prints and
in the .docx: 版头 naming the series's organ, 发文字号, the standard faces named and a CJK serif printed,
A4 with 37/35/28/26 mm margins, 「— N —」 on every page, the 版记 on the last page's foot; the title
broken between words, the 印章's place left free above the 成文日期, a 公示 window that holds what it
says; and the OFD (GB/T 33190) stored beside the PDF, read back."""

import hashlib
import io
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path
from xml.etree import ElementTree as ET

import docx
from docx.oxml.ns import qn
from sqlalchemy import select

from quorum.core.messages import message
from quorum.db import AuditEvent, Document
from quorum.documents import Page, gbt9704, render_docx
from quorum.documents.pdf import font_environment, to_pdf
from quorum.documents.titles import title_lines
from quorum.services import documents
from tests.documents.test_layout import KINDS

COMMUNITY = "二连浩特市紧密型医共体"
PARTY = "中共二连浩特市紧密型医共体委员会"
WULAN = "二连浩特市乌兰社区卫生服务中心"        # a member unit issuing its own 班子会 notice, 纪要 and 请示
HEADINGS = {          # the organ each demo document is issued in the name of, as its 版头 prints it
    "agenda_form": "", "supervision_sheet": "", "minutes": "总医院职工代表大会纪要",
    "consultation_letter": COMMUNITY, "meeting_notice": f"{COMMUNITY}文件", "request": f"{COMMUNITY}文件",
    "filing_report": f"{COMMUNITY}文件", "reply": f"{COMMUNITY}文件", "decision": f"{PARTY}文件",
    "notice": f"{PARTY}文件", "publicity_notice": f"{PARTY}文件", "appointment_notice": f"{PARTY}文件",
}
OFD = "{http://www.ofdspec.org/2016}"


def frozen(community, denv, document_id):
    """The .docx, the number as its page prints it (a 纪要's 〔2026〕第1期 under its heading) and the title."""
    with community.sessions.begin() as s:
        doc = documents.get(s, document_id)
        return documents.read_file(denv, doc), (doc.content or {}).get("number") or doc.doc_number or "", doc.title


def test_every_demo_document_passes_the_gbt9704_check(world, community, denv, pdfs):
    files, numbers = {}, {}
    for kind in KINDS:
        files[kind], numbers[kind], _title = frozen(community, denv, world["kinds"][kind])
    printed_pdfs = pdfs(files)
    labels = (message("document.cc_label_default"), "分送")
    for kind in KINDS:
        printed = gbt9704.read_pdf(printed_pdfs[kind])
        expect = gbt9704.Expect(heading=HEADINGS[kind], number=numbers[kind], cc_labels=labels)
        assert [str(f) for f in gbt9704.check(files[kind], printed, expect)] == [], kind
        assert {(round(w), round(h)) for w, h, _words in printed.pages} == {(210, 297)}, kind


def test_the_request_reads_as_a_clerk_expects(world, community, denv, pdfs):
    data, number, title = frozen(community, denv, world["kinds"]["request"])
    d = docx.Document(io.BytesIO(data))
    texts = [p.text for p in d.paragraphs]
    assert texts[:4] == [f"{COMMUNITY}文件", f"{number}\t签发人：额尔敦",
                         "关于二连浩特市紧密型医共体", "2026年度绩效分配的请示"]      # not 「绩效 / 分配」
    assert "".join(texts[2:4]) == title
    printed = gbt9704.read_pdf(pdfs({"request": data})["request"])
    assert any("NotoSerifCJK" in f for f in printed.fonts) and not any("Sans" in f for f in printed.fonts)
    assert_seal_space_is_free(d, printed)


def assert_seal_space_is_free(d, printed):
    """The 署名 and 成文日期 share a page with the body's last line; the two lines above the 署名 hold no text."""
    marks = d.element.body.findall(".//" + qn("w:bookmarkStart"))
    assert [m.get(qn("w:name")) for m in marks] == ["seal"]
    signature = next(p for p in d.paragraphs if p._p.find(qn("w:bookmarkStart")) is not None)
    assert signature.text == COMMUNITY and signature.paragraph_format.space_before.pt >= 2 * 28.9
    page = next(words for _w, _h, words in printed.pages if any(w.text == COMMUNITY for w in words))
    name = next(w for w in page if w.text == COMMUNITY)
    dated = [w for w in page if w.y > name.y and w.text.endswith("日") and w.y - name.y < 12]
    assert dated, "成文日期 not on the 署名's page"
    seal_top = name.y - 2 * 10.2
    centre = name.x + name.width / 2
    inside = [w.text for w in page if seal_top - 1 < w.y < name.y - 1 and abs(w.x + w.width / 2 - centre) < 21]
    assert inside == []
    body_above = [w for w in page if w.y < seal_top - 1]
    assert body_above and name.y - max(w.y for w in body_above) <= 3 * 10.2 + 1     # the seal within a line of the body


def test_the_minutes_end_block_sits_on_the_foot_of_the_last_even_page(world, community, denv, pdfs):
    data, _number, _title = frozen(community, denv, world["party_minutes"])
    printed = gbt9704.read_pdf(pdfs({"minutes": data})["minutes"])
    assert len(printed.pages) % 2 == 0                  # the 版记 on an even page, the back of a sheet
    last = printed.pages[-1][2]
    issued = next(w for w in last if w.text.endswith("日印发"))
    copies = next(w for w in last if w.text.startswith("分送："))
    assert 262 - 10.2 <= issued.y + issued.height <= 262 + 1.5       # the type area ends 35 mm above the edge
    body = [w for w in last if w.y < copies.y - 1]                       # the body may end on the page before
    assert all(w.y + w.height < copies.y for w in body)                   # below the body's last line
    for earlier in printed.pages[:-1]:
        assert not any(w.text.endswith("日印发") for w in earlier[2])


def test_the_publicity_window_holds_the_working_days_it_names(world, community, denv):
    data, _number, _title = frozen(community, denv, world["kinds"]["publicity_notice"])
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    found = re.search(r"公示期：(\d+)年(\d+)月(\d+)日至(\d+)年(\d+)月(\d+)日（(\d+)个工作日）", text)
    assert found, text
    y1, m1, d1, y2, m2, d2, days = map(int, found.groups())
    first, last = date(y1, m1, d1), date(y2, m2, d2)
    calendar = denv.calendar
    assert days == 5 and calendar.is_workday(first) and calendar.is_workday(last)
    assert calendar.working_days_between(first, last) + 1 == days


def test_titles_break_between_words_and_keep_names_whole():
    assert title_lines("关于召开总医院院长办公会议的通知", 20) == ["关于召开总医院院长办公会议的通知"]
    assert title_lines("关于二连浩特市紧密型医共体2026年度绩效分配的请示", 20) == [
        "关于二连浩特市紧密型医共体", "2026年度绩效分配的请示"]
    lines = title_lines(f"{PARTY}关于委派朝鲁门同志任格日勒敖都苏木卫生服务站执行院长的决定", 20)
    assert lines[0] == PARTY and len(lines) == 3 and all(title_lines(line, 20) == [line] for line in lines)
    assert not any(line.startswith("的") for line in lines) and "格日勒敖都" in "".join(lines[1:2])


def test_the_ofd_beside_the_pdf_reads_back(world, community, denv):
    ident = world["kinds"]["request"]
    with community.sessions.begin() as s:
        doc = documents.convert_pdf(s, denv, ident)
        number, title, pdf_path = doc.doc_number, doc.title, doc.pdf_path
    with community.sessions.begin() as s:
        event = s.execute(select(AuditEvent).where(AuditEvent.kind == "document.pdf_converted",
                                                   AuditEvent.subject_id == ident)).scalar_one()
    data = (Path(denv.files_dir) / event.payload["ofd_path"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == event.payload["ofd_sha256"]
    pages = gbt9704.read_pdf((Path(denv.files_dir) / pdf_path).read_bytes()).pages
    archive = zipfile.ZipFile(io.BytesIO(data))
    root = ET.fromstring(archive.read("OFD.xml"))
    assert root.tag == f"{OFD}OFD" and root.get("DocType") == "OFD"
    assert root.findtext(f"{OFD}DocBody/{OFD}DocInfo/{OFD}Title") == title
    document_xml = root.findtext(f"{OFD}DocBody/{OFD}DocRoot")
    document = ET.fromstring(archive.read(document_xml))
    assert document.findtext(f"{OFD}CommonData/{OFD}PageArea/{OFD}PhysicalBox").split()[2:] == ["210.01", "297"]
    folder = document_xml.rsplit("/", 1)[0]
    page_files = [f"{folder}/{p.get('BaseLoc')}" for p in document.iter(f"{OFD}Page")]
    assert len(page_files) == len(pages) == 2
    text = "".join(code.text or "" for name in page_files
                   for code in ET.fromstring(archive.read(name)).iter(f"{OFD}TextCode"))
    assert number in text and "关于二连浩特市紧密型医共体" in text and "妥否，请批示。" in text
    images = [ET.fromstring(archive.read(name)).find(f".//{OFD}ImageObject") for name in page_files]
    media = ET.fromstring(archive.read(f"{folder}/DocumentRes.xml"))
    files = {m.get("ID"): m.findtext(f"{OFD}MediaFile") for m in media.iter(f"{OFD}MultiMedia")}
    for image in images:
        assert archive.read(f"{folder}/Res/{files[image.get('ResourceID')]}").startswith(b"\x89PNG")


def test_the_check_finds_what_a_clerk_would_refuse(tmp_path):
    page = Page(layout="standard", title="关于开展医疗质量安全专项检查的通知", heading=f"{COMMUNITY}文件",
                number="二医共发〔2026〕12号", addressees=("各成员单位",), body="请各成员单位于11月30日前完成自查。",
                signature=COMMUNITY, date=date(2026, 11, 2), cc=("二连浩特市卫生健康委员会",),
                printer="二连浩特市总医院党政办公室", print_date=date(2026, 11, 2))
    good = render_docx(page)
    printed = gbt9704.read_pdf(to_pdf(good))
    expect = gbt9704.Expect(heading=f"{COMMUNITY}文件", number="二医共发〔2026〕12号", cc_labels=("抄送",))
    assert gbt9704.check(good, printed, expect) == []
    wrong = replace(expect, heading="二连浩特市总医院文件")
    assert [f.key for f in gbt9704.check(good, printed, wrong)] == ["heading"]
    narrow = docx.Document(io.BytesIO(good))
    narrow.sections[0].left_margin = narrow.sections[0].right_margin
    out = io.BytesIO()
    narrow.save(out)
    assert [str(f) for f in gbt9704.check_page_setup(docx.Document(io.BytesIO(out.getvalue())))] == [
        "页边距（left）应为 28.0 毫米，实为 26.0 毫米"]
    last = printed.pages[-1]
    risen = [replace(w, y=w.y - 100) if w.text.endswith("印发") else w for w in last[2]]
    moved = replace(printed, pages=[*printed.pages[:-1], (last[0], last[1], tuple(risen))])
    assert [f.key for f in gbt9704.check_end_block(moved, expect)] == ["end_block_not_at_foot"]
    sans = replace(printed, fonts=("AAAAAA+NotoSansCJKsc-Regular",))
    assert [f.key for f in gbt9704.check_printed_fonts(docx.Document(io.BytesIO(good)), sans)] == [
        "no_serif", "sans_body"]


def test_the_docx_names_the_standard_faces_and_their_alternatives(world, community, denv):
    data, _number, _title = frozen(community, denv, world["kinds"]["meeting_notice"])
    d = docx.Document(io.BytesIO(data))
    assert gbt9704.check_fonts_named(d) == []
    table = next(rel.target_part for rel in d.part.rels.values() if rel.reltype.endswith("/fontTable"))
    fonts = ET.fromstring(table.blob)
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    alternatives = {f.get(f"{w}name"): f.find(f"{w}altName").get(f"{w}val") for f in fonts.iter(f"{w}font")
                    if f.find(f"{w}altName") is not None}
    assert alternatives == {"仿宋_GB2312": "FangSong", "楷体_GB2312": "KaiTi", "方正小标宋简体": "FZXiaoBiaoSong-B05S",
                            "黑体": "SimHei", "宋体": "SimSun"}


def test_the_fontconfig_aliases_give_each_standard_face_an_installed_cjk_face(tmp_path):
    assert shutil.which("fc-match")
    environ = font_environment(tmp_path)
    assert Path(environ["FONTCONFIG_FILE"]).read_text(encoding="utf-8").count("60-quorum-cjk.conf") == 1

    def matched(face):
        return subprocess.run(["fc-match", "-f", "%{family[0]}|%{style[0]}", face.replace("-", "\\-")], env=environ,
                              capture_output=True, text=True, check=True).stdout

    assert matched("仿宋_GB2312") == matched("FangSong") == "Noto Serif CJK SC|Regular"
    assert matched("方正小标宋简体") == "Noto Serif CJK SC|Bold"
    assert matched("黑体") == "Noto Sans CJK SC|Regular"
    assert matched("楷体_GB2312") in ("AR PL UKai CN|Book", "Noto Serif CJK SC|Regular")   # fonts-arphic-ukai if installed


def test_every_minutes_ends_on_an_even_page_with_blank_and_end_pages_unnumbered(world, community, denv, pdfs):
    with community.sessions.begin() as s:
        rows = s.execute(select(Document.id, Document.doc_number).where(
            Document.kind == "minutes", Document.status == "frozen").order_by(Document.id)).all()
    files = {str(ident): frozen(community, denv, ident)[0] for ident, _number in rows}
    printed_pdfs = pdfs(files)
    shapes = []
    for ident, _stored in rows:
        number = frozen(community, denv, ident)[1]          # 〔2026〕第1期 as printed under the body's heading
        printed = gbt9704.read_pdf(printed_pdfs[str(ident)])
        expect = gbt9704.Expect(heading="", number=number, cc_labels=("分送",))
        assert [str(f) for f in gbt9704.check(files[str(ident)], printed, expect)] == [], ident
        pages = [page_words for _w, _h, page_words in printed.pages]
        shapes.append((len(pages), not pages[-2]))
    assert {count % 2 for count, _blank in shapes} == {0}
    assert (4, True) in shapes and (4, False) in shapes, shapes   # a blank page before the 版记页, and none
