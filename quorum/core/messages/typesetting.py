"""Wording of the typesetting area (see quorum/core/messages/__init__.py)."""

MESSAGES: dict[str, str] = {
}
