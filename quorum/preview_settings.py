"""The [previews] section of config.toml: how much one attachment preview's conversion may take.

    [previews]
    max_megabytes = 20      # a larger attachment is not converted (the page says: no preview, the file is too large)
    timeout_seconds = 120   # LibreOffice's and pdftoppm's time for one file
    max_pages = 30          # the pages rendered; a longer file shows its first pages and says so
    dpi = 110               # the resolution of the PNG pages (110: an A4 page 909 px wide)

Every key is optional. Read through quorum.settings.load_settings; each error names the file, the section
and the key. The web process hands the result to quorum.services.attachment_preview.use_limits.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quorum.scheduler_settings import _int, _table

SECTION = "previews"
KEYS = {"max_megabytes", "timeout_seconds", "max_pages", "dpi"}
MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class PreviewLimits:
    """How much one conversion may take: the file's size, LibreOffice's and pdftoppm's time, the pages shown."""

    max_bytes: int = 20 * MEGABYTE
    timeout_seconds: int = 120
    max_pages: int = 30
    dpi: int = 110                   # an A4 page 909 px wide: readable when a phone zooms in


def parse_previews(raw: Mapping[str, Any], path: Path) -> PreviewLimits:
    """Validate [previews]; every key is optional (the defaults are PreviewLimits')."""
    t = _table(raw, SECTION, path, KEYS)
    default = PreviewLimits()
    return PreviewLimits(max_bytes=_int(t, "max_megabytes", default.max_bytes // MEGABYTE, path, SECTION, 1, 500)
                         * MEGABYTE,
                         timeout_seconds=_int(t, "timeout_seconds", default.timeout_seconds, path, SECTION, 5, 3600),
                         max_pages=_int(t, "max_pages", default.max_pages, path, SECTION, 1, 500),
                         dpi=_int(t, "dpi", default.dpi, path, SECTION, 36, 300))
