"""公文 in the browser: the list, a draft's page (edit form for the 党政办, 签发 button for the signer only),
签发, 作废, 重新起草, PDF and the downloads — and every route refuses those it must, changing nothing.

The world: the demo 远程会诊中心 matter decided and its documents signed (quorum.services.demo.run), plus a
fresh draft 通知 for it that the 党政办 (gaowenjing) may edit and the 医共体党委书记 (bater) may sign — the 总院长
(eerdun) may not: a 党委会 decision is issued in the 党委's series.
"""

import io
import re
from dataclasses import replace

import docx
import pytest
from sqlalchemy import select

from quorum.db import Document
from quorum.services import background_jobs, documents, org
from tests.webui.conftest import as_user, business_events, flashes, post, text

SECRETARY, SIGNER, OUTSIDER, PRESIDENT = "gaowenjing", "bater", "tuya", "eerdun"


@pytest.fixture
def world(app, community, env, decided_demo):
    denv = replace(env, files_dir=app.extensions["quorum"].settings.data_dir / "files")
    result = decided_demo(denv)
    with community.sessions.begin() as s:
        draft = documents.draft(s, denv, org.person(s, SECRETARY), "notice", [result["matter_id"]])
        frozen = s.execute(select(Document.id).where(Document.status == "frozen").order_by(Document.id)).scalars().first()
    return {"draft": draft.id, "frozen": frozen, "matter": result["matter_id"], "meeting": result["meetings"][1]}


def state(community, document_id):
    with community.sessions.begin() as s:
        doc = s.get(Document, document_id)
        events = business_events(s)
        return (doc.status, doc.title, doc.body, doc.doc_number, doc.version), events


def test_every_route_needs_a_login(app, world):
    client = app.test_client()
    d, f = world["draft"], world["frozen"]
    for method, path in (("GET", "/documents"), ("GET", f"/documents/{d}"), ("POST", f"/documents/{d}/edit"),
                         ("POST", f"/documents/{d}/sign"), ("POST", f"/documents/{d}/void"),
                         ("POST", f"/documents/{d}/regenerate"), ("POST", f"/documents/{f}/pdf"),
                         ("GET", f"/documents/{f}/file.docx"), ("GET", f"/documents/{f}/file.pdf")):
        response = client.open(path, method=method)
        assert response.status_code in (302, 400), (method, path)     # login redirect, or CSRF refusal first
        if response.status_code == 302:
            assert "/login" in response.headers["Location"]


def test_buttons_follow_who_may_act(app, world):
    page = text(as_user(app, SECRETARY).get(f"/documents/{world['draft']}"))
    assert 'data-testid="edit-form"' in page and 'data-testid="sign-form"' not in page
    assert "签发人：医共体党委书记" in page
    page = text(as_user(app, SIGNER).get(f"/documents/{world['draft']}"))
    assert 'data-testid="sign-form"' in page and 'data-testid="edit-form"' not in page
    page = text(as_user(app, OUTSIDER).get(f"/documents/{world['draft']}"))
    assert 'data-testid="sign-form"' not in page and 'data-testid="edit-form"' not in page
    assert 'data-testid="void-form"' not in page
    listing = text(as_user(app, OUTSIDER).get("/documents"))
    assert "关于建设医共体远程会诊中心的通知" in listing
    matter_page = text(as_user(app, SECRETARY).get(f"/matters/{world['matter']}"))
    assert 'data-testid="documents"' in matter_page and "督办单" in matter_page
    room = text(as_user(app, SECRETARY).get(f"/meetings/{world['meeting']}"))
    assert 'data-testid="documents"' in room and "医共体党委会议（" in room


def test_wrong_people_change_nothing(app, community, world):
    d = world["draft"]
    before = state(community, d)
    outsider = as_user(app, OUTSIDER)
    page = f"/documents/{d}"
    assert post(outsider, f"/documents/{d}/edit", {"title": "篡改", "body": "x"}, page=page).status_code == 403
    for action in ("sign", "void", "regenerate"):
        response = post(outsider, f"/documents/{d}/{action}", {"reason": "试图作废"}, page=page)
        assert response.status_code == 302
    assert "无权" in flashes(outsider)
    secretary = as_user(app, SECRETARY)
    post(secretary, f"/documents/{d}/sign", page=page)
    assert "通知须由医共体党委书记签发" in flashes(secretary)
    assert state(community, d) == before


def test_edit_sign_download_and_void(app, community, world):
    d = world["draft"]
    secretary, signer = as_user(app, SECRETARY), as_user(app, SIGNER)
    page = f"/documents/{d}"
    bad = post(secretary, f"/documents/{d}/edit", {"title": "", "body": "x"}, page=page)
    assert bad.status_code == 422 and "「标题」为必填项" in text(bad)
    done = post(secretary, f"/documents/{d}/edit", {"title": "关于印发远程会诊中心建设方案的通知",
                                                    "addressees": "各成员单位\n总医院各科室", "body": "现将方案印发。",
                                                    "attachments": "建设方案", "cc": "二连浩特市卫生健康委员会"},
                page=page)
    assert done.status_code == 302
    assert post(signer, f"/documents/{d}/sign", page=page).status_code == 302
    assert "已签发：关于印发远程会诊中心建设方案的通知（二医共党发〔2026〕" in flashes(signer)
    response = signer.get(f"/documents/{d}/file.docx")
    assert response.status_code == 200 and response.mimetype.endswith("wordprocessingml.document")
    paragraphs = [p.text for p in docx.Document(io.BytesIO(response.data)).paragraphs]
    assert "各成员单位、总医院各科室：" in paragraphs and "现将方案印发。" in paragraphs
    assert signer.get(f"/documents/{d}/file.pdf").status_code == 404          # not converted yet
    again = post(secretary, f"/documents/{d}/edit", {"title": "再改", "body": "y"}, page=page)
    assert again.status_code == 409 and "已签发" in text(again)
    assert post(secretary, f"/documents/{d}/pdf", page=page).status_code == 302
    quorum = app.extensions["quorum"]
    assert background_jobs.run_pending(quorum.db.sessions, quorum.env) == 1     # what the job thread does
    pdf = signer.get(f"/documents/{d}/file.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert post(secretary, f"/documents/{d}/void", {"reason": "方案调整"}, page=page).status_code == 302
    status, title, _body, number, _v = state(community, d)[0]
    assert status == "void" and number.startswith("二医共党发〔2026〕")
    assert as_user(app, SECRETARY).get("/documents/999999").status_code == 404


def nav_count(page: str) -> int:
    """The number on 我的待办 in the navigation (0 when no badge is shown)."""
    found = re.search(r'data-testid="nav-count">(\d+)<', page)
    return int(found.group(1)) if found else 0


def test_a_signoff_waits_in_the_signers_inbox_with_a_page_preview_and_is_returned(app, community, world):
    """送签 (issue 14, item 4): the signer's 待办 lists the draft; its preview shows each page as PNG; 退回 needs
    a reason and takes it out of every signer's 待办; the 党政办 sends it again; 签发 from the preview."""
    d = world["draft"]
    signer, secretary, president = as_user(app, SIGNER), as_user(app, SECRETARY), as_user(app, PRESIDENT)
    inbox = text(signer.get("/tasks"))
    assert 'data-testid="signoffs"' in inbox and f'data-testid="signoff-{d}"' in inbox and "送签" in inbox
    assert f'data-testid="signoff-{d}"' not in text(president.get("/tasks"))      # the 党委's series: not his
    preview = signer.get(f"/documents/{d}/preview")
    page = text(preview)
    assert preview.status_code == 200 and 'data-testid="return-form"' in page and 'data-testid="sign-form"' in page
    images = [line.split('src="', 1)[1].split('"', 1)[0] for line in page.splitlines() if "<img " in line]
    assert images, page
    png = signer.get(images[0])
    assert png.status_code == 200 and png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")
    assert png.headers["Cache-Control"] == "private, max-age=3600"            # a draft's page: no shared cache
    assert 'data-testid="return-form"' not in text(president.get(f"/documents/{d}/preview"))
    before = state(community, d)
    assert post(president, f"/documents/{d}/return", {"reason": "不同意"}, page=f"/documents/{d}").status_code == 302
    assert state(community, d)[0] == before[0]                                    # refused: nothing changed
    post(signer, f"/documents/{d}/return", {"reason": ""}, page=f"/documents/{d}")
    assert f'data-testid="signoff-{d}"' in text(signer.get("/tasks"))            # no reason: still waiting
    waiting = nav_count(text(signer.get("/tasks")))
    post(signer, f"/documents/{d}/return", {"reason": "请补充建设周期"}, page=f"/documents/{d}")
    assert f'data-testid="signoff-{d}"' not in text(signer.get("/tasks"))
    assert nav_count(text(signer.get("/tasks"))) == waiting - 1                  # the 送签 counted in the badge
    shown = text(secretary.get(f"/documents/{d}"))
    assert 'data-testid="returned"' in shown and "请补充建设周期" in shown and "巴特尔" in shown
    assert 'data-testid="send-form"' in shown
    assert post(secretary, f"/documents/{d}/send", page=f"/documents/{d}").status_code == 302
    assert f'data-testid="signoff-{d}"' in text(signer.get("/tasks"))
    assert post(signer, f"/documents/{d}/sign", page=f"/documents/{d}/preview").status_code == 302
    assert f'data-testid="signoff-{d}"' not in text(signer.get("/tasks"))


def test_downloads_are_named_by_number_and_title(app, community, world):
    """〔2026〕3号 关于….docx as RFC 5987 filename*=UTF-8''…, with an ASCII name for old clients."""
    from urllib.parse import unquote
    f = world["frozen"]
    with community.sessions.begin() as s:
        doc = s.get(Document, f)
        number, series, title = doc.doc_number, doc.series, doc.title
    response = as_user(app, SECRETARY).get(f"/documents/{f}/file.docx")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ") and f'filename="document-{f}.docx"' in disposition
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert encoded.isascii() and " " not in encoded
    assert unquote(encoded) == f"{number[len(series):]} {title}.docx" and unquote(encoded).startswith("〔2026〕")


def test_the_api_inbox_lists_the_drafts_waiting_for_my_signature_as_documented(app, world):
    from tests.webui.test_api import as_user as api_client

    client = app.test_client()
    box = api_client(client, SIGNER).get("/me/tasks").get_json()
    [entry] = [d for d in box["signoffs"] if d["id"] == world["draft"]]
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert set(entry) <= set(schema["Signoff"]["properties"]) and set(schema["Signoff"]["required"]) <= set(entry)
    assert "signoffs" in schema["Inbox"]["required"]
    assert all(d["id"] != world["draft"] for d in api_client(client, PRESIDENT).get("/me/tasks").get_json()["signoffs"])


def test_a_draft_titled_by_its_kind_is_named_once_in_the_signers_list(app):
    from datetime import datetime

    from flask import render_template

    drafts = [{"id": 7, "kind_name": "议题申报表", "title": "议题申报表", "issuer": "二连浩特市总医院",
               "sent_at": datetime(2026, 12, 1, 9, 0), "meeting_at": None},
              {"id": 8, "kind_name": "征求意见函", "title": "关于征求意见的函", "issuer": "二连浩特市总医院",
               "sent_at": datetime(2026, 12, 1, 9, 0), "meeting_at": None}]
    with app.test_request_context("/tasks"):
        html = render_template("documents/_signoffs.html", box={"signoffs": drafts})
    assert "<strong>议题申报表</strong>" in html and "议题申报表：议题申报表" not in html
    assert "<strong>征求意见函：关于征求意见的函</strong>" in html
