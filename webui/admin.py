"""Administration: people, posts, units, body seats, delegations; the organisation workbook; the rules, read-only.
Administrators only.

Every page and form of this blueprint is refused (403) before any work is done unless the signed-in
person holds the "administrator" role; the services check the role again.
"""

from pathlib import Path

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from quorum.core.errors import InvalidInput, QuorumError
from quorum.core.messages import message
from quorum.services import admin, delegations, org_workbook
from webui.auth import login_manager
from webui.runtime import call, env, runtime, transaction

bp = Blueprint("admin", __name__, url_prefix="/admin")
PERSON_FIELDS = ("username", "name", "email", "phone")
POST_FIELDS = ("person_id", "role", "unit", "title", "body")
UNIT_FIELDS = ("key", "name", "short_name", "kind", "code")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.before_request
def administrators_only():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.has(admin.ADMINISTRATOR):
        abort(403)
    return None


def _form(keys: tuple[str, ...]) -> dict[str, str]:
    return {k: request.form.get(k, "").strip() for k in keys}


def _int(raw: str) -> int:
    if not raw.isdigit():
        raise InvalidInput(reason=message("web.choose_person"))
    return int(raw)


# --------------------------------------------------------------------------------------------
# people


@bp.route("", endpoint="index")
def people():
    query = request.args.get("q", "").strip()
    with transaction() as s:
        rows = admin.people(s, env(), query)
    return render_template("admin/people.html", people=rows, q=query)


@bp.route("/people/new", methods=["GET", "POST"])
def new_person():
    form = _form(PERSON_FIELDS)
    if request.method == "POST":
        try:
            person = call(admin.create_person, form["username"], form["name"], request.form.get("password", ""),
                          form["email"], form["phone"], rules=runtime().settings.security)
        except InvalidInput as exc:
            flash(str(exc), "error")
            return render_template("admin/person_new.html", form=form), 422
        flash(message("web.person_created", name=person.name, username=person.username), "success")
        return redirect(url_for("admin.person", person_id=person.id))
    return render_template("admin/person_new.html", form=form)


def _person_page(person_id: int, status: int = 200, form: dict | None = None, post_form: dict | None = None):
    with transaction() as s:
        record = admin.person_record(s, env(), person_id)
        options = admin.choices(s, env())
    form = form or record
    return render_template("admin/person.html", person=record, form=form, post_form=post_form or {},
                           options=options), status


@bp.route("/people/<int:person_id>", methods=["GET", "POST"])
def person(person_id: int):
    if request.method == "GET":
        return _person_page(person_id)
    form = {**_form(PERSON_FIELDS), "active": bool(request.form.get("active"))}
    try:
        call(admin.update_person, person_id, form["name"], form["email"], form["phone"], form["active"])
    except InvalidInput as exc:
        flash(str(exc), "error")
        return _person_page(person_id, 422, form=form)
    flash(message("web.saved", name=form["name"]), "success")
    return redirect(url_for("admin.person", person_id=person_id))


@bp.route("/people/<int:person_id>/password", methods=["POST"])
def password(person_id: int):
    try:
        person = call(admin.set_password, person_id, request.form.get("password", ""),
                      rules=runtime().settings.security)
    except InvalidInput as exc:
        flash(str(exc), "error")
        return _person_page(person_id, 422)
    flash(message("web.password_reset", name=person.name), "success")
    return redirect(url_for("admin.person", person_id=person_id))


# --------------------------------------------------------------------------------------------
# posts (also the way seats change: a seat is a post holding a seat role)


@bp.route("/posts", methods=["POST"])
def add_post():
    form = _form(POST_FIELDS)
    from_bodies = request.form.get("origin") == "bodies"
    try:
        call(admin.add_post, _int(form["person_id"]), form["role"], form["unit"], form["title"])
    except InvalidInput as exc:
        flash(str(exc), "error")
        if from_bodies or not form["person_id"].isdigit():
            return _bodies_page(422, post_form=form)
        return _person_page(int(form["person_id"]), 422, post_form=form)
    flash(message("web.post_added"), "success")
    if from_bodies:
        return redirect(url_for("admin.bodies") + f"#body-{form['body']}")
    return redirect(url_for("admin.person", person_id=int(form["person_id"])))


@bp.route("/posts/<int:post_id>/end", methods=["POST"])
def end_post(post_id: int):
    try:
        post = call(admin.end_post, post_id)
    except InvalidInput as exc:
        flash(str(exc), "error")
        return redirect(request.referrer or url_for("admin.index"))
    flash(message("web.post_ended", title=post.title), "success")
    if request.form.get("origin") == "bodies":
        return redirect(url_for("admin.bodies"))
    return redirect(url_for("admin.person", person_id=post.person_id))


def _bodies_page(status: int = 200, post_form: dict | None = None):
    with transaction() as s:
        bodies = admin.body_seats(s, env())
        options = admin.choices(s, env())
    return render_template("admin/bodies.html", bodies=bodies, options=options, post_form=post_form or {}), status


@bp.route("/bodies")
def bodies():
    return _bodies_page()


# --------------------------------------------------------------------------------------------
# units and their 机关代字; the organisation workbook (issue 15, item 1)


@bp.route("/units")
def units():
    with transaction() as s:
        rows = admin.units(s)
    return render_template("admin/units.html", units=rows)


@bp.route("/units/new", methods=["GET", "POST"])
def new_unit():
    form = _form(UNIT_FIELDS)
    if request.method == "POST":
        try:
            unit = call(admin.create_unit, form["key"], form["name"], form["short_name"], form["kind"], form["code"])
        except QuorumError as exc:
            flash(str(exc), "error")
            return render_template("admin/unit_new.html", form=form, kinds=admin.unit_kinds()), exc.http_status
        flash(message("onboarding.unit_created", name=unit.name), "success")
        return redirect(url_for("admin.units"))
    return render_template("admin/unit_new.html", form=form, kinds=admin.unit_kinds())


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
def unit(unit_id: int):
    with transaction() as s:
        record = admin.unit_record(s, unit_id)
    if request.method == "GET":
        return render_template("admin/unit.html", unit=record, form=record, kinds=admin.unit_kinds())
    form = {**_form(UNIT_FIELDS), "key": record["key"]}
    try:
        call(admin.update_unit, unit_id, form["name"], form["short_name"], form["kind"], form["code"])
    except QuorumError as exc:
        flash(str(exc), "error")
        form["doc_prefix"] = form["code"]
        return render_template("admin/unit.html", unit=record, form=form, kinds=admin.unit_kinds()), exc.http_status
    flash(message("onboarding.unit_saved", name=form["name"]), "success")
    return redirect(url_for("admin.units"))


@bp.route("/org", methods=["GET", "POST"])
def org_workbook_page():
    """Upload the workbook: the check lists every bad row or what would change; the import applies all, or nothing."""
    if request.method == "GET":
        return render_template("admin/org.html", result=None, errors=[])
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(message("onboarding.upload_missing"), "error")
        return render_template("admin/org.html", result=None, errors=[]), 422
    apply = request.form.get("action") == "apply"
    name = Path(upload.filename).name
    try:
        data = org_workbook.read_file(name, upload.read())
        result = call(org_workbook.import_org, data, rules=runtime().settings.security, check_only=not apply,
                      source=name)
    except org_workbook.OrgFileInvalid as exc:
        flash(str(exc), "error")
        return render_template("admin/org.html", result=None, errors=exc.errors, name=name), 422
    except QuorumError as exc:
        flash(str(exc), "error")
        return render_template("admin/org.html", result=None, errors=[], name=name), exc.http_status
    flash(message("onboarding.import_applied" if apply else "onboarding.import_checked"), "success")
    page = render_template("admin/org.html", result=result, errors=[], name=name)
    return page, 200, {"Cache-Control": "no-store"}          # the new passwords are shown this once


@bp.route("/org/export.xlsx")
def org_export():
    data = call(org_workbook.export)
    return _xlsx(data, message("onboarding.export_filename"))


@bp.route("/org/template.xlsx")
def org_template():
    return _xlsx(org_workbook.template(env().policies), message("onboarding.template_filename"))


def _xlsx(data: bytes, name: str) -> Response:
    response = Response(data, mimetype=XLSX)
    response.headers.set("Content-Disposition", "attachment", filename=name)
    response.headers["Cache-Control"] = "no-store"
    return response


# --------------------------------------------------------------------------------------------
# delegations and policies


@bp.route("/delegations")
def delegation_list():
    with transaction() as s:
        rows = admin.delegation_overview(s, env())
    return render_template("admin/delegations.html", delegations=rows)


@bp.route("/delegations/<int:delegation_id>/cancel", methods=["POST"])
def cancel_delegation(delegation_id: int):
    try:
        call(delegations.cancel, delegation_id)
    except InvalidInput as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.delegation_list"))
    flash(message("web.delegation_cancelled"), "success")
    return redirect(url_for("admin.delegation_list"))


@bp.route("/policies")
def policies():
    with transaction() as s:
        overview = admin.policy_overview(s, env().policies)
    return render_template("admin/policies.html", p=overview)
