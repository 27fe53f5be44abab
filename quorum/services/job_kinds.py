"""The kinds of background job (quorum.services.background_jobs), registered on import.

The entry points that run jobs (the web's job thread, the tests) import this module, so every kind is
known where a job may be claimed. A new kind registers itself here or in its own module imported below.
"""

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from quorum.core.documents import DocumentStatus
from quorum.core.errors import InvalidInput, NotPermitted
from quorum.core.messages import message
from quorum.db import Person
from quorum.services import background_jobs, documents
from quorum.services.env import Env


def _pdf_check(s: Session, env: Env, owner: Person, params: dict[str, Any]) -> None:
    """Making a PDF: the party and administration office (who may edit) or the signer (who may void) of a signed
    document."""
    doc = documents.get(s, int(params["document_id"]))
    if not (documents.may_edit(s, owner, doc) or documents.may_void(s, owner, doc)):
        raise NotPermitted.because("documents.pdf_who")
    if doc.status != DocumentStatus.FROZEN:
        raise InvalidInput.because("documents.pdf_not_signed", title=doc.title)


def _pdf_run(sessions: sessionmaker[Session], env: Env, owner_id: int, params: dict[str, Any],
             progress: background_jobs.Progress) -> dict[str, Any]:
    progress(10, message("job.note_pdf_converting"))
    with sessions.begin() as s:
        doc = documents.convert_pdf(s, env, int(params["document_id"]))
        return {"document_id": doc.id, "title": doc.title}


background_jobs.register("document_pdf", _pdf_check, _pdf_run)
