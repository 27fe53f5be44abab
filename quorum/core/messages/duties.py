"""Wording of standing duties and reminder policies: periods, evidence, the refusals of their policy files."""

MESSAGES: dict[str, str] = {
}
