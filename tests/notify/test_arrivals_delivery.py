"""Notices on arrival go out by e-mail and robot: a burst is one message per person and channel, a robot
message is a card with the absolute link, and a delivery run twice sends nothing twice (both databases)."""

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from quorum.db import Meeting, Notification, OutboxMessage, Person
from quorum.notify import webhook
from quorum.scheduler_settings import MailSettings, Robot
from quorum.services import outbox
from quorum.services.outbox import Outlets
from tests import helpers
from tests.conftest import ROOT
from tests.notify.receivers import Robot as Receiver
from tests.notify.receivers import robot_server, smtp_server

BASE = "https://yigongti.example.org"
SENDER = "医共体议事决策平台 <quorum@example.org>"


def zhouming_tasks(sc) -> list[tuple[int, str]]:
    with sc.sessions.begin() as s:
        return list(s.execute(select(Notification.id, Notification.title)
                              .join(Person, Person.id == Notification.person_id)
                              .where(Person.username == "zhouming", Notification.kind == "task_assigned")).all())


def test_ten_tasks_landing_at_once_are_one_e_mail_and_ten_rows_in_app(sc):
    titles = [f"关于购置第{i}批医疗设备的议题" for i in range(1, 11)]
    for title in titles:                                            # the same minute: one burst
        helpers.submit(sc, title)
    rows = zhouming_tasks(sc)
    assert len(rows) == 10                                          # in-app: ten rows
    with smtp_server() as (box, port):
        outlets = Outlets(ROOT / "templates", MailSettings(host="127.0.0.1", port=port, sender=SENDER,
                                                           kinds=("task_assigned",)), base_url=BASE)
        sent = outbox.deliver_pending(sc.sessions, sc.env.later(seconds=20), outlets)
        mine = [to for to, _m in box.messages if to == ["zhouming@example.org"]]
        assert len(mine) == 1                                       # one e-mail for the ten
        msg = next(m for to, m in box.messages if to == ["zhouming@example.org"])
        assert msg["Subject"].startswith("【10条新通知】【新待办】")
        body = msg.get_content()
        assert all(title in body for title in titles)
        assert body.startswith("周明：") and body.count("周明：") == 1   # greeted once, not per notice
        assert f"{BASE}/matters/" in body and f"全部通知：{BASE}/notifications" in body
        assert {d["status"] for d in sent} == {"sent"}
        assert len(box.messages) == len({tuple(to) for to, _m in box.messages})    # one e-mail per person
        again = outbox.deliver_pending(sc.sessions, sc.env.later(minutes=5), outlets)
        assert again == [] and len(box.messages) == len(sent)      # a run twice sends nothing twice
    with sc.sessions.begin() as s:
        assert s.execute(select(func.count(Notification.id)).where(Notification.dispatched_at.is_(None))
                         ).scalar_one() == 0
        assert s.execute(select(func.count(OutboxMessage.id)).where(OutboxMessage.target == "zhouming@example.org")
                         ).scalar_one() == 1


def test_a_notice_of_a_later_minute_is_a_message_of_its_own(sc):
    helpers.submit(sc, "关于购置第一批医疗设备的议题")
    outlets = Outlets(ROOT / "templates", MailSettings(host="smtp.example.org", sender=SENDER,
                                                       kinds=("task_assigned",)))
    with sc.sessions.begin() as s:
        outbox.dispatch(s, sc.env, outlets)
    sc.env = sc.env.later(minutes=2)
    helpers.submit(sc, "关于购置第二批医疗设备的议题")
    with sc.sessions.begin() as s:
        outbox.dispatch(s, sc.env, outlets)
        assert outbox.dispatch(s, sc.env, outlets) == 0            # nothing left to expand
        rows = s.execute(select(OutboxMessage.kind, OutboxMessage.title, OutboxMessage.body)
                         .where(OutboxMessage.target == "zhouming@example.org")
                         .order_by(OutboxMessage.id)).all()
    assert [(k, t.split("：")[-1]) for k, t, _b in rows] == [("task_assigned", "关于购置第一批医疗设备的议题"),
                                                          ("task_assigned", "关于购置第二批医疗设备的议题")]
    assert all("办理入口：/matters/" in b for _k, _t, b in rows)   # no base_url: the path


def test_a_meeting_notice_reaches_each_robot_once_as_a_card_with_the_link(sc):
    mid = helpers.submit(sc, "关于购置数字化X射线摄影系统的议题")
    helpers.pass_gate_and_reviews(sc, mid)
    receiver = Receiver()
    with robot_server(receiver) as port:
        robots = (Robot("党政办工作群", "wecom", f"http://127.0.0.1:{port}/cgi-bin/webhook/send?key=abc",
                        kinds=("meeting_called",)),
                  Robot("医共体钉钉群", "dingtalk", f"http://127.0.0.1:{port}/robot/send?access_token=t1",
                        secret="SECdemo", kinds=("meeting_called",)))
        outlets = Outlets(ROOT / "templates", robots=robots, base_url=BASE + "/")
        with sc.sessions.begin() as s:
            outbox.dispatch(s, sc.env, outlets)                      # the tasks so far: not these robots' kinds
        meeting_id = helpers.schedule(sc, "president_office", [mid])
        outbox.deliver_pending(sc.sessions, sc.env, outlets)
        posts = receiver.posts
        assert len(posts) == 2                                      # one per robot, not one per member
        wecom = next(p["body"] for p in posts if p["path"].startswith("/cgi-bin/"))
        ding = next(p["body"] for p in posts if p["path"].startswith("/robot/"))
        link = f"{BASE}/meetings/{meeting_id}"
        assert wecom["msgtype"] == "news" and set(wecom) == {"msgtype", "news"}
        [article] = wecom["news"]["articles"]
        assert set(article) == {"title", "description", "url"} and article["url"] == link
        assert article["title"].startswith("【会议通知】") and "总医院会议室" in article["description"]
        assert ding["msgtype"] == "actionCard" and set(ding) == {"msgtype", "actionCard"}
        card = ding["actionCard"]
        assert card["singleURL"] == link and card["singleTitle"] == "查看详情"
        assert card["title"].startswith("【会议通知】") and card["text"].startswith("### 【会议通知】")
        assert "关于购置数字化X射线摄影系统的议题" in card["text"]
        assert outbox.deliver_pending(sc.sessions, sc.env.later(minutes=1), outlets) == []
        assert len(receiver.posts) == 2


@pytest.mark.parametrize("fmt", ["wecom", "dingtalk"])
def test_without_an_absolute_link_a_robot_gets_plain_text(fmt):
    robot = Robot("g", fmt, "http://x")
    assert webhook.payload(robot, "【新待办】标题", "正文", "/matters/1") == {
        "msgtype": "text", "text": {"content": "【新待办】标题\n正文"}}


def test_a_long_wecom_card_is_cut_within_its_byte_limits():
    body = "很长的正文。" * 200
    card = webhook.payload(Robot("g", "wecom", "http://x"), "标题" * 100, body, f"{BASE}/matters/1")
    article = card["news"]["articles"][0]
    assert len(article["title"].encode()) <= webhook.WECOM_TITLE_BYTES
    assert len(article["description"].encode()) <= webhook.WECOM_DESCRIPTION_BYTES
    assert article["description"].endswith("…") and article["description"].startswith("很长的正文。")


def test_outlets_make_links_absolute_only_with_a_base_url():
    assert Outlets(ROOT / "templates").url("/matters/3") == "/matters/3"
    assert Outlets(ROOT / "templates", base_url="https://q.example.org/").url("/matters/3") == \
        "https://q.example.org/matters/3"
    assert Outlets(ROOT / "templates", base_url="https://q.example.org").url(None) == ""


def test_base_url_is_read_from_the_web_section_and_a_bad_one_is_a_clear_error(tmp_path):
    from quorum.core.errors import InvalidInput
    from quorum.settings import load_settings
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    good = tmp_path / "good.toml"
    good.write_text(text.replace('base_url = ""', f'base_url = "{BASE}/"'), encoding="utf-8")
    assert Outlets.from_settings(load_settings(good, env={})).url("/meetings/2") == f"{BASE}/meetings/2"
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('base_url = ""', 'base_url = "yigongti.example.org"'), encoding="utf-8")
    with pytest.raises(InvalidInput, match="base_url.*以 http:// 或 https:// 开头"):
        load_settings(bad, env={})


def test_a_meeting_notice_e_mail_carries_its_ics_invitation_and_a_robot_card_greets_no_one(sc):
    mid = helpers.submit(sc, "关于购置数字化X射线摄影系统的议题")
    helpers.pass_gate_and_reviews(sc, mid)
    receiver = Receiver()
    with smtp_server() as (box, port), robot_server(receiver) as robot_port:
        robots = (Robot("党政办工作群", "wecom", f"http://127.0.0.1:{robot_port}/cgi-bin/webhook/send?key=abc",
                        kinds=("meeting_called",)),)
        outlets = Outlets(ROOT / "templates", MailSettings(host="127.0.0.1", port=port, sender=SENDER,
                                                           kinds=("meeting_called",)), robots=robots, base_url=BASE)
        with sc.sessions.begin() as s:
            outbox.dispatch(s, sc.env, outlets)                      # the tasks so far: not these kinds
        meeting_id = helpers.schedule(sc, "president_office", [mid])
        outbox.deliver_pending(sc.sessions, sc.env, outlets)
        assert box.messages
        for to, msg in box.messages:
            [ics] = [part for part in msg.iter_attachments() if part.get_content_type() == "text/calendar"]
            assert ics.get_filename() == "会议邀请.ics" and ics.get_param("method") == "REQUEST"
            cal = Calendar.from_ical(ics.get_content())
            assert cal["method"] == "REQUEST"
            [event] = cal.walk("VEVENT")
            assert str(event["uid"]) == f"meeting-{meeting_id}@quorum"       # the feed's UID: one entry, not two
            assert str(event["location"]) == "总医院会议室" and "会" in str(event["summary"])
            assert str(event["attendee"]) == f"mailto:{to[0]}" and str(event["organizer"]) == "mailto:quorum@example.org"
            with sc.sessions.begin() as s:
                meeting = s.get(Meeting, meeting_id)
                assert event.decoded("dtstart").replace(tzinfo=None) == meeting.scheduled_at.replace(tzinfo=None)
                names = {s.get(Person, m.person_id).name for m in meeting.members}
        [post] = receiver.posts
        description = post["body"]["news"]["articles"][0]["description"]
        assert names and not any(description.startswith(n + "：") for n in names)    # a group is greeted by no name


def test_a_task_e_mail_carries_no_invitation(sc):
    helpers.submit(sc, "关于购置第一批医疗设备的议题")
    with smtp_server() as (box, port):
        outlets = Outlets(ROOT / "templates", MailSettings(host="127.0.0.1", port=port, sender=SENDER,
                                                           kinds=("task_assigned",)))
        outbox.deliver_pending(sc.sessions, sc.env.later(seconds=20), outlets)
        assert box.messages and all(not list(m.iter_attachments()) for _to, m in box.messages)
