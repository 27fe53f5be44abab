"""The document commands as an operator runs them: the demo leaves frozen .docx files, `document` lists and
signs, `dossier` exports the record with every file and hash, `document preview` renders PNG pages."""

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest

from tests.cli.support import Cli


@pytest.mark.cli_process
def test_demo_documents_dossier_and_preview(tmp_path):
    cli = Cli(tmp_path / "data", process=True)
    assert cli.run("demo").returncode == 0
    frozen = sorted((tmp_path / "data" / "files" / "documents").glob("*.docx"))
    assert len(frozen) >= 6
    listed = json.loads(cli.run("document", "list", "--json").stdout)
    assert {"minutes", "meeting_notice", "supervision_sheet", "agenda_form"} <= {r["kind"] for r in listed}
    draft = next(r for r in listed if r["status"] == "draft" or r["kind"] == "minutes")
    refused = cli.run("document", "edit", str(next(r["id"] for r in listed if r["status"] == "frozen")),
                      "--title", "改", "--as", "gaowenjing")
    assert refused.returncode == 2 and "已签发" in refused.stderr and "document_frozen" not in refused.stderr
    two = cli.run("document", "new", "--kind", "request", "--matter", "1", "--matter", "1", "--matter", "2",
                  "--as", "gaowenjing")
    assert two.returncode == 2 and "一文一事" in two.stderr
    assert draft["id"]

    out = tmp_path / "dossier.zip"
    done = cli.run("dossier", "1", "--out", out)
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(io.BytesIO(out.read_bytes())) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        for name, digest in manifest["files"].items():
            assert hashlib.sha256(archive.read(name)).hexdigest() == digest
        events = json.loads(archive.read("audit.json"))
        docs = json.loads(archive.read("documents.json"))
    assert {"record.json", "documents.json", "audit.json", "manifest.json"} <= names
    assert manifest["audit_chain"]["ok"] and all(e["hash"] and e["prev_hash"] for e in events)
    assert {e["kind"] for e in events} >= {"matter.submitted", "document.signed", "meeting.closed"}
    signed = [d for d in docs if d["status"] == "frozen"]
    assert signed and all(d["file"] in names for d in signed)
    with zipfile.ZipFile(out) as archive:
        for d in signed:
            assert hashlib.sha256(archive.read(d["file"])).hexdigest() == d["sha256"]

    pages = tmp_path / "preview"
    shown = cli.run("document", "preview", "--out", pages, "--dpi", "40", now=None)
    assert shown.returncode == 0, shown.stderr
    for kind in ("minutes", "notice", "request"):
        files = sorted(Path(pages).glob(f"{kind}-*.png"))
        assert files and files[0].read_bytes().startswith(b"\x89PNG"), kind
