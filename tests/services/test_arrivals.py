"""Notices on arrival (issue 14, item 1): each kind tells the right people the facts they need, and nobody else.

A new task, an item put to the vote, a meeting called, a draft waiting for 签发, a decision on one's own
request, a 抄送 and an @-mention each enqueue an in-app notification in the change's own transaction;
the person who acted is never told of his own action.
"""

from sqlalchemy import select

from quorum.db import Document, Notification, Person, Task
from quorum.services import arrivals, matters, meetings, outbox, task_ops
from tests import helpers
from tests.helpers import answer, open_tasks, person


def notices(sc, kind: str) -> list[tuple[str, str, str, str | None, int | None]]:
    """(username, title, body, link, subject id) of every notice of a kind, in the order they were made."""
    with sc.sessions.begin() as s:
        rows = s.execute(select(Person.username, Notification.title, Notification.body, Notification.link,
                                Notification.subject_id)
                         .join(Person, Person.id == Notification.person_id)
                         .where(Notification.kind == kind).order_by(Notification.id)).all()
    return [tuple(r) for r in rows]


def name_of(sc, username: str) -> str:
    return person(sc, username).name


def test_a_new_task_tells_its_assignee_the_matter_step_unit_amount_due_date_and_link(sc):
    initiator = sc.holder("secretariat", 0)
    mid = helpers.submit(sc, "关于购置数字化X射线摄影系统的议题")
    tasks = open_tasks(sc, mid)
    assert tasks
    with sc.sessions.begin() as s:
        due = {t.id: t.due_date for t in s.execute(select(Task).where(Task.matter_id == mid)).scalars()}
    told = notices(sc, "task_assigned")
    assert sorted((u, sid) for u, _t, _b, _l, sid in told) == sorted(
        (u, tid) for tid, u, _k, _r in tasks if u != initiator)
    assert initiator not in {u for u, *_ in told}                 # his own submission opened them
    for username, title, body, link, task_id in told:
        assert title.startswith("【新待办】") and "关于购置数字化X射线摄影系统的议题" in title
        assert body.startswith(name_of(sc, username) + "：")
        assert "事项：关于购置数字化X射线摄影系统的议题" in body and "环节：前置程序" in body
        assert "单位：二连浩特市总医院" in body and "金额：860,000 元" in body
        assert f"办理时限：{due[task_id].isoformat()}" in body
        assert link == f"/matters/{mid}"
        assert username not in body and "general_hospital" not in body     # no username, no key
    # the next step's tasks are told too, and the person who approved is not told of them
    answer(sc, mid)
    assert len(notices(sc, "task_assigned")) >= len(told)


def test_no_amount_line_for_a_matter_without_one(sc):
    helpers.submit(sc, "关于调整门诊排班制度的议题", category="decision", amount=None)
    bodies = [b for _u, _t, b, _l, _s in notices(sc, "task_assigned")]
    assert bodies and not any("金额：" in b for b in bodies)


def test_a_meeting_called_tells_every_member_its_time_place_and_agenda(sc):
    mid = helpers.submit(sc, "关于购置数字化X射线摄影系统的议题")
    helpers.pass_gate_and_reviews(sc, mid)
    secretary = sc.holder("secretariat", 0)
    meeting_id = helpers.schedule(sc, "president_office", [mid])
    with sc.sessions.begin() as s:
        meeting = meetings.get(s, meeting_id)
        members = {s.get(Person, m.person_id).username for m in meeting.members}
        at = meeting.scheduled_at
    told = notices(sc, "meeting_called")
    assert {u for u, *_ in told} == members - {secretary}
    assert len(told) == len(members - {secretary})                   # once each
    for username, title, body, link, subject_id in told:
        assert title.startswith("【会议通知】") and subject_id == meeting_id and link == f"/meetings/{meeting_id}"
        assert f"{at:%Y-%m-%d} 09:00" in body and "总医院会议室" in body and "请您出席" in body
        assert "1. 关于购置数字化X射线摄影系统的议题" in body
        assert body.startswith(name_of(sc, username) + "：")


def test_the_first_ballot_opens_the_vote_for_every_member_present_but_the_voter(sc):
    mid = helpers.submit(sc, "关于购置数字化X射线摄影系统的议题")
    helpers.pass_gate_and_reviews(sc, mid)
    meeting_id = helpers.schedule(sc, "president_office", [mid])
    with sc.sessions.begin() as s:
        usernames = [s.get(Person, m.person_id).username for m in meetings.get(s, meeting_id).members]
    away = next(u for u in usernames if u != sc.holder("president", 0))
    people = helpers.start(sc, meeting_id, absent={away: "出差"})
    first = next(u for u in people["members"] if u not in (people["chair"], away))
    sc.do(first, meetings.vote, meeting_id, 1, "agree")
    told = notices(sc, "vote_opened")
    assert {u for u, *_ in told} == set(people["members"]) - {first, away}
    assert all("关于购置数字化X射线摄影系统的议题" in t and "已开始表决" in b for _u, t, b, _l, _s in told)
    second = next(u for u in people["members"] if u not in (people["chair"], away, first))
    sc.do(second, meetings.vote, meeting_id, 1, "agree")
    assert notices(sc, "vote_opened") == told                       # opened once, not per ballot


def test_a_draft_waiting_for_signature_tells_its_signers(sc):
    helpers.submit(sc, "关于购置数字化X射线摄影系统的议题")
    from quorum.services import documents
    with sc.sessions.begin() as s:
        drafts = list(s.execute(select(Document).where(Document.status == "draft")).scalars())
        expected = {d.id: {s.get(Person, pid).username for pid in documents.signers_of(s, d)} for d in drafts}
        titles = {d.id: d.title for d in drafts}
    told = notices(sc, "awaiting_signature")
    waiting = {doc_id for doc_id, people in expected.items() if people - {sc.holder("secretariat", 0)}}
    assert waiting, "the submission drafts a document that needs 签发"
    for doc_id in waiting:
        got = {u for u, _t, _b, _l, sid in told if sid == doc_id}
        assert got == expected[doc_id] - {sc.holder("secretariat", 0)}
    for _u, title, body, link, doc_id in told:
        assert title == f"【送签】{titles[doc_id]}" and "等待您签发" in body and link == f"/documents/{doc_id}"


def expenditure(sc) -> int:
    return sc.do("zhanghua", matters.submit, "expenditure", "乌兰社区中心购置打印机",
                 {"unit": "wulan_chc", "purpose": "打印机", "amount": "8000", "summary": "购置。"}).id


def test_a_rejection_tells_the_initiator_with_the_reason_and_a_withdrawal_tells_no_one(sc):
    m = expenditure(sc)
    head = open_tasks(sc, m)[0][1]
    answer(sc, m, "reject", "预算已用完，明年再议。", username=head)
    assert helpers.status(sc, m) == "rejected"
    told = notices(sc, "request_decided")
    assert [(u, t) for u, t, *_ in told] == [("zhanghua", "【未通过】乌兰社区中心购置打印机")]
    body = told[0][2]
    assert "理由：预算已用完，明年再议。" in body and f"经办人：{name_of(sc, head)}" in body
    again = expenditure(sc)
    sc.do("zhanghua", matters.withdraw, again, "不再需要。")
    assert helpers.status(sc, again) == "withdrawn"
    assert len(notices(sc, "request_decided")) == 1               # his own withdrawal: nobody is told


def test_a_copy_tells_each_person_copied_with_the_note(sc):
    m = expenditure(sc)
    sc.do("zhanghua", task_ops.copy_to, m, [person(sc, "liuzhigang"), person(sc, "naren")], "请知悉。")
    told = notices(sc, "copied")
    assert sorted(u for u, *_ in told) == ["liuzhigang", "naren"]
    for _u, title, body, link, _s in told:
        assert title == "【抄送】乌兰社区中心购置打印机" and "附言：请知悉。" in body and link == f"/matters/{m}"
        assert name_of(sc, "zhanghua") in body and "zhanghua" not in body


def test_an_at_mention_tells_the_person_named_and_ignores_a_name_of_nobody(sc):
    m = expenditure(sc)
    task_id, head, _kind, _ = open_tasks(sc, m)[0]
    naren = name_of(sc, "naren")
    sc.do(head, task_ops.comment, task_id, f"@{naren} 请核实报价；@查无此人 也看看；@{name_of(sc, head)} 备忘。")
    told = notices(sc, "mentioned")
    assert [u for u, *_ in told] == ["naren"]                      # not the nobody, not the author himself
    assert told[0][1] == "【有人提到您】乌兰社区中心购置打印机" and f"@{naren} 请核实报价" in told[0][2]
    answer(sc, m, "approve", f"同意。@{name_of(sc, 'liuzhigang')} 请关注。", username=head)
    assert [u for u, *_ in notices(sc, "mentioned")] == ["naren", "liuzhigang"]


def test_a_personnel_matter_mention_tells_no_one_who_may_not_read_it(sc):
    m = sc.do("alatan", matters.submit, "executive_president", "关于委派朝鲁门同志的议题",
              {"unit": "gerile_station", "candidate": "chaolumen", "summary": "选派。"}).id
    author = person(sc, "alatan")
    text = f"@{name_of(sc, 'naren')} 请看；@{author.name} 备忘。"
    with sc.sessions.begin() as s:
        matter, actor = matters.get(s, m), s.merge(author)
        assert {p.username for p in arrivals.mentioned_people(s, text)} == {"naren", "alatan"}
        assert arrivals.mentioned(s, sc.env, actor, matter, text, "test") == []
    assert notices(sc, "mentioned") == []


def test_the_arrival_kinds_have_templates_and_are_listed():
    from tests.conftest import ROOT
    for kind in arrivals.KINDS:
        assert (ROOT / "templates" / "messages" / f"{kind}.txt").exists()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    config = (ROOT / "config.toml").read_text(encoding="utf-8")
    assert all(f"`{kind}`" in readme and kind in config for kind in arrivals.KINDS)


def test_a_urge_carries_a_read_receipt_for_its_sender(sc):
    m = expenditure(sc)
    task_id, head, _kind, _ = open_tasks(sc, m)[0]
    sc.do("zhanghua", matters.urge, task_id)
    sender, urged = person(sc, "zhanghua"), person(sc, head)
    with sc.sessions.begin() as s:
        [receipt] = outbox.urges_sent(s, sender.id)
        assert receipt.name == urged.name and receipt.read_at is None and receipt.matter_id == m
        urge = s.execute(select(Notification.id).where(Notification.kind == "urge")).scalar_one()
    sc.do(head, outbox.mark_read, [urge])
    with sc.sessions.begin() as s:
        [receipt] = outbox.urges_sent(s, sender.id)
        assert receipt.read_at is not None
        assert outbox.urges_sent(s, urged.id) == []                 # only the sender sees it


def test_a_meeting_notice_shows_who_has_read_it(sc):
    mid = helpers.submit(sc, "关于购置数字化X射线摄影系统的议题")
    helpers.pass_gate_and_reviews(sc, mid)
    meeting_id = helpers.schedule(sc, "president_office", [mid])
    told = notices(sc, "meeting_called")
    reader = told[0][0]
    with sc.sessions.begin() as s:
        before = outbox.notice_reads(s, f"meeting:{meeting_id}:called")
        mine = s.execute(select(Notification.id).join(Person, Person.id == Notification.person_id)
                         .where(Notification.kind == "meeting_called", Person.username == reader)).scalar_one()
    assert len(before) == len(told) and all(r.read_at is None for r in before)
    sc.do(reader, outbox.mark_read, [mine])
    with sc.sessions.begin() as s:
        after = {r.name: r.read_at is not None for r in outbox.notice_reads(s, f"meeting:{meeting_id}:called")}
    assert after == {r.name: r.name == name_of(sc, reader) for r in before}


def test_a_draft_sent_again_after_it_was_returned_tells_its_signers_again(sc):
    from quorum.services import documents
    helpers.submit(sc, "关于购置数字化X射线摄影系统的议题")
    secretary = sc.holder("secretariat", 0)
    secretary_id = person(sc, secretary).id
    with sc.sessions.begin() as s:
        doc = next(d for d in s.execute(select(Document).where(Document.status == "draft")).scalars()
                   if set(documents.signers_of(s, d)) - {secretary_id})
        doc_id = doc.id
        signer = s.get(Person, next(p for p in documents.signers_of(s, doc) if p != secretary_id)).username
    first = [u for u, _t, _b, _l, sid in notices(sc, "awaiting_signature") if sid == doc_id]
    assert signer in first
    sc.do(signer, documents.return_draft, doc_id, "请补充采购依据。")
    sc.do(secretary, documents.send_for_signature, doc_id)
    again = [u for u, _t, _b, _l, sid in notices(sc, "awaiting_signature") if sid == doc_id]
    assert sorted(again) == sorted(first * 2)


def test_a_listener_recorded_after_the_notice_is_told_then_and_only_once(sc):
    mid = helpers.submit(sc, "关于购置数字化X射线摄影系统的议题")
    helpers.pass_gate_and_reviews(sc, mid)
    meeting_id = helpers.schedule(sc, "president_office", [mid])
    with sc.sessions.begin() as s:
        meeting = meetings.get(s, meeting_id)
        members = {m.person_id for m in meeting.members}
        guest = s.execute(select(Person).where(Person.id.not_in(members), Person.active.is_(True),
                                               Person.email.is_not(None)).order_by(Person.id)).scalars().first()
        guest_username = guest.username
    before = len(notices(sc, "meeting_called"))
    secretary_id, guest_id = person(sc, sc.holder("secretariat", 0)).id, person(sc, guest_username).id
    for _ in range(2):                                                 # recorded twice: told once
        with sc.sessions.begin() as s:
            meetings.attend(s, sc.env, s.get(Person, secretary_id), meeting_id, s.get(Person, guest_id), "observer")
    told = notices(sc, "meeting_called")
    assert len(told) == before + 1
    username, title, body, link, subject_id = told[-1]
    assert username == guest_username and subject_id == meeting_id and "请您列席" in body
