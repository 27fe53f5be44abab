"""OFD (GB/T 33190-2016) from a document's PDF: each page an image, with the page's words as a text layer.

No OFD library on PyPI both installs without further downloads and writes a document from a PDF
offline, so this is a minimal conforming writer: OFD.xml (DocBody, DocInfo, DocRoot), Doc_0/Document.xml
(CommonData with the A4 PageArea, the page list), PublicRes.xml (the fonts the text layer names),
DocumentRes.xml (one PNG per page) and Pages/Page_N/Content.xml (an ImageObject covering the page
and a transparent TextObject per word, at the word's place, so the OFD is searchable and its text
can be read back). The page images are rendered by pdftoppm, the words located by pdftotext -bbox.
"""

import datetime as dt
import hashlib
import io
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from quorum.core.errors import InvalidInput
from quorum.documents.pdf import to_png
from quorum.documents.typesetting import FANGSONG

NS = "http://www.ofdspec.org/2016"
PT_MM = 25.4 / 72
TEXT_FONT = FANGSONG                 # the font the text layer names
DPI = 150
ET.register_namespace("ofd", NS)


@dataclass(frozen=True)
class Word:
    """One word of a page, its box in mm from the page's top left."""

    text: str
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class SourcePage:
    width: float
    height: float
    png: bytes
    words: tuple[Word, ...]


def from_pdf(pdf: bytes, title: str, created: dt.datetime | None = None, timeout: int = 120) -> bytes:
    """Return the bytes of an OFD package holding every page of the PDF."""
    pages = read_pdf(pdf, timeout)
    if not pages:
        raise InvalidInput.because("rendering.ofd_no_pages")
    return package(pages, title, created or dt.datetime.now(dt.UTC), hashlib.sha256(pdf).hexdigest()[:32])


def read_pdf(pdf: bytes, timeout: int = 120) -> list[SourcePage]:
    """The page images and located words of a PDF."""
    tool = shutil.which("pdftotext")
    if tool is None:
        raise InvalidInput.because("rendering.no_pdftotext")
    with tempfile.TemporaryDirectory(prefix="quorum-ofd-") as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        try:
            html = subprocess.run([tool, "-bbox", str(source), "-"], check=True, capture_output=True,
                                  timeout=timeout).stdout
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise InvalidInput.because("rendering.ofd_text_failed", error=exc) from None
        images = to_png(pdf, Path(tmp) / "png", "page", dpi=DPI, timeout=timeout)
        boxes = _boxes(html)
        return [SourcePage(w, h, image.read_bytes(), words) for (w, h, words), image in zip(boxes, images, strict=True)]


def _boxes(html: bytes) -> list[tuple[float, float, tuple[Word, ...]]]:
    """(width, height, words) of each page of pdftotext -bbox's XHTML, in mm."""
    root = ET.fromstring(html)
    pages = []
    for page in root.iter("{http://www.w3.org/1999/xhtml}page"):
        words = tuple(Word(w.text or "", float(w.get("xMin")) * PT_MM, float(w.get("yMin")) * PT_MM,
                           (float(w.get("xMax")) - float(w.get("xMin"))) * PT_MM,
                           (float(w.get("yMax")) - float(w.get("yMin"))) * PT_MM)
                      for w in page.iter("{http://www.w3.org/1999/xhtml}word") if (w.text or "").strip())
        pages.append((float(page.get("width")) * PT_MM, float(page.get("height")) * PT_MM, words))
    return pages


def _xml(tag: str, children=(), text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.Element(f"{{{NS}}}{tag}", {k: v for k, v in attrs.items() if v is not None})
    element.text = text
    element.extend(children)
    return element


def _bytes(element: ET.Element) -> bytes:
    return ET.tostring(element, encoding="UTF-8", xml_declaration=True)


def _num(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


class _Ids:
    """The document's object IDs, unique across the package (MaxUnitID is the last one given)."""

    def __init__(self) -> None:
        self.last = 0

    def next(self) -> str:
        self.last += 1
        return str(self.last)


def package(pages: list[SourcePage], title: str, created: dt.datetime, doc_id: str) -> bytes:
    """Zip the OFD parts for already-read pages."""
    ids = _Ids()
    font = ids.next()
    media = [ids.next() for _ in pages]
    contents = [_content(page, ids, font, image) for page, image in zip(pages, media, strict=True)]
    page_ids = [ids.next() for _ in pages]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("OFD.xml", _bytes(_root(title, created, doc_id)))
        archive.writestr("Doc_0/Document.xml", _bytes(_document(pages[0], page_ids, ids.last)))
        archive.writestr("Doc_0/PublicRes.xml", _bytes(_xml("Res", [_xml("Fonts", [
            _xml("Font", ID=font, FontName=TEXT_FONT, FamilyName=TEXT_FONT)])], BaseLoc="Res")))
        archive.writestr("Doc_0/DocumentRes.xml", _bytes(_xml("Res", [_xml("MultiMedias", [
            _xml("MultiMedia", [_xml("MediaFile", text=f"page_{n}.png")], ID=m, Type="Image", Format="PNG")
            for n, m in enumerate(media)])], BaseLoc="Res")))
        for n, (page, content) in enumerate(zip(pages, contents, strict=True)):
            archive.writestr(f"Doc_0/Res/page_{n}.png", page.png)
            archive.writestr(f"Doc_0/Pages/Page_{n}/Content.xml", _bytes(content))
    return out.getvalue()


def _root(title: str, created: dt.datetime, doc_id: str) -> ET.Element:
    info = _xml("DocInfo", [_xml("DocID", text=doc_id), _xml("Title", text=title),
                            _xml("CreationDate", text=created.date().isoformat()), _xml("Creator", text="Quorum")])
    body = _xml("DocBody", [info, _xml("DocRoot", text="Doc_0/Document.xml")])
    return _xml("OFD", [body], Version="1.0", DocType="OFD")


def _document(first: SourcePage, page_ids: list[str], max_id: int) -> ET.Element:
    area = _xml("PageArea", [_xml("PhysicalBox", text=f"0 0 {_num(first.width)} {_num(first.height)}")])
    common = _xml("CommonData", [_xml("MaxUnitID", text=str(max_id)), area, _xml("PublicRes", text="PublicRes.xml"),
                                 _xml("DocumentRes", text="DocumentRes.xml")])
    pages = _xml("Pages", [_xml("Page", ID=ident, BaseLoc=f"Pages/Page_{n}/Content.xml")
                           for n, ident in enumerate(page_ids)])
    return _xml("Document", [common, pages])


def _content(page: SourcePage, ids: _Ids, font: str, image: str) -> ET.Element:
    """A page: its image over the whole page, then each word as transparent text in its box."""
    box = f"0 0 {_num(page.width)} {_num(page.height)}"
    layer = [_xml("ImageObject", ID=ids.next(), Boundary=box, ResourceID=image,
                  CTM=f"{_num(page.width)} 0 0 {_num(page.height)} 0 0")]
    for word in page.words:
        size = word.height * 0.8
        step = word.width / max(len(word.text), 1)
        code = _xml("TextCode", text=word.text, X="0", Y=_num(size),
                    DeltaX=" ".join([_num(step)] * (len(word.text) - 1)) or None)
        layer.append(_xml("TextObject", [code], ID=ids.next(), Font=font, Size=_num(size), Alpha="0",
                          Boundary=f"{_num(word.x)} {_num(word.y)} {_num(word.width)} {_num(word.height)}"))
    return _xml("Page", [_xml("Content", [_xml("Layer", layer, ID=ids.next())])])
