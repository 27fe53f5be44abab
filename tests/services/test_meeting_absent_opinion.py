"""An absent member hands in his own 书面意见 before the meeting (issue 14, item 6).

On the 二连浩特 党委会 (9 seats): a member who cannot attend says so himself (请假, with the reason) — or is
already on the secretariat's list of absentees — and files his written opinion on each item before the
meeting opens. It is the same record as one the secretariat enters for him: shown in the room, printed in
the 纪要, audited under his own name, never counted as presence or a vote. Once the meeting has opened he
can no longer file (409).
"""

import io

import docx
import pytest
from sqlalchemy import select

from quorum.core.errors import InvalidInput, InvalidTransition, NotPermitted
from quorum.db import Attendance, AuditEvent, Document, Person, WrittenOpinion
from quorum.services import agenda, documents, meetings
from tests.helpers import person, schedule, start
from tests.services.test_meeting_rules import appointment, cast, item, name, refused, vote

OPINION = "同意，该同志熟悉牧区基层卫生工作。"


def events(sc, kind: str) -> list[tuple[str, dict]]:
    """(actor username, payload) of the audit events of one kind, in order."""
    with sc.sessions.begin() as s:
        rows = s.execute(select(AuditEvent, Person.username).join(Person, Person.id == AuditEvent.actor_id)
                         .where(AuditEvent.kind == kind).order_by(AuditEvent.seq)).all()
        return [(username, dict(event.payload)) for event, username in rows]


def test_an_absent_member_files_his_own_written_opinion_before_the_meeting_and_it_reaches_the_minutes(sc):
    p = cast(sc)
    mid = appointment(sc, "关于任命格日勒敖都卫生服务站站长的议题")
    party = schedule(sc, "party_committee", [mid])
    absentee, listed = p.leaders[5], p.leaders[4]

    # Not yet on leave: he must say he cannot attend first.
    refused(InvalidInput, "invalid_input", sc, absentee, meetings.own_written_opinion, party, 1, OPINION)
    sc.do(absentee, meetings.request_leave, party, "赴市卫健委参加培训")
    sc.do(absentee, meetings.own_written_opinion, party, 1, OPINION)
    refused(InvalidInput, "invalid_input", sc, absentee, meetings.own_written_opinion, party, 1, "再补充。")  # once
    refused(NotPermitted, "not_permitted", sc, p.secretary, meetings.own_written_opinion, party, 1, "我也写。")

    # A member the secretariat already put on the list of absentees may file without asking again.
    sc.do(p.secretary, meetings.attend, party, person(sc, listed), "absent", "病假")
    done = sc.do(listed, agenda.hand_in, party, "", {1: "建议补充民主测评结果后再议。"})
    assert done == "已提交：1项议题的书面意见"

    with sc.sessions.begin() as s:
        rows = s.execute(select(Attendance.status, Attendance.reason, Person.username)
                         .join(Person, Person.id == Attendance.person_id).where(Attendance.meeting_id == party)).all()
        assert sorted(rows) == [("absent", "病假", listed), ("absent", "赴市卫健委参加培训", absentee)]
        assert len(s.execute(select(WrittenOpinion)).scalars().all()) == 2
    assert ("赴市卫健委参加培训", True) in [(e["reason"], e.get("own")) for u, e in events(sc, "meeting.attendance")
                                            if u == absentee]
    filed = [(u, e["person"], e["own"]) for u, e in events(sc, "meeting.written_opinion")]
    assert filed == [(absentee, absentee, True), (listed, listed, True)]       # audited under his own name

    # The meeting opens: too late to file, 409; the opinion is in the room, not counted.
    start(sc, party, absent={absentee: "赴市卫健委参加培训", listed: "病假"})
    for fn, args in ((meetings.own_written_opinion, (party, 1, "会上补充。")),
                     (meetings.request_leave, (party, "临时有事"))):
        with pytest.raises(InvalidTransition) as info:
            sc.do(p.leaders[3], fn, *args)
        assert info.value.http_status == 409
        assert str(info.value).endswith("会议当前状态为「会议进行中」，只能在开会前自行请假或提交书面意见")
    rec = item(sc, party, 1)
    assert rec["written_opinions"] == [{"name": name(sc, absentee), "text": OPINION},
                                       {"name": name(sc, listed), "text": "建议补充民主测评结果后再议。"}]
    assert (rec["quorum"]["present"], rec["voted_count"]) == (7, 0)

    for member in (p.deputy, p.president, *p.leaders[:4], p.chair):
        vote(sc, party, 1, member)
    sc.do(p.secretary, meetings.close_item, party, 1)
    assert item(sc, party, 1)["counts"] == {"agree": 7, "disagree": 0, "postpone": 0}
    sc.do(p.secretary, meetings.close, party)
    with sc.sessions.begin() as s:
        minutes = s.execute(select(Document).where(Document.kind == "minutes", Document.meeting_id == party)).scalar_one()
        _page, data = documents.render_file(s, sc.env, minutes, number="", day=sc.env.now.date(), signer="")
    body = "\n".join(par.text for par in docx.Document(io.BytesIO(data)).paragraphs)
    assert f"{name(sc, absentee)}因请假未出席，提交书面意见：{OPINION.rstrip('。')}（不计入出席人数和表决票数）。" in body


def test_hand_in_needs_something_and_a_closed_meeting_takes_nothing(sc):
    p = cast(sc)
    mid = appointment(sc, "关于任命锡林社区中心主任的议题")
    party = schedule(sc, "party_committee", [mid])
    member = p.leaders[2]
    refused(InvalidInput, "invalid_input", sc, member, agenda.hand_in, party, " ", {1: "  "})
    done = sc.do(member, agenda.hand_in, party, "下乡巡诊", {1: "同意。"})
    assert done == "已提交：请假、1项议题的书面意见"
    refused(NotPermitted, "not_permitted", sc, sc.holder("hr_head"), agenda.hand_in, party, "出差", {})
