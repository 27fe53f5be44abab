"""PNG pages of a 纪要, a 通知 and a 请示 for review, from a fresh demo in a throw-away database.

The demo runs with this deployment's policies/ and templates/, so the pages show exactly what the
secretariat's current wording and the layout produce; nothing is written to the real database.
"""

import tempfile
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


def render(settings: Settings, out_dir: Path, dpi: int = 80) -> dict[str, list[Path]]:
    """Run the demo in a temporary database, sign a 通知 and a 请示 for its matter, render the three kinds."""
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
