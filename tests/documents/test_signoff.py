"""送签, a member unit's own 机关代字 and a meeting's notice in time (issue 14, items 3, 4 and 6), on both databases.

Drafting opens a 送签 in the 待办 of every holder of the signer role at the issuing organ; one 签发 or a
退回 with its reason closes it for all, and the 党政办 may send the draft again. A member unit registers
its 机关代字 (`quorum unit set-code`, audited) and then issues its own 班子会 notice and 纪要: the 版头
names the unit, its head signs — the 总院长 may not. The 会议通知 is signed before the meeting and can no
longer be signed once it is held (409); a 纪要 is signed only after its meeting, never dated before it.
"""

import io
from dataclasses import replace
from datetime import datetime, time

import docx
import pytest
from sqlalchemy import select

from quorum.calendar import TZ
from quorum.core.errors import Conflict, InvalidInput, InvalidTransition, NotPermitted
from quorum.db import AuditEvent, Document, DocumentSignoff, Person
from quorum.services import documents, meetings, org
from tests import helpers
from tests.cli.conftest import cli  # noqa: F401  (the command-line fixture, on both databases)

ADMIN = "gaowenjing"            # 党政办主任 and administrator: edits drafts, registers codes
HEAD = "lichunyan"              # 乌兰社区中心主任: chairs its 班子会, signs its own documents
PRESIDENT = "eerdun"            # 总院长: signs 总医院's documents, never a member unit's
WULAN = "二连浩特市乌兰社区卫生服务中心"


@pytest.fixture
def files(sc, tmp_path):
    sc.env = replace(sc.env, files_dir=tmp_path / "files")
    return sc


def meeting_of(sc, body, days, unit=None, organiser=ADMIN):
    day = sc.env.calendar.add_working_days(sc.env.now.date(), days).due
    at = datetime.combine(day, time(9), tzinfo=TZ)
    return sc.do(organiser, meetings.schedule, body, "", at, "会议室", [], unit_key=unit)


def document_of(community, meeting_id, kind):
    with community.sessions.begin() as s:
        return s.execute(select(Document).where(Document.meeting_id == meeting_id, Document.kind == kind)
                         ).scalar_one()


def awaiting_ids(community, username):
    with community.sessions.begin() as s:
        return [d.id for d in documents.awaiting(s, org.person(s, username))]


def test_a_member_unit_issues_its_own_banzi_notice_signed_by_its_head(community, files):
    sc = files
    done = sc.do(ADMIN, documents.set_unit_code, "wulan_chc", "乌社卫发")
    assert done == {"unit": WULAN, "code": "乌社卫发"}
    meeting = meeting_of(sc, "member_leadership", 3, unit="wulan_chc", organiser=HEAD)
    notice = document_of(community, meeting.id, "meeting_notice")
    with community.sessions.begin() as s:
        assert notice.issuer_unit_id == org.unit(s, "wulan_chc").id
        assert documents.signers_of(s, notice) == [org.person(s, HEAD).id]      # signers follow the organ
    assert notice.id in awaiting_ids(community, HEAD)
    assert notice.id not in awaiting_ids(community, PRESIDENT)
    with pytest.raises(NotPermitted):
        sc.do(PRESIDENT, documents.sign, notice.id)
    signed = sc.do(HEAD, documents.sign, notice.id)
    assert signed.doc_number == "乌社卫发〔2026〕1号" and signed.doc_date < meeting.scheduled_at.date()
    with community.sessions.begin() as s:
        text = [p.text for p in docx.Document(io.BytesIO(documents.read_file(sc.env, signed))).paragraphs]
    assert f"{WULAN}文件" in text and "二连浩特市紧密型医共体文件" not in text
    assert notice.id not in awaiting_ids(community, HEAD)


def test_signing_or_returning_closes_the_signoff_for_every_holder(community, files):
    sc = files
    matter_id = helpers.submit(sc, "关于建设医共体远程会诊中心的议题")
    notice = sc.do(ADMIN, documents.draft, "consultation_letter", [matter_id])   # 总院长 or a 副院长 signs
    with community.sessions.begin() as s:
        signers = [s.get(Person, i).username for i in documents.signers_of(s, notice)]
    assert len(signers) >= 2 and PRESIDENT in signers and ADMIN not in signers
    for username in signers:
        assert notice.id in awaiting_ids(community, username)
    with pytest.raises(InvalidInput):
        sc.do(signers[1], documents.return_draft, notice.id, "  ")
    with pytest.raises(NotPermitted):
        sc.do(HEAD, documents.return_draft, notice.id, "时间不合适")
    sc.do(signers[1], documents.return_draft, notice.id, "会议地点改在第二会议室，请修改后再送签")
    for username in signers:
        assert notice.id not in awaiting_ids(community, username)
    with pytest.raises(InvalidTransition, match="不在送签中"):
        sc.do(signers[0], documents.return_draft, notice.id, "再退一次")
    with pytest.raises(NotPermitted):
        sc.do(signers[0], documents.send_for_signature, notice.id)             # only the 党政办 sends
    sc.do(ADMIN, documents.send_for_signature, notice.id)
    with pytest.raises(InvalidTransition, match="已在送签中"):
        sc.do(ADMIN, documents.send_for_signature, notice.id)
    assert all(notice.id in awaiting_ids(community, u) for u in signers)
    sc.do(signers[0], documents.sign, notice.id)
    for username in signers:
        assert notice.id not in awaiting_ids(community, username)
    with community.sessions.begin() as s:
        rounds = [(r.outcome, r.reason) for r in s.execute(select(DocumentSignoff).where(
            DocumentSignoff.document_id == notice.id).order_by(DocumentSignoff.id)).scalars()]
        kinds = [e.kind for e in s.execute(select(AuditEvent).where(AuditEvent.subject == "document",
                                                                    AuditEvent.subject_id == notice.id)).scalars()]
    assert rounds == [("returned", "会议地点改在第二会议室，请修改后再送签"), ("signed", "")]
    assert {"document.returned", "document.sent_for_signature", "document.signed"} <= set(kinds)


def test_the_notice_cannot_be_signed_once_the_meeting_is_held_and_minutes_only_after(community, files):
    sc = files
    sc.do(ADMIN, documents.set_unit_code, "wulan_chc", "乌社卫发")
    meeting = meeting_of(sc, "member_leadership", 3, unit="wulan_chc", organiser=HEAD)
    notice = document_of(community, meeting.id, "meeting_notice")
    minutes = sc.do(ADMIN, documents.draft, "minutes", meeting_id=meeting.id)
    with pytest.raises(InvalidTransition, match="尚未结束") as early:
        sc.do(HEAD, documents.sign, minutes.id)
    assert early.value.http_status == 409
    sc.at(meeting.scheduled_at.date(), 9)
    sc.do(HEAD, meetings.open_session, meeting.id)
    with pytest.raises(InvalidTransition, match="不能再签发") as late:
        sc.do(HEAD, documents.sign, notice.id)
    assert late.value.http_status == 409 and "通知须在会前签发" in str(late.value)
    sc.do(HEAD, meetings.close, meeting.id)
    signed = sc.do(HEAD, documents.sign, minutes.id)
    assert signed.doc_date >= meeting.scheduled_at.date()
    assert signed.doc_number == "乌兰社区中心班子会议纪要〔2026〕第1期"      # its own series, not 乌社卫发


def test_a_units_code_is_registered_by_an_administrator_once(community, sc):
    with pytest.raises(NotPermitted):
        sc.do(HEAD, documents.set_unit_code, "wulan_chc", "乌社卫发")
    for bad in ("", "乌社 卫发", "乌社卫发〔2026〕", "x" * 21):
        with pytest.raises(InvalidInput, match="机关代字"):
            sc.do(ADMIN, documents.set_unit_code, "wulan_chc", bad)
    with pytest.raises(InvalidInput, match="未找到单位"):
        sc.do(ADMIN, documents.set_unit_code, "nowhere", "乌社卫发")
    with pytest.raises(Conflict, match="二连浩特市总医院"):
        sc.do(ADMIN, documents.set_unit_code, "乌兰社区中心", "二医共发")
    sc.do(ADMIN, documents.set_unit_code, "乌兰社区中心", "乌社卫发")            # by short name too
    with community.sessions.begin() as s:
        assert org.unit(s, "wulan_chc").doc_prefix == "乌社卫发"
        event = s.execute(select(AuditEvent).where(AuditEvent.kind == "unit.code_set")).scalar_one()
    assert event.payload["code"] == "乌社卫发" and event.payload["before"] is None


def test_every_body_numbers_its_minutes_in_a_series_of_its_own(decided, community):
    with community.sessions.begin() as s:
        rows = list(s.execute(select(Document).where(Document.status == "frozen")).scalars())
        not_drafted = s.execute(select(AuditEvent).where(AuditEvent.kind == "document.not_drafted")).scalars().all()
    minutes = [d for d in rows if d.kind == "minutes"]
    by_series: dict[str, list[int]] = {}
    for d in rows:
        by_series.setdefault(d.series, []).append(d.serial)
    assert {d.series for d in minutes} >= {"党委会议纪要", "院长办公会议纪要", "职代会会议纪要", "乌兰社区中心班子会议纪要"}
    for d in minutes:
        assert d.doc_number == f"{d.series}〔2026〕第{d.serial}期"
    for series, serials in by_series.items():           # no number of any series is skipped or drawn twice
        if series:
            assert sorted(serials) == list(range(1, len(serials) + 1)), series
    assert not_drafted == []


def test_the_member_units_reply_is_drafted_and_cites_its_request(decided, community, denv):
    expenditure = decided["chains"]["expenditure"]
    with community.sessions.begin() as s:
        reply = s.execute(select(Document).where(Document.matter_id == expenditure, Document.kind == "reply")
                          ).scalar_one()
        request = documents.get(s, reply.request_id)
        assert reply.status == request.status == "frozen"
        assert request.issuer_unit_id == org.unit(s, "wulan_chc").id and request.doc_number.startswith("乌社卫发")
        assert reply.addressees == [WULAN]
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(documents.read_file(denv, reply))).paragraphs)
    assert f"《{request.title}》（{request.doc_number}）收悉" in text


def test_unit_set_code_on_the_command_line(cli):  # noqa: F811
    cli.ok("init", "--demo-org")
    refused = cli.run("unit", "set-code", "wulan_chc", "乌社 卫发", "--as", ADMIN)
    assert refused.returncode == 2 and "机关代字" in refused.stderr
    done = cli.run("unit", "set-code", "wulan_chc", "乌社卫发", "--as", ADMIN)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{WULAN}的机关代字：乌社卫发"
    assert cli.run("unit", "set-code", "wulan_chc", "乌社卫发", "--as", HEAD).returncode != 0


def test_the_series_and_issuer_tokens_of_documents_toml(tmp_path):
    """series_by_body may name only {issuer}; an issuer is a unit kind, @matter_unit or @meeting_unit; a kind none
    of whose signer roles a member unit allows is signed by the unit's own 班子 ([signers] by_issuer)."""
    import shutil
    import tomllib
    from pathlib import Path

    from quorum import policies
    from quorum.core.documents import download_stem, parse_document_policy, series_text
    from quorum.core.errors import InvalidPolicy

    root = Path(__file__).resolve().parents[2] / "policies"
    rules = policies.load(root).policy_set
    policy = parse_document_policy(tomllib.loads((root / "documents.toml").read_text(encoding="utf-8")),
                                   rules.roles, rules.bodies)
    assert policy.kind("meeting_notice").issuer_by_body["member_leadership"] == "@meeting_unit"
    assert policy.signers(("president", "party_secretary"), "member_unit") == ("member_unit_head",
                                                                               "member_unit_party_leader")
    assert policy.signers(("president", "member_unit_head"), "member_unit") == ("member_unit_head",)
    assert policy.signers(("party_secretary", "president"), "party_org") == ("party_secretary",)
    assert series_text(policy.kind("minutes").series_by_body["member_leadership"], "乌兰社区中心") == \
        "乌兰社区中心班子会议纪要"
    assert download_stem("二医共发〔2026〕3号", "二医共发", "关于印发方案的通知") == "〔2026〕3号 关于印发方案的通知"
    assert download_stem(None, None, "议题申报表") == "议题申报表"
    for n, (old, new, refusal) in enumerate((
            ('member_leadership = "{issuer}班子会议纪要"', 'member_leadership = "{unit}班子会议纪要"', "只能使用"),
            ('member_leadership = "@meeting_unit" }\nsigner_roles = ["president", "party_secretary"]',
             'member_leadership = "@meeting" }\nsigner_roles = ["president", "party_secretary"]', "@meeting_unit"))):
        target = tmp_path / f"policies{n}"
        shutil.copytree(root, target)
        toml = target / "documents.toml"
        text = toml.read_text(encoding="utf-8")
        assert text.count(old) == 1, old
        toml.write_text(text.replace(old, new), encoding="utf-8")
        with pytest.raises(InvalidPolicy, match=refusal):
            policies.load(target)
