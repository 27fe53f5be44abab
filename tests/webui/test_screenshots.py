"""`python -m webui.screenshots` — the pages a reviewer looks at, at phone and desktop width, in Debian chromium.

Run as the command it is, in its own process (Playwright's sync API refuses a process whose main thread holds an
asyncio loop, as other tests' servers may leave one).
"""

import struct
import subprocess
import sys
from pathlib import Path

import pytest

from webui.screenshots import SIZES

ROOT = Path(__file__).resolve().parents[2]
PAGES = ("inbox", "matter", "meeting-room", "meeting-room-member", "signer-inbox", "signoff-preview", "dashboard",
         "audit-refusals", "audit", "attachment-preview", "approval-card", "matter-decision", "matters", "documents",
         "document-signed")


@pytest.mark.slow
def test_the_screenshots_are_taken_from_a_fresh_data_directory(tmp_path):
    out = tmp_path / "shots"
    result = subprocess.run([sys.executable, "-m", "webui.screenshots", "--out", str(out)], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    written = [Path(line) for line in result.stdout.split()]
    assert sorted(p.name for p in written) == sorted(f"{page}-{size}.png" for page in PAGES for size in SIZES)
    for path in written:
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000, path
        width = struct.unpack(">I", data[16:20])[0]
        assert width in {w for w, _h in SIZES.values()}, (path, width)
