"""Render review screenshots of the main pages at phone and desktop widths (images are not committed).

    .venv/test/bin/python -m webui.screenshots [--out screenshots]

Builds a throw-away SQLite database with the demo community: the demo matter decided end to end,
plus a second matter on a president's office meeting that is in session with some votes cast, then captures
my tasks (the inbox), the matter page, the meeting room and the dashboard with Debian's chromium.
"""

import argparse
import tempfile
import threading
import time as _time
from datetime import datetime, time
from io import BytesIO
from pathlib import Path

import docx
from sqlalchemy import select
from werkzeug.serving import make_server

from quorum import calendar
from quorum.calendar import TZ
from quorum.core.errors import NotPermitted
from quorum.core.messages import message
from quorum.database import open_database
from quorum.db import Document, Person
from quorum.services import (
    attachment_preview,
    attachments,
    audit_view,
    background_jobs,
    demo,
    documents,
    matters,
    meetings,
    org,
    refusals,
)
from quorum.settings import load_settings
from webui import create_app

SIZES = {"phone": (390, 844), "desktop": (1280, 900)}
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def build_scene(app) -> dict:
    """Run the demo and leave a second matter mid-vote on an open president's office meeting."""
    rt = app.extensions["quorum"]
    env = rt.env()
    result = demo.run(rt.db.sessions, env)
    sc = demo.Scenario(rt.db.sessions, env)
    cal = env.calendar
    day = cal.subtract_working_days(env.now.date(), 4).due
    sc.at(day, 9)
    secretary = sc.holder("secretariat", 0)
    # The scene's title, summary, comments, place and absence reason are demo data, what people would have typed
    # (like quorum/services/demo.py); they are read on the screenshots, so they live in the message table.
    second = sc.do(secretary, matters.submit, "major_matter", message("web.screenshots_scene_title"), {
        "category": "funds", "unit": "wulan_chc", "amount": "380000", "budgeted": "true", "staff_interest": "false",
        "summary": message("web.screenshots_scene_summary")}).id
    for role, req in (("legal_counsel", "legality"), ("risk_officer", "risk"), ("finance_center_head", "finance")):
        who = sc.holder(role)
        sc.do(who, matters.act, sc.task_of(who, second, req), "approve", message("web.screenshots_scene_agree"))
    clerk = sc.holder("secretariat", 1)
    sc.do(clerk, matters.act, sc.task_of(clerk, second, "consultation"), "approve",
          message("web.screenshots_scene_consulted"))
    for role in ("vice_president", "president"):
        who = sc.holder(role)
        sc.do(who, matters.act, sc.task_of(who, second), "approve", message("web.screenshots_scene_agree"))
    meeting_day = cal.add_working_days(day, 2).due
    meeting = sc.do(secretary, meetings.schedule, "president_office", "",
                    datetime.combine(meeting_day, time(8, 30), tzinfo=TZ), message("web.screenshots_scene_place"),
                    [second])
    sc.at(meeting_day, 8, 30)
    sc.do(secretary, meetings.open_session, meeting.id)
    with rt.db.sessions.begin() as s:
        members = [s.get(Person, m.person_id).username for m in meetings.get(s, meeting.id).members]
    for index, user in enumerate(members):
        present = index < 4
        sc.do(secretary, meetings.attend, meeting.id, demo.detached_person(sc, user),
              "present" if present else "absent",
              "" if present else message("web.screenshots_scene_absence"))
    sc.do(members[1], meetings.vote, meeting.id, 1, "agree")
    _refused_attempt(rt, sc, members[2], second)
    notice, signer = _notice_awaiting_signature(sc, secretary, cal.add_working_days(meeting_day, 3).due)
    card, leader = _card_awaiting_review(sc, secretary)
    audit_view.run_check(rt.db.sessions, None)          # the 纪检's page shows a finished check of the chain
    attachment = _attachment_previewed(rt, sc, secretary, second)
    return {"matter": result["matter_id"], "meeting": meeting.id, "member": members[2], "secretary": secretary,
            "inspector": sc.holder("discipline_inspector"), "notice": notice, "signer": signer,
            "second": second, "attachment": attachment, "card": card, "leader": leader,
            "signed": _signed_document(rt)}


def _card_awaiting_review(sc, secretary: str) -> tuple[int, str]:
    """A major_matter project past its gate opinions: the responsible vice-president's approval card in the inbox
    and the matter page."""
    matter = sc.do(secretary, matters.submit, "major_matter", message("inbox.screenshots_card_title"), {
        "category": "project", "unit": "general_hospital", "amount": "1860000", "budgeted": "true",
        "staff_interest": "false", "summary": message("inbox.screenshots_card_summary")}).id
    for role, req in (("legal_counsel", "legality"), ("risk_officer", "risk"), ("finance_center_head", "finance")):
        who = sc.holder(role)
        sc.do(who, matters.act, sc.task_of(who, matter, req), "approve", message("web.screenshots_scene_agree"))
    clerk = sc.holder("secretariat", 1)
    sc.do(clerk, matters.act, sc.task_of(clerk, matter, "consultation"), "approve",
          message("web.screenshots_scene_consulted"))
    return matter, sc.holder("vice_president")


def _signed_document(rt) -> int:
    with rt.db.sessions() as s:
        return s.execute(select(Document.id).where(Document.status == "frozen").order_by(Document.id)).scalars().first()


def _attachment_previewed(rt, sc, secretary: str, matter_id: int) -> int:
    """A .docx attached to the matter on the president's office meeting, its preview pages rendered by the background
    job."""
    document = docx.Document()
    document.add_heading(message("preview.screenshots_title"), level=1)
    for line in message("preview.screenshots_body").split("\n"):
        document.add_paragraph(line)
    data = BytesIO()
    document.save(data)
    aid = sc.do(secretary, attachments.add, matter_id, message("preview.screenshots_filename"),
                "application/octet-stream", data.getvalue()).id
    for _ in range(240):                        # the app's own job thread may have claimed it first
        background_jobs.run_pending(rt.db.sessions, rt.env)
        if sc.do(secretary, attachment_preview.show, matter_id, aid)[1].state != "pending":
            break
        _time.sleep(0.5)
    return aid


def _notice_awaiting_signature(sc, secretary: str, day) -> tuple[int, str]:
    """A party committee meeting called for `day`: its notice of the meeting waits, sent for sign_off, for the party
    secretary (the signer's task and preview)."""
    meeting = sc.do(secretary, meetings.schedule, "party_committee", "",
                    datetime.combine(day, time(15, 0), tzinfo=TZ), message("web.screenshots_scene_place"), [])
    signer = sc.holder("party_secretary")
    with sc.sessions.begin() as s:
        waiting = documents.awaiting(s, org.person(s, signer))
        notice = next(d.id for d in waiting if d.meeting_id == meeting.id)
    return notice, signer


def _refused_attempt(rt, sc, username: str, matter_id: int) -> None:
    """A member tries to mark a matter urgent through the page: refused, and recorded as the web records it."""
    try:
        sc.do(username, matters.mark_urgent, matter_id, "")
    except NotPermitted as error:
        with rt.db.sessions.begin() as s:
            person_id = s.execute(select(Person.id).where(Person.username == username)).scalar_one()
        refusals.record(rt.db.sessions, sc.env, person_id, error, "web", f"POST /matters/{matter_id}/urgent")


def capture(out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright
    data = Path(tempfile.mkdtemp(prefix="quorum-shots-"))
    settings = load_settings(env={"QUORUM_DATA_DIR": str(data)})
    app = create_app(settings, database=open_database(settings, upgrade=True), now=calendar.now())
    scene = build_scene(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    password = demo.demo_data()["demo_password"]
    shots = [("inbox", scene["member"], "/tasks"), ("matter", scene["secretary"], f"/matters/{scene['matter']}"),
             ("meeting-room", scene["secretary"], f"/meetings/{scene['meeting']}"),
             ("meeting-room-member", scene["member"], f"/meetings/{scene['meeting']}"),     # her ballot during a vote
             ("signer-inbox", scene["signer"], "/tasks"),                                   # 送签 in 我的待办
             ("signoff-preview", scene["signer"], f"/documents/{scene['notice']}/preview"),  # pages before 签发
             ("dashboard", scene["secretary"], "/dashboard"),
             ("audit-refusals", scene["inspector"], "/audit/refusals"),
             ("audit", scene["inspector"], "/audit"),                                    # the 纪检's page
             ("attachment-preview", scene["secretary"],                                     # a .docx as pages
              f"/matters/{scene['second']}/attachments/{scene['attachment']}/preview"),
             ("approval-card", scene["leader"], "/tasks"),                          # the card: facts, opinion, 退回至
             ("matter-decision", scene["leader"], f"/matters/{scene['card']}"),       # facts and decision first
             ("matters", scene["member"], "/matters"), ("documents", scene["secretary"], "/documents"),
             ("document-signed", scene["secretary"], f"/documents/{scene['signed']}")]
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for size, (width, height) in SIZES.items():
            for name, user, path in shots:
                context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
                page = context.new_page()
                page.goto(f"{base}/login")
                page.fill("input[name=username]", user)
                page.fill("input[name=password]", password)
                page.click("button[type=submit]")
                page.goto(base + path)
                target = out / f"{name}-{size}.png"
                page.screenshot(path=str(target), full_page=True)
                written.append(target)
                context.close()
        browser.close()
    server.shutdown()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=message("web.screenshots_description"))
    parser.add_argument("--out", default="screenshots", help=message("web.screenshots_out_help"))
    for path in capture(Path(parser.parse_args().out)):
        print(path)


if __name__ == "__main__":
    main()
