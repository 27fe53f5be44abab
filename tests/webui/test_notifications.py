"""通知 page, read/unread, the 党政办's 发送失败 page, and the per-person calendar feed."""

from datetime import date

from icalendar import Calendar
from sqlalchemy import select, update

from quorum.db import Notification, OutboxMessage
from quorum.scheduler_settings import MailSettings, SchedulerSettings
from quorum.services import outbox, sweeps
from quorum.services.outbox import Outlets
from tests import helpers
from tests.conftest import ROOT
from tests.webui.conftest import as_user, post, text


def _sweep(sc, day: date, outlets=None):
    sc.at(day, 9)
    rules = sweeps.SweepRules.load(ROOT / "policies")
    return sweeps.run_sweep(sc.sessions, sc.env, outlets or Outlets(ROOT / "templates"), rules)


def test_the_notifications_page_lists_and_marks_read(app, sc):
    helpers.submit(sc, "关于购置数字化X射线摄影系统的议题")
    _sweep(sc, date(2026, 11, 12))
    with sc.sessions.begin() as s:      # the task's notice on arrival was read then: the reminder is the one unread
        s.execute(update(Notification).where(Notification.kind == "task_assigned").values(read_at=sc.env.now))
    client = as_user(app, "zhouming")
    page = text(client.get("/notifications"))
    assert "【待办提醒】合法性审查意见：关于购置数字化X射线摄影系统的议题（2个工作日后到期）" in page
    assert 'data-testid="nav-unread">1<' in page
    with sc.sessions.begin() as s:
        from quorum.services import org
        nid = outbox.notifications_of(s, org.person(s, "zhouming").id)[0].id
    post(client, f"/notifications/{nid}/read", page="/notifications")
    page = text(client.get("/notifications"))
    assert 'data-testid="nav-unread"' not in page and "标为未读" in page
    post(client, f"/notifications/{nid}/unread", page="/notifications")
    assert "没有未读通知" not in text(client.get("/notifications?show=unread"))
    response = client.get(f"/notifications/open/{nid}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/matters/")
    assert "没有未读通知" in text(client.get("/notifications?show=unread"))
    assert as_user(app, "tuya").get(f"/notifications/open/{nid}").status_code == 404     # not hers


def test_delivery_failures_are_shown_to_the_secretariat_and_retried(app, sc):
    helpers.submit(sc, "关于购置数字化X射线摄影系统的议题")
    outlets = Outlets(ROOT / "templates", MailSettings(host="127.0.0.1", port=1, sender="q@example.org",
                                                       timeout_seconds=2), scheduler=SchedulerSettings(max_attempts=1))
    _sweep(sc, date(2026, 11, 12), outlets)
    assert as_user(app, "zhouming").get("/notifications/outbox").status_code == 403
    secretary = as_user(app, "gaowenjing")
    page = text(secretary.get("/notifications/outbox"))
    assert "发送失败" in page and "无法连接邮件服务器 127.0.0.1:1" in page
    with sc.sessions.begin() as s:
        failed = s.execute(select(OutboxMessage).where(OutboxMessage.status == "failed")).scalars().first()
    post(secretary, f"/notifications/outbox/{failed.id}/retry", page="/notifications/outbox")
    with sc.sessions.begin() as s:
        assert s.get(OutboxMessage, failed.id).status == "pending"
    assert "发送失败" in text(secretary.get("/notifications"))        # the failure notice itself


def test_the_calendar_feed_lists_meetings_and_deadlines_without_signing_in(app, sc):
    mid = helpers.submit(sc, "关于购置数字化X射线摄影系统的议题")
    helpers.pass_gate_and_reviews(sc, mid)
    meeting_id = helpers.schedule(sc, "president_office", [mid])
    client = as_user(app, "eerdun")
    assert "生成订阅地址" in text(client.get("/notifications"))
    response = post(client, "/notifications/calendar", page="/notifications", follow_redirects=True)
    import re
    address = re.search(r"http://localhost(/calendar/[A-Za-z0-9_-]+\.ics)", text(response)).group(1)
    anonymous = app.test_client()
    feed = anonymous.get(address)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    cal = Calendar.from_ical(feed.data)
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert f"meeting-{meeting_id}@quorum" in events
    assert events[f"meeting-{meeting_id}@quorum"]["location"] == "总医院会议室"
    assert anonymous.get("/calendar/not-a-token.ics").status_code == 404
    post(client, "/notifications/calendar", page="/notifications")
    assert anonymous.get(address).status_code == 404                   # a new address revokes the old
    zhouming = as_user(app, "zhouming")
    sc.at(date(2026, 11, 3), 9)
    mid2 = helpers.submit(sc, "关于修缮门诊楼的议题")
    response = post(zhouming, "/notifications/calendar", page="/notifications", follow_redirects=True)
    address = re.search(r"http://localhost(/calendar/[A-Za-z0-9_-]+\.ics)", text(response)).group(1)
    cal = Calendar.from_ical(anonymous.get(address).data)
    deadlines = [e for e in cal.walk("VEVENT") if str(e["summary"]).startswith("【待办截止】")]
    assert any("关于修缮门诊楼的议题" in str(e["summary"]) for e in deadlines)
    assert mid2
