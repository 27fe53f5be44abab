"""Wording of the supervision import: reading a key-task list and the refusals of its rows."""

MESSAGES: dict[str, str] = {
}
