"""A 纪要 is read from the record in a fixed number of statements, however many items its meeting had.

院长办公会 of 1 and of 10 三重一大 matters, each with a member on leave, a recusal and a dissent per
item; rendering the 纪要 as 签发 does (record → wording → Page → .docx) costs the same statements.
"""

from sqlalchemy import event, select

from quorum.db import Document
from quorum.services import documents, meetings
from tests.helpers import pass_gate_and_reviews, person, schedule, start, submit
from tests.services.test_meeting_rules import everyone_agrees, vote

MOST = 16          # document, rules digest, meeting (+ members, items), attendance, names, 5 item tables, units ...


def minutes_of(sc, count: int, first: int) -> int:
    """Hold a 院长办公会 on `count` new matters; return the id of the 纪要 its closing drafted."""
    ids = [submit(sc, f"关于第{n}号建设项目的议题") for n in range(first, first + count)]
    for mid in ids:
        pass_gate_and_reviews(sc, mid)
    office = schedule(sc, "president_office", ids)
    roster = start(sc, office)
    others = [u for u in roster["members"] if u != roster["chair"]]
    recused, dissenter = others[0], others[1]
    secretary = sc.holder("secretariat", 0)
    for seq in range(1, count + 1):
        sc.do(secretary, meetings.recuse, office, seq, person(sc, recused), "其近亲属在投标供应商任职，依规回避")
        vote(sc, office, seq, dissenter, "disagree")
        everyone_agrees(sc, office, seq, roster, skip=(recused, dissenter))
        sc.do(secretary, meetings.close_item, office, seq)
    sc.do(secretary, meetings.close, office)
    with sc.sessions.begin() as s:
        return s.execute(select(Document.id).where(Document.meeting_id == office,
                                                   Document.kind == "minutes")).scalar_one()


def statements_to_render(sc, engine, doc_id: int) -> tuple[int, bytes]:
    seen = []

    def count(*_args):
        seen.append(1)
    with sc.sessions.begin() as s:
        doc = documents.get(s, doc_id)
        event.listen(engine, "before_cursor_execute", count)
        try:
            _page, data = documents.render_file(s, sc.env, doc, number="第1期", day=sc.env.now.date(), signer="")
        finally:
            event.remove(engine, "before_cursor_execute", count)
    return len(seen), data


def test_a_ten_item_minutes_costs_the_statements_of_a_one_item_minutes(sc, community):
    one = minutes_of(sc, 1, 1)
    ten = minutes_of(sc, 10, 2)
    small, _ = statements_to_render(sc, community.engine, one)
    large, data = statements_to_render(sc, community.engine, ten)
    assert large == small <= MOST
    assert data.startswith(b"PK")
