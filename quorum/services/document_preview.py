"""PNG pages of a document for its signer (`pages`), and of minutes, a notice and a request for instructions for
review (`render`).

`pages` lays out one document as it would be signed now (a draft without its number yet) or as it was
signed, converts it with LibreOffice and keeps the PNGs under files_dir/previews/<digest>/, so the
signer's page and each image request read the same files and a second look costs nothing.

`render` runs the demo in a throw-away database, with this deployment's policies/ and templates/,
so the pages show exactly what the secretariat's current wording and the layout produce; nothing is
written to the real database.
"""

import hashlib
import json
import re
import tempfile
from dataclasses import asdict
from pathlib import Path

from sqlalchemy import select

from quorum import calendar, policies
from quorum.database import open_database
from quorum.db import Document
from quorum.documents.pdf import to_pdf_many, to_png
from quorum.services import demo, documents, org
from quorum.services.env import Env
from quorum.settings import Settings

PREVIEW_KINDS = ("minutes", "notice", "request")
PAGE_DPI = 70
KEY = re.compile(r"[0-9a-f]{64}")


def _folder(env: Env, key: str) -> Path:
    return Path(env.files_dir or ".") / "previews" / key


def pages(s, env: Env, doc: Document, dpi: int = PAGE_DPI) -> tuple[str, list[int]]:
    """Render a document's pages as PNG (once per content); return the cache key and the page numbers."""
    if doc.status == "frozen" and doc.sha256:
        key, data = doc.sha256, None
    else:
        day = documents._dated(s, env, doc, documents.kind_of(s, doc))       # as if signed today
        page, data = documents.render_file(s, env, doc, number=doc.doc_number or "", day=day, signer="")
        laid = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in asdict(page).items() if k != "created"}
        key = hashlib.sha256(json.dumps(laid, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()
    folder = _folder(env, key)
    found = sorted(folder.glob("page-*.png")) if folder.is_dir() else []
    if not found:
        docx = data if data is not None else documents.read_file(env, doc)
        pdf = to_pdf_many({"document": docx})["document"]
        found = to_png(pdf, folder, "page", dpi)
    return key, sorted(int(p.stem.rsplit("-", 1)[1]) for p in found)


def page_png(env: Env, key: str, number: int) -> bytes | None:
    """The stored PNG of one page of a rendered preview (None when there is none)."""
    if not KEY.fullmatch(key):
        return None
    for path in _folder(env, key).glob("page-*.png"):
        if int(path.stem.rsplit("-", 1)[1]) == number:
            return path.read_bytes()
    return None


def render(settings: Settings, out_dir: Path, dpi: int = 80) -> dict[str, list[Path]]:
    """Run the demo in a temporary database, sign a notice and a request for instructions for its matter, render the
    three kinds.
    """
    with tempfile.TemporaryDirectory(prefix="quorum-preview-") as tmp:
        data_dir = Path(tmp)
        temp = Settings(organisation=settings.organisation, data_dir=data_dir,
                        database_url=f"sqlite:///{data_dir / 'preview.sqlite3'}", policies_dir=settings.policies_dir,
                        templates_dir=settings.templates_dir, calendar_overrides=settings.calendar_overrides)
        db = open_database(temp, upgrade=True)
        env = Env(policies.load(settings.policies_dir), settings.calendar(), calendar.now(),
                  files_dir=data_dir / "files", templates_dir=settings.templates_dir)
        result = demo.run(db.sessions, env)
        chosen: dict[str, bytes] = {}
        with db.sessions.begin() as s:
            secretary = org.holders(s, "secretariat")[0]
            for kind in ("notice", "request"):
                doc = documents.draft(s, env, secretary, kind, [result["matter_id"]])
                signer = next(p for r in documents.signer_roles(s, doc) for p in org.holders(s, r)
                              if documents.may_sign(s, p, doc))
                documents.sign(s, env, signer, doc.id)
                chosen[kind] = documents.read_file(env, doc)
            minutes = s.execute(select(Document).where(Document.kind == "minutes", Document.status == "frozen")
                                .order_by(Document.id.desc())).scalars().first()
            chosen["minutes"] = documents.read_file(env, minutes)
        db.engine.dispose()
        pdfs = to_pdf_many({kind: chosen[kind] for kind in PREVIEW_KINDS})
    return {kind: to_png(pdf, out_dir, kind, dpi) for kind, pdf in pdfs.items()}
