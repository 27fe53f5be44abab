"""Matter attachments: bytes stored once under the data directory by SHA-256, a row and an audit event.

The file name a person uploaded is kept only as a label for downloads; the stored file is named by
its digest, so a name like "../../x" can never reach the file system. Writing the bytes happens
inside the caller's transaction; if it later rolls back, an unreferenced digest file may remain,
which is harmless (the same bytes would be written to the same name again).
"""

import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from quorum.core.errors import InvalidInput, NotFound
from quorum.core.messages import message
from quorum.db import Attachment, Matter, Person
from quorum.services import attachment_preview, audit, matters, permissions, visibility
from quorum.services.env import Env

NAME_LIMIT = 200
TYPE_LIMIT = 100
DEFAULT_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class Upload:
    """One uploaded file as the entry point received it."""

    filename: str
    content_type: str
    data: bytes


def clean_name(filename: str) -> str:
    """Keep only the base name of an uploaded file name; refuse names that leave nothing usable."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if base in ("", ".", "..") or any(ord(ch) < 32 for ch in base):
        raise InvalidInput.because("attachment.filename_invalid", filename=filename)
    if len(base) > NAME_LIMIT:
        stem, dot, ext = base.rpartition(".")
        base = (stem[:NAME_LIMIT - len(ext) - 1] + dot + ext) if dot and len(ext) < 16 else base[:NAME_LIMIT]
    return base


def _check(upload: Upload) -> str:
    name = clean_name(upload.filename)
    if not upload.data:
        raise InvalidInput.because("attachment.file_empty", name=name)
    return name


def _store(env: Env, data: bytes) -> str:
    if env.files_dir is None:
        raise InvalidInput.because("attachment.no_data_dir")
    digest = hashlib.sha256(data).hexdigest()
    folder = Path(env.files_dir) / "attachments"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / digest
    if not target.exists():                      # write once: the same bytes always have the same name
        partial = folder / f".{digest}.{os.getpid()}.part"
        partial.write_bytes(data)
        os.replace(partial, target)
    return digest


def add(s: Session, env: Env, actor: Person, matter_id: int, filename: str, content_type: str,
        data: bytes) -> Attachment:
    """Attach a file to a matter the actor initiated, has a task on, or oversees as the party and administration
    office / administrator."""
    matter = s.get(Matter, matter_id)
    if matter is None:
        raise NotFound(what=message("state.what_matter"), ref=matter_id)
    permissions.require(s, env, actor, "matter.attach", (matter.unit_id,),
                        matters.relations_to(s, env, actor, matter, "matter.attach"),
                        subject="matter", subject_id=matter.id)
    name = _check(Upload(filename, content_type, data))
    digest = _store(env, data)
    row = Attachment(matter_id=matter.id, filename=name, content_type=(content_type or DEFAULT_TYPE)[:TYPE_LIMIT],
                     size=len(data), sha256=digest, uploaded_by_id=actor.id, uploaded_at=env.now)
    s.add(row)
    s.flush()
    audit.append(s, env, actor.id, "attachment.added", "attachment", row.id,
                 {"filename": name, "size": len(data), "sha256": digest}, matter_id=matter.id)
    attachment_preview.request(s, env, actor, row)         # its pages are rendered off the request (PDF, office files)
    return row


def store_for_opinion(s: Session, env: Env, actor: Person, matter: Matter, opinion, uploads: list[Upload]
                      ) -> list[Attachment]:
    """Attach files to a comment (the commenter holds a task on the matter)."""
    for upload in uploads:
        _check(upload)
    rows = []
    for upload in uploads:
        name, digest = clean_name(upload.filename), _store(env, upload.data)
        row = Attachment(matter_id=matter.id, opinion_id=opinion.id, filename=name,
                         content_type=(upload.content_type or DEFAULT_TYPE)[:TYPE_LIMIT], size=len(upload.data),
                         sha256=digest, uploaded_by_id=actor.id, uploaded_at=env.now)
        s.add(row)
        s.flush()
        audit.append(s, env, actor.id, "attachment.added", "attachment", row.id,
                     {"filename": name, "size": len(upload.data), "sha256": digest, "opinion": opinion.id},
                     matter_id=matter.id)
        attachment_preview.request(s, env, actor, row)
        rows.append(row)
    return rows


def submit_with_attachments(s: Session, env: Env, actor: Person, workflow_key: str, title: str,
                            raw_fields: Mapping[str, Any], uploads: Iterable[Upload]) -> Matter:
    """File a matter and attach its materials in the caller's one transaction."""
    uploads = list(uploads)
    for upload in uploads:                       # refuse bad files before anything is written
        _check(upload)
    matter = matters.submit(s, env, actor, workflow_key, title, raw_fields)
    for upload in uploads:
        add(s, env, actor, matter.id, upload.filename, upload.content_type, upload.data)
    return matter


def get(s: Session, attachment_id: int) -> Attachment:
    row = s.get(Attachment, attachment_id)
    if row is None:
        raise NotFound(what=message("attachment.what"), ref=attachment_id)
    return row


def listing(s: Session, matter_id: int) -> list[Attachment]:
    return list(s.execute(select(Attachment).where(Attachment.matter_id == matter_id)
                          .order_by(Attachment.id)).scalars())


def fetch(s: Session, env: Env, actor: Person, matter_id: int, attachment_id: int) -> tuple[Attachment, bytes]:
    """Return an attachment of a matter the actor may read, with its bytes."""
    visibility.require_view(s, env, actor, matter_id)
    row = get(s, attachment_id)
    if row.matter_id != matter_id:
        raise NotFound(what=message("attachment.what"), ref=attachment_id)
    path = Path(env.files_dir or ".") / "attachments" / row.sha256
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotFound(what=message("attachment.what_file"), ref=row.filename) from None
    if hashlib.sha256(data).hexdigest() != row.sha256:
        raise InvalidInput.because("attachment.file_tampered", filename=row.filename)
    return row, data
