"""Delivery channels: in-app (the notification row itself), e-mail over SMTP, group-robot webhooks.

Each channel sends one message and raises DeliveryError with a reason a secretariat can read; the
outbox (quorum.services.outbox) decides when to send, retries with backoff and records failures.
"""


class DeliveryError(Exception):
    """A message could not be delivered; str() is a Chinese reason shown on the failed-deliveries page."""
