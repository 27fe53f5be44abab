r"""Group-robot webhooks in the WeCom and DingTalk JSON formats.

Both robots answer `{"errcode": 0, …}`. A message with an address to open (absolute, from [web]
base_url) is a card: WeCom `news` (one article: title, description, url), DingTalk `actionCard`
(markdown text with one button, singleTitle / singleURL). Without one it is plain text
(`{"msgtype": "text", "text": {"content": …}}`), as a robot cannot open a bare path.
A DingTalk robot with signing enabled wants `timestamp` and `sign` (HMAC-SHA256 of "timestamp\nsecret") in
the query string. Every post carries the outbox key (percent-encoded) in X-Quorum-Delivery-Key so a receiver can
drop a copy resent after a crash.
"""

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime

from quorum.core.messages import message
from quorum.notify import DeliveryError
from quorum.scheduler_settings import Robot

# WeCom's news article: title up to 128 bytes, description up to 512 bytes (UTF-8).
WECOM_TITLE_BYTES, WECOM_DESCRIPTION_BYTES = 128, 512
DINGTALK_TEXT_CHARS = 4000


def clip(text: str, max_bytes: int) -> str:
    """The text cut to at most max_bytes of UTF-8, never inside a character; an ellipsis marks a cut."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    mark = message("notify.card_ellipsis")
    return data[:max_bytes - len(mark.encode("utf-8"))].decode("utf-8", "ignore") + mark


def payload(robot: Robot, title: str, body: str, link: str = "") -> dict:
    """The JSON a robot takes: a card opening `link` when it is an absolute address, else plain text."""
    if not link.startswith(("http://", "https://")):
        return {"msgtype": "text", "text": {"content": f"{title}\n{body}".strip()}}
    button = message("notify.card_button")
    if robot.format == "dingtalk":
        lines = [line.strip() for line in body.splitlines() if line.strip()]
        text = f"### {title}\n\n" + "  \n".join(lines)
        return {"msgtype": "actionCard", "actionCard": {"title": title, "text": text[:DINGTALK_TEXT_CHARS],
                                                         "singleTitle": button, "singleURL": link,
                                                         "btnOrientation": "0"}}
    return {"msgtype": "news", "news": {"articles": [{"title": clip(title, WECOM_TITLE_BYTES),
                                                       "description": clip(body, WECOM_DESCRIPTION_BYTES),
                                                       "url": link}]}}


def signed_url(robot: Robot, now: datetime) -> str:
    """The robot's URL, with DingTalk's timestamp and sign when it has a secret."""
    if robot.format != "dingtalk" or not robot.secret:
        return robot.url
    timestamp = str(int(now.timestamp() * 1000))
    digest = hmac.new(robot.secret.encode(), f"{timestamp}\n{robot.secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode())
    return f"{robot.url}{'&' if '?' in robot.url else '?'}timestamp={timestamp}&sign={sign}"


def send(robot: Robot, title: str, body: str, key: str, now: datetime, timeout: float = 10.0, link: str = "") -> None:
    """Post one message; raise DeliveryError on a network error, an HTTP error or a non-zero errcode."""
    data = json.dumps(payload(robot, title, body, link), ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(signed_url(robot, now), data=data, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8",
        "X-Quorum-Delivery-Key": urllib.parse.quote(key, safe=":-_.")})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(message("notify.robot_http_error", name=robot.name, code=exc.code)) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(message("notify.robot_unreachable", name=robot.name, reason=reason)) from None
    try:
        result = json.loads(answer or b"{}")
    except ValueError:
        raise DeliveryError(message("notify.robot_answer_not_json", name=robot.name)) from None
    if isinstance(result, dict) and result.get("errcode", 0) not in (0, "0"):
        raise DeliveryError(message("notify.robot_refused", name=robot.name, errcode=result.get("errcode"),
                                    errmsg=result.get("errmsg", "")))
