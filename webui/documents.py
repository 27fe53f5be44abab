"""Documents: the list, a document's page with its draft form, sign_off and void, and the .docx / .pdf downloads.

Which buttons a person sees comes from quorum.services.documents (may_edit, may_sign, may_void) —
the same functions the services check — so the page never offers what the engine would refuse.
The matter and meeting pages include templates/web/documents/_panel.html through `document_panel`.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import login_required
from sqlalchemy.orm import Session

from quorum.core.documents import STATUS_NAMES
from quorum.core.errors import InvalidInput, QuorumError
from quorum.core.messages import message
from quorum.services import background_jobs, document_records, documents, search, visibility
from webui.downloads import content_disposition
from webui.jobs import job_view
from webui.runtime import actor, env, runtime, transaction

bp = Blueprint("documents", __name__)
MIMETYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "pdf": "application/pdf", "ofd": "application/ofd"}


@bp.app_context_processor
def panel_helper():
    return {"document_panel": document_panel}


def document_panel(matter_id: int | None = None, meeting_id: int | None = None) -> list[dict]:
    """The documents the signed-in person may read for a matter or a meeting page."""
    with transaction() as s:
        me = actor(s)
        rows = (document_records.of_matter(s, matter_id) if matter_id is not None else
                [documents.get(s, r["id"]) for r in document_records.listing(s, meeting_id=meeting_id)])
        return [document_records.row(s, d) for d in rows if document_records.can_read(s, env(), me, d)]


@bp.route("/documents")
@login_required
def index():
    """Documents: search and filter what the person may read (quorum.services.search), a page at a time with the
    total."""
    raw = {key: request.args.get(key) for key in ("q", "status", "kind", "unit", "page", "per_page")}
    raw.update(start=request.args.get("from"), end=request.args.get("to"),
               mine=request.args.get("mine") == "1", waiting=request.args.get("waiting") == "1")
    error, found, code = None, None, 200
    with transaction() as s:
        me = actor(s)
        try:
            chosen = search.filters(s, env(), documents_list=True, workflow=raw.pop("kind"), **raw)
            found = search.documents_page(s, env(), me, chosen)
        except InvalidInput as exc:
            error, code, chosen = exc.text, 400, search.Filters()
        units = visibility.unit_choices(s)
    shown = {"q": request.args.get("q", ""), "status": request.args.get("status", ""),
             "kind": request.args.get("kind", ""), "unit": request.args.get("unit", ""),
             "from": request.args.get("from", ""), "to": request.args.get("to", ""),
             "mine": request.args.get("mine") == "1", "waiting": request.args.get("waiting") == "1"}
    params = chosen.as_params()
    if "workflow" in params:
        params["kind"] = params.pop("workflow")
    return render_template("documents/index.html", found=found, rows=found.rows if found else [], error=error,
                           filters=shown, params=params, kinds=search.document_kinds(env()), units=units,
                           statuses=list(STATUS_NAMES.items())), code


def _page(document_id: int, error: str | None = None, form: dict | None = None, status: int = 200):
    with transaction() as s:
        me = actor(s)
        doc = document_records.require_read(s, env(), me, document_id)
        rec = document_records.record(s, env(), document_id)
        rights = {"edit": documents.may_edit(s, me, doc), "sign": documents.may_sign(s, me, doc),
                  "void": documents.may_void(s, me, doc)}
    job = job_view(_number("job"))
    return render_template("documents/show.html", d=rec, may=rights, error=error, form=form or {}, job=job), status


def _number(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


@bp.route("/documents/<int:document_id>")
@login_required
def show(document_id: int):
    return _page(document_id)


def _lines(name: str) -> list[str]:
    return [line.strip() for line in request.form.get(name, "").splitlines() if line.strip()]


@bp.route("/documents/<int:document_id>/edit", methods=["POST"])
@login_required
def edit(document_id: int):
    form = {k: request.form.get(k, "") for k in ("title", "addressees", "body", "attachments", "cc", "notes")}
    try:
        with transaction() as s:
            me = actor(s)
            document_records.require_read(s, env(), me, document_id)
            doc = documents.edit(s, env(), me, document_id, title=form["title"], addressees=_lines("addressees"),
                                 body=form["body"], attachments=_lines("attachments"), cc=_lines("cc"),
                                 notes=form["notes"])
            title = doc.title
    except InvalidInput as exc:
        return _page(document_id, str(exc), form, 422)
    flash(message("web.document_saved", title=title), "success")
    return redirect(url_for("documents.show", document_id=document_id))


def _act(document_id: int, done: str, fn, *args):
    """Run one document use case as the signed-in person; flash the outcome; back to the document."""
    try:
        with transaction() as s:
            me = actor(s)
            document_records.require_read(s, env(), me, document_id)
            doc = fn(s, env(), me, document_id, *args)
            text = message(done, title=doc.title, number=doc.doc_number or "")
    except QuorumError as exc:
        flash(str(exc), "error")
    else:
        flash(text, "success")
    return redirect(url_for("documents.show", document_id=document_id))


@bp.route("/documents/<int:document_id>/sign", methods=["POST"])
@login_required
def sign(document_id: int):
    """Sign off in three short steps: take the number (locked), render the .docx (unlocked), freeze (locked)."""
    try:
        with transaction() as s:
            me = actor(s)
            document_records.require_read(s, env(), me, document_id)
            documents.reserve(s, env(), me, document_id)
        with _reads() as s:
            done = documents.rendering(s, env(), actor(s), document_id)
        with transaction() as s:
            doc = documents.freeze(s, env(), actor(s), document_id, done)
            text = message("web.document_signed", title=doc.title, number=doc.doc_number or "")
    except QuorumError as exc:
        flash(str(exc), "error")
    else:
        flash(text, "success")
    return redirect(url_for("documents.show", document_id=document_id))


@contextmanager
def _reads() -> Iterator[Session]:
    """A read-only transaction of its own: rendering takes no write lock (SQLite BEGIN IMMEDIATE)."""
    s = runtime().db.reads()
    try:
        with s.begin():
            yield s
    finally:
        s.close()


@bp.route("/documents/<int:document_id>/void", methods=["POST"])
@login_required
def void(document_id: int):
    return _act(document_id, "web.document_voided", documents.void, request.form.get("reason", ""))


@bp.route("/documents/<int:document_id>/regenerate", methods=["POST"])
@login_required
def regenerate(document_id: int):
    return _act(document_id, "web.document_drafted", documents.regenerate)


@bp.route("/documents/<int:document_id>/pdf", methods=["POST"])
@login_required
def make_pdf(document_id: int):
    """Making a PDF takes LibreOffice 10 s or more: queued as a background job, the page shows its progress."""
    try:
        with transaction() as s:
            me = actor(s)
            document_records.require_read(s, env(), me, document_id)
            job_id = background_jobs.start(s, env(), "document_pdf", me, {"document_id": document_id})
    except QuorumError as exc:
        flash(str(exc), "error")
        return redirect(url_for("documents.show", document_id=document_id))
    flash(message("job.started", what=message("job.what_document_pdf")), "info")
    return redirect(url_for("documents.show", document_id=document_id, job=job_id))


@bp.route("/documents/<int:document_id>/file.<which>")
@login_required
def download(document_id: int, which: str):
    if which not in MIMETYPES:
        abort(404)
    with transaction() as s:
        doc = document_records.require_read(s, env(), actor(s), document_id)
        data = documents.read_file(env(), doc, which)
        name = documents.download_name(doc, which)
    response = send_file(BytesIO(data), mimetype=MIMETYPES[which])
    response.headers["Content-Disposition"] = content_disposition(name, f"document-{document_id}.{which}")
    return response


@bp.route("/documents/<int:document_id>/preview")
@login_required
def preview(document_id: int, error: str | None = None, status: int = 200):
    """Sent for sign_off: the pages as they will print (PNG per page), with sign_off and return for the signer."""
    from quorum.services import document_preview
    try:
        with _reads() as s:
            me = actor(s)
            doc = document_records.require_read(s, env(), me, document_id)
            rec = document_records.record(s, env(), document_id)
            rights = {"sign": documents.may_sign(s, me, doc)}
            key, pages = document_preview.pages(s, env(), doc)
    except InvalidInput as exc:
        key, pages, error, status = "", [], str(exc), 503
    return render_template("documents/preview.html", d=rec, may=rights, key=key, pages=pages, error=error,
                           form={}), status


@bp.route("/documents/<int:document_id>/preview/<key>/<int:page>.png")
@login_required
def preview_page(document_id: int, key: str, page: int):
    from quorum.services import document_preview
    with transaction() as s:
        document_records.require_read(s, env(), actor(s), document_id)
    data = document_preview.page_png(env(), key, page)
    if data is None:
        abort(404)
    response = send_file(BytesIO(data), mimetype="image/png", max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"     # a page of a draft: no shared cache keeps it
    return response


@bp.route("/documents/<int:document_id>/return", methods=["POST"])
@login_required
def return_draft(document_id: int):
    return _act(document_id, "web.document_returned", documents.return_draft, request.form.get("reason", ""))


@bp.route("/documents/<int:document_id>/send", methods=["POST"])
@login_required
def send(document_id: int):
    return _act(document_id, "web.document_sent", documents.send_for_signature)
