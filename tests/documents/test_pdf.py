"""LibreOffice (Debian's libreoffice-writer-nogui with fonts-noto-cjk) opens every kind and converts it to an
A4 PDF; the text a reader sees keeps the 发文字号 and the page number."""

import re
import shutil
import subprocess

from quorum.services import documents
from tests.documents.test_layout import KINDS


def test_libreoffice_converts_every_kind(world, community, denv, tmp_path, pdfs):
    assert shutil.which("soffice") and shutil.which("pdfinfo") and shutil.which("pdftotext")
    files, numbers = {}, {}
    with community.sessions.begin() as s:
        for kind in KINDS:
            doc = documents.get(s, world["kinds"][kind])
            files[kind], numbers[kind] = documents.read_file(denv, doc), (doc.content or {}).get("number")
    printed = pdfs(files)
    assert set(printed) == set(KINDS)
    for kind, pdf in printed.items():
        path = tmp_path / f"{kind}.pdf"
        path.write_bytes(pdf)
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        assert re.search(r"Page size: +595\.\d+ x 841\.\d+ pts \(A4\)", info), (kind, info)
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
        if numbers[kind]:
            assert numbers[kind] in text.replace(" ", ""), kind
        assert "—1—" in text.replace(" ", ""), kind
