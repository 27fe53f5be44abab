"""Read models of documents for the CLI, the web UI and the dossier; who may read which document."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from quorum.core.documents import STATUS_NAMES, DocumentStatus
from quorum.core.errors import NotPermitted
from quorum.core.messages import message
from quorum.db import AgendaItem, Document, Matter, Meeting, MeetingMember, Person, Unit
from quorum.services import documents, drafting, permissions, visibility
from quorum.services.env import Env


def row(s: Session, doc: Document) -> dict[str, Any]:
    kind = documents.kind_of(s, doc)
    return {"id": doc.id, "kind": doc.kind, "kind_name": kind.name, "status": doc.status,
            "status_name": STATUS_NAMES[doc.status], "title": doc.title, "doc_number": doc.doc_number,
            "doc_date": doc.doc_date, "matter_id": doc.matter_id, "meeting_id": doc.meeting_id,
            "has_pdf": bool(doc.pdf_sha256), "has_ofd": bool(doc.ofd_sha256), "signed_at": doc.signed_at}


def awaiting_signature(s: Session, person: Person) -> list[dict[str, Any]]:
    """The sign_off entries of a person's tasks: the drafts they may sign off, with the issuing organ and when sent."""
    out = []
    for doc in documents.awaiting(s, person):
        signoff = documents.open_signoff(s, doc.id)
        issuer = s.get(Unit, doc.issuer_unit_id) if doc.issuer_unit_id else None
        meeting = s.get(Meeting, doc.meeting_id) if doc.meeting_id else None
        out.append({**row(s, doc), "issuer": issuer.name if issuer else "",
                    "issuer_unit_key": issuer.key if issuer else None, "sent_at": signoff.opened_at,
                    "meeting_at": meeting.scheduled_at if meeting else None,
                    "label": message("documents.signoff_title", kind=documents.kind_of(s, doc).name,
                                     title=doc.title)})
    return out


def signoff_state(s: Session, doc: Document) -> dict[str, Any]:
    """Whether a draft is sent for sign_off now, and its latest return (who, when, why) while it is a draft."""
    returned = documents.last_return(s, doc.id) if doc.status == DocumentStatus.DRAFT else None
    who = s.get(Person, returned.closed_by_id) if returned is not None and returned.closed_by_id else None
    return {"open": documents.open_signoff(s, doc.id) is not None,
            "returned": None if returned is None else {
                "by": who.name if who else "", "at": returned.closed_at, "reason": returned.reason,
                "text": message("documents.signoff_returned", who=who.name if who else "",
                                at=returned.closed_at.strftime("%Y-%m-%d %H:%M"), reason=returned.reason)}}


def listing(s: Session, matter_id: int | None = None, meeting_id: int | None = None,
            status: str | None = None) -> list[dict[str, Any]]:
    query = select(Document).order_by(Document.id)
    if matter_id is not None:
        query = query.where(Document.matter_id == matter_id)
    if meeting_id is not None:
        query = query.where(Document.meeting_id == meeting_id)
    if status:
        query = query.where(Document.status == status)
    return [row(s, d) for d in s.execute(query).scalars()]


def of_matter(s: Session, matter_id: int) -> list[Document]:
    """The matter's own documents and those of the meetings it was on (notices of meetings, minutes)."""
    meetings = select(AgendaItem.meeting_id).where(AgendaItem.matter_id == matter_id)
    query = select(Document).where((Document.matter_id == matter_id) | Document.meeting_id.in_(meetings))
    return list(s.execute(query.order_by(Document.id)).scalars())


def can_read(s: Session, env: Env, actor: Person, doc: Document) -> bool:
    """A matter's documents follow the matter's visibility; a meeting's follow its members and personnel items."""
    if doc.matter_id is not None:
        return visibility.can_view(s, env, actor, s.get(Matter, doc.matter_id))
    if doc.meeting_id is None or permissions.may(s, env, actor, "meeting.view_all"):
        return True
    personnel = s.execute(select(AgendaItem.id).where(AgendaItem.meeting_id == doc.meeting_id,
                                                      AgendaItem.personnel.is_(True)).limit(1)).first()
    if personnel is None:
        return True
    member = s.execute(select(MeetingMember.id).where(MeetingMember.meeting_id == doc.meeting_id,
                                                      MeetingMember.person_id == actor.id)).first()
    return member is not None


def require_read(s: Session, env: Env, actor: Person, document_id: int) -> Document:
    doc = documents.get(s, document_id)
    if not can_read(s, env, actor, doc):
        raise NotPermitted.because("documents.personnel_restricted")
    return doc


def record(s: Session, env: Env, document_id: int) -> dict[str, Any]:
    """Everything about one document, with its record part rendered as it would be signed now."""
    doc = documents.get(s, document_id)
    kind = documents.kind_of(s, doc)
    if doc.status == DocumentStatus.FROZEN and doc.content:
        record_text = doc.content.get("body", "")
        if doc.body and record_text.endswith(doc.body):
            record_text = record_text[: -len(doc.body)].rstrip("\n")
    else:
        _page, blocks = drafting.page(s, env, doc, kind, documents._policy(s, doc.policy_version_id))
        record_text = blocks["record"]
    signer = s.get(Person, doc.signer_id) if doc.signer_id else None
    issuer = s.get(Unit, doc.issuer_unit_id) if doc.issuer_unit_id else None
    meeting = s.get(Meeting, doc.meeting_id) if doc.meeting_id else None
    return {**row(s, doc), "addressees": list(doc.addressees), "cc": list(doc.cc), "attachments": list(doc.attachments),
            "body": doc.body, "notes": doc.notes, "record_text": record_text, "issuer": issuer.name if issuer else "",
            "issuer_unit_key": issuer.key if issuer else None,
            "signer": signer.name if signer else None, "signer_username": signer.username if signer else None,
            "sha256": doc.sha256, "file_path": doc.file_path,
            "pdf_path": doc.pdf_path, "pdf_sha256": doc.pdf_sha256, "void_reason": doc.void_reason,
            "request_id": doc.request_id, "meeting_title": meeting.title if meeting else None,
            "direction": kind.direction, "layout": kind.layout, "warnings": documents.warnings(s, doc),
            "signer_roles": [documents.policy_set_for(s, doc.policy_version_id).role_name(r)
                             for r in documents.signer_roles(s, doc)],
            "signoff": signoff_state(s, doc), "ofd_path": doc.ofd_path, "ofd_sha256": doc.ofd_sha256}
