"""The web server's wording: serving, health and screenshots (page text lives in templates/web/)."""

MESSAGES: dict[str, str] = {
}
