"""Read receipts on the pages a sender looks at: a 催办's sender on 通知, the 党政办 on the meeting page."""

from sqlalchemy import select

from quorum.db import Notification, Person
from quorum.services import matters
from tests import helpers
from tests.webui.conftest import as_user, text


def _notice_of(sc, username: str, kind: str) -> int:
    with sc.sessions.begin() as s:
        return s.execute(select(Notification.id).join(Person, Person.id == Notification.person_id)
                         .where(Person.username == username, Notification.kind == kind)).scalar_one()


def test_the_sender_of_a_urge_sees_whether_it_was_read(app, sc):
    mid = helpers.submit(sc, "关于购置数字化X射线摄影系统的议题")
    task_id = sc.task_of("zhouming", mid, "legality")
    sc.do("gaowenjing", matters.urge, task_id)
    sender = as_user(app, "gaowenjing")
    page = text(sender.get("/notifications"))
    assert "我发出的催办" in page and "催办 周明" in page and "未读" in page.split("我发出的催办")[1]
    assert "zhouming" not in page.split("我发出的催办")[1]
    urge = _notice_of(sc, "zhouming", "urge")
    assert as_user(app, "zhouming").get(f"/notifications/open/{urge}").status_code == 302   # he opens it
    section = text(sender.get("/notifications")).split("我发出的催办")[1].split("</section>")[0]
    assert "已读" in section and "未读" not in section
    assert "我发出的催办" not in text(as_user(app, "zhouming").get("/notifications"))


def test_the_secretariat_sees_who_has_read_the_meeting_notice(app, sc):
    mid = helpers.submit(sc, "关于购置数字化X射线摄影系统的议题")
    helpers.pass_gate_and_reviews(sc, mid)
    meeting_id = helpers.schedule(sc, "president_office", [mid])
    with sc.sessions.begin() as s:
        rows = s.execute(select(Person.username, Person.name).join(Notification, Notification.person_id == Person.id)
                         .where(Notification.kind == "meeting_called").order_by(Notification.id)).all()
    reader, reader_name = rows[0]
    as_user(app, reader).get(f"/notifications/open/{_notice_of(sc, reader, 'meeting_called')}")
    page = text(as_user(app, "gaowenjing").get(f"/meetings/{meeting_id}"))
    assert "会议通知阅读情况" in page and f"已读 1 / {len(rows)}" in page
    block = page.split('data-testid="notice-reads"')[1].split("</details>")[0]
    assert f"{reader_name}：" in block and all(f"{name}：" in block for _u, name in rows)
    assert reader not in block                                          # names, never usernames
    assert "会议通知阅读情况" not in text(as_user(app, reader).get(f"/meetings/{meeting_id}"))
