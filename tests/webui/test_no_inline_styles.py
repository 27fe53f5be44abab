"""The pages carry no inline style attribute: the Content-Security-Policy (style-src 'self') makes a browser ignore
it, so a page that relied on one broke silently (the 版面预览's pages overflowed a phone's screen)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_template_relies_on_an_inline_style():
    found = [str(path.relative_to(ROOT)) for path in sorted((ROOT / "templates" / "web").rglob("*.html"))
             if " style=" in path.read_text(encoding="utf-8")]
    assert found == []
