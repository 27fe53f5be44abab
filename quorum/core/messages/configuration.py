"""Wording of the configuration area (see quorum/core/messages/__init__.py)."""

MESSAGES: dict[str, str] = {
}
