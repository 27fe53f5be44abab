"""The dossier of a matter for inspection tours / audit: one zip with the record, every document and the audit events.

Inside: record.json (the matter as records.matter_record reads it), meetings/<id>.json, documents.json,
documents/<id>-<kind>-<number>.docx (and .pdf where converted, checked against their stored sha256),
audit.json (every event of the matter, its meetings and their documents, with prev_hash and hash)
and manifest.json (the sha256 of each file and the verification of the whole audit chain).
"""

import hashlib
import io
import json
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from quorum.core.messages import message, typesetting
from quorum.db import AgendaItem, AuditEvent
from quorum.services import audit, document_records, documents, records
from quorum.services.env import Env


def _default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value).__name__)


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, default=_default).encode("utf-8")


def _events(s: Session, matter_id: int, meeting_ids: list[int], document_ids: list[int]) -> list[dict[str, Any]]:
    condition = or_(AuditEvent.matter_id == matter_id,
                    and_(AuditEvent.subject == "meeting", AuditEvent.subject_id.in_(meeting_ids or [-1])),
                    and_(AuditEvent.subject == "document", AuditEvent.subject_id.in_(document_ids or [-1])))
    rows = s.execute(select(AuditEvent).where(condition).order_by(AuditEvent.seq)).scalars()
    return [{"seq": e.seq, "at": e.at, "actor_id": e.actor_id, "kind": e.kind, "subject": e.subject,
             "subject_id": e.subject_id, "matter_id": e.matter_id, "payload": e.payload,
             "prev_hash": e.prev_hash, "hash": e.hash} for e in rows]


def _file_name(doc) -> str:
    # the characters of a 发文字号 kept in a file name (a pattern over document numbers, not wording)
    number = re.sub(typesetting.DOCUMENT_NUMBER_DROPPED, "", doc.doc_number or "") or message("document.unnumbered")
    return f"documents/{doc.id}-{doc.kind}-{number}"


def export(s: Session, env: Env, matter_id: int) -> tuple[bytes, str]:
    """Build the dossier zip of a matter; return its bytes and a file name."""
    record = records.matter_record(s, matter_id)
    meeting_ids = sorted(set(s.execute(select(AgendaItem.meeting_id)
                                       .where(AgendaItem.matter_id == matter_id)).scalars()))
    docs = document_records.of_matter(s, matter_id)
    files: dict[str, bytes] = {"record.json": _json(record)}
    for meeting_id in meeting_ids:
        files[f"meetings/{meeting_id}.json"] = _json(records.meeting_record(s, meeting_id))
    listing = []
    for doc in docs:
        entry = document_records.record(s, env, doc.id)
        if doc.sha256:
            entry["file"] = _file_name(doc) + ".docx"
            files[entry["file"]] = documents.read_file(env, doc, "docx")
        if doc.pdf_sha256:
            entry["pdf"] = _file_name(doc) + ".pdf"
            files[entry["pdf"]] = documents.read_file(env, doc, "pdf")
        listing.append(entry)
    files["documents.json"] = _json(listing)
    files["audit.json"] = _json(_events(s, matter_id, meeting_ids, [d.id for d in docs]))
    check = audit.verify(s)
    manifest = {"matter_id": matter_id, "title": record["title"], "exported_at": env.now,
                "audit_chain": {"ok": check.ok, "events": check.count, "first_bad_seq": check.first_bad_seq,
                                "reason": check.reason},
                "files": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}}
    files["manifest.json"] = _json(manifest)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue(), f"dossier-{matter_id}.zip"
