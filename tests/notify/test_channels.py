"""E-mail reaches a local SMTP server; robot posts reach a local HTTP receiver in WeCom and DingTalk formats."""

import base64
import hashlib
import hmac
import urllib.parse
from datetime import date

import pytest

from quorum.notify import DeliveryError, mail, webhook
from quorum.scheduler_settings import MailSettings, Robot, SchedulerSettings
from quorum.services import outbox, sweeps
from quorum.services.outbox import Outlets
from tests import helpers
from tests.conftest import ROOT, START
from tests.notify.receivers import Robot as Receiver
from tests.notify.receivers import robot_server, smtp_server


@pytest.fixture(scope="module")
def rules():
    return sweeps.SweepRules.load(ROOT / "policies")


def test_reminders_are_e_mailed_through_smtp(sc, rules):
    helpers.submit(sc, "关于购置数字化X射线摄影系统的议题")
    with smtp_server() as (box, port):
        outlets = Outlets(ROOT / "templates", MailSettings(host="127.0.0.1", port=port,
                                                           sender="医共体议事决策平台 <quorum@example.org>",
                                                           kinds=("reminder",)))
        sc.at(date(2026, 11, 12), 9)
        result = sweeps.run_sweep(sc.sessions, sc.env, outlets, rules)
        sent = [d for d in result["delivered"] if d["channel"] == "email"]
        assert sent and {d["status"] for d in sent} == {"sent"}
        assert "zhouming@example.org" in {d["to"] for d in sent}
        assert len(box.messages) == len(sent)
        to, msg = next((to, m) for to, m in box.messages if to == ["zhouming@example.org"])
        assert msg["Subject"] == "【待办提醒】合法性审查意见：关于购置数字化X射线摄影系统的议题（2个工作日后到期）"
        assert "2026-11-16（周一）" in msg.get_content() and msg["X-Quorum-Delivery-Key"].endswith(":email")
        again = sweeps.run_sweep(sc.sessions, sc.env, outlets, rules)
        assert again["delivered"] == [] and len(box.messages) == len(sent)


def test_an_unreachable_smtp_server_is_reported_not_raised():
    settings = MailSettings(host="127.0.0.1", port=1, sender="quorum@example.org", timeout_seconds=2)
    with pytest.raises(DeliveryError, match="无法连接邮件服务器 127.0.0.1:1"):
        mail.send(settings, "zhouming@example.org", "标题", "正文", "k1")
    with pytest.raises(DeliveryError, match="收件地址"):
        mail.send(settings, "not an address", "标题", "正文", "k1")


def test_wecom_and_dingtalk_robots_receive_their_json(sc, rules):
    helpers.submit(sc, "关于购置数字化X射线摄影系统的议题")
    receiver = Receiver()
    with robot_server(receiver) as port:
        robots = (Robot("党政办工作群", "wecom", f"http://127.0.0.1:{port}/cgi-bin/webhook/send?key=abc",
                        kinds=("reminder",)),
                  Robot("医共体钉钉群", "dingtalk", f"http://127.0.0.1:{port}/robot/send?access_token=t1",
                        secret="SECdemo", kinds=("escalation", "duty_missing")))
        outlets = Outlets(ROOT / "templates", robots=robots)
        sc.at(date(2026, 11, 12), 9)
        result = sweeps.run_sweep(sc.sessions, sc.env, outlets, rules)
        posts = receiver.posts
        wecom = [p for p in posts if p["path"].startswith("/cgi-bin/webhook/send")]
        ding = [p for p in posts if p["path"].startswith("/robot/send")]
        assert len(wecom) == len({n["key"].rsplit(":p", 1)[0] for n in result["notified"] if n["kind"] == "reminder"})
        assert wecom[0]["body"]["msgtype"] == "text" and set(wecom[0]["body"]) == {"msgtype", "text"}
        assert any("合法性审查意见" in p["body"]["text"]["content"] for p in wecom)
        assert ding, "the 推进机制 shortfall (escalated on 1 November) goes to the DingTalk group"
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(ding[0]["path"]).query)
        timestamp, sign = query["timestamp"][0], query["sign"][0]
        expected = base64.b64encode(hmac.new(b"SECdemo", f"{timestamp}\nSECdemo".encode(), hashlib.sha256).digest())
        assert sign == expected.decode() and query["access_token"] == ["t1"]
        assert len(set(receiver.keys())) == len(posts)
        before = len(posts)
        assert sweeps.run_sweep(sc.sessions, sc.env, outlets, rules)["delivered"] == []
        assert len(receiver.posts) == before


def test_a_robot_refusal_is_a_delivery_error():
    receiver = Receiver(answer={"errcode": 93000, "errmsg": "invalid webhook url"})
    with robot_server(receiver) as port:
        robot = Robot("党政办工作群", "wecom", f"http://127.0.0.1:{port}/send?key=x")
        with pytest.raises(DeliveryError, match="拒收：errcode 93000"):
            webhook.send(robot, "标题", "正文", "k1", START, timeout=5)
    with pytest.raises(DeliveryError, match="无法连接机器人"):
        webhook.send(Robot("断开", "wecom", "http://127.0.0.1:1/send"), "标题", "正文", "k2", START, timeout=2)


def test_outlets_follow_the_configured_kinds():
    outlets = Outlets(ROOT / "templates", MailSettings(host="smtp", sender="a@b", kinds=("digest",)),
                      (Robot("g", "wecom", "http://x", kinds=("escalation",)),), SchedulerSettings())
    assert outlets.emails("digest") and not outlets.emails("reminder")
    assert [r.name for r in outlets.robots_for("escalation")] == ["g"] and outlets.robots_for("digest") == []
    assert outbox.PENDING == "pending"
