"""Wording of the meeting room area (see quorum/core/messages/__init__.py)."""

MESSAGES: dict[str, str] = {
}
