"""Draft → edit → 签发 → frozen, and every refusal on the way: 党政办 drafts a 通知 on the decided 远程会诊中心
matter (decided by the 党委会, so issued as 二医共党发), edits it, the 医共体党委书记 signs it (the 总院长 may not:
the series is the 党委's); nothing about it changes afterwards; a voided number is never reused."""

import hashlib
import io
import re
from datetime import datetime
from pathlib import Path

import docx
import pytest
from sqlalchemy import select

from quorum.calendar import TZ
from quorum.core.errors import InvalidTransition, NotPermitted
from quorum.db import Document
from quorum.services import audit, documents, org
from tests.documents.conftest import run

SECRETARY, PRESIDENT, OUTSIDER = "gaowenjing", "eerdun", "tuya"
SIGNER = "bater"                 # 医共体党委书记: signs the 党委's 二医共党发 (policies/documents.toml [signers])


def text_of(denv, community, document_id):
    with community.sessions.begin() as s:
        data = documents.read_file(denv, documents.get(s, document_id))
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def test_a_draft_is_edited_signed_once_and_never_changes(decided, community, denv):
    mid = decided["matter_id"]
    doc = run(community, denv, SECRETARY, documents.draft, "notice", [mid])
    assert doc.status == "draft" and doc.title == "关于建设医共体远程会诊中心的通知" and doc.doc_number is None
    run(community, denv, SECRETARY, documents.edit, doc.id, title="关于印发远程会诊中心建设方案的通知",
        addressees=["各成员单位"], body="现将方案印发给你们，请认真贯彻执行。", attachments=["远程会诊中心建设方案"],
        cc=["二连浩特市卫生健康委员会"])
    with pytest.raises(NotPermitted):
        run(community, denv, OUTSIDER, documents.edit, doc.id, title="改标题")
    for refused in (SECRETARY, PRESIDENT):
        with pytest.raises(NotPermitted, match="通知须由医共体党委书记签发"):
            run(community, denv, refused, documents.sign, doc.id)
    with community.sessions.begin() as s:
        row = documents.get(s, doc.id)
        assert row.status == "draft" and row.serial is None
        assert documents.may_sign(s, org.person(s, SIGNER), row)
        assert not documents.may_sign(s, org.person(s, SECRETARY), row)
        assert not documents.may_sign(s, org.person(s, PRESIDENT), row)
    signed = run(community, denv, SIGNER, documents.sign, doc.id)
    assert re.fullmatch(r"二医共党发〔2026〕[1-9]\d*号", signed.doc_number)
    assert signed.doc_date == denv.now.date() and signed.status == "frozen"
    data = (Path(denv.files_dir) / signed.file_path).read_bytes()
    assert hashlib.sha256(data).hexdigest() == signed.sha256
    text = text_of(denv, community, doc.id)
    assert "关于印发远程会诊中心建设方案的通知" in text and "现将方案印发给你们，请认真贯彻执行。" in text
    assert "附件：远程会诊中心建设方案" in text

    for action, call in (("修改", lambda: run(community, denv, SECRETARY, documents.edit, doc.id, body="新正文")),
                         ("再次签发", lambda: run(community, denv, SIGNER, documents.sign, doc.id)),
                         ("重新生成", lambda: run(community, denv, SECRETARY, documents.regenerate, doc.id))):
        with pytest.raises(InvalidTransition) as refused:
            call()
        assert refused.value.key == "document_frozen"
        assert f"已签发（{signed.doc_number}），不能{action}" in str(refused.value)
    with community.sessions.begin() as s:
        row = documents.get(s, doc.id)
        assert (row.body, row.sha256, row.doc_number) == ("现将方案印发给你们，请认真贯彻执行。", signed.sha256,
                                                          signed.doc_number)
        check = audit.verify(s)
    assert check.ok


def test_a_voided_number_is_never_given_again(decided, community, denv):
    mid = decided["matter_id"]
    first = run(community, denv, SECRETARY, documents.draft, "notice", [mid])
    first = run(community, denv, SIGNER, documents.sign, first.id)
    voided = run(community, denv, SECRETARY, documents.void, first.id, "标题有误，重新发文")
    assert voided.status == "void" and voided.doc_number == first.doc_number
    with pytest.raises(InvalidTransition, match="已作废"):
        run(community, denv, SECRETARY, documents.edit, first.id, body="x")
    second = run(community, denv, SECRETARY, documents.draft, "notice", [mid])
    second = run(community, denv, SIGNER, documents.sign, second.id)
    assert (second.series, second.year) == (first.series, first.year) and second.serial == first.serial + 1
    with community.sessions.begin() as s:
        numbers = s.execute(select(Document.doc_number).where(Document.series == first.series)).scalars().all()
    assert len(numbers) == len(set(numbers))


def test_the_year_comes_from_the_sign_off_date(decided, community, denv):
    mid = decided["matter_id"]
    late = run(community, denv, SECRETARY, documents.draft, "notice", [mid])
    early = run(community, denv, SECRETARY, documents.draft, "notice", [mid])
    eve = denv.at(datetime(2026, 12, 31, 23, 30, tzinfo=TZ))
    signed_eve = run(community, eve, SIGNER, documents.sign, late.id)
    new_year = denv.at(datetime(2027, 1, 4, 9, 0, tzinfo=TZ))
    signed_new = run(community, new_year, SIGNER, documents.sign, early.id)
    assert "〔2026〕" in signed_eve.doc_number and signed_eve.doc_date.isoformat() == "2026-12-31"
    assert signed_new.doc_number == "二医共党发〔2027〕1号" and signed_new.doc_date.isoformat() == "2027-01-04"
    assert "2026年12月31日" in text_of(denv, community, late.id)


def test_pending_pdf_and_idempotent_conversion(decided, community, denv):
    with community.sessions.begin() as s:
        pending = documents.pending_pdf(s)
        frozen = s.execute(select(Document.id).where(Document.status == "frozen").order_by(Document.id)).scalars().all()
    assert pending == frozen and pending
    with community.sessions.begin() as s:
        doc = documents.convert_pdf(s, denv, pending[0])
        first = (doc.pdf_path, doc.pdf_sha256)
    pdf = (Path(denv.files_dir) / first[0]).read_bytes()
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == first[1]
    with community.sessions.begin() as s:
        again = documents.convert_pdf(s, denv, pending[0])
        assert (again.pdf_path, again.pdf_sha256) == first
        assert pending[0] not in documents.pending_pdf(s)
