"""Documents: draft from the record, edit, sign_off (number, date, freeze, write once), void, convert to PDF.

Drafts appear on their own: a workflow step that declares `documents = [...]` drafts each kind
when the step opens or finishes (as policies/documents.toml says for that kind), and every
meeting drafts its notice when scheduled and its minutes when closed. The secretariat edits a
draft's title, principal addressees, body, attachments and copies; the signer role signs it off, which
allocates the doc_number from the (issuing organ's code, year of the sign_off date) series, renders the
.docx once, stores its sha256 and freezes the row. A frozen document never changes; voiding it keeps its
number taken.
"""

import hashlib
import os
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from quorum.core import documents as rules
from quorum.core import states
from quorum.core.documents import DocumentKind, DocumentPolicy, DocumentStatus
from quorum.core.errors import Conflict, InvalidInput, InvalidTransition, NotFound, NotPermitted
from quorum.core.messages import message
from quorum.core.spec import clean_text
from quorum.core.states import MeetingStatus
from quorum.db import Document, DocumentSerial, DocumentSignoff, Matter, MatterStep, Meeting, Person, Post, Unit
from quorum.documents import ofd, render_docx
from quorum.documents.pdf import to_pdf
from quorum.services import arrivals, audit, drafting, org, permissions
from quorum.services.env import Env
from quorum.services.policies import current_version, policy_set_for

LIST_LIMIT = 30


def _policy(s: Session, version_id: int) -> DocumentPolicy:
    return drafting.policy_for(s, version_id)


def kind_of(s: Session, doc: Document) -> DocumentKind:
    return _policy(s, doc.policy_version_id).kind(doc.kind)


def get(s: Session, document_id: int) -> Document:
    doc = s.get(Document, document_id)
    if doc is None:
        raise NotFound(what=message("state.what_document"), ref=document_id)
    return doc


def _locked(s: Session, document_id: int) -> Document:
    doc = s.execute(select(Document).where(Document.id == document_id).with_for_update()).scalar_one_or_none()
    if doc is None:
        raise NotFound(what=message("state.what_document"), ref=document_id)
    return doc


def _log(s: Session, env: Env, actor_id: int | None, kind: str, doc: Document, **payload: Any) -> None:
    audit.append(s, env, actor_id, f"document.{kind}", "document", doc.id,
                 {"kind": doc.kind, "title": doc.title, **payload}, matter_id=doc.matter_id)


# --------------------------------------------------------------------------------------------
# hooks called by matters and meetings


def on_step_activated(s: Session, env: Env, matter: Matter, step_row: MatterStep) -> None:
    """Draft the kinds a step declares that are drafted when the step opens (request for instructions, letter
    seeking opinions, publicity notice ...).
    """
    _declared(s, env, matter, step_row, "step_opened")


def on_step_finished(s: Session, env: Env, matter: Matter, step_row: MatterStep) -> None:
    """Draft the kinds drafted when the step finishes (decision, reply, appointment notice, supervision sheet; the
    deciding meeting's minutes).
    """
    _declared(s, env, matter, step_row, "step_finished")


def on_meeting_scheduled(s: Session, env: Env, meeting: Meeting) -> None:
    """Draft the notice of a newly scheduled meeting."""
    _for_meeting(s, env, meeting, "meeting_scheduled")


def on_meeting_closed(s: Session, env: Env, meeting: Meeting) -> None:
    """Draft the minutes of a meeting that has just closed."""
    _for_meeting(s, env, meeting, "meeting_closed")


def _declared(s: Session, env: Env, matter: Matter, step_row: MatterStep, moment: str) -> None:
    spec = policy_set_for(s, matter.policy_version_id).workflow(matter.workflow_key).step(step_row.step_key)
    if not spec.documents:
        return
    policy = _policy(s, matter.policy_version_id)
    # a submit step opens and finishes in one act: what it drafts when it opens is drafted as it finishes
    # (the 请示 a member unit files with its application, which the 批复 answers)
    at_once = moment == "step_finished" and spec.kind == "submit"
    for key in spec.documents:
        kind = policy.kind(key)
        if kind.drafted == moment or (at_once and kind.drafted == "step_opened"):
            _ensure(s, env, kind, matter=matter, step_key=step_row.step_key)
        elif kind.drafted == "meeting_closed" and moment == "step_finished":
            meeting_id = ((matter.decision or {}).get("last") or {}).get("meeting_id")
            if meeting_id:
                _ensure(s, env, kind, meeting=s.get(Meeting, meeting_id))


def _for_meeting(s: Session, env: Env, meeting: Meeting, moment: str) -> None:
    for kind in _policy(s, meeting.policy_version_id).kinds.values():
        if kind.drafted == moment:
            _ensure(s, env, kind, meeting=meeting)


def _ensure(s: Session, env: Env, kind: DocumentKind, matter: Matter | None = None, meeting: Meeting | None = None,
            step_key: str | None = None) -> Document | None:
    """Draft a kind for a matter or meeting unless one (not void) exists; a draft that cannot be made is logged."""
    query = select(Document).where(Document.kind == kind.key, Document.status != DocumentStatus.VOID)
    query = query.where(Document.meeting_id == meeting.id) if meeting else query.where(Document.matter_id == matter.id)
    existing = s.execute(query.limit(1)).scalars().first()
    if existing is not None:
        return existing
    try:
        with s.begin_nested():
            return _create(s, env, None, kind, matter=matter, meeting=meeting, step_key=step_key)
    except InvalidInput as exc:
        audit.append(s, env, None, "document.not_drafted", "document", None,
                     {"kind": kind.key, "reason": str(exc), "meeting_id": meeting.id if meeting else None},
                     matter_id=matter.id if matter else None)
        return None


# --------------------------------------------------------------------------------------------
# drafting


def _request_of(s: Session, matter: Matter | None) -> Document | None:
    """The request for instructions a reply answers: the signed one if there is one, else the latest draft."""
    if matter is None:
        return None
    rows = list(s.execute(select(Document).where(Document.matter_id == matter.id, Document.kind == "request",
                                                 Document.status != DocumentStatus.VOID)
                          .order_by(Document.id)).scalars())
    frozen = [d for d in rows if d.status == DocumentStatus.FROZEN]
    return (frozen or rows or [None])[-1]


def _create(s: Session, env: Env, actor_id: int | None, kind: DocumentKind, *, matter: Matter | None = None,
            meeting: Meeting | None = None, step_key: str | None = None,
            request: Document | None = None) -> Document:
    version_id = matter.policy_version_id if matter else meeting.policy_version_id if meeting else \
        current_version(s, env).id
    policy = _policy(s, version_id)
    if kind.requires_request:
        request = request or _request_of(s, matter)
        if request is None:
            what = message("documents.matter_named", title=matter.title) if matter else message("documents.this_document")
            raise InvalidInput.because("documents.reply_without_request", kind=kind.name, what=what)
    issuer = drafting.issuer_unit(s, kind, matter, meeting)
    doc = Document(kind=kind.key, status=DocumentStatus.DRAFT, matter_id=matter.id if matter else None,
                   meeting_id=meeting.id if meeting else None, step_key=step_key,
                   request_id=request.id if request else None, policy_version_id=version_id,
                   issuer_unit_id=issuer.id, title=kind.name, addressees=[], body="", attachments=[], cc=[],
                   notes="", created_by_id=actor_id, created_at=env.now, updated_at=env.now)
    s.add(doc)
    s.flush()
    _fill(s, env, doc, kind, policy, matter, meeting, request, issuer)
    _log(s, env, actor_id, "drafted", doc, meeting_id=doc.meeting_id, step=step_key)
    _open_signoff(s, env, actor_id, doc)          # 送签: in the signers' 待办, and they are told
    return doc


def _fill(s: Session, env: Env, doc: Document, kind: DocumentKind, policy: DocumentPolicy, matter: Matter | None,
          meeting: Meeting | None, request: Document | None, issuer: Unit) -> None:
    """Set a draft's editable parts from its template and the record."""
    blocks = drafting.wording.render(kind.template, drafting.context(s, env, doc, kind, policy),
                                     drafting.templates_dir(env))
    doc.title = clean_text(blocks["title"] or kind.name, message("documents.title_label"))
    doc.body, doc.notes = blocks["body"], blocks["notes"]
    doc.attachments = [a for a in blocks["attachments"].splitlines() if a]
    doc.addressees = drafting.resolve(s, kind.addressees, policy, issuer, matter, meeting, request, doc.step_key)
    doc.cc = drafting.resolve(s, kind.cc, policy, issuer, matter, meeting, request)
    doc.updated_at = env.now


def draft(s: Session, env: Env, actor: Person, kind_key: str, matter_ids: Sequence[int] = (),
          meeting_id: int | None = None, request_id: int | None = None) -> Document:
    """Draft a document on request: one matter per document (one document, one matter), or one meeting for a notice /
    minutes.
    """
    _require_editor(s, actor, current_version(s, env).id)
    kind = _policy(s, current_version(s, env).id).kind(kind_key)
    matter_ids = list(dict.fromkeys(matter_ids))
    if kind.drafted.startswith("meeting"):
        if meeting_id is None or matter_ids:
            raise InvalidInput.because("documents.meeting_only", kind=kind.name)
        return _create(s, env, actor.id, kind, meeting=_get(s, Meeting, meeting_id, message("state.what_meeting")))
    if len(matter_ids) != 1:
        what = (message("documents.one_request_one_matter") if kind.key == "request"
                else message("documents.one_kind_one_matter", kind=kind.name))
        raise InvalidInput.because("documents.one_matter_each", what=what, count=len(matter_ids))
    matter = _get(s, Matter, matter_ids[0], message("state.what_matter"))
    request = None
    if request_id is not None:
        request = get(s, request_id)
        if request.kind != "request":
            raise InvalidInput.because("documents.not_a_request", ref=request_id, title=request.title, kind=kind.name)
    return _create(s, env, actor.id, kind, matter=matter, request=request)


def _get(s: Session, model: type, ident: int, what: str) -> Any:
    row = s.get(model, ident)
    if row is None:
        raise NotFound(what=what, ref=ident)
    return row


# --------------------------------------------------------------------------------------------
# who may do what (one function each: the buttons and the checks use the same)


def may_edit(s: Session, actor: Person, doc: Document) -> bool:
    return doc.status == DocumentStatus.DRAFT and org.holds_any(s, actor.id, _policy(s, doc.policy_version_id)
                                                                .editor_roles)


def _require_editor(s: Session, actor: Person, version_id: int) -> None:
    roles = _policy(s, version_id).editor_roles
    if not org.holds_any(s, actor.id, roles):
        names = message("value.list_separator").join(policy_set_for(s, version_id).role_name(r) for r in roles)
        raise NotPermitted.because("documents.editors_only", names=names)


def signer_roles(s: Session, doc: Document) -> tuple[str, ...]:
    """The roles that may sign off this document; "meeting_chair" becomes the chair of the body that met or decided."""
    kind = kind_of(s, doc)
    matter = s.get(Matter, doc.matter_id) if doc.matter_id else None
    meeting = s.get(Meeting, doc.meeting_id) if doc.meeting_id else None
    body = drafting.body_key(matter, meeting)
    version = meeting.policy_version_id if meeting else doc.policy_version_id
    chair = policy_set_for(s, version).bodies[body].chair_role if body else None
    roles = [chair if r == rules.MEETING_CHAIR else r for r in kind.signer_roles]
    issuer = s.get(Unit, doc.issuer_unit_id) if doc.issuer_unit_id else None
    narrowed = _policy(s, doc.policy_version_id).signers(roles, issuer.kind if issuer else None)
    return tuple(dict.fromkeys(r for r in narrowed if r))


def may_sign(s: Session, actor: Person, doc: Document) -> bool:
    """Whether the actor may sign off this draft: a signer role held at the issuing unit.

    When nobody holds a signer role at the issuing unit itself (the community party committee's secretary holds
    his post at the health commission), any holder of a signer role may sign.
    """
    return doc.status == DocumentStatus.DRAFT and actor.id in signers_of(s, doc)


def signers_of(s: Session, doc: Document) -> list[int]:
    """The people who may sign off the document: holders of a signer role at the issuing unit, else anywhere."""
    posts = list(s.execute(select(Post).where(Post.role.in_(signer_roles(s, doc)), Post.active.is_(True))
                           .order_by(Post.id)).scalars())
    at_issuer = [p for p in posts if p.unit_id == doc.issuer_unit_id]
    return list(dict.fromkeys(p.person_id for p in (at_issuer or posts)))


def may_void(s: Session, actor: Person, doc: Document) -> bool:
    editors = _policy(s, doc.policy_version_id).editor_roles
    return doc.status != DocumentStatus.VOID and org.holds_any(s, actor.id, (*editors, *signer_roles(s, doc)))


def _refuse_unless_draft(doc: Document, action: str) -> None:
    if doc.status == DocumentStatus.FROZEN:
        raise InvalidTransition("document_frozen", title=doc.title, number=doc.doc_number or message("document.unnumbered"),
                                action=action)
    if doc.status == DocumentStatus.VOID:
        raise InvalidTransition("document_void", title=doc.title, action=action)


# --------------------------------------------------------------------------------------------
# editing


def _names(values: Sequence[str] | None, label: str) -> list[str] | None:
    if values is None:
        return None
    names = [clean_text(v, label) for v in values if isinstance(v, str) and v.strip()]
    if len(names) > LIST_LIMIT:
        raise InvalidInput.because("documents.list_too_long", label=label, limit=LIST_LIMIT)
    return list(dict.fromkeys(names))


def edit(s: Session, env: Env, actor: Person, document_id: int, *, title: str | None = None,
         addressees: Sequence[str] | None = None, body: str | None = None, attachments: Sequence[str] | None = None,
         cc: Sequence[str] | None = None, notes: str | None = None) -> Document:
    """Change a draft's title, principal addressees, body, attachments, copies or notes; a frozen or void document
    is refused.
    """
    doc = _locked(s, document_id)
    _refuse_unless_draft(doc, message("documents.action_edit"))
    _require_editor(s, actor, doc.policy_version_id)
    label = {k: message(f"documents.{k}_label") for k in ("title", "body", "notes", "addressees", "attachments", "cc")}
    changes = {"title": None if title is None else clean_text(title, label["title"]),
               "body": None if body is None else clean_text(body, label["body"], 20000, required=False),
               "notes": None if notes is None else clean_text(notes, label["notes"], 500, required=False),
               "addressees": _names(addressees, label["addressees"]),
               "attachments": _names(attachments, label["attachments"]), "cc": _names(cc, label["cc"])}
    changes = {k: v for k, v in changes.items() if v is not None}
    check_distribution(s, doc, changes.get("addressees", doc.addressees), changes.get("cc", doc.cc))
    for key, value in changes.items():
        setattr(doc, key, value)
    doc.updated_at = env.now
    _log(s, env, actor.id, "edited", doc, changed=sorted(changes))
    return doc


def regenerate(s: Session, env: Env, actor: Person, document_id: int) -> Document:
    """Draft a draft again from the record (discarding edits); a frozen document is never regenerated."""
    doc = _locked(s, document_id)
    _refuse_unless_draft(doc, message("documents.action_regenerate"))
    _require_editor(s, actor, doc.policy_version_id)
    kind = kind_of(s, doc)
    matter = s.get(Matter, doc.matter_id) if doc.matter_id else None
    meeting = s.get(Meeting, doc.meeting_id) if doc.meeting_id else None
    request = s.get(Document, doc.request_id) if doc.request_id else None
    _fill(s, env, doc, kind, _policy(s, doc.policy_version_id), matter, meeting, request,
          s.get(Unit, doc.issuer_unit_id))
    _log(s, env, actor.id, "regenerated", doc)
    return doc


def check_distribution(s: Session, doc: Document, addressees: Sequence[str], cc: Sequence[str]) -> None:
    kind = kind_of(s, doc)
    units = {name: rules.UnitFacts(name, k) for u_name, u_short, k in s.execute(select(Unit.name, Unit.short_name,
                                                                                      Unit.kind))
             for name in (u_name, u_short)}
    people = s.execute(select(Person.name)).scalars()
    issuer = s.get(Unit, doc.issuer_unit_id)
    joint = drafting.step_units(s, s.get(Matter, doc.matter_id) if doc.matter_id else None, doc.step_key)
    rules.check_distribution(kind, _policy(s, doc.policy_version_id), issuer.kind, addressees, cc, units, people,
                             joint)


def warnings(s: Session, doc: Document) -> list[str]:
    return rules.request_warnings(kind_of(s, doc), doc.body)


# --------------------------------------------------------------------------------------------
# 签发


def sign(s: Session, env: Env, actor: Person, document_id: int) -> Document:
    """Sign off in one transaction (CLI, demo, tests): take the number, render, freeze."""
    reserve(s, env, actor, document_id)
    return freeze(s, env, actor, document_id, rendering(s, env, actor, document_id))


@dataclass(frozen=True)
class Rendering:
    """A draft laid out with its reserved doc_number, the .docx already stored; what `freeze` records."""

    number: str | None
    day: Any
    stamp: Any
    page: Any
    sha256: str
    path: str


def reserve(s: Session, env: Env, actor: Person, document_id: int) -> Document:
    """Sign-off, step 1 (short, locked): check the rules and take the doc_number for the draft.

    The number is written on the draft row in the transaction that takes it, so a crash before the
    document is frozen leaves it reserved for this document (a retry reuses it), never unused and
    unrecorded, never handed out twice. The .docx is rendered after this transaction commits.
    """
    doc = _locked(s, document_id)
    _refuse_unless_draft(doc, message("documents.action_sign_again"))
    kind = kind_of(s, doc)
    _require_signer(s, actor, doc, kind)
    _check_meeting_time(s, doc, kind)
    check_distribution(s, doc, doc.addressees, doc.cc)
    _check_request(s, doc, kind)
    if kind.numbered and doc.serial is None:
        doc.series, doc.year = _series(s, doc, kind, s.get(Unit, doc.issuer_unit_id)), env.now.year
        doc.serial = allocate(s, doc.series, doc.year)
        doc.doc_number = rules.format_number(kind, doc.series, doc.year, doc.serial)
        try:
            with s.begin_nested():
                s.flush()
        except IntegrityError:
            raise Conflict("document_serial_conflict", series=doc.series, year=doc.year) from None
        _log(s, env, actor.id, "numbered", doc, number=doc.doc_number)
    return doc


def rendering(s: Session, env: Env, actor: Person, document_id: int) -> Rendering:
    """Sign-off, step 2 (no lock needed): lay out the numbered draft and store its .docx, named by sha256."""
    doc = get(s, document_id)
    day = _dated(s, env, doc, kind_of(s, doc))
    page, data = render_file(s, env, doc, number=doc.doc_number or "", day=day, signer=actor.name)
    digest, path = store(env, data, "docx")
    return Rendering(doc.doc_number, day, doc.updated_at, page, digest, path)


def freeze(s: Session, env: Env, actor: Person, document_id: int, done: Rendering) -> Document:
    """Sign-off, step 3 (short, locked): freeze the draft with the stored file; render again if it changed meanwhile."""
    doc = _locked(s, document_id)
    _refuse_unless_draft(doc, message("documents.action_sign_again"))
    kind = kind_of(s, doc)
    _require_signer(s, actor, doc, kind)
    _check_meeting_time(s, doc, kind)
    if kind.numbered and doc.serial is None:
        reserve(s, env, actor, document_id)
    if (done.number, done.stamp, done.day) != (doc.doc_number, doc.updated_at, _dated(s, env, doc, kind)):
        done = rendering(s, env, actor, document_id)
    doc.sha256, doc.file_path = done.sha256, done.path
    states.apply(doc, "document", DocumentStatus.FROZEN, message("documents.action_sign"))
    doc.doc_date, doc.signer_id, doc.signed_at, doc.updated_at = done.day, actor.id, env.now, env.now
    doc.content = _page_json(done.page)
    _close_signoff(s, env, actor.id, doc, "signed")
    _log(s, env, actor.id, "signed", doc, number=doc.doc_number, date=done.day, sha256=doc.sha256)
    return doc


def _require_signer(s: Session, actor: Person, doc: Document, kind: DocumentKind) -> None:
    if not may_sign(s, actor, doc):
        names = message("value.list_separator").join(policy_set_for(s, doc.policy_version_id).role_name(r) for r in signer_roles(s, doc))
        raise permissions.refusal(NotPermitted("document_not_signer", kind=kind.name, roles=names), "document.sign",
                                  "document", doc.id)


def render_file(s: Session, env: Env, doc: Document, *, number: str, day, signer: str) -> tuple[Any, bytes]:
    """Lay a document out from its draft and a fresh rendering of its record; return the Page and the .docx."""
    page, _blocks = drafting.page(s, env, doc, kind_of(s, doc), _policy(s, doc.policy_version_id),
                                     number=number, day=day, signer=signer)
    return page, render_docx(page)


def _check_request(s: Session, doc: Document, kind: DocumentKind) -> None:
    if not kind.requires_request:
        return
    request = s.get(Document, doc.request_id) if doc.request_id else None
    if request is None:
        raise InvalidInput.because("documents.reply_request_missing", kind=kind.name)
    if request.status != DocumentStatus.FROZEN:
        raise InvalidInput.because("documents.request_not_signed", title=request.title, kind=kind.name)


def _dated(s: Session, env: Env, doc: Document, kind: DocumentKind):
    """The date of the document: the sign_off date, or for kinds dated by the meeting, the date the meeting passed it.

    Minutes are never dated before their meeting (they can only be signed once the meeting closed).
    """
    if kind.dated == "meeting" and doc.matter_id:
        last = (s.get(Matter, doc.matter_id).decision or {}).get("last") or {}
        if last.get("decided_at"):
            return drafting._day(last["decided_at"])
    day = env.now.date()
    if kind.drafted == "meeting_closed" and doc.meeting_id:
        day = max(day, s.get(Meeting, doc.meeting_id).scheduled_at.date())
    return day


def _check_meeting_time(s: Session, doc: Document, kind: DocumentKind) -> None:
    """A meeting's notice is signed before its meeting, never once it is held; its minutes only after it closed."""
    if doc.meeting_id is None:
        return
    meeting = s.get(Meeting, doc.meeting_id)
    name = meeting.title or policy_set_for(s, meeting.policy_version_id).body(meeting.body_key).name
    if kind.drafted == "meeting_scheduled" and meeting.status in (MeetingStatus.IN_SESSION, MeetingStatus.CLOSED):
        held = meeting.opened_at or meeting.scheduled_at
        raise InvalidTransition("documents.notice_meeting_held", meeting=name, title=doc.title,
                                date=rules.cn_date(held.date()))
    if kind.drafted == "meeting_closed" and meeting.status != MeetingStatus.CLOSED:
        raise InvalidTransition("documents.minutes_before_meeting", meeting=name, kind=kind.name, title=doc.title)


def _series(s: Session, doc: Document, kind: DocumentKind, issuer: Unit) -> str:
    matter = s.get(Matter, doc.matter_id) if doc.matter_id else None
    meeting = s.get(Meeting, doc.meeting_id) if doc.meeting_id else None
    series = drafting.series_of(kind, drafting.body_key(matter, meeting), issuer)
    if not series:
        raise InvalidInput.because("documents.issuer_no_prefix", issuer=issuer.name, kind=kind.name)
    return series


def allocate(s: Session, series: str, year: int) -> int:
    """Take the next serial of an (issuing organ's code, year) series: the counter row is locked until the transaction
    ends.
    """
    table = DocumentSerial.__table__
    if s.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    s.execute(insert(table).values(series=series, year=year, last=0)
              .on_conflict_do_nothing(index_elements=["series", "year"]))
    counter = s.execute(select(DocumentSerial).where(DocumentSerial.series == series, DocumentSerial.year == year)
                        .with_for_update().execution_options(populate_existing=True)).scalar_one()
    counter.last += 1
    s.flush()
    return counter.last


def _page_json(page) -> dict[str, Any]:
    from dataclasses import asdict
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in asdict(page).items()}


def store(env: Env, data: bytes, suffix: str) -> tuple[str, str]:
    """Write bytes once under files_dir/documents, named by their sha256; return (sha256, relative path)."""
    if env.files_dir is None:
        raise InvalidInput.because("documents.no_data_dir")
    digest = hashlib.sha256(data).hexdigest()
    folder = Path(env.files_dir) / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{digest}.{suffix}"
    if not target.exists():
        partial = folder / f".{digest}.{uuid.uuid4().hex}.part"    # unique: two threads may store the same bytes
        partial.write_bytes(data)
        os.replace(partial, target)
    return digest, f"documents/{target.name}"


FILES = {"docx": ("file_path", "sha256"), "pdf": ("pdf_path", "pdf_sha256"), "ofd": ("ofd_path", "ofd_sha256")}


def read_file(env: Env, doc: Document, which: str = "docx") -> bytes:
    """The stored bytes of a frozen document (docx, pdf or ofd), checked against the stored sha256."""
    path, digest = (getattr(doc, column) for column in FILES[which])
    if not path:
        raise NotFound(what=message(f"documents.{which}_file"), ref=doc.title)
    try:
        data = (Path(env.files_dir or ".") / path).read_bytes()
    except FileNotFoundError:
        raise NotFound(what=message("documents.docx_file"), ref=path) from None
    if hashlib.sha256(data).hexdigest() != digest:
        raise InvalidInput.because("documents.file_tampered", title=doc.title)
    return data


# --------------------------------------------------------------------------------------------
# void, PDF, demo


def void(s: Session, env: Env, actor: Person, document_id: int, reason: str) -> Document:
    """Void: the document stays on record with its number, which is never given out again."""
    doc = _locked(s, document_id)
    if doc.status == DocumentStatus.VOID:
        raise InvalidTransition("document_void", title=doc.title, action=message("documents.action_void_again"))
    if not may_void(s, actor, doc):
        raise NotPermitted.because("documents.void_who")
    doc.void_reason = clean_text(reason, message("documents.void_reason_label"), 1000)
    states.apply(doc, "document", DocumentStatus.VOID, message("documents.action_void"))
    doc.voided_at = doc.updated_at = env.now
    _close_signoff(s, env, actor.id, doc, "voided", doc.void_reason)
    _log(s, env, actor.id, "voided", doc, number=doc.doc_number, reason=doc.void_reason)
    return doc


def pending_pdf(s: Session) -> list[int]:
    """Frozen documents that have no PDF yet (for the scheduler)."""
    query = select(Document.id).where(Document.status == DocumentStatus.FROZEN, Document.pdf_sha256.is_(None))
    return list(s.execute(query.order_by(Document.id)).scalars())


def convert_pdf(s: Session, env: Env, document_id: int) -> Document:
    """Convert a frozen document to PDF with LibreOffice headless; idempotent (a stored PDF is kept)."""
    doc = _locked(s, document_id)
    if doc.status != DocumentStatus.FROZEN:
        raise InvalidInput.because("documents.pdf_not_signed", title=doc.title)
    if doc.pdf_sha256 and (Path(env.files_dir or ".") / doc.pdf_path).exists():
        return doc
    pdf = to_pdf(read_file(env, doc))
    doc.pdf_sha256, doc.pdf_path = store(env, pdf, "pdf")
    doc.ofd_sha256, doc.ofd_path = store(env, ofd.from_pdf(pdf, doc.title, env.now), "ofd")
    _log(s, env, None, "pdf_converted", doc, sha256=doc.pdf_sha256, ofd_sha256=doc.ofd_sha256, ofd_path=doc.ofd_path)
    return doc


def sign_off_drafts(s: Session, env: Env, actor: Person | None = None, only: Sequence[int] | None = None) -> list[int]:
    """Have each draft (or those of `only`) signed by a holder of its signer role (demo); requests before replies."""
    query = select(Document).where(Document.status == DocumentStatus.DRAFT)
    if only is not None:
        query = query.where(Document.id.in_(list(only)))
    drafts = list(s.execute(query.order_by(Document.id)).scalars())
    signed = []
    for doc in sorted(drafts, key=lambda d: kind_of(s, d).requires_request):
        signer = next((p for role in signer_roles(s, doc) for p in org.holders(s, role) if may_sign(s, p, doc)), None)
        if signer is None:
            continue
        try:
            with s.begin_nested():
                sign(s, env, signer, doc.id)
        except (InvalidInput, InvalidTransition):
            continue
        signed.append(doc.id)
    return signed


def sign_meeting_notice(s: Session, env: Env, actor: Person | None, meeting_id: int) -> list[int]:
    """Have the drafts of a meeting's notice (drafted when it was scheduled) signed now, before it is held (the demo)."""
    policy = _policy(s, s.get(Meeting, meeting_id).policy_version_id)
    keys = [k.key for k in policy.kinds.values() if k.drafted == "meeting_scheduled"]
    ids = list(s.execute(select(Document.id).where(Document.meeting_id == meeting_id, Document.kind.in_(keys),
                                                    Document.status == DocumentStatus.DRAFT)).scalars())
    return sign_off_drafts(s, env, actor, only=ids)


def count(s: Session, **where: Any) -> int:
    query = select(func.count()).select_from(Document)
    for key, value in where.items():
        query = query.where(getattr(Document, key) == value)
    return s.execute(query).scalar_one()


# --------------------------------------------------------------------------------------------
# 送签: a draft waits in the 待办 of every holder of its signer role until one 签发 or 退回 it


def open_signoff(s: Session, document_id: int) -> DocumentSignoff | None:
    return s.execute(select(DocumentSignoff).where(DocumentSignoff.document_id == document_id,
                                                   DocumentSignoff.closed_at.is_(None))
                     .order_by(DocumentSignoff.id.desc()).limit(1)).scalars().first()


def _open_signoff(s: Session, env: Env, actor_id: int | None, doc: Document, first: bool = True) -> DocumentSignoff:
    row = DocumentSignoff(document_id=doc.id, opened_at=env.now, opened_by_id=actor_id, reason="")
    s.add(row)
    s.flush()
    arrivals.awaiting_signature(s, env, doc, signers_of(s, doc), signoff_id=row.id)    # the signers are told, each round
    return row


def _close_signoff(s: Session, env: Env, actor_id: int | None, doc: Document, outcome: str,
                   reason: str = "") -> None:
    row = open_signoff(s, doc.id)
    if row is not None:
        row.closed_at, row.closed_by_id, row.outcome, row.reason = env.now, actor_id, outcome, reason


def return_draft(s: Session, env: Env, actor: Person, document_id: int, reason: str) -> Document:
    """Return: a signer sends the draft back to the secretariat with a reason; the round closes for every signer."""
    doc = _locked(s, document_id)
    action = message("documents.action_return")
    _refuse_unless_draft(doc, action)
    _require_signer(s, actor, doc, kind_of(s, doc))
    text = clean_text(reason, message("documents.return_reason_label"), 1000)
    if open_signoff(s, doc.id) is None:
        raise InvalidTransition("documents.signoff_not_open", title=doc.title, action=action)
    _close_signoff(s, env, actor.id, doc, "returned", text)
    doc.updated_at = env.now
    _log(s, env, actor.id, "returned", doc, reason=text)
    return doc


def send_for_signature(s: Session, env: Env, actor: Person, document_id: int) -> Document:
    """Send for sign_off again: the secretariat puts a returned (and edited) draft before the signers once more."""
    doc = _locked(s, document_id)
    _refuse_unless_draft(doc, message("documents.action_send"))
    _require_editor(s, actor, doc.policy_version_id)
    if open_signoff(s, doc.id) is not None:
        raise InvalidTransition("documents.signoff_already_open", title=doc.title)
    _open_signoff(s, env, actor.id, doc, first=False)
    _log(s, env, actor.id, "sent_for_signature", doc)
    return doc


def awaiting(s: Session, person: Person) -> list[Document]:
    """The drafts sent for sign_off that this person may sign off, oldest sending first (the sign_off entries of
    their tasks).

    Two statements when nothing waits or the person holds no post; a draft is checked in full only
    when the person holds one of its signer roles.
    """
    docs = list(s.execute(select(Document).join(DocumentSignoff, DocumentSignoff.document_id == Document.id)
                          .where(DocumentSignoff.closed_at.is_(None), Document.status == DocumentStatus.DRAFT)
                          .order_by(DocumentSignoff.opened_at, Document.id)).scalars())
    if not docs:
        return []
    roles = set(s.execute(select(Post.role).where(Post.person_id == person.id, Post.active.is_(True))).scalars())
    return [doc for doc in docs if roles & _possible_signers(s, doc) and may_sign(s, person, doc)]


def _possible_signers(s: Session, doc: Document) -> set[str]:
    """Every role that could sign a document of this kind, read from the (cached) policies alone — no statement."""
    kind, policy = kind_of(s, doc), _policy(s, doc.policy_version_id)
    roles = set(kind.signer_roles) - {rules.MEETING_CHAIR}
    if rules.MEETING_CHAIR in kind.signer_roles:
        roles |= {body.chair_role for body in policy_set_for(s, doc.policy_version_id).bodies.values()}
    return roles | {r for allowed in policy.signers_by_issuer.values() for r in allowed}


def last_return(s: Session, document_id: int) -> DocumentSignoff | None:
    """The latest return of a draft (shown on its page until it is signed)."""
    return s.execute(select(DocumentSignoff).where(DocumentSignoff.document_id == document_id,
                                                   DocumentSignoff.outcome == "returned")
                     .order_by(DocumentSignoff.id.desc()).limit(1)).scalars().first()


def download_name(doc: Document, which: str) -> str:
    """The file name: the doc_number without the issuing organ's code, the title, the extension; no path separators."""
    stem = rules.download_stem(doc.doc_number, doc.series, doc.title)
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", stem) + f".{which}"


# --------------------------------------------------------------------------------------------
# 机关代字: a unit issuing documents in its own name numbers them in its own series


# no blank, digit or bracket of any width (the 〔2026〕 of a number is added to it)
UNIT_CODE = re.compile(r"[^\s\d()\uff08\uff09\u3014\u3015\[\]\u3010\u3011{}]{1,20}")


def set_unit_code(s: Session, env: Env, actor: Person, unit_ref: str, code: str) -> dict[str, str]:
    """Register a unit's issuing organ's code: the series its own documents are numbered in (audited)."""
    permissions.require(s, env, actor, "admin.manage", subject="unit")
    ref = (unit_ref or "").strip()
    unit = s.execute(select(Unit).where((Unit.key == ref) | (Unit.name == ref) | (Unit.short_name == ref))
                     .order_by(Unit.id).limit(1)).scalars().first()
    if unit is None:
        raise InvalidInput.because("documents.unit_unknown", ref=ref)
    code = (code or "").strip()
    if not UNIT_CODE.fullmatch(code):
        raise InvalidInput.because("documents.unit_code_bad", code=code)
    other = s.execute(select(Unit).where(Unit.doc_prefix == code, Unit.id != unit.id).limit(1)).scalars().first()
    if other is not None:
        raise Conflict("documents.unit_code_taken", code=code, unit=other.name)
    before, unit.doc_prefix = unit.doc_prefix, code
    audit.append(s, env, actor.id, "unit.code_set", "unit", unit.id, {"unit": unit.name, "code": code,
                                                                       "before": before})
    return {"unit": unit.name, "code": code}
