"""The world of the document tests: the demo 三重一大 matter decided by the 院长办公会 and the 党委会,
its drafts signed by their signer roles (quorum.services.demo.run), plus one document of every other
kind drafted from the same record and signed — on SQLite and PostgreSQL. Both states are built once per session
and backend, then copied (database and frozen files) into each test (tests/snapshots.py)."""

from dataclasses import replace

import pytest
from sqlalchemy import select

from quorum.db import Document, Unit
from quorum.services import documents, org
from tests.conftest import from_snapshot


@pytest.fixture
def denv(env, tmp_path):
    """The test clock with a data directory for the frozen files."""
    return replace(env, files_dir=tmp_path / "files")


def sign_as_signer(s, env, doc_id):
    doc = documents.get(s, doc_id)
    signer = next(p for r in documents.signer_roles(s, doc) for p in org.holders(s, r) if documents.may_sign(s, p, doc))
    return documents.sign(s, env, signer, doc_id)


@pytest.fixture
def world(community, denv, snapshots, decided_demo):
    """{kind: document id} of one frozen document of each kind, and the demo's matter and meetings."""
    return from_snapshot(snapshots, community, "documents_world",
                         lambda: _draft_every_kind(community, denv, decided_demo(denv)), denv.files_dir)


def _draft_every_kind(community, denv, result):
    mid = result["matter_id"]
    with community.sessions.begin() as s:
        secretary = org.person(s, "gaowenjing")
        for kind in ("notice", "request", "publicity_notice", "appointment_notice", "filing_report"):
            documents.draft(s, denv, secretary, kind, [mid])
        documents.sign_off_drafts(s, denv)
        documents.draft(s, denv, secretary, "reply", [mid])
        documents.sign_off_drafts(s, denv)
        rows = s.execute(select(Document.kind, Document.id, Document.status, Unit.kind)
                         .join(Unit, Unit.id == Document.issuer_unit_id).order_by(Document.id)).all()
        party_minutes = s.execute(select(Document.id).where(Document.kind == "minutes",
                                                            Document.meeting_id == result["meetings"][1])).scalar_one()
    assert {status for _k, _i, status, _u in rows} == {"frozen"}, rows
    kinds, member = {}, {}
    for kind, ident, _status, issuer_kind in rows:    # the 医共体's own first; a member unit's in `member`
        (member if issuer_kind == "member_unit" else kinds).setdefault(kind, ident)
    return {"kinds": {**member, **kinds}, "member": member, "matter_id": mid, "meetings": result["meetings"],
            "party_minutes": party_minutes}


@pytest.fixture
def decided(denv, decided_demo):
    """The demo matter decided and every draft it produced signed."""
    return decided_demo(denv)


def run(community, env, username, fn, *args, **kw):
    """One use case as username in its own transaction."""
    with community.sessions.begin() as s:
        return fn(s, env, org.person(s, username), *args, **kw)
