"""The standard faces in a .docx's font table, with the names they go by elsewhere."""

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from lxml import etree

from quorum.documents.typesetting import FANGSONG, HEITI, KAITI, SONGTI, XIAOBIAOSONG

# Each standard face with the name it goes by on systems without the GB2312 editions (Windows' 仿宋 is
# FangSong, 楷体 KaiTi), written to the font table as w:altName for a word processor's substitution
ALT_NAMES = {FANGSONG: "FangSong", KAITI: "KaiTi", XIAOBIAOSONG: "FZXiaoBiaoSong-B05S", HEITI: "SimHei",
             SONGTI: "SimSun"}


def font_table(doc) -> None:
    """Declare the standard faces in the font table: GB2312 character set, fixed pitch, an alternative name."""
    part = next(rel.target_part for rel in doc.part.rels.values() if rel.reltype == RT.FONT_TABLE)
    fonts = parse_xml(part.blob)
    for name, alternative in ALT_NAMES.items():
        font = OxmlElement("w:font")
        font.set(qn("w:name"), name)
        for tag, value in (("w:altName", alternative), ("w:charset", "86"), ("w:family", "modern"),
                           ("w:pitch", "fixed")):
            child = OxmlElement(tag)
            child.set(qn("w:val"), value)
            font.append(child)
        fonts.append(font)
    part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)
