"""Notification wording: what mail and webhook delivery tell a person (bodies live in templates/messages/)."""

MESSAGES: dict[str, str] = {
}
