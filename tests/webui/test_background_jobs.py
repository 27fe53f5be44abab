"""Long actions off the request (issue 15, item 5): 生成 PDF is queued as a background_job row, run by a job
runner (the web's job thread calls background_jobs.run_pending; here the test calls it), and its state is a
fragment the page polls — visible to its owner only; a failure reads in Chinese; two runners never run one job.

The world: the demo decided and its documents signed (as tests/webui/test_documents.py); the 党政办
(gaowenjing) may convert a signed document, the 会计 (tuya) may not.
"""

import threading
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quorum.core.errors import InvalidInput
from quorum.db import BackgroundJob, Document
from quorum.services import background_jobs, org
from tests.webui.conftest import as_user, post, text
from webui.jobs import JobThread

SECRETARY, OUTSIDER = "gaowenjing", "tuya"


@pytest.fixture
def world(app, community, env, decided_demo):
    denv = replace(env, files_dir=app.extensions["quorum"].settings.data_dir / "files")
    decided_demo(denv)
    with community.sessions.begin() as s:
        frozen = s.execute(select(Document.id).where(Document.status == "frozen", Document.pdf_sha256.is_(None))
                           .order_by(Document.id)).scalars().first()
    assert frozen is not None
    return {"frozen": frozen, "env": denv}


def run_queue(app) -> int:
    quorum = app.extensions["quorum"]
    return background_jobs.run_pending(quorum.db.sessions, quorum.env)


def jobs(community) -> list[BackgroundJob]:
    with community.sessions() as s:
        return list(s.execute(select(BackgroundJob).order_by(BackgroundJob.id)).scalars())


def test_pdf_is_made_in_the_background_and_shown_to_its_owner_only(app, community, world):
    d = world["frozen"]
    secretary, outsider = as_user(app, SECRETARY), as_user(app, OUTSIDER)
    page = f"/documents/{d}"
    assert 'data-testid="make-pdf"' in text(secretary.get(page))
    started = post(secretary, f"/documents/{d}/pdf", page=page)
    assert started.status_code == 302
    [job] = jobs(community)
    assert job.kind == "document_pdf" and job.status == "queued" and job.params == {"document_id": d}
    assert started.headers["Location"].endswith(f"/documents/{d}?job={job.id}")
    shown = text(secretary.get(f"/documents/{d}?job={job.id}"))
    assert "已开始生成 PDF" in shown and "排队中" in shown and f'data-job-url="/jobs/{job.id}"' in shown
    assert "jobs.js" in shown
    assert outsider.get(f"/jobs/{job.id}").status_code == 404                 # someone else's job: not there
    assert f"/jobs/{job.id}" not in text(outsider.get(f"/documents/{d}?job={job.id}"))
    assert secretary.get(f"/documents/{d}/file.pdf").status_code == 404       # nothing converted in the request

    assert run_queue(app) == 1
    [job] = jobs(community)
    assert job.status == "done" and job.progress == 100 and job.result["document_id"] == d and job.attempts == 1
    fragment = text(secretary.get(f"/jobs/{job.id}"))
    assert "已完成" in fragment and f"/documents/{d}/file.pdf" in fragment and "data-job-url" not in fragment
    pdf = secretary.get(f"/documents/{d}/file.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert run_queue(app) == 0                                                   # nothing left, nothing run twice


def test_a_person_who_may_not_convert_is_refused_at_once(app, community, world):
    d = world["frozen"]
    outsider = as_user(app, OUTSIDER)
    refused = post(outsider, f"/documents/{d}/pdf", page="/tasks")
    assert refused.status_code in (302, 404)
    assert jobs(community) == []


def test_a_failure_reads_in_chinese(app, community, world):
    def refuse(sessions, env, owner_id, params, progress):
        progress(40, "正在整理")
        raise InvalidInput.because("documents.pdf_not_signed", title="测试公文")

    def crash(sessions, env, owner_id, params, progress):
        raise RuntimeError("converter died")

    background_jobs.register("test_refuse", lambda s, env, owner, params: None, refuse)
    background_jobs.register("test_crash", lambda s, env, owner, params: None, crash)
    try:
        with community.sessions.begin() as s:
            me = org.person(s, SECRETARY)
            first = background_jobs.start(s, world["env"], "test_refuse", me, {})
            second = background_jobs.start(s, world["env"], "test_crash", me, {})
        assert run_queue(app) == 2
        secretary = as_user(app, SECRETARY)
        refused = text(secretary.get(f"/jobs/{first}"))
        assert "失败" in refused and "测试公文" in refused and "data-job-url" not in refused
        crashed = text(secretary.get(f"/jobs/{second}"))
        assert "内部错误" in crashed and "converter died" not in crashed
    finally:
        background_jobs.KINDS.pop("test_refuse", None)
        background_jobs.KINDS.pop("test_crash", None)


def test_two_runners_never_run_one_job_and_a_lost_job_is_claimed_again(app, community, world):
    calls = []
    background_jobs.register("test_count", lambda s, env, owner, params: None,
                             lambda sessions, env, owner_id, params, progress: calls.append(1) or {"n": len(calls)})
    try:
        env = world["env"]
        with community.sessions.begin() as s:
            job_id = background_jobs.start(s, env, "test_count", org.person(s, SECRETARY), {})
        assert background_jobs.claim(community.sessions, env.now) == job_id
        assert background_jobs.claim(community.sessions, env.now) is None          # claimed: not again
        # its process died: after the lease another runner takes it, and a second loss fails it
        later = env.now + background_jobs.LEASE + timedelta(minutes=1)
        assert background_jobs.claim(community.sessions, later) == job_id
        much_later = later + background_jobs.LEASE + timedelta(minutes=1)
        assert background_jobs.claim(community.sessions, much_later) is None
        [job] = jobs(community)
        assert job.status == "failed" and "意外中止" in job.error and calls == []
        with community.sessions() as s:
            assert s.scalar(select(func.count(BackgroundJob.id))) == 1
    finally:
        background_jobs.KINDS.pop("test_count", None)


def test_a_finished_export_file_is_downloaded_by_its_owner_only(app, community, world):
    files = world["env"].files_dir

    def export(sessions, env, owner_id, params, progress):
        (files / "exports").mkdir(parents=True, exist_ok=True)
        (files / "exports" / "ledger.xlsx").write_bytes(b"PK fake workbook")
        return {"file": "exports/ledger.xlsx", "filename": "三重一大决策台账.xlsx",
                "content_type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

    background_jobs.register("test_export", lambda s, env, owner, params: None, export)
    try:
        with community.sessions.begin() as s:
            job_id = background_jobs.start(s, world["env"], "test_export", org.person(s, SECRETARY), {})
        assert run_queue(app) == 1
        secretary = as_user(app, SECRETARY)
        assert f"/jobs/{job_id}/file" in text(secretary.get(f"/jobs/{job_id}"))
        got = secretary.get(f"/jobs/{job_id}/file")
        assert got.status_code == 200 and got.data == b"PK fake workbook"
        assert "filename*=UTF-8''" in got.headers["Content-Disposition"]
        assert as_user(app, OUTSIDER).get(f"/jobs/{job_id}/file").status_code == 404
    finally:
        background_jobs.KINDS.pop("test_export", None)


def test_the_job_thread_of_a_web_process_runs_what_a_page_queued(app, community, world):
    """Under gunicorn every worker runs a JobThread (webui.jobs.init_app); here one is started by hand."""
    ran = threading.Event()
    background_jobs.register("test_thread", lambda s, env, owner, params: None,
                             lambda sessions, env, owner_id, params, progress: ran.set() or {"ok": True})
    runner = JobThread(app.extensions["quorum"])
    try:
        with community.sessions.begin() as s:
            job_id = background_jobs.start(s, world["env"], "test_thread", org.person(s, SECRETARY), {})
        runner.wake()
        assert ran.wait(30)
        for _ in range(100):
            [job] = jobs(community)
            if job.status == "done":
                break
            time.sleep(0.1)
        assert job.id == job_id and job.status == "done" and job.result == {"ok": True}
        thread = runner.thread
    finally:
        runner.stop.set()
        runner.kick.set()
        if runner.thread is not None:
            runner.thread.join(10)
        background_jobs.KINDS.pop("test_thread", None)
    assert not thread.is_alive()
