"""Never a 500 under a burst: 200 concurrent 签发 of 50 drafts through the real `quorum serve`.

Each draft is signed four times at once by its signer through gunicorn (2 workers): every answer is a
redirect (signed, or "已签发" for the losers), never a 5xx (a 503 would carry Retry-After);
afterwards every draft is frozen exactly once and each (机关代字, year) series holds 1, 2, … n with
no gap and no number twice — on SQLite and PostgreSQL.
"""

import re
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from quorum import policies
from quorum.calendar import WorkCalendar
from quorum.calendar import now as clock_now
from quorum.db import Document
from quorum.db.session import make_engine, make_session_factory
from quorum.services import demo, documents, org
from quorum.services.env import Env
from tests.conftest import ROOT
from tests.webui import conftest as web
from tests.webui.test_production_server import pg_url, quorum, serving, sign_in, write_config

DRAFTS = 50
ATTEMPTS = 4                       # concurrent sign-offs of each draft: 200 in all
SECRETARY = "gaowenjing"

pytestmark = [pytest.mark.slow]
__all__ = ["pg_url"]               # the fixture, imported for the PostgreSQL case
app = web.app                      # the Flask app over the test database


def prepared(url: str, config: Path, data_dir: Path) -> tuple[list[int], str]:
    """Migrate, load the demo, draft 50 notices of the demo matter; return their ids and their signer."""
    assert quorum(config, "migrate").returncode == 0
    assert quorum(config, "init", "--demo-org").returncode == 0
    env = Env(policies.load(ROOT / "policies"), WorkCalendar(), clock_now(), files_dir=data_dir / "files")
    engine = make_engine(url)
    try:
        sessions = make_session_factory(engine)
        demo.run(sessions, env)
        with sessions.begin() as s:
            matter_id = demo.matter_ids(s)[0]
            secretary = org.person(s, SECRETARY)
            ids = [documents.draft(s, env, secretary, "notice", [matter_id]).id for _ in range(DRAFTS)]
            doc = documents.get(s, ids[0])
            signer = next(p.username for r in documents.signer_roles(s, doc) for p in org.holders(s, r)
                          if documents.may_sign(s, p, doc))
    finally:
        engine.dispose()
    return ids, signer


def burst(base: str, signer: str, ids: list[int]) -> Counter:
    """Sign every draft ATTEMPTS times at once; return the count of each status answered."""
    with httpx.Client(base_url=base, timeout=120) as client:
        sign_in(client, signer)
        page = client.get(f"/documents/{ids[0]}")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

        cookies = dict(client.cookies)

        def post(document_id: int) -> httpx.Response:          # a connection of its own: truly concurrent
            return httpx.post(f"{base}/documents/{document_id}/sign", data={"csrf_token": token},
                              cookies=cookies, timeout=120)

        with ThreadPoolExecutor(DRAFTS * ATTEMPTS) as pool:         # all 200 at once
            answers = list(pool.map(post, [i for i in ids for _ in range(ATTEMPTS)]))
    assert all(r.headers.get("Retry-After") for r in answers if r.status_code == 503)
    return Counter(r.status_code for r in answers)


def check_signed_once(url: str, ids: list[int]) -> None:
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            docs = list(s.execute(select(Document).where(Document.id.in_(ids))).scalars())
            assert {d.status for d in docs} == {"frozen"} and all(d.sha256 and d.doc_number for d in docs)
            signed = Counter(s.execute(text("SELECT subject_id FROM audit_event WHERE kind = 'document.signed'"
                                            " AND subject = 'document'")).scalars())
            assert all(signed[i] == 1 for i in ids), signed
            series: dict[tuple, list[int]] = {}
            for d in s.execute(select(Document).where(Document.serial.is_not(None))).scalars():
                series.setdefault((d.series, d.year), []).append(d.serial)
            for key, serials in series.items():
                assert sorted(serials) == list(range(1, len(serials) + 1)), (key, sorted(serials))
    finally:
        engine.dispose()


def run_burst(url: str, tmp_path: Path) -> None:
    config = write_config(tmp_path, url, workers=2)
    config.write_text(config.read_text(encoding="utf-8").replace("threads = 1 ", "threads = 4 "), encoding="utf-8")
    ids, signer = prepared(url, config, tmp_path / "data")
    with serving(config, tmp_path) as server:
        started = time.monotonic()
        statuses = burst(server.base, signer, ids)
        assert time.monotonic() - started < 240
    assert set(statuses) == {302}, statuses          # 0 × 5xx: not even a 503
    check_signed_once(url, ids)
    assert "Traceback" not in server.log.read_text(encoding="utf-8")


def test_200_concurrent_sign_offs_on_sqlite_answer_no_5xx(tmp_path):
    (tmp_path / "data").mkdir()
    run_burst(f"sqlite:///{tmp_path / 'data' / 'quorum.sqlite3'}", tmp_path)


@pytest.mark.postgres
def test_200_concurrent_sign_offs_on_postgresql_answer_no_5xx(pg_url, tmp_path):
    run_burst(pg_url, tmp_path)


# --------------------------------------------------------------------------------------------
# a busy database answers 503 with Retry-After, in Chinese, on pages and on the API


@pytest.mark.parametrize("error", [
    OperationalError("SELECT 1", {}, Exception("database is locked")),
    OperationalError("SELECT 1", {}, Exception("canceling statement due to lock timeout")),
    PoolTimeout("QueuePool limit of size 4 overflow 8 reached, connection timed out, timeout 30.00"),
])
def test_a_pool_or_lock_timeout_is_a_503_with_retry_after(app, error):
    def busy():
        raise error
    app.add_url_rule("/busy", "busy", busy)
    app.add_url_rule("/api/v1/busy", "api_busy", busy)
    client = app.test_client()
    page, api = client.get("/busy"), client.get("/api/v1/busy")
    assert page.status_code == api.status_code == 503
    assert page.headers["Retry-After"] == api.headers["Retry-After"] == "2"
    assert "系统繁忙，请稍后重试" in page.get_data(as_text=True)
    assert api.get_json() == {"error": "service_busy", "message": "系统繁忙，请稍后重试（数据库正忙）"}


# --------------------------------------------------------------------------------------------
# a sign-off that dies between taking the number and freezing keeps the number for its draft


def test_a_sign_off_interrupted_after_the_number_keeps_it_for_that_draft(community, env, tmp_path):
    denv = replace(env, files_dir=tmp_path / "files")
    matter_id = demo.run(community.sessions, denv)["matter_id"]
    with community.sessions.begin() as s:
        secretary = org.person(s, SECRETARY)
        first, second = (documents.draft(s, denv, secretary, "notice", [matter_id]).id for _ in range(2))
        doc = documents.get(s, first)
        signer = next(p.username for r in documents.signer_roles(s, doc) for p in org.holders(s, r)
                      if documents.may_sign(s, p, doc))
    with community.sessions.begin() as s:
        reserved = documents.reserve(s, denv, org.person(s, signer), first).doc_number
    # the worker dies here: the draft holds its number, no file was frozen
    with community.sessions.begin() as s:
        assert documents.get(s, first).status == "draft" and documents.get(s, first).doc_number == reserved
        again = documents.sign(s, denv, org.person(s, signer), first)
        other = documents.sign(s, denv, org.person(s, signer), second)
        assert again.doc_number == reserved and other.serial == again.serial + 1
        numbered = Counter(s.execute(text("SELECT subject_id FROM audit_event WHERE kind = 'document.numbered'"))
                           .scalars())
        assert numbered[first] == numbered[second] == 1
