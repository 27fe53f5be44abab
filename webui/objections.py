"""Pre-appointment publicity objections, through quorum.services.publicity.

Lodged by organisation-and-personnel, the secretariat or discipline inspection; investigated by
organisation-and-personnel or discipline inspection.
"""

from flask import request
from flask_login import login_required

from quorum.services import publicity, visibility
from webui.matters import bp, say, submit_form


@bp.route("/matters/<int:matter_id>/objections", methods=["POST"])
@login_required
def lodge(matter_id: int):
    form = request.form
    anonymous = bool(form.get("anonymous"))

    def run(s, env_, me):
        visibility.require_view(s, env_, me, matter_id)
        return publicity.lodge(s, env_, me, matter_id, form.get("text", ""), anonymous=anonymous,
                               complainant=form.get("complainant", ""), contact=form.get("contact", ""),
                               specific=bool(form.get("specific")))
    return submit_form(matter_id, say("objection_lodged"), run, posted={"objection_form": form})


@bp.route("/matters/<int:matter_id>/objections/<int:objection_id>/resolve", methods=["POST"])
@login_required
def resolve(matter_id: int, objection_id: int):
    form = request.form

    def run(s, env_, me):
        visibility.require_objection(s, env_, me, matter_id, objection_id)
        return publicity.resolve(s, env_, me, objection_id, form.get("result", ""), form.get("finding", ""),
                                 form.get("feedback", ""))
    return submit_form(matter_id, say("objection_resolved"), run,
                       posted={"resolve": objection_id, "form": form})
