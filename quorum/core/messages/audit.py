"""Wording of audit verification: a broken chain, an anchor that does not match, records that disagree."""

MESSAGES: dict[str, str] = {
}
