"""Matters: the list, filing a matter from its workflow's declared fields, the matter page and the acts on it.

The buttons on a person's tasks come from records.task_view, i.e. quorum.core.actions — the same
function matters.act checks — so the page never offers what the engine would refuse. Approve,
reject, return and withdraw post to tasks.act; resubmit (with fields) and record (with supervision items)
post here because they carry more than a comment.
"""

from collections.abc import Callable
from io import BytesIO
from typing import Any

from flask import Blueprint, flash, get_template_attribute, redirect, render_template, request, send_file, url_for
from flask_login import login_required
from sqlalchemy.orm import Session

from quorum.core.actions import ACTION_NAMES
from quorum.core.errors import InvalidInput, NotPermitted, QuorumError
from quorum.core.messages import message
from quorum.core.spec import PolicySet, WorkflowSpec
from quorum.core.states import MatterStatus
from quorum.db import Matter, Person
from quorum.services import (
    attachment_preview,
    attachments,
    delegations,
    inbox,
    matters,
    org,
    records,
    search,
    visibility,
)
from quorum.services.policies import policy_set_for
from webui.runtime import actor, call, env, runtime, transaction

bp = Blueprint("matters", __name__)
FIELD = "field_"
SUPERVISION_ROWS = 5


def say(macro: str, /, **params: Any) -> str:
    """Return a message worded in templates/web/matters/messages.html."""
    return get_template_attribute("matters/messages.html", macro)(**params).unescape().strip()


@bp.route("/matters")
@login_required
def index():
    """Matters: search and filter what the person may see (quorum.services.search), a page at a time with the total."""
    raw = {key: request.args.get(key) for key in ("q", "status", "workflow", "category", "unit", "page", "per_page")}
    raw.update(start=request.args.get("from"), end=request.args.get("to"),
               mine=request.args.get("mine") == "1", waiting=request.args.get("waiting") == "1")
    policy_set = env().policies.policy_set
    error, found, status = None, None, 200
    with transaction() as s:
        me = actor(s)
        try:
            chosen = search.filters(s, env(), **raw)
            found = search.matters(s, env(), me, chosen)
        except InvalidInput as exc:
            error, status = exc.text, 400
            chosen = search.Filters()
        fileable = [w for w in policy_set.workflows.values() if visibility.may_file(s, me, w)]
        in_force = [row for row in delegations.rows_for(s, me, env().now) if row["in_force"]]   # the banner
        units = visibility.unit_choices(s)
    shown = {**{k: v or "" for k, v in raw.items() if k not in ("mine", "waiting")},
             "from": raw["start"] or "", "to": raw["end"] or "", "mine": raw["mine"], "waiting": raw["waiting"]}
    return render_template("matters/index.html", found=found, rows=found.rows if found else [], error=error,
                           filters=shown, params=chosen.as_params(), fileable=fileable, in_force=in_force,
                           workflows=[(w.key, w.name) for w in policy_set.workflows.values()],
                           statuses=[(st, message(f"status.{st}")) for st in MatterStatus],
                           categories=search.categories(policy_set), units=units), status


def _not_fileable(policy_set: PolicySet, fileable: list[WorkflowSpec]) -> list[dict[str, str]]:
    """The workflows this person may not file, each with the roles that may (say why, not hide them)."""
    mine = {w.key for w in fileable}
    sep = message("value.list_separator")
    return [{"key": w.key, "name": w.name, "description": w.description or "",
             "roles": sep.join(policy_set.role_name(r) for r in w.initiator_roles)}
            for w in policy_set.workflows.values() if w.key not in mine]


@bp.route("/matters/new", methods=["GET", "POST"])
@login_required
def new():
    policy_set = env().policies.policy_set
    with transaction() as s:
        me = actor(s)
        fileable = [w for w in policy_set.workflows.values() if visibility.may_file(s, me, w)]
        units, people = visibility.unit_choices(s), org.active_people(s)
    key = request.args.get("workflow", "")
    if not key:
        if not fileable:
            raise NotPermitted(reason=say("may_file_nothing"))
        return render_template("matters/choose.html", workflows=fileable, others=_not_fileable(policy_set, fileable))
    spec = policy_set.workflow(key)
    if spec.key not in {w.key for w in fileable}:
        roles = message("value.list_separator").join(policy_set.role_name(r) for r in spec.initiator_roles)
        raise NotPermitted(reason=say("may_not_file", roles=roles, workflow=spec.name))
    if request.method == "GET":
        return render_template("matters/new.html", spec=spec, units=units, people=people, values=_defaults(spec),
                               title="", error=None)
    title, raw = request.form.get("title", ""), _posted_fields()
    files = uploads()
    try:
        matter = call(attachments.submit_with_attachments, spec.key, title, raw, files)
    except (InvalidInput, NotPermitted) as exc:      # e.g. 提名人不得为被提名人: the form again, as typed
        return render_template("matters/new.html", spec=spec, units=units, people=people, values=raw, title=title,
                               error=str(exc), had_files=bool(files)), exc.http_status
    flash(say("filed", title=matter.title, files=len(files)), "success")
    return redirect(url_for("matters.show", matter_id=matter.id))


def _defaults(spec: WorkflowSpec) -> dict[str, str]:
    """The declared defaults, as the form shows them (FieldSpec.default pre-fills)."""
    return _form_values({f.key: f.default for f in spec.input_fields if f.default is not None})


def _posted_fields() -> dict[str, str]:
    """The posted field_* values; a multi-select (people) arrives as several values and is joined by commas."""
    posted = {}
    for name in request.form:
        if name.startswith(FIELD):
            values = [v for v in request.form.getlist(name) if v != ""]
            posted[name[len(FIELD):]] = ",".join(values)
    return posted


@bp.route("/matters/<int:matter_id>")
@login_required
def show(matter_id: int):
    return render_page(matter_id)


def render_page(matter_id: int, status: int = 200, error: str | None = None, posted: dict | None = None):
    now = env().now
    with transaction() as s:
        me = actor(s)
        page = _page(s, me, matter_id, now)
        may_urgent = matters.may_mark_urgent(s, env(), me, s.get(Matter, matter_id))
    return render_template("matters/show.html", **page, may_urgent=may_urgent, error=error, posted=posted or {},
                           action_names=ACTION_NAMES, rows=range(SUPERVISION_ROWS)), status


def _page(s: Session, me: Person, matter_id: int, now) -> dict[str, Any]:
    """Everything the matter page shows, read in one transaction."""
    matter = visibility.require_view(s, env(), me, matter_id)   # held: the session keeps it for the reads below
    record = records.matter_record(s, matter_id)
    spec = policy_set_for(s, record["policy_version_id"]).workflow(record["workflow"])
    tasks = inbox.tasks_on(s, me, matter_id, now)
    urgeable = ([t for t in record["tasks"] if t["status"] == "open"] if matters.may_urge(s, env(), me, matter) else [])
    units = visibility.unit_choices(s)
    return {"m": record, "spec": spec, "tasks": tasks, "files": attachments.listing(s, matter_id),
            **records.matter_controls(s, env(), me, matter, record),
            "may_withdraw": matters.may_withdraw(s, me, matter), "urgeable": urgeable,
            "people": org.active_people(s),
            "units": units, "earlier": _earlier_steps(record),
            "return_default": _return_default(spec, record),
            "requirement_names": records.requirement_names(spec, units),
            "step_names": {st["key"]: st["name"] for st in record["steps"]},
            "stored": _form_values({f["key"]: f["value"] for f in record["fields"]})}


def _earlier_steps(record: dict[str, Any]) -> list[dict[str, Any]]:
    keys = [st["key"] for st in record["steps"]]
    if record["current_step"] not in keys:
        return []
    current = keys.index(record["current_step"])
    return [st for st in record["steps"][:current] if st["applies"]]


def _return_default(spec: WorkflowSpec, record: dict[str, Any]) -> str | None:
    if not record["current_step"]:
        return None
    return spec.step(record["current_step"]).return_target or spec.steps[0].key


def _form_values(values: dict[str, Any]) -> dict[str, str]:
    """Stored field values as a form shows them (booleans as true/false, lists comma-joined, None as empty)."""
    def shown(v: Any) -> str:
        if v is None:
            return ""
        if isinstance(v, bool):
            return str(v).lower()
        return ",".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)
    return {k: shown(v) for k, v in values.items()}


@bp.route("/matters/<int:matter_id>/attachments/<int:attachment_id>")
@login_required
def download(matter_id: int, attachment_id: int):
    row, data = call(attachments.fetch, matter_id, attachment_id)
    return send_file(BytesIO(data), mimetype=row.content_type, as_attachment=True, download_name=row.filename)


# --- attachment previews (issue 15, item 6): inline images and PDFs, PNG pages of PDFs and office files ---
# A file shown inline runs nothing and loads nothing (Chromium's PDF viewer and image view work under it, tested).
INLINE_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"


@bp.route("/matters/<int:matter_id>/attachments/<int:attachment_id>/inline")
@login_required
def attachment_inline(matter_id: int, attachment_id: int):
    """An image or a PDF opened in the browser; any other file (HTML, SVG...) is only ever downloaded."""
    row, data = call(attachments.fetch, matter_id, attachment_id)
    kind = attachment_preview.inline_type(data)
    if kind is None:
        return send_file(BytesIO(data), mimetype="application/octet-stream", as_attachment=True,
                         download_name=row.filename)
    response = send_file(BytesIO(data), mimetype=kind, as_attachment=False, download_name=row.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = INLINE_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.route("/matters/<int:matter_id>/attachments/<int:attachment_id>/preview")
@login_required
def attachment_preview_page(matter_id: int, attachment_id: int):
    """The attachment's pages as PNG (or the image itself); "preview being made" while the background job works."""
    with transaction() as s:
        me = actor(s)
        row, shown = attachment_preview.show(s, env(), me, matter_id, attachment_id)
        title = s.get(Matter, matter_id).title
    if not shown.requested:                 # attached before previews existed: queue it, a short write of its own
        with runtime().db.sessions.begin() as w:
            attachment_preview.ask(w, env(), actor(w), matter_id, attachment_id)
    return render_template("matters/attachment_preview.html", a=row, preview=shown, matter_id=matter_id,
                           matter_title=title)


@bp.route("/matters/<int:matter_id>/attachments/<int:attachment_id>/pages/<int:number>.png")
@login_required
def attachment_preview_png(matter_id: int, attachment_id: int, number: int):
    data = call(attachment_preview.page, matter_id, attachment_id, number)
    response = send_file(BytesIO(data), mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=3600"     # a page of a matter's file: no shared cache
    return response


@bp.route("/matters/<int:matter_id>/tasks/<int:task_id>/resubmit", methods=["POST"])
@login_required
def resubmit(matter_id: int, task_id: int):
    fields, comment = _posted_fields(), request.form.get("comment", "")
    try:
        _act(matter_id, task_id, "resubmit", comment, fields=fields)
    except InvalidInput as exc:
        return render_page(matter_id, 422, str(exc), {"task": task_id, "fields": fields, "comment": comment})
    flash(say("resubmitted"), "success")
    return redirect(url_for("matters.show", matter_id=matter_id))


@bp.route("/matters/<int:matter_id>/tasks/<int:task_id>/record", methods=["POST"])
@login_required
def record(matter_id: int, task_id: int):
    summary = request.form.get("summary", "").strip()
    try:
        if not summary:
            raise InvalidInput(reason=say("summary_required"))
        _act(matter_id, task_id, "record", summary, record={"items": _posted_items()})
    except InvalidInput as exc:
        return render_page(matter_id, 422, str(exc), {"task": task_id, "form": request.form})
    flash(say("recorded"), "success")
    return redirect(url_for("matters.show", matter_id=matter_id))


def _act(matter_id: int, task_id: int, action: str, comment: str, **extra: Any) -> None:
    """Act on a task of this matter (checked to belong to it) in one transaction."""
    with transaction() as s:
        me = actor(s)
        visibility.require_task(s, env(), me, matter_id, task_id)
        matters.act(s, env(), me, task_id, action, comment, **extra)


def _posted_items() -> list[dict[str, Any]]:
    """The supervision rows of the record form; a row without a title is left out."""
    items = []
    for n in range(SUPERVISION_ROWS):
        title = request.form.get(f"item-{n}-title", "").strip()
        if not title:
            continue
        lead = request.form.get(f"item-{n}-lead", "")
        if not lead:
            raise InvalidInput(reason=say("lead_required", title=title))
        item: dict[str, Any] = {"title": title, "lead_unit": lead,
                                "co_units": [u for u in request.form.getlist(f"item-{n}-co") if u and u != lead]}
        due_date, days = request.form.get(f"item-{n}-due_date", ""), request.form.get(f"item-{n}-due_days", "").strip()
        if due_date:
            item["due_date"] = due_date
        elif days:
            if not days.isdigit() or int(days) < 1:
                raise InvalidInput(reason=say("bad_days", title=title, days=days))
            item["due_working_days"] = int(days)
        items.append(item)
    return items


@bp.route("/matters/<int:matter_id>/urgent", methods=["POST"])
@login_required
def urgent(matter_id: int):
    try:
        with transaction() as s:
            me = actor(s)
            visibility.require_view(s, env(), me, matter_id)
            matters.mark_urgent(s, env(), me, matter_id, request.form.get("reason", ""))
    except InvalidInput as exc:
        flash(str(exc), "error")
        return redirect(url_for("matters.show", matter_id=matter_id))
    flash(say("marked_urgent"), "success")
    return redirect(url_for("matters.show", matter_id=matter_id))


@bp.route("/matters/<int:matter_id>/withdraw", methods=["POST"])
@login_required
def withdraw(matter_id: int):
    return _matter_action(matter_id, "web.withdrawn", matters.withdraw, matter_id, request.form.get("reason", ""))


@bp.route("/matters/<int:matter_id>/tasks/<int:task_id>/transfer", methods=["POST"])
@login_required
def transfer(matter_id: int, task_id: int):
    def run(s, env_, me):
        visibility.require_task(s, env_, me, matter_id, task_id)
        return matters.transfer(s, env_, me, task_id, org.person(s, request.form.get("to", "")),
                                request.form.get("reason", ""))
    return _matter_action(matter_id, "web.transferred", run)


@bp.route("/matters/<int:matter_id>/tasks/<int:task_id>/urge", methods=["POST"])
@login_required
def urge(matter_id: int, task_id: int):
    def run(s, env_, me):
        visibility.require_task(s, env_, me, matter_id, task_id)
        return matters.urge(s, env_, me, task_id)
    return _matter_action(matter_id, "web.urged", run)


def on_task(matter_id: int, task_id: int, fn: Callable) -> Callable:
    """Wrap a task use case so it first checks the task belongs to this matter and the person may read it."""
    def run(s: Session, env_, me: Person, *args: Any, **kw: Any) -> Any:
        visibility.require_task(s, env_, me, matter_id, task_id)
        return fn(s, env_, me, task_id, *args, **kw)
    return run


def submit_form(matter_id: int, done: str, fn: Callable, *args: Any, posted: dict[str, Any], **kw: Any):
    """Run one use case from a form on the matter page in one transaction.

    Done: flash and back to the page. Bad input: the page again with the error and what was typed
    (422), nothing saved. A refusal (403) or a state conflict (409) goes to the error page.
    """
    try:
        call(fn, *args, **kw)
    except InvalidInput as exc:
        return render_page(matter_id, 422, str(exc), posted)
    flash(done, "success")
    return redirect(url_for("matters.show", matter_id=matter_id))


def uploads() -> list[attachments.Upload]:
    """The files of a multipart form's `attachments` input."""
    return [attachments.Upload(f.filename or "", f.mimetype or "", f.read())
            for f in request.files.getlist("attachments") if f.filename]


def _matter_action(matter_id: int, done_key: str, fn, *args):
    """Run one engine call as the signed-in person, flash the outcome, go back to the matter page."""
    try:
        call(fn, *args)
    except QuorumError as exc:
        flash(str(exc), "error")
    else:
        flash(message(done_key), "success")
    return redirect(url_for("matters.show", matter_id=matter_id))
