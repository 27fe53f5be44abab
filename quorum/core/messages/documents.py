"""Wording of official documents in code: kinds and series, refusals of a draft, the converters' errors."""

MESSAGES: dict[str, str] = {
}
