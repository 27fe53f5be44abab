"""Convert .docx bytes to PDF with LibreOffice headless, and PDF pages to PNG with pdftoppm.

Each conversion runs soffice with its own throw-away user profile (-env:UserInstallation), so
parallel conversions (tests, several scheduler workers) never share or lock a profile, and with
a timeout, so a hung office process cannot hold a worker forever. Each also sees the fontconfig
aliases of quorum/documents/fontconfig (FangSong/Kaiti/Heiti/Xiaobiaosong → installed CJK faces) through
a private FONTCONFIG_FILE that includes the system configuration first, so nothing is written to /etc.
"""

import copy
import io
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

import docx
from docx.enum.section import WD_HEADER_FOOTER
from docx.enum.text import WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from quorum.core.errors import InvalidInput
from quorum.core.messages import message

DEFAULT_TIMEOUT = 180
ALIASES = Path(__file__).resolve().parent / "fontconfig" / "60-quorum-cjk.conf"      # shipped in the wheel
SYSTEM_FONTS = Path("/etc/fonts/fonts.conf")
# the 印发 line of a 版记: a date of digits and three separators, then the printed_on wording
PRINTED_LINE = re.compile(r"\d{4}\D\d{1,2}\D\d{1,2}\D" + re.escape(message("document.printed_on", date="")))


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        raise InvalidInput.because("document.no_soffice")
    return found


def font_environment(work: Path, aliases: Path = ALIASES) -> dict[str, str]:
    """The environment of a conversion: the process's own, with a FONTCONFIG_FILE adding the CJK aliases."""
    environ = dict(os.environ)
    if not aliases.is_file():
        return environ
    system = os.environ.get("FONTCONFIG_FILE") or str(SYSTEM_FONTS)
    config = work / "fonts.conf"
    config.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
                      f'<fontconfig><include ignore_missing="yes">{system}</include>'
                      f"<include>{aliases}</include></fontconfig>\n", encoding="utf-8")
    environ["FONTCONFIG_FILE"] = str(config)
    return environ


def to_pdf_many(files: Mapping[str, bytes], timeout: int = DEFAULT_TIMEOUT) -> dict[str, bytes]:
    """Convert several .docx files; keys are file stems, values their PDF bytes.

    GB/T 9704 §7.4 puts the end block on an even page: a document whose end block lands on an odd last page
    is converted again with its end block moved to the next page (the back of the sheet), or, when the body
    already ended on the page before, two pages on (a blank page before the end block's page).
    """
    out = _convert(files, timeout)
    for pages in (1, 2):
        odd = {stem: end_block_on_new_page(files[stem], pages) for stem, pdf in out.items()
               if _end_block_on_odd_page(pdf)}
        if not odd:
            break
        out.update(_convert(odd, timeout))
    return out


def end_block_on_new_page(docx_bytes: bytes, pages: int = 1) -> bytes:
    """The document with its end block (anchored to the last paragraph) moved on by one or two pages."""
    document = docx.Document(io.BytesIO(docx_bytes))
    if pages == 2:
        _unnumbered_last_pages(document)
    document.paragraphs[-1].paragraph_format.page_break_before = True
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _unnumbered_last_pages(document) -> None:
    """End the body's section before the end block: the blank page and the end block's page after it carry no number.

    GB/T 9704 §7.5: a blank page before the end block's page and that page itself are not numbered.
    """
    end, blank = OxmlElement("w:p"), OxmlElement("w:p")   # the body's section ends; the blank page begins
    document.tables[-1]._tbl.addprevious(end)
    document.tables[-1]._tbl.addprevious(blank)
    closing = Paragraph(end, document._body)
    closing.paragraph_format.line_spacing = Pt(1)         # the section's last paragraph takes no room
    closing.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    end.get_or_add_pPr().append(copy.deepcopy(document.sections[-1]._sectPr))
    last = document.sections[-1]._sectPr
    for kind in (WD_HEADER_FOOTER.PRIMARY, WD_HEADER_FOOTER.EVEN_PAGE):   # empty footers of its own
        last.remove_footerReference(kind)
        last.add_footerReference(kind, document.part.add_footer_part()[1])


def _end_block_on_odd_page(pdf: bytes, timeout: int = 60) -> bool:
    """Whether the last page is odd and carries the printing line of an end block."""
    tool = shutil.which("pdftotext")
    if tool is None:
        return False
    text = subprocess.run([tool, "-", "-"], input=pdf, capture_output=True, timeout=timeout, check=False).stdout
    pages = text.decode("utf-8", "replace").rstrip("\f").split("\f")
    return len(pages) % 2 == 1 and PRINTED_LINE.search(re.sub(r"\s", "", pages[-1])) is not None


def _convert(files: Mapping[str, bytes], timeout: int) -> dict[str, bytes]:
    """Convert several .docx files in one LibreOffice run."""
    with tempfile.TemporaryDirectory(prefix="quorum-pdf-") as tmp:
        work = Path(tmp)
        sources = []
        for stem, data in files.items():
            path = work / f"{stem}.docx"
            path.write_bytes(data)
            sources.append(str(path))
        profile = (work / "profile").as_uri()
        command = [soffice(), f"-env:UserInstallation={profile}", "--headless", "--norestore",
                   "--convert-to", "pdf", "--outdir", str(work / "out"), *sources]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False,
                                    env=font_environment(work))
        except subprocess.TimeoutExpired:
            raise InvalidInput.because("document.pdf_timeout", timeout=timeout) from None
        out = {}
        for stem in files:
            pdf = work / "out" / f"{stem}.pdf"
            if not pdf.exists():
                detail = (result.stderr or result.stdout).strip()[-300:]
                raise InvalidInput.because("document.pdf_failed", stem=stem,
                                           detail=detail or message("document.pdf_no_output"))
            out[stem] = pdf.read_bytes()
        return out


def to_pdf(docx: bytes, timeout: int = DEFAULT_TIMEOUT) -> bytes:
    return to_pdf_many({"document": docx}, timeout)["document"]


def to_png(pdf: bytes, out_dir: Path, stem: str, dpi: int = 80, timeout: int = 120) -> list[Path]:
    """Render every page of a PDF as out_dir/stem-N.png; return the files in page order."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise InvalidInput.because("document.no_pdftoppm")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob(f"{stem}-*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="quorum-png-") as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        try:
            subprocess.run([tool, "-png", "-r", str(dpi), str(source), str(out_dir / stem)], check=True,
                           capture_output=True, timeout=timeout)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise InvalidInput.because("document.png_failed", error=exc) from None
    return sorted(out_dir.glob(f"{stem}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
