"""E-mail over SMTP (smtplib): plain-text UTF-8 messages, one recipient each, with optional attachments
(the notice of a meeting carries its .ics invitation).
"""

import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from quorum.core.messages import message
from quorum.notify import DeliveryError
from quorum.scheduler_settings import MailSettings


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str           # "text/calendar; method=REQUEST"
    data: bytes


def build(settings: MailSettings, to: str, title: str, body: str, key: str,
          attachments: tuple[Attachment, ...] = ()) -> EmailMessage:
    """The message; its Message-ID derives from the outbox key, so a resent copy can be recognised."""
    msg = EmailMessage()
    msg["From"] = settings.sender
    msg["To"] = to
    msg["Subject"] = title
    msg["Date"] = formatdate(localtime=True)
    domain = settings.sender.rsplit("@", 1)[-1].strip(">") or "localhost"
    msg["Message-ID"] = make_msgid(idstring=_safe(key), domain=domain)
    msg["X-Quorum-Delivery-Key"] = key
    msg.set_content(body)
    for item in attachments:
        kind, _, params = item.content_type.partition(";")
        maintype, _, subtype = kind.strip().partition("/")
        extra = dict(p.strip().split("=", 1) for p in params.split(";") if "=" in p)
        msg.add_attachment(item.data, maintype=maintype, subtype=subtype, filename=item.filename, params=extra)
    return msg


def _safe(key: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-." else "." for ch in key)[:120]


def send(settings: MailSettings, to: str, title: str, body: str, key: str,
         attachments: tuple[Attachment, ...] = ()) -> None:
    """Send one e-mail; raise DeliveryError naming what went wrong (connection, login, refusal)."""
    if not settings.enabled:
        raise DeliveryError(message("notify.mail_not_configured"))
    try:
        Address(addr_spec=to)
    except (ValueError, IndexError):
        raise DeliveryError(message("notify.mail_address_malformed", to=to)) from None
    msg = build(settings, to, title, body, key, attachments)
    try:
        with _connect(settings) as smtp:
            if settings.username:
                smtp.login(settings.username, settings.password)
            smtp.send_message(msg)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(message("notify.mail_login_refused", username=settings.username,
                                    smtp_code=exc.smtp_code)) from None
    except smtplib.SMTPRecipientsRefused:
        raise DeliveryError(message("notify.mail_recipient_refused", to=to)) from None
    except smtplib.SMTPException as exc:
        raise DeliveryError(message("notify.mail_failed", exc=exc)) from None
    except (TimeoutError, OSError) as exc:
        raise DeliveryError(message("notify.mail_unreachable", host=settings.host, port=settings.port,
                                    exc=exc)) from None


def _connect(settings: MailSettings) -> smtplib.SMTP:
    if settings.security == "ssl":
        return smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout_seconds,
                                context=ssl.create_default_context())
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds)
    if settings.security == "starttls":
        smtp.starttls(context=ssl.create_default_context())
    return smtp
