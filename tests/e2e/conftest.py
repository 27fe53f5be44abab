"""Browser tests: the real app served on 127.0.0.1, driven by Playwright in Debian's chromium.

The browser is /usr/bin/chromium (Debian package `chromium`, installed by scripts/test.sh) — never
a Playwright browser download. If it is missing these tests fail; they do not skip.
"""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from quorum.settings import load_settings
from tests.conftest import ROOT
from webui import create_app

CHROMIUM = os.environ.get("QUORUM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
PASSWORD = "quorum-demo"


class LiveServer:
    """The app served by werkzeug in a background thread; stops when the test ends."""

    def __init__(self, app) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser():
    """One chromium per module: Playwright's sync API holds an asyncio loop in the main thread while it runs, and
    with a session-wide browser every later test in the process ran under it (Prefect's sync calls then returned
    coroutines: tests/flows/test_sweep_flow.py failed whenever a browser module had run before it in the process)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (scripts/test.sh does)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def live(community, env, tmp_path):
    settings = load_settings(ROOT / "config.toml", env={"QUORUM_DATA_DIR": str(tmp_path / "data")})
    app = create_app(settings, database=community, now=env.now, test_config={"TESTING": False})
    runtime = app.extensions["quorum"]
    with LiveServer(app) as server:
        server.runtime = runtime
        yield server


@pytest.fixture
def page_for(browser, live):
    """page_for(username, width=390) → a logged-in page in its own browser context."""
    contexts = []

    def open_page(username: str, width: int = 390, height: int = 844):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{live.url}/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live.url}/tasks")
        return page

    yield open_page
    for context in contexts:
        context.close()
