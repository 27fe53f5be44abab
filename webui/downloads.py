"""What every file download sends: the Content-Disposition header with the file's real name."""

from urllib.parse import quote


def content_disposition(name: str, fallback: str) -> str:
    """attachment with an ASCII filename for old clients and the real name as RFC 5987 filename*=UTF-8''…."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
