"""Builders for scenario tests: bring a matter to a meeting step, run a meeting's formalities."""

from contextlib import contextmanager
from datetime import datetime, time

from sqlalchemy import event

from quorum.calendar import TZ
from quorum.services import matters, meetings, org
from quorum.services.demo import Scenario


def person(sc: Scenario, username: str):
    with sc.sessions.begin() as s:
        p = org.person(s, username)
        s.expunge(p)
        return p


def submit(sc: Scenario, title: str, category: str = "project", amount: str | None = "860000",
           staff_interest: bool = False, initiator: str | None = None, **extra: str) -> int:
    fields = {"category": category, "unit": "general_hospital", "budgeted": "true",
              "staff_interest": str(staff_interest).lower(), "summary": f"{title}的具体方案。", **extra}
    if amount is not None:
        fields["amount"] = amount
    return sc.do(initiator or sc.holder("secretariat", 0), matters.submit, "major_matter", title, fields).id


def pass_gate_and_reviews(sc: Scenario, matter_id: int) -> None:
    """Give every open gate opinion and approve the two reviews, as their holders."""
    for _ in range(10):
        with sc.sessions.begin() as s:
            m = matters.get(s, matter_id)
            current = next(st for st in m.steps if st.step_key == m.current_step)
            if current.kind == "meeting":
                return
            from sqlalchemy import select

            from quorum.db import Person, Task
            rows = s.execute(select(Task.id, Person.username).join(Person, Person.id == Task.assignee_id)
                             .where(Task.matter_id == matter_id, Task.status == "open")
                             .order_by(Task.id)).all()
            initiator = m.initiator_id
            usernames = {pid: u for pid, u in s.execute(select(Person.id, Person.username))}
        done_groups = set()
        for task_id, username in rows:
            if usernames[initiator] == username and current.kind == "review":
                continue
            with sc.sessions.begin() as s:
                from quorum.db import Task
                task = s.get(Task, task_id)
                if task.status != "open" or task.group_key in done_groups:
                    continue
                done_groups.add(task.group_key)
            sc.do(username, matters.act, task_id, "approve", "同意。")
    raise AssertionError("matter did not reach a meeting step")


def schedule(sc: Scenario, body: str, matter_ids: list[int], days_ahead: int = 3, urgent: bool = False,
             by: str | None = None) -> int:
    day = sc.env.calendar.add_working_days(sc.env.now.date(), days_ahead).due
    at = datetime.combine(day, time(9), tzinfo=TZ)
    meeting = sc.do(by or sc.holder("secretariat", 0), meetings.schedule, body, "", at, "总医院会议室",
                    matter_ids, urgent=urgent)
    return meeting.id


def start(sc: Scenario, meeting_id: int, absent: dict[str, str] | None = None) -> dict[str, str]:
    """Move the clock to the meeting, open it and mark every member present except the absent ones.

    Returns {seat_role_or_username: username} for convenience: "chair" plus every username.
    """
    secretary = sc.holder("secretariat", 0)
    with sc.sessions.begin() as s:
        meeting = meetings.get(s, meeting_id)
        at = meeting.scheduled_at
        members = [(m.person_id, m.seat_role) for m in meeting.members]
        from sqlalchemy import select

        from quorum.db import Person
        usernames = {pid: u for pid, u in s.execute(select(Person.id, Person.username))}
        chair = usernames[meeting.chair_id]
    sc.env = sc.env.at(at)
    sc.do(secretary, meetings.open_session, meeting_id)
    absent = absent or {}
    for pid, _role in members:
        user = usernames[pid]
        status = "absent" if user in absent else "present"
        sc.do(secretary, meetings.attend, meeting_id, person(sc, user), status, absent.get(user, ""))
    return {"chair": chair, "members": [usernames[pid] for pid, _ in members]}


def give_gate_opinions(sc: Scenario, matter_id: int) -> None:
    """Answer every open 前置程序 opinion of a matter (one holder per requirement), leaving its reviews open."""
    from sqlalchemy import select

    from quorum.db import Person, Task
    with sc.sessions.begin() as s:
        rows = s.execute(select(Task.id, Task.group_key, Person.username).join(Person, Person.id == Task.assignee_id)
                         .where(Task.matter_id == matter_id, Task.status == "open", Task.kind == "gate")
                         .order_by(Task.id)).all()
    done = set()
    for task_id, group, username in rows:
        if group not in done:
            done.add(group)
            sc.do(username, matters.act, task_id, "approve", "同意。")


def all_agree(sc: Scenario, meeting_id: int, people: dict, seq: int = 1) -> None:
    """Every present member votes 同意 on an item, the chair last (末位表态)."""
    for member in people["members"]:
        if member != people["chair"]:
            sc.do(member, meetings.vote, meeting_id, seq, "agree")
    sc.do(people["chair"], meetings.vote, meeting_id, seq, "agree")


def open_tasks(sc: Scenario, matter_id: int) -> list[tuple[int, str, str, str | None]]:
    """Open tasks of a matter as (task id, assignee username, kind, requirement), oldest first."""
    from sqlalchemy import select

    from quorum.db import Person, Task
    with sc.sessions.begin() as s:
        return [tuple(r) for r in s.execute(
            select(Task.id, Person.username, Task.kind, Task.requirement).join(Person, Person.id == Task.assignee_id)
            .where(Task.matter_id == matter_id, Task.status == "open").order_by(Task.id)).all()]


def answer(sc: Scenario, matter_id: int, action: str = "approve", comment: str = "同意。",
           requirement: str | None = None, username: str | None = None) -> str:
    """Answer the first open task of a matter (optionally of one requirement or person); return who acted."""
    for task_id, user, _kind, req in open_tasks(sc, matter_id):
        if (requirement is None or req == requirement) and (username is None or user == username):
            sc.do(user, matters.act, task_id, action, comment)
            return user
    raise AssertionError(f"no open task for {requirement or username or 'anyone'} on matter {matter_id}")


def current_step(sc: Scenario, matter_id: int) -> str | None:
    with sc.sessions.begin() as s:
        return matters.get(s, matter_id).current_step


def status(sc: Scenario, matter_id: int) -> str:
    with sc.sessions.begin() as s:
        return matters.get(s, matter_id).status


def hold(sc: Scenario, body: str, matter_ids: list[int], unit: str | None = None, choices: dict | None = None,
         by: str | None = None) -> int:
    """Schedule a meeting of a body (of a unit), everyone present, every item voted (同意 unless `choices`
    gives {username: (choice, reason)}), the chair last; close it. Return the meeting id."""
    day = sc.env.calendar.add_working_days(sc.env.now.date(), 3).due
    at = datetime.combine(day, time(9), tzinfo=TZ)
    organiser = by or sc.holder("secretariat", 0)
    meeting = sc.do(organiser, meetings.schedule, body, "", at, "会议室", matter_ids, unit_key=unit).id
    people = start(sc, meeting)
    with sc.sessions.begin() as s:
        record = meetings.get(s, meeting)
        items = [i.seq for i in record.items]
        recused = {(r.item_id, r.person_id) for i in record.items for r in _recusals(s, i.id)}
        item_ids = {i.seq: i.id for i in record.items}
        ids = {p.username: p.id for p in [org.person(s, u) for u in people["members"]]}
    choices = choices or {}
    for seq in items:
        voters = [u for u in people["members"] if (item_ids[seq], ids[u]) not in recused]
        chair = sc_presiding(sc, meeting, seq)
        for member in [u for u in voters if u != chair] + ([chair] if chair in voters else []):
            choice, reason = choices.get(member, ("agree", ""))
            sc.do(member, meetings.vote, meeting, seq, choice, reason)
        sc.do(organiser, meetings.close_item, meeting, seq)
    sc.do(organiser, meetings.close, meeting)
    return meeting


def _recusals(s, item_id: int):
    from sqlalchemy import select

    from quorum.db import Recusal
    return s.execute(select(Recusal).where(Recusal.item_id == item_id)).scalars()


def sc_presiding(sc: Scenario, meeting_id: int, seq: int) -> str:
    """The username of whoever presides over an item (the chair, or the acting chair when recused)."""
    from quorum.core import voting
    from quorum.db import Person
    with sc.sessions.begin() as s:
        meeting = meetings.get(s, meeting_id)
        item = meetings.item(s, meeting, seq)
        pid = voting.presiding(meetings.body_of(s, meeting), meetings.roll(s, meeting, item))
        return s.get(Person, pid).username


@contextmanager
def counting(engine):
    """Collect the SQL statements an engine runs inside the block (whitespace folded)."""
    seen: list[str] = []

    def listener(_conn, _cursor, statement, *_args) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)
