"""附件预览 (issue 15, item 6): what an attachment is, the background job that renders its pages, the limits.

The office files are converted for real with LibreOffice and the PDFs rendered with pdftoppm, on SQLite
and PostgreSQL (the attachments are stored through the services, in the parametrised database).
"""

import io
import struct
import zlib
from pathlib import Path

import docx
import openpyxl
import pytest
from sqlalchemy import delete, select, update

from quorum.core.errors import InvalidInput, NotFound, NotPermitted
from quorum.db import BackgroundJob
from quorum.preview_settings import PreviewLimits, parse_previews
from quorum.services import attachment_preview, attachments, background_jobs, matters
from tests.helpers import submit


def png(width: int = 3, height: int = 2) -> bytes:
    """A real PNG (grey pixels), written by hand: no imaging library is a dependency."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def pdf(pages: int) -> bytes:
    """A real PDF of `pages` A4 pages, each with a line of text, with a correct cross-reference table."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>",
               "<< /Type /Pages /Kids [" + " ".join(f"{4 + 2 * i} 0 R" for i in range(pages))
               + f"] /Count {pages} >>",
               "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for i in range(pages):
        stream = f"BT /F1 24 Tf 72 720 Td (Page {i + 1}) Tj ET"
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {5 + 2 * i} 0 R "
                       "/Resources << /Font << /F1 3 0 R >> >> >>")
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{body}\nendobj\n".encode())
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def word_file(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def excel_file() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["项目", "金额（元）"])
    sheet.append(["远程会诊中心", 860000])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def filed(sc, tmp_path):
    """A matter filed by the 党政办, with attachments stored under tmp_path/files."""
    sc.env = sc.env.__class__(sc.env.policies, sc.env.calendar, sc.env.now, tmp_path / "files")
    return submit(sc, "关于建设医共体远程会诊中心的议题")


def attach(sc, matter_id: int, name: str, data: bytes) -> int:
    return sc.do(sc.holder("secretariat", 0), attachments.add, matter_id, name, "application/octet-stream", data).id


def preview(sc, matter_id: int, attachment_id: int, username: str | None = None):
    return sc.do(username or sc.holder("secretariat", 0), attachment_preview.show, matter_id, attachment_id)[1]


def queued(sc) -> list[str]:
    """The digests whose preview job waits on the queue."""
    with sc.sessions.begin() as s:
        return [params["sha256"] for params in s.execute(select(BackgroundJob.params).where(
            BackgroundJob.kind == "attachment_preview", BackgroundJob.status == "queued").order_by(BackgroundJob.id))
            .scalars()]


def run_jobs(sc) -> list[dict]:
    """Run the background job queue as a web process's job thread does; return what each preview became."""
    def finished(s):
        return s.execute(select(BackgroundJob).where(BackgroundJob.kind == "attachment_preview",
                                                     BackgroundJob.finished_at.is_not(None))
                         .order_by(BackgroundJob.id)).scalars().all()
    with sc.sessions.begin() as s:
        before = {job.id for job in finished(s)}
    background_jobs.run_pending(sc.sessions, lambda: sc.env)
    with sc.sessions.begin() as s:
        new = [job for job in finished(s) if job.id not in before]
        assert all(job.status == "done" for job in new), [(job.status, job.error) for job in new]
        return [dict(job.result) for job in new]


@pytest.fixture
def limits(monkeypatch):
    """limits(**changes): the [previews] limits in force in this process, for one test."""
    def use(**changes) -> None:
        monkeypatch.setattr(attachment_preview.LIMITS, "current", PreviewLimits(**changes))
    return use


# --- what a file is, from its bytes ---------------------------------------------------------------

def test_a_file_is_known_by_its_first_bytes_never_by_its_name_or_declared_type():
    assert attachment_preview.sniff(png()) == "image/png"
    assert attachment_preview.sniff(b"\xff\xd8\xff\xe0\x00\x10JFIF") == "image/jpeg"
    assert attachment_preview.sniff(b"GIF89a\x01\x00") == "image/gif"
    assert attachment_preview.sniff(b"RIFF\x10\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert attachment_preview.sniff(pdf(1)) == "application/pdf"
    for harmful in (b"<html><script>alert(1)</script>", b"<?xml version='1.0'?><svg onload='alert(1)'/>",
                    b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"PK\x03\x04zip"):
        assert attachment_preview.sniff(harmful) is None
    assert attachment_preview.kind_of("photo.svg", b"<svg ") == "none"
    assert attachment_preview.kind_of("fake.png", b"<html>") == "none"          # the name promises an image
    assert attachment_preview.kind_of("report.docx", b"PK\x03\x04") == "office"
    assert attachment_preview.kind_of("report.DOCX", b"PK\x03\x04") == "office"
    assert attachment_preview.kind_of("page.docx", b"<html><body>") == "none"   # not what .docx promises
    assert attachment_preview.kind_of("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") == "office"
    assert attachment_preview.kind_of("old.doc", b"PK\x03\x04") == "none"
    assert attachment_preview.kind_of("scan.bin", pdf(1)) == "pdf"


# --- the background job -----------------------------------------------------------------------------

def test_an_image_is_shown_as_it_is_and_queues_nothing(sc, filed):
    aid = attach(sc, filed, "现场照片.png", png())
    shown = preview(sc, filed, aid)
    assert (shown.kind, shown.state, shown.pages) == ("image", "inline", ())
    assert queued(sc) == []


def test_a_pdf_is_queued_at_upload_and_the_job_renders_its_pages(sc, filed):
    aid = attach(sc, filed, "建设方案.pdf", pdf(3))
    with sc.sessions.begin() as s:
        digest = attachments.get(s, aid).sha256
    assert queued(sc) == [digest]
    shown = preview(sc, filed, aid)
    assert (shown.kind, shown.state) == ("pdf", "pending")

    done = run_jobs(sc)
    assert done == [{"sha256": digest, "state": "ready", "pages": 3, "total": 3}]
    assert queued(sc) == [] and run_jobs(sc) == []                                # run once, then gone
    shown = preview(sc, filed, aid)
    assert (shown.state, shown.pages, shown.total) == ("ready", (1, 2, 3), 3)
    first = sc.do(sc.holder("secretariat", 0), attachment_preview.page, filed, aid, 1)
    assert first.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", first[16:24])
    assert height > width > 300                                                  # an A4 page, upright
    with pytest.raises(NotFound):
        sc.do(sc.holder("secretariat", 0), attachment_preview.page, filed, aid, 4)

    again = attach(sc, filed, "建设方案（副本）.pdf", pdf(3))           # the same bytes: already rendered
    assert queued(sc) == [] and preview(sc, filed, again).state == "ready"


def test_only_the_first_pages_within_the_limit_are_rendered(sc, filed, limits):
    aid = attach(sc, filed, "汇编.pdf", pdf(5))
    limits(max_pages=2)
    run_jobs(sc)
    shown = preview(sc, filed, aid)
    assert (shown.state, shown.pages, shown.total) == ("ready", (1, 2), 5)


def test_word_and_excel_files_are_converted_by_libreoffice_in_the_job(sc, filed):
    word = attach(sc, filed, "可行性研究报告.docx", word_file("远程会诊中心可行性研究报告：总投资 86 万元。"))
    sheet = attach(sc, filed, "设备清单.xlsx", excel_file())
    assert [preview(sc, filed, a).state for a in (word, sheet)] == ["pending", "pending"]
    done = run_jobs(sc)
    assert sorted(d["state"] for d in done) == ["ready", "ready"]
    for aid in (word, sheet):
        shown = preview(sc, filed, aid)
        assert (shown.kind, shown.state, shown.pages) == ("office", "ready", (1,))
        assert sc.do(sc.holder("secretariat", 0), attachment_preview.page, filed, aid, 1).startswith(b"\x89PNG")
        with sc.sessions.begin() as s:
            folder = sc.env.files_dir / "attachment_previews" / attachments.get(s, aid).sha256
        assert (folder / "preview.pdf").read_bytes().startswith(b"%PDF-")


def test_a_corrupt_word_file_says_to_download_it_and_the_queue_goes_on(sc, filed):
    broken = attach(sc, filed, "损坏的合同.docx", b"PK\x03\x04" + b"\x00garbage" * 200)
    good = attach(sc, filed, "附件二.pdf", pdf(1))
    done = run_jobs(sc)
    assert sorted(d["state"] for d in done) == ["failed", "ready"]
    shown = preview(sc, filed, broken)
    assert (shown.state, shown.reason) == ("failed", "preview.unreadable")
    assert shown.failure.startswith("无法生成预览，请下载查看")
    assert preview(sc, filed, good).state == "ready"
    with pytest.raises(NotFound):
        sc.do(sc.holder("secretariat", 0), attachment_preview.page, filed, broken, 1)


def test_a_file_over_the_size_limit_is_not_converted(sc, filed, limits):
    aid = attach(sc, filed, "大文件.pdf", pdf(2))
    limits(max_bytes=100)
    run_jobs(sc)
    shown = preview(sc, filed, aid)
    assert (shown.state, shown.failure) == ("failed", "无法生成预览，请下载查看（文件过大）")


def test_a_conversion_that_takes_too_long_is_stopped(sc, filed, monkeypatch, tmp_path, limits):
    slow, pid_file = tmp_path / "slow-soffice", tmp_path / "office.pid"
    # like soffice: a script that starts the real office process as its child, which then hangs
    slow.write_text(f"#!/bin/sh\nsleep 300 &\necho $! > {pid_file}\nwait\n")
    slow.chmod(0o755)
    monkeypatch.setattr(attachment_preview, "soffice", lambda: str(slow))
    aid = attach(sc, filed, "会议材料.docx", word_file("材料"))
    limits(timeout_seconds=1)
    run_jobs(sc)
    assert preview(sc, filed, aid).failure == "无法生成预览，请下载查看（转换超时）"
    assert not running(int(pid_file.read_text()))     # the hung child was ended with its parent, not left working


def running(pid: int) -> bool:
    """Whether a process is alive (a zombie waiting for its reaper is not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def test_html_svg_and_archives_have_no_preview(sc, filed):
    for name, data in (("说明.html", b"<html><script>alert(1)</script></html>"),
                       ("图标.svg", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
                       ("资料.zip", b"PK\x03\x04zip")):
        shown = preview(sc, filed, attach(sc, filed, name, data))
        assert (shown.kind, shown.state) == ("none", "none")
        assert shown.failure == "此类文件不能在页面中预览，请下载查看"
    assert queued(sc) == []


def test_a_pending_preview_whose_request_was_lost_is_asked_for_again(sc, filed):
    aid = attach(sc, filed, "方案.pdf", pdf(1))
    with sc.sessions.begin() as s:                  # attached before previews existed
        s.execute(delete(BackgroundJob))
    assert queued(sc) == []
    shown = preview(sc, filed, aid)
    assert (shown.state, shown.requested) == ("pending", False) and queued(sc) == []     # a look writes nothing
    assert sc.do(sc.holder("secretariat", 0), attachment_preview.ask, filed, aid) is True
    assert preview(sc, filed, aid).requested and len(queued(sc)) == 1
    sc.do(sc.holder("secretariat", 0), attachment_preview.ask, filed, aid)            # asked twice: queued once
    assert len(queued(sc)) == 1
    run_jobs(sc)
    assert preview(sc, filed, aid).state == "ready"


def test_two_conversions_of_the_same_bytes_leave_one_whole_preview(sc, filed):
    aid = attach(sc, filed, "方案.pdf", pdf(2))
    with sc.sessions.begin() as s:
        digest = attachments.get(s, aid).sha256
    first = attachment_preview.convert(sc.env, digest, "pdf")
    second = attachment_preview.convert(sc.env, digest, "pdf")       # another worker, a moment later
    assert first == second == {"state": "ready", "pages": 2, "total": 2}
    root = sc.env.files_dir / "attachment_previews"
    assert sorted(p.name for p in root.iterdir()) == [digest]          # no half-written folder left beside it
    assert sorted(p.name for p in (root / digest).iterdir()) == ["page-1.png", "page-2.png", "state.json"]


def test_a_preview_whose_job_died_with_its_process_says_to_download_the_file(sc, filed):
    aid = attach(sc, filed, "方案.pdf", pdf(1))
    with sc.sessions.begin() as s:                  # background_jobs gave up: lost twice with its process
        s.execute(update(BackgroundJob).values(status="failed", error="lost"))
    shown = preview(sc, filed, aid)
    assert (shown.state, shown.failure) == ("failed", "无法生成预览，请下载查看")
    assert queued(sc) == []                         # not queued again on each look


def test_only_who_may_read_the_matter_sees_its_preview(sc, filed):
    personnel = sc.do("alatan", matters.submit, "executive_president", "关于委派朝鲁门同志的议题",
                      {"unit": "gerile_station", "candidate": "chaolumen", "summary": "选派。"}).id
    aid = sc.do("alatan", attachments.add, personnel, "考察材料.pdf", "application/pdf", pdf(1)).id
    run_jobs(sc)
    assert sc.do("alatan", attachment_preview.show, personnel, aid)[1].state == "ready"
    for fn, args in ((attachment_preview.show, ()), (attachment_preview.page, (1,))):
        with pytest.raises(NotPermitted):
            sc.do("liuzhigang", fn, personnel, aid, *args)      # a personnel matter he has no part in
    with pytest.raises(NotFound):                                 # an attachment read through another matter
        sc.do(sc.holder("secretariat", 0), attachment_preview.show, filed, aid)


# --- the limits: config.toml [previews] -------------------------------------------------------------

def test_the_previews_section_sets_the_limits_and_names_a_bad_value(tmp_path):
    config = tmp_path / "config.toml"
    assert parse_previews({}, config) == PreviewLimits()
    chosen = parse_previews({"previews": {"max_megabytes": 5, "timeout_seconds": 30, "max_pages": 8, "dpi": 96}},
                            config)
    assert chosen == PreviewLimits(max_bytes=5 * 1024 * 1024, timeout_seconds=30, max_pages=8, dpi=96)
    with pytest.raises(InvalidInput) as bad:
        parse_previews({"previews": {"max_pages": 0}}, config)
    assert "config.toml" in str(bad.value) and "previews" in str(bad.value) and "max_pages" in str(bad.value)
    with pytest.raises(InvalidInput) as unknown:
        parse_previews({"previews": {"pages": 3}}, config)
    assert "pages" in str(unknown.value)
