"""附件预览 in the browser (issue 15, item 6): images and PDFs inline with safe headers, the preview page with
its PNG pages (「正在生成预览…」 until the background job has rendered them), never HTML or SVG inline, and
only for who may read the matter — on SQLite and PostgreSQL."""

import io
import re

import pytest
from sqlalchemy import delete, select

from quorum.db import BackgroundJob
from quorum.services import attachments, background_jobs, matters
from tests.helpers import submit
from tests.services.test_attachment_preview import excel_file, pdf, png, word_file
from tests.webui.conftest import PASSWORD, as_user, text

SECRETARY = "gaowenjing"


@pytest.fixture
def app_env(app):
    return app.extensions["quorum"].env()


def run_jobs(app) -> list[str]:
    """Run the queue as the web process's job thread does; return the states the previews reached."""
    quorum = app.extensions["quorum"]
    with quorum.db.sessions.begin() as s:
        before = set(s.execute(select(BackgroundJob.id).where(BackgroundJob.finished_at.is_not(None))).scalars())
    background_jobs.run_pending(quorum.db.sessions, quorum.env)
    with quorum.db.sessions.begin() as s:
        return [job.result["state"] for job in s.execute(select(BackgroundJob).order_by(BackgroundJob.id)).scalars()
                if job.id not in before and job.status == "done"]


@pytest.fixture
def filed(sc, app_env):
    sc.env = app_env
    return submit(sc, "关于建设医共体远程会诊中心的议题")


def attach(sc, matter_id: int, name: str, data: bytes, declared: str = "application/octet-stream",
           username: str = SECRETARY) -> int:
    return sc.do(username, attachments.add, matter_id, name, declared, data).id


def test_an_image_opens_inline_as_an_image_and_nothing_else(app, sc, filed):
    aid = attach(sc, filed, "现场照片.png", png(), "text/html")        # the declared type is not believed
    client = as_user(app, SECRETARY)
    shown = client.get(f"/matters/{filed}/attachments/{aid}/inline")
    assert shown.status_code == 200 and shown.data == png()
    assert shown.headers["Content-Type"] == "image/png"
    assert shown.headers["Content-Disposition"].startswith("inline")
    assert "filename*=UTF-8''" in shown.headers["Content-Disposition"]
    assert shown.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in shown.headers["Content-Security-Policy"]
    assert "default-src 'none'" in shown.headers["Content-Security-Policy"]

    html = text(client.get(f"/matters/{filed}/attachments/{aid}/preview"))
    assert f'src="/matters/{filed}/attachments/{aid}/inline"' in html and "现场照片.png" in html
    assert "正在生成预览" not in html and 'http-equiv="refresh"' not in html


@pytest.mark.parametrize("name, data, declared", [
    ("通知.html", b"<html><script>alert(document.cookie)</script></html>", "text/html"),
    ("图标.svg", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "image/svg+xml"),
    ("照片.png", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "image/png"),
])
def test_html_and_svg_are_never_served_inline(app, sc, filed, name, data, declared):
    aid = attach(sc, filed, name, data, declared)
    client = as_user(app, SECRETARY)
    served = client.get(f"/matters/{filed}/attachments/{aid}/inline")
    assert served.status_code == 200 and served.data == data
    assert served.headers["Content-Disposition"].startswith("attachment")
    assert served.headers["Content-Type"] == "application/octet-stream"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    html = text(client.get(f"/matters/{filed}/attachments/{aid}/preview"))
    assert "此类文件不能在页面中预览，请下载查看" in html
    assert f"/attachments/{aid}/inline" not in html and f'href="/matters/{filed}/attachments/{aid}"' in html


def test_a_pdf_is_shown_as_png_pages_once_the_job_has_rendered_them(app, sc, filed, app_env):
    aid = attach(sc, filed, "建设方案.pdf", pdf(2), "application/pdf")
    client = as_user(app, SECRETARY)
    matter_page = text(client.get(f"/matters/{filed}"))
    assert f'href="/matters/{filed}/attachments/{aid}/preview"' in matter_page        # 预览 beside the download

    waiting = text(client.get(f"/matters/{filed}/attachments/{aid}/preview"))
    assert "正在生成预览…" in waiting and '<meta http-equiv="refresh" content="5">' in waiting

    assert run_jobs(app) == ["ready"]
    ready = text(client.get(f"/matters/{filed}/attachments/{aid}/preview"))
    assert "正在生成预览" not in ready and "共 2 页" in ready
    pages = re.findall(rf'src="(/matters/{filed}/attachments/{aid}/pages/\d+\.png)"', ready)
    assert pages == [f"/matters/{filed}/attachments/{aid}/pages/1.png", f"/matters/{filed}/attachments/{aid}/pages/2.png"]
    for path in pages:
        image = client.get(path)
        assert image.status_code == 200 and image.headers["Content-Type"] == "image/png"
        assert image.headers["Cache-Control"] == "private, max-age=3600"
        assert image.data.startswith(b"\x89PNG")
    assert client.get(f"/matters/{filed}/attachments/{aid}/pages/3.png").status_code == 404
    inline = client.get(f"/matters/{filed}/attachments/{aid}/inline")          # 在浏览器中打开 PDF
    assert inline.headers["Content-Type"] == "application/pdf"
    assert inline.headers["Content-Disposition"].startswith("inline")
    assert inline.headers["X-Content-Type-Options"] == "nosniff"
    assert {"sandbox", "default-src 'none'"} <= {p.strip() for p in inline.headers["Content-Security-Policy"].split(";")}
    assert f'href="/matters/{filed}/attachments/{aid}/inline"' in ready


def test_a_file_attached_before_previews_existed_is_queued_when_its_preview_is_opened(app, sc, filed):
    aid = attach(sc, filed, "旧附件.pdf", pdf(1), "application/pdf")
    quorum = app.extensions["quorum"]
    with quorum.db.sessions.begin() as s:
        s.execute(delete(BackgroundJob))                    # as if uploaded before this release
    client = as_user(app, SECRETARY)
    assert "正在生成预览…" in text(client.get(f"/matters/{filed}/attachments/{aid}/preview"))
    with quorum.db.sessions.begin() as s:
        assert s.execute(select(BackgroundJob.status)).scalars().all() == ["queued"]
    client.get(f"/matters/{filed}/attachments/{aid}/preview")              # a second look queues nothing more
    assert run_jobs(app) == ["ready"]
    assert "共 1 页" in text(client.get(f"/matters/{filed}/attachments/{aid}/preview"))


def test_word_and_excel_files_get_pages_from_the_job_and_a_corrupt_one_a_sentence(app, sc, filed, app_env):
    word = attach(sc, filed, "可行性研究报告.docx", word_file("远程会诊中心可行性研究报告"))
    sheet = attach(sc, filed, "设备清单.xlsx", excel_file())
    broken = attach(sc, filed, "合同.docx", b"PK\x03\x04" + b"\x00broken" * 100)
    client = as_user(app, SECRETARY)
    for aid in (word, sheet, broken):
        assert "正在生成预览…" in text(client.get(f"/matters/{filed}/attachments/{aid}/preview"))
    assert "ready" in run_jobs(app)
    for aid in (word, sheet):
        html = text(client.get(f"/matters/{filed}/attachments/{aid}/preview"))
        assert "共 1 页" in html
        assert client.get(f"/matters/{filed}/attachments/{aid}/pages/1.png").data.startswith(b"\x89PNG")
        inline = client.get(f"/matters/{filed}/attachments/{aid}/inline")     # the file itself: downloaded
        assert inline.headers["Content-Disposition"].startswith("attachment")
    failed = client.get(f"/matters/{filed}/attachments/{broken}/preview")
    assert failed.status_code == 200
    assert "无法生成预览，请下载查看" in text(failed) and "正在生成预览" not in text(failed)


def test_who_may_not_read_the_matter_gets_no_preview(app, sc, app_env):
    sc.env = app_env
    personnel = sc.do("alatan", matters.submit, "executive_president", "关于委派朝鲁门同志的议题",
                      {"unit": "gerile_station", "candidate": "chaolumen", "summary": "选派。"}).id
    aid = attach(sc, personnel, "考察材料.pdf", pdf(1), username="alatan")
    image = attach(sc, personnel, "照片.png", png(), username="alatan")
    assert "ready" in run_jobs(app)
    assert as_user(app, "alatan").get(f"/matters/{personnel}/attachments/{aid}/pages/1.png").status_code == 200
    outsider = as_user(app, "liuzhigang")
    for path in (f"/matters/{personnel}/attachments/{aid}/preview", f"/matters/{personnel}/attachments/{aid}/pages/1.png",
                 f"/matters/{personnel}/attachments/{image}/inline", f"/matters/{personnel}/attachments/{image}/preview"):
        response = outsider.get(path)
        assert response.status_code in (403, 404), path
        assert b"\x89PNG" not in response.data and "考察材料" not in text(response)
    other = submit(sc, "关于另一事项的议题")                          # an attachment read through another matter
    assert as_user(app, SECRETARY).get(f"/matters/{other}/attachments/{aid}/preview").status_code == 404
    assert app.test_client().get(f"/matters/{personnel}/attachments/{aid}/preview").status_code in (302, 401)


def test_the_png_route_is_not_a_path_into_the_files(app, sc, filed, app_env):
    aid = attach(sc, filed, "方案.pdf", pdf(1))
    assert "ready" in run_jobs(app)
    client = as_user(app, SECRETARY)
    for path in (f"/matters/{filed}/attachments/{aid}/pages/0.png", f"/matters/{filed}/attachments/{aid}/pages/-1.png",
                 f"/matters/{filed}/attachments/{aid}/pages/..%2Fstate.json"):
        assert client.get(path).status_code == 404
    assert io.BytesIO(client.get(f"/matters/{filed}/attachments/{aid}/pages/1.png").data).read(4) == b"\x89PNG"


def test_the_api_gives_each_attachment_its_preview_url(app, sc, filed):
    aid = attach(sc, filed, "建设方案.pdf", pdf(1), "application/pdf")
    token = app.test_client().post("/api/v1/token", json={"username": SECRETARY, "password": PASSWORD}).get_json()
    api = app.test_client()
    record = api.get(f"/api/v1/matters/{filed}", headers={"Authorization": f"Bearer {token['token']}"}).get_json()
    [shown] = record["attachments"]
    assert (shown["id"], shown["filename"], shown["size"]) == (aid, "建设方案.pdf", len(pdf(1)))
    assert shown["preview_url"] == f"/matters/{filed}/attachments/{aid}/preview"
    assert shown["download_url"] == f"/matters/{filed}/attachments/{aid}"
    browser = as_user(app, SECRETARY)
    assert browser.get(shown["preview_url"]).status_code == 200
    assert browser.get(shown["download_url"]).data == pdf(1)
    schema = api.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert schema["Matter"]["properties"]["attachments"]["items"] == {"$ref": "#/components/schemas/Attachment"}
    assert "preview_url" in schema["Attachment"]["required"]
