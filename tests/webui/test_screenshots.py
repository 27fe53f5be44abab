"""`python -m webui.screenshots` — the pages a reviewer looks at, at phone and desktop width, in Debian chromium."""

import struct

import pytest

from webui import screenshots


@pytest.mark.slow
def test_the_screenshots_are_taken_from_a_fresh_data_directory(tmp_path):
    written = screenshots.capture(tmp_path / "shots")
    names = sorted(p.name for p in written)
    assert names == sorted(f"{page}-{size}.png" for page in ("inbox", "matter", "meeting-room", "dashboard",
                                                             "audit-refusals") for size in screenshots.SIZES)
    for path in written:
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000, path
        width = struct.unpack(">I", data[16:20])[0]
        assert width in {w for w, _h in screenshots.SIZES.values()}, (path, width)
