"""Previews of matter attachments: images and PDFs open in the page, office files through a PDF.

What an attachment is comes from its first bytes and, for office files, its name's extension — never
from the content type the browser sent, which the uploader controls:

- an image (PNG, JPEG, GIF, WebP) is served inline as such and shown on the preview page;
- a PDF is served inline too, and its pages are rendered as PNG by the background job (a phone's
  browser often cannot show a PDF in a page; a picture it always can);
- an office file (.docx .xlsx .doc .xls .odt .ods, with the zip or OLE signature its extension
  promises) is converted to PDF by LibreOffice headless in the background job, then to PNG pages;
- anything else (HTML, SVG, archives, text) is only ever downloaded: served inline it could run
  script in the site's origin.

The renders are cached beside the attachments, keyed by the bytes' SHA-256 (the same file attached
twice is converted once): files_dir/attachment_previews/<sha256>/ holds preview.pdf, page-N.png
and, written last, state.json ({"state": "ready", "pages": n, "total": m} or {"state": "failed",
"reason": key}). Until state.json exists the preview is pending.

The conversion never runs inside a request: `request` (called when a file is attached) queues a
background job (quorum.services.background_jobs, kind "attachment_preview", run by each web process's
job thread), which converts the file within `PreviewLimits` (size, time, pages) and records the
outcome. A failure (a corrupt file, a timeout, a file too large) is recorded as the preview's state
and worded as "no preview, please download the file"; it is never an error of the page. A file attached before
previews existed is queued the first time its preview page is opened (`ask`, a write of its own).
"""

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from quorum.core.errors import InvalidInput, NotFound, QuorumError
from quorum.core.messages import message
from quorum.core.states import JobStatus
from quorum.db import Attachment, BackgroundJob, Person
from quorum.documents.pdf import font_environment, soffice
from quorum.preview_settings import PreviewLimits
from quorum.services import background_jobs, visibility
from quorum.services.env import Env

IMAGE_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}
PDF_TYPE = "application/pdf"
ZIP, OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OFFICE = {"docx": ZIP, "xlsx": ZIP, "odt": ZIP, "ods": ZIP, "doc": OLE, "xls": OLE}
HEAD = 16
FOLDER = "attachment_previews"
STATE = "state.json"
KIND = "attachment_preview"
DIGEST, EXTENSION = re.compile(r"[0-9a-f]{64}"), re.compile(r"[a-z0-9]{1,8}")


@dataclass(frozen=True)
class Preview:
    """What the preview page of one attachment shows.

    kind: image | pdf | office | none; state: inline (an image, shown as it is), ready (pages rendered),
    pending (the job has not finished), failed (reason: a message key), none (download only).
    """

    kind: str
    state: str
    pages: tuple[int, ...] = ()
    total: int = 0
    reason: str = ""
    requested: bool = True          # False: pending, but no job was ever queued for it (see `ask`)

    @property
    def failure(self) -> str:
        """The Chinese sentence shown when there is no preview (empty when there is one or it is coming)."""
        return message(self.reason) if self.state in ("failed", "none") and self.reason else ""


# --- what a file is --------------------------------------------------------------------------------

def sniff(head: bytes) -> str | None:
    """The inline type of a file from its first bytes: an image's or a PDF's media type, else None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return IMAGE_TYPES["png"]
    if head.startswith(b"\xff\xd8\xff"):
        return IMAGE_TYPES["jpeg"]
    if head.startswith((b"GIF87a", b"GIF89a")):
        return IMAGE_TYPES["gif"]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return IMAGE_TYPES["webp"]
    if head.startswith(b"%PDF-"):
        return PDF_TYPE
    return None


def extension(filename: str) -> str:
    stem, dot, ext = (filename or "").rpartition(".")
    return ext.lower() if dot and stem else ""


def kind_of(filename: str, head: bytes) -> str:
    """image | pdf | office | none, from the first bytes and (office files) the extension they must match."""
    found = sniff(head)
    if found == PDF_TYPE:
        return "pdf"
    if found:
        return "image"
    ext = extension(filename)
    return "office" if ext in OFFICE and head.startswith(OFFICE[ext]) else "none"


def _stored(env: Env, sha256: str) -> Path:
    return Path(env.files_dir or ".") / "attachments" / sha256


def _head(env: Env, sha256: str) -> bytes:
    try:
        with _stored(env, sha256).open("rb") as f:
            return f.read(HEAD)
    except FileNotFoundError:
        return b""


# --- the cache and the queue -----------------------------------------------------------------------

def _root(env: Env) -> Path:
    return Path(env.files_dir or ".") / FOLDER


def _folder(env: Env, sha256: str) -> Path:
    return _root(env) / sha256


def _read_state(env: Env, sha256: str) -> dict | None:
    try:
        return json.loads((_folder(env, sha256) / STATE).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def _write_state(folder: Path, state: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{STATE}.{os.getpid()}.part"
    partial.write_text(json.dumps(state), encoding="utf-8")
    os.replace(partial, folder / STATE)


def _jobs_of(s: Session, sha256: str) -> set[str]:
    """The statuses of the preview jobs of these bytes that are queued, running, or failed."""
    rows = s.execute(select(BackgroundJob.status, BackgroundJob.params).where(
        BackgroundJob.kind == KIND, BackgroundJob.status.in_((JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.FAILED))))
    return {status for status, params in rows if (params or {}).get("sha256") == sha256}


def needs_job(row: Attachment, head: bytes) -> bool:
    return kind_of(row.filename, head) in ("pdf", "office")


def request(s: Session, env: Env, actor: Person, row: Attachment) -> bool:
    """Queue the rendering of this attachment's pages (a PDF or an office file); False when it needs none.

    Called when a file is attached, in the caller's transaction (a rollback takes the job with it). Bytes
    already rendered, or already on the queue, are not queued again.
    """
    if env.files_dir is None or not needs_job(row, _head(env, row.sha256)):
        return False
    if _read_state(env, row.sha256) is None and not _jobs_of(s, row.sha256) & {JobStatus.QUEUED, JobStatus.RUNNING}:
        background_jobs.start(s, env, KIND, actor, {"sha256": row.sha256, "ext": extension(row.filename)})
    return True


def state_of(s: Session, env: Env, row: Attachment) -> Preview:
    """The preview of an attachment as it stands (reads only). A pending one no job was queued for (attached
    before previews existed, or its pages were lost with the files) says so: `requested` is False."""
    kind = kind_of(row.filename, _head(env, row.sha256))
    if kind == "image":
        return Preview(kind, "inline")
    if kind == "none":
        return Preview(kind, "none", reason="preview.not_previewable")
    state = _read_state(env, row.sha256)
    if state is None:
        jobs = _jobs_of(s, row.sha256)
        if jobs & {JobStatus.QUEUED, JobStatus.RUNNING}:
            return Preview(kind, "pending")
        if JobStatus.FAILED in jobs:               # the job's process died twice while converting it
            return Preview(kind, "failed", reason="preview.failed")
        return Preview(kind, "pending", requested=False)
    if state.get("state") == "ready":
        return Preview(kind, "ready", tuple(range(1, int(state["pages"]) + 1)), int(state.get("total", 0)))
    return Preview(kind, "failed", reason=state.get("reason") or "preview.failed")


def ask(s: Session, env: Env, actor: Person, matter_id: int, attachment_id: int) -> bool:
    """Queue the rendering of an attachment of a matter the actor may read, unless done or queued already."""
    return request(s, env, actor, _row(s, env, actor, matter_id, attachment_id))


# --- the background job ----------------------------------------------------------------------------

class _Limits:
    """The limits in force in this process: config.toml [previews] (quorum.preview_settings) once the entry point
    set them, else the defaults."""

    current = PreviewLimits()


LIMITS = _Limits()


def use_limits(limits: PreviewLimits) -> None:
    LIMITS.current = limits


def _check(s: Session, env: Env, owner: Person, params: dict[str, Any]) -> None:
    """Whoever attached a file may have it rendered; only a well-formed digest and extension are queued."""
    if not DIGEST.fullmatch(str(params.get("sha256", ""))) or not EXTENSION.fullmatch(str(params.get("ext", ""))):
        raise InvalidInput.because("preview.failed")


def _run(sessions: sessionmaker[Session], env: Env, owner_id: int, params: dict[str, Any],
         progress: background_jobs.Progress) -> dict[str, Any]:
    """The job: render the pages (no transaction is held while LibreOffice works) and return the outcome."""
    progress(10, message("preview.note_converting"))
    return {"sha256": params["sha256"], **convert(env, params["sha256"], params["ext"])}


background_jobs.register(KIND, _check, _run)


def convert(env: Env, sha256: str, ext: str, limits: PreviewLimits | None = None) -> dict:
    """Render the stored file `sha256` (named with extension `ext`) as PNG pages and record the outcome.

    Always records a state: ready with the number of pages, or failed with the reason's message key. The
    pages are rendered in a folder of this conversion's own, then moved into place whole, so a reader never
    sees half a preview and two workers converting the same bytes never write into one folder.
    """
    limits = limits or LIMITS.current
    root = _root(env)
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{sha256}.", dir=root))
    try:
        state = _render(_stored(env, sha256), ext, work, limits)
    except _Failed as failed:
        state = {"state": "failed", "reason": failed.reason}
    except QuorumError:                  # no LibreOffice on this host
        state = {"state": "failed", "reason": "preview.no_tools"}
    except OSError:                      # the disk, a vanished file: recorded, the queue goes on
        state = {"state": "failed", "reason": "preview.failed"}
    _write_state(work, state)
    _publish(work, _folder(env, sha256))
    return state


def _publish(work: Path, folder: Path) -> None:
    """Move a finished conversion into place; if another one got there first, keep that one."""
    try:
        os.rename(work, folder)
        return
    except OSError:
        if (folder / STATE).is_file():
            shutil.rmtree(work, ignore_errors=True)
            return
    shutil.rmtree(folder, ignore_errors=True)     # a leftover without a state (a conversion that died)
    os.rename(work, folder)


class _Failed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _render(source: Path, ext: str, folder: Path, limits: PreviewLimits) -> dict:
    try:
        size = source.stat().st_size
    except FileNotFoundError:
        raise _Failed("preview.missing") from None
    if size > limits.max_bytes:
        raise _Failed("preview.too_large")
    with source.open("rb") as f:
        head = f.read(HEAD)
    kind = kind_of(f"file.{ext}", head)
    if kind == "pdf":
        pdf = source
    elif kind == "office":
        pdf = _office_to_pdf(source, ext, folder, limits.timeout_seconds)
    else:
        raise _Failed("preview.not_previewable")
    total = _page_count(pdf, limits.timeout_seconds)
    shown = min(total, limits.max_pages)
    _pdf_to_png(pdf, folder, shown, limits)
    return {"state": "ready", "pages": shown, "total": total}


def _office_to_pdf(source: Path, ext: str, folder: Path, timeout: int) -> Path:
    """LibreOffice headless, with a throw-away profile and a timeout, as quorum/documents/pdf.py converts documents."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="quorum-attachment-") as tmp:
        work = Path(tmp)
        named = work / f"attachment.{ext}"
        shutil.copyfile(source, named)
        command = [soffice(), f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
                   "--convert-to", "pdf", "--outdir", str(work / "out"), str(named)]
        _bounded(command, timeout, font_environment(work))
        out = work / "out" / "attachment.pdf"
        if not out.is_file() or out.stat().st_size == 0 or sniff(out.read_bytes()[:HEAD]) != PDF_TYPE:
            raise _Failed("preview.unreadable")
        target = folder / "preview.pdf"
        shutil.copyfile(out, target)
    return target


def _bounded(command: list[str], timeout: int, environ: dict[str, str]) -> None:
    """Run a converter in a process group of its own; past the timeout, end the whole group.

    `soffice` is a script that starts oosplash, which starts soffice.bin: killing only the first (as
    subprocess.run does on a timeout) would leave the office process working on after the job gave up.
    """
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                            env=environ, start_new_session=True)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise _Failed("preview.timeout") from None


def _page_count(pdf: Path, timeout: int) -> int:
    tool = shutil.which("pdfinfo")
    if tool is None:
        raise _Failed("preview.no_tools")
    try:
        info = subprocess.run([tool, str(pdf)], capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise _Failed("preview.timeout") from None
    for line in info.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("Pages:"):
            pages = int(line.split(":", 1)[1].strip() or 0)
            if pages > 0:
                return pages
    raise _Failed("preview.unreadable")


def _pdf_to_png(pdf: Path, folder: Path, pages: int, limits: PreviewLimits) -> None:
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise _Failed("preview.no_tools")
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("page-*.png"):
        old.unlink()
    try:
        done = subprocess.run([tool, "-png", "-r", str(limits.dpi), "-f", "1", "-l", str(pages), str(pdf),
                               str(folder / "page")], capture_output=True, timeout=limits.timeout_seconds, check=False)
    except subprocess.TimeoutExpired:
        raise _Failed("preview.timeout") from None
    found = sorted(folder.glob("page-*.png"))
    if done.returncode != 0 or len(found) != pages:
        raise _Failed("preview.unreadable")
    for path in found:                    # pdftoppm pads the number to the page count's width: page-01.png
        path.rename(folder / f"page-{int(path.stem.rsplit('-', 1)[1])}.png")


# --- what a reader asks for -------------------------------------------------------------------------

def _row(s: Session, env: Env, actor: Person, matter_id: int, attachment_id: int) -> Attachment:
    visibility.require_view(s, env, actor, matter_id)
    row = s.get(Attachment, attachment_id)
    if row is None or row.matter_id != matter_id:
        raise NotFound(what=message("attachment.what"), ref=attachment_id)
    return row


def show(s: Session, env: Env, actor: Person, matter_id: int, attachment_id: int) -> tuple[Attachment, Preview]:
    """The attachment of a matter the actor may read, with its preview as it stands."""
    row = _row(s, env, actor, matter_id, attachment_id)
    return row, state_of(s, env, row)


def inline_type(data: bytes) -> str | None:
    """The type to show an attachment's bytes inline as: an image's or a PDF's, else None (download only)."""
    return sniff(data[:HEAD])


def page(s: Session, env: Env, actor: Person, matter_id: int, attachment_id: int, number: int) -> bytes:
    """One rendered page (PNG) of an attachment of a matter the actor may read."""
    row = _row(s, env, actor, matter_id, attachment_id)
    state = _read_state(env, row.sha256) or {}
    if state.get("state") != "ready" or not 1 <= number <= int(state.get("pages", 0)):
        raise NotFound(what=message("preview.what_page"), ref=number)
    try:
        return (_folder(env, row.sha256) / f"page-{number}.png").read_bytes()
    except FileNotFoundError:
        raise NotFound(what=message("preview.what_page"), ref=number) from None
