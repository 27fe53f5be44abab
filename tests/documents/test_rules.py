"""The rules a document keeps (DOMAIN.md W8, §6.5): 一文一事, a 批复 cites a signed 请示, upward documents have one
主送 (or every unit of the 会签 they are drafted for) and never 抄送 a subordinate, a 报告 carries no request, and the policy names only known kinds."""

import io
import shutil
import threading
from pathlib import Path

import docx
import pytest
from sqlalchemy import select

from quorum import policies
from quorum.core.errors import InvalidInput, InvalidPolicy, NotPermitted
from quorum.db import Attendance, Document, Person, Recusal
from quorum.services import documents, org
from tests.conftest import ROOT
from tests.documents.conftest import run

SECRETARY, PRESIDENT, PARTY_SECRETARY = "gaowenjing", "eerdun", "bater"   # 二医共党发: the 党委书记 signs


def member_unit_matter(community, denv):
    """A 乌兰社区中心 matter: its 请示 goes up to the 总医院, whose 批复 answers it."""
    from quorum.services.demo import Scenario
    from tests import helpers
    with community.sessions.begin() as s:
        org.unit(s, "wulan_chc").doc_prefix = "乌兰社卫"
    return helpers.submit(Scenario(community.sessions, denv), "关于更新乌兰社区卫生服务中心救护车的议题",
                          category="funds", amount="150000", unit="wulan_chc")


def test_one_matter_per_request_and_a_reply_needs_its_request(decided, community, denv):
    mid = decided["matter_id"]
    wulan = member_unit_matter(community, denv)
    wulan_head = "lichunyan"
    with community.sessions.begin() as s:
        replies = documents.count(s, kind="reply", status="frozen")     # the demo's 心电监护仪 批复
    with pytest.raises(InvalidInput, match="一文一事：一份请示只能请示一个事项（收到2个事项）"):
        run(community, denv, SECRETARY, documents.draft, "request", [mid, wulan])
    with pytest.raises(InvalidInput, match="批复须答复一份请示并引用其标题和文号"):
        run(community, denv, SECRETARY, documents.draft, "reply", [wulan])
    request = run(community, denv, SECRETARY, documents.draft, "request", [wulan])
    assert request.addressees == ["二连浩特市总医院"]
    reply = run(community, denv, SECRETARY, documents.draft, "reply", [wulan])
    assert reply.request_id == request.id and reply.addressees == ["二连浩特市乌兰社区卫生服务中心"]
    with pytest.raises(InvalidInput, match="尚未签发编号"):
        run(community, denv, PRESIDENT, documents.sign, reply.id)
    with pytest.raises(NotPermitted):                  # the 请示 is the 乌兰社区中心's: its own head signs it
        run(community, denv, PRESIDENT, documents.sign, request.id)
    request = run(community, denv, wulan_head, documents.sign, request.id)
    assert request.doc_number == "乌兰社卫〔2026〕1号"
    reply = run(community, denv, PRESIDENT, documents.sign, reply.id)
    with community.sessions.begin() as s:
        data = documents.read_file(denv, documents.get(s, reply.id))
    text = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    assert f"你单位《{request.title}》（{request.doc_number}）收悉。经研究，批复如下：" in text
    assert "二连浩特市乌兰社区卫生服务中心：" in text
    with community.sessions.begin() as s:
        assert documents.count(s, kind="reply", status="frozen") == replies + 1


def test_upward_documents_go_to_one_superior_never_a_person_never_copied_down(decided, community, denv):
    request = run(community, denv, SECRETARY, documents.draft, "request", [decided["matter_id"]])
    assert request.addressees == ["二连浩特市卫生健康委员会"]
    for change, refusal in (({"cc": ["二连浩特市乌兰社区卫生服务中心"]}, "上行文不得抄送下级机关：二连浩特市乌兰社区卫生服务中心"),
                            ({"cc": ["乌兰社区中心"]}, "上行文不得抄送下级机关：乌兰社区中心"),
                            ({"addressees": ["二连浩特市卫生健康委员会", "二连浩特市财政局"]}, "只能主送一个上级机关"),
                            ({"addressees": ["巴特尔"]}, "不得主送领导者个人")):
        with pytest.raises(InvalidInput, match=refusal):
            run(community, denv, SECRETARY, documents.edit, request.id, **change)
    with community.sessions.begin() as s:
        row = documents.get(s, request.id)
        assert (row.addressees, row.cc) == (["二连浩特市卫生健康委员会"], [])       # nothing lost, nothing changed
    run(community, denv, SECRETARY, documents.edit, request.id, cc=["二连浩特市财政局"])     # a peer bureau: allowed
    signed = run(community, denv, PRESIDENT, documents.sign, request.id)
    assert signed.cc == ["二连浩特市财政局"]


def test_a_report_carrying_a_request_is_flagged(decided, community, denv):
    report = run(community, denv, SECRETARY, documents.draft, "filing_report", [decided["matter_id"]])
    with community.sessions.begin() as s:
        assert documents.warnings(s, documents.get(s, report.id)) == []
    run(community, denv, SECRETARY, documents.edit, report.id, body="现将有关情况报送备案。妥否，请批示。")
    with community.sessions.begin() as s:
        assert documents.warnings(s, documents.get(s, report.id)) == ["报告中不得夹带请示事项（发现「请批示」「妥否」），请另行请示"]


def test_the_demo_minutes_show_exactly_the_recorded_attendance_recusals_and_votes(decided, community, denv):
    party = decided["meetings"][1]
    with community.sessions.begin() as s:
        minutes = s.execute(select(Document).where(Document.kind == "minutes", Document.meeting_id == party)).scalar_one()
        assert minutes.status == "frozen"
        data = documents.read_file(denv, minutes)
        names = dict(s.execute(select(Person.id, Person.name)).all())
        attendance = s.execute(select(Attendance).where(Attendance.meeting_id == party)).scalars().all()
        from quorum.db import AgendaItem
        item = s.execute(select(AgendaItem).where(AgendaItem.meeting_id == party)).scalar_one()
        recusals = s.execute(select(Recusal).where(Recusal.item_id == item.id)).scalars().all()
    paragraphs = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    listed = {p.split("：", 1)[0]: p.split("：", 1)[1] for p in paragraphs if p[:3] in ("出席：", "请假：", "列席：")}
    present = {names[a.person_id] for a in attendance if a.status == "present"}
    assert set(listed["出席"].split("、")) == present and len(present) == 8
    assert listed["请假"] == "、".join(f"{names[a.person_id]}（{a.reason}）" for a in attendance if a.status == "absent")
    assert listed["列席"] == "、".join(names[a.person_id] for a in attendance if a.status == "observer")
    counts = item.counts
    expected = f"同意{counts['agree']}票，不同意{counts['disagree']}票，弃权{counts['abstain']}票"
    assert (counts["agree"], counts["disagree"]) == (6, 1)
    assert any(f"表决结果为{expected}，通过。" in p for p in paragraphs)
    for r in recusals:
        assert any(p.startswith(f"{names[r.person_id]}回避本议题") for p in paragraphs)
    assert any("表决意见为不同意" in p for p in paragraphs)


def test_fifty_concurrent_sign_offs_get_fifty_consecutive_numbers(decided, community, denv):
    mid = decided["matter_id"]
    with community.sessions.begin() as s:
        secretary = org.person(s, SECRETARY)
        ids = [documents.draft(s, denv, secretary, "notice", [mid]).id for _ in range(50)]
    barrier, numbers, errors = threading.Barrier(50), [], []

    def sign(document_id):
        barrier.wait()
        try:
            with community.sessions.begin() as s:
                doc = documents.sign(s, denv, org.person(s, PARTY_SECRETARY), document_id)
                numbers.append((doc.series, doc.year, doc.serial))
        except Exception as exc:          # noqa: BLE001 — any failure is reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=sign, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == [] and len(numbers) == 50
    serials = sorted(n[2] for n in numbers)
    assert len({n[:2] for n in numbers}) == 1 and serials == list(range(serials[0], serials[0] + 50))
    with community.sessions.begin() as s:
        stored = s.execute(select(Document.doc_number).where(Document.id.in_(ids))).scalars().all()
    assert len(set(stored)) == 50


def test_policy_check_refuses_unknown_kinds_and_bad_documents_policy(tmp_path):
    target = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", target)
    workflow = target / "workflows" / "major_matter.toml"
    workflow.write_text(workflow.read_text(encoding="utf-8").replace(
        'documents = ["agenda_form"]', 'documents = ["agenda_from"]'), encoding="utf-8")
    with pytest.raises(InvalidPolicy, match=r"major_matter.toml，步骤 proposal.*未知的公文种类「agenda_from」"):
        policies.load(target)
    shutil.copy(ROOT / "policies" / "workflows" / "major_matter.toml", workflow)
    documents_toml = target / "documents.toml"
    documents_toml.write_text(documents_toml.read_text(encoding="utf-8").replace(
        'signer_roles = ["president"]\nrequires_request', 'signer_roles = ["mayor"]\nrequires_request'),
        encoding="utf-8")
    with pytest.raises(InvalidPolicy, match=r"documents.toml，公文种类 reply.*未定义的角色「mayor」"):
        policies.load(target)
    assert Path(documents_toml).exists()


def test_a_joint_request_goes_to_every_approving_bureau_or_to_one_of_them():
    from quorum.core import documents as rules
    policy = rules.DocumentPolicy(kinds={}, editor_roles=("secretariat",), printing_office="党政办公室",
                                  ranks={"bureau": 2, "lead_hospital": 3}, superiors={}, star_issuers=())
    request = rules.DocumentKind(key="request", name="请示", genre="请示", direction="up", layout="upward",
                                 drafted="step_opened", issuer="@matter_unit", signer_roles=("president",))
    bureaus = ("二连浩特市卫生健康委员会", "二连浩特市人力资源和社会保障局", "二连浩特市财政局")
    units = {name: rules.UnitFacts(name, "bureau") for name in bureaus}

    def check(addressees):
        rules.check_distribution(request, policy, "lead_hospital", addressees, (), units, ("巴特尔",), joint=bureaus)

    check(list(reversed(bureaus)))                     # all three that must approve the 会签, in any order
    check([bureaus[0]])                                # or the one that leads it, the others copied
    for addressees in ([bureaus[0], bureaus[2]], [*bureaus, "巴特尔"], []):
        with pytest.raises(InvalidInput, match="只能主送一个上级机关"):
            check(addressees)
