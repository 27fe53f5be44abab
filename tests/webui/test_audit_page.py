"""The 纪检's page /audit (issue 15, item 4): the chain's check and its anchors, every event of the log with filters,
refused attempts, and any matter's dossier — for 纪检监察 and the administrator only.

The demo is run (two meetings, two decisions, every chain), then 孙立新 (纪检监察室主任) checks the chain from
the page: intact; an event edited behind the engine's back is named by its number and what is wrong with it.
"""

import io
import json
import re
import secrets
import time
import zipfile
from dataclasses import replace
from urllib.parse import quote

import pytest
from sqlalchemy import func, select, update

from quorum.db import AuditEvent, JobRun, Matter, Meeting, Person
from quorum.services import audit, audit_anchor, audit_view
from quorum.settings import load_settings
from tests.conftest import ROOT
from tests.webui.conftest import as_user, post, text
from tests.webui.test_no_keys_on_pages import KEY
from tests.webui.test_statement_counts import Statements
from webui import create_app

INSPECTOR, ADMINISTRATOR = "sunlixin", "gaowenjing"          # 纪检监察室主任; 党政办主任 and 平台管理员
COMMITTEE_MEMBER, CLERK, UNIT_HEAD = "eerdun", "sarengaowa", "lichunyan"    # 总院长 (党委委员); 党政办科员; 乌兰社区中心主任


@pytest.fixture
def app(community, env, tmp_path):
    """The web app with its anchor file in the test's directory (not beside the checkout's config.toml)."""
    settings = load_settings(ROOT / "config.toml", env={"QUORUM_DATA_DIR": str(tmp_path / "data"),
                                                        "QUORUM_SECRET_KEY": secrets.token_urlsafe(32),
                                                        "QUORUM_AUDIT_ANCHOR_FILE": str(tmp_path / "anchors.log")})
    app = create_app(settings, database=community, now=env.now, test_config={"TESTING": True})
    app.extensions["quorum"].policies = env.policies
    return app


@pytest.fixture
def demo_run(app, env, decided_demo):
    """The demo decided end to end, its documents' files in the app's data directory."""
    return decided_demo(replace(env, files_dir=app.extensions["quorum"].settings.data_dir / "files"))


def checks_done(community) -> int:
    with community.sessions.begin() as s:
        return s.scalar(select(func.count()).select_from(JobRun).where(JobRun.name == audit_view.CHECK,
                                                                        JobRun.finished_at.is_not(None)))


def check_from_the_page(client, community) -> str:
    """Press 立即完整校验, wait for the background check to finish, and return the page."""
    before = checks_done(community)
    started = post(client, "/audit/verify", page="/audit")
    assert started.status_code == 302
    deadline = time.monotonic() + 60
    while checks_done(community) == before:
        assert time.monotonic() < deadline, "the check did not finish within 60 s"
        time.sleep(0.05)
    return text(client.get("/audit"))


def event_count(community, *conditions) -> int:
    with community.sessions.begin() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent).where(*conditions))


def test_only_discipline_inspection_and_the_administrator_may_open_it(app, community, demo_run):
    matter = demo_run["matter_id"]
    for username in (INSPECTOR, ADMINISTRATOR):
        client = as_user(app, username)
        assert client.get("/audit").status_code == 200, username
        assert 'href="/audit"' in text(client.get("/tasks"))
        assert client.get(f"/audit/dossier/{matter}/download").status_code == 200
    for username in (COMMITTEE_MEMBER, CLERK, UNIT_HEAD):
        client = as_user(app, username)
        refused = client.get("/audit")
        assert refused.status_code == 403, username
        assert "无权执行此操作" in text(refused) and "audit-check" not in text(refused)
        assert 'href="/audit"' not in text(client.get("/tasks"))
        assert client.get(f"/audit/dossier/{matter}/download").status_code == 403
        assert client.get(f"/audit/dossier?matter={matter}").status_code == 302      # only a redirect to the above
        assert post(client, "/audit/verify", page="/tasks").status_code == 403
    assert checks_done(community) == 0                     # none of the refused started a check
    with community.sessions.begin() as s:
        refused_by = set(s.scalars(select(Person.username).join(AuditEvent, AuditEvent.actor_id == Person.id)
                                   .where(AuditEvent.kind == "access.refused")))
    assert refused_by == {COMMITTEE_MEMBER, CLERK, UNIT_HEAD}     # each refusal recorded for 纪检


def test_the_check_says_intact_with_the_anchors_then_names_the_tampered_event(app, community, env, demo_run):
    inspector = as_user(app, INSPECTOR)
    page = text(inspector.get("/audit"))
    assert "尚未校验过审计链" in page and "尚无锚定记录" in page

    anchor_file = app.extensions["quorum"].settings.audit.anchor_file
    with community.sessions.begin() as s:
        anchored = audit_anchor.anchor(s, env, anchor_file)
    page = check_from_the_page(inspector, community)
    events = event_count(community)
    assert f"审计链完整：共 {events} 条事件，逐条哈希校验通过，与 1 条锚定记录一致。" in page
    assert f"<td>第 {anchored.seq} 条</td>" in page and anchored.hash in page
    assert "尚未校验" not in page

    with community.engine.begin() as conn:               # an edit behind the engine's back
        payload = conn.execute(select(AuditEvent.payload).where(AuditEvent.seq == 20)).scalar_one()
        conn.execute(update(AuditEvent.__table__).where(AuditEvent.seq == 20)
                     .values(payload={**payload, "tampered": "改动"}))
    page = check_from_the_page(inspector, community)
    assert "审计链在第 20 条事件处断裂：事件内容与哈希不符，记录被篡改" in page
    newer = event_count(community, AuditEvent.seq > 20)
    bad_page = newer // audit_view.PER_PAGE + 1
    assert f'href="/audit?page={bad_page}#event-20"' in page
    assert 'data-testid="event-20"' in text(inspector.get(f"/audit?page={bad_page}"))
    assert "审计链完整" not in page


def test_a_running_check_is_shown_and_not_started_twice(app, community, env):
    with community.sessions.begin() as s:
        s.add(JobRun(name=audit_view.CHECK, started_at=env.now, status="running", trigger="manual", summary={}))
    inspector = as_user(app, INSPECTOR)
    page = text(inspector.get("/audit"))
    assert "校验进行中" in page and 'http-equiv="refresh"' in page and 'data-testid="check-start"' not in page
    assert post(inspector, "/audit/verify", page="/audit").status_code == 302
    assert "审计链正在校验中" in text(inspector.get("/audit"))
    with community.sessions.begin() as s:
        assert s.scalar(select(func.count()).select_from(JobRun)) == 1


def shown(page: str) -> list[int]:
    """The event numbers listed on a timeline page, in order."""
    return [int(n) for n in re.findall(r'data-testid="event-(\d+)"', page)]


def test_filters_narrow_the_timeline_with_totals_and_pages(app, community, env, demo_run):
    inspector = as_user(app, INSPECTOR)
    everything = text(inspector.get("/audit"))
    total = event_count(community)
    assert f"共 {total} 条事件，第 1/{-(-total // audit_view.PER_PAGE)} 页" in everything
    assert shown(everything) == list(range(total, total - audit_view.PER_PAGE, -1))      # newest first
    second = text(inspector.get("/audit?page=2"))
    assert shown(second)[0] == total - audit_view.PER_PAGE and 'data-testid="next-page"' in second

    matter = demo_run["matter_id"]
    with community.sessions.begin() as s:
        secretary_id = s.scalar(select(Person.id).where(Person.username == ADMINISTRATOR))
        title = s.scalar(select(Matter.title).where(Matter.id == matter))
    by_matter = text(inspector.get(f"/audit?matter={matter}"))
    assert f"共 {event_count(community, AuditEvent.matter_id == matter)} 条事件" in by_matter
    assert title in by_matter and "申报事项" in by_matter

    submitted = text(inspector.get(f"/audit?kind=matter.submitted&person={secretary_id}"))
    expected = event_count(community, AuditEvent.kind == "matter.submitted", AuditEvent.actor_id == secretary_id)
    assert 0 < expected < total and f"共 {expected} 条事件" in submitted
    assert len(shown(submitted)) == min(expected, audit_view.PER_PAGE)
    assert submitted.count("高文静</strong> 申报事项") == len(shown(submitted))
    assert '<option value="matter.submitted" selected>申报事项</option>' in submitted

    day = env.now.date()
    with community.sessions.begin() as s:
        ats = list(s.scalars(select(AuditEvent.at)))
    on_the_day = sum(1 for at in ats if at.date() == day)
    assert 0 < on_the_day < total
    assert f"共 {on_the_day} 条事件" in text(inspector.get(f"/audit?from={day}&to={day}"))
    assert "共 0 条事件" in text(inspector.get("/audit?from=2030-01-01"))

    assert inspector.get("/audit?from=2026-12-01&to=2026-11-01").status_code == 422
    bad = inspector.get("/audit?page=x")
    assert bad.status_code == 422 and "不是有效的编号" in text(bad)
    assert inspector.get("/audit?from=yesterday").status_code == 422


def test_every_event_of_the_demo_reads_in_chinese(app, community, demo_run):
    """Each kind of the demo's log has a name, and no page of the timeline shows a key."""
    with community.sessions.begin() as s:
        kinds = set(s.scalars(select(AuditEvent.kind).distinct()))
    assert {k for k in kinds if audit_view.kind_name(k) == "其他事件"} == set()
    inspector = as_user(app, INSPECTOR)
    page, n = text(inspector.get("/audit")), 1
    while True:
        visible = page.split('<section class="card" data-testid="audit-events">')[1]
        assert KEY.findall(visible.replace('data-testid="', "")) == [], n
        if 'data-testid="next-page"' not in page:
            break
        n += 1
        page = text(inspector.get(f"/audit?page={n}"))
    assert n > 3

    with community.sessions.begin() as s:        # a meeting's event names its meeting and the person it was about
        event = s.scalars(select(AuditEvent).where(AuditEvent.kind == "meeting.attendance")
                          .order_by(AuditEvent.seq.desc()).limit(1)).one()
        meeting = s.scalar(select(Meeting.title).where(Meeting.id == event.subject_id))
        person = s.scalar(select(Person.name).where(Person.username == event.payload["person"]))
    attendance = text(inspector.get("/audit?kind=meeting.attendance"))
    first = attendance.split(f'data-testid="event-{event.seq}"')[1].split("</li>")[0]
    assert f"会议：{meeting}" in first and person in first and "登记出席情况" in first


def test_refusals_are_on_the_timeline_and_linked(app, community):
    as_user(app, UNIT_HEAD).get("/audit")                           # refused, recorded
    page = text(as_user(app, INSPECTOR).get("/audit?kind=access.refused"))
    assert "共 1 条事件" in page and "已拒绝" in page and "李春燕</strong> 越权操作被拒绝" in page
    assert "尝试「核验审计链、查阅越权操作记录」" in page
    assert 'href="/audit/refusals"' in page
    assert 'href="/audit"' in text(as_user(app, INSPECTOR).get("/audit/refusals"))        # and back


def test_the_dossier_is_the_matters_archive_named_by_its_title(app, community, demo_run):
    matter = demo_run["matter_id"]
    with community.sessions.begin() as s:
        title = s.scalar(select(Matter.title).where(Matter.id == matter))
    inspector = as_user(app, INSPECTOR)
    assert inspector.get(f"/audit/dossier?matter={matter}").headers["Location"].endswith(
        f"/audit/dossier/{matter}/download")
    response = inspector.get(f"/audit/dossier/{matter}/download")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    disposition = response.headers["Content-Disposition"]
    assert quote(f"事项档案-{matter}-{title}.zip".replace(" ", "_")) in disposition
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        record = json.loads(archive.read("record.json"))
        manifest = json.loads(archive.read("manifest.json"))
        events = json.loads(archive.read("audit.json"))
        assert archive.testzip() is None
    assert (record["id"], record["title"], manifest["matter_id"]) == (matter, title, matter)
    assert manifest["audit_chain"]["ok"]
    assert {e["kind"] for e in events} >= {"matter.submitted", "document.signed", "meeting.closed"}
    assert inspector.get("/audit/dossier/999999/download").status_code == 404
    assert inspector.get("/audit/dossier?matter=").status_code == 422


def test_the_timeline_costs_the_same_with_more_events(app, community, env, demo_run):
    statements = Statements(community.engine)
    try:
        inspector = as_user(app, INSPECTOR)
        paths = ("/audit", "/audit?page=2", f"/audit?matter={demo_run['matter_id']}")
        for path in paths:
            inspector.get(path)                  # warm: templates, parsed rules
        few = {path: statements.of(lambda p=path: inspector.get(p)) for path in paths}
        with community.sessions.begin() as s:              # 300 more 催办 by the 党政办, like the demo's own events
            secretary = s.scalar(select(Person.id).where(Person.username == ADMINISTRATOR))
            for n in range(300):
                audit.append(s, env, secretary, "task.urged", "task", 1, {"assignee": INSPECTOR, "n": n},
                             matter_id=demo_run["matter_id"])
        many = {path: statements.of(lambda p=path: inspector.get(p)) for path in paths}
    finally:
        statements.close()
    assert many == few, (few, many)
    assert max(many.values()) <= 25, many
