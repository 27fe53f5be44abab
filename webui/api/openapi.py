"""GET /openapi.json: the OpenAPI 3.1 description of this API, written by hand.

A test compares it with the app's URL map in both directions, so a route added without being
described here (or described but removed) fails the suite.
"""

from typing import Any

from flask import Response

from quorum.core.messages import message
from quorum.core.states import MatterStatus
from webui.api.blueprint import api, reply
from webui.api.inputs import KEY, MAX_ID, NAME_LENGTH, QUERY, SECRET, TEXT, TITLE, limits
from webui.api.schema_bounds import IDENTIFIER, bounded, day, field_values, moment, money, text

ERRORS = {401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 409: "Conflict", 422: "InvalidInput",
          429: "TooManyAttempts"}
ERROR_TEXT = {401: message("api.error_unauthorized"), 403: message("api.error_forbidden"),
              404: message("api.error_not_found"), 409: message("api.error_conflict"),
              422: message("api.error_invalid_input"), 429: message("api.error_too_many_attempts")}
TAG_DOCS, TAG_AUTH, TAG_WORKFLOWS = message("api.tag_docs"), message("api.tag_auth"), message("api.tag_workflows")
TAG_MATTERS, TAG_TASKS = message("api.tag_matters"), message("api.tag_tasks")
TAG_EXECUTION, TAG_PUBLICITY = message("api.tag_execution"), message("api.tag_publicity")
TAG_MEETINGS, TAG_SUPERVISION = message("api.tag_meetings"), message("api.tag_supervision")
TAG_AUDIT = message("api.tag_audit")


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: tuple[str, ...] = (), /, **props: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        schema["required"] = list(required)
    return schema


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


S, INT, B = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
NS, NI = {"type": ["string", "null"]}, {"type": ["integer", "null"]}
DT, DATE = {"type": "string", "format": "date-time"}, {"type": ["string", "null"], "format": "date"}
ID_PARAM = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
RESTRICTED = {"type": ["string", "null"], "description": message("api.schema_objection_restricted")}


def path_param(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": ID_PARAM}


def query_param(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


def op(operation_id: str, summary: str, tag: str, response: dict[str, Any], *, status: int = 200,
       body: str | None = None, errors: tuple[int, ...] = (), params: tuple[dict[str, Any], ...] = (),
       public: bool = False) -> dict[str, Any]:
    """One operation; its id is the view's name. Every authenticated one may answer 401, every one with a body 422."""
    codes = set(errors) | ({422} if body else set()) | (set() if public else {401})
    operation: dict[str, Any] = {
        "operationId": operation_id, "summary": summary, "tags": [tag],
        "responses": {str(status): {"description": message("api.ok"),
                                    "content": {"application/json": {"schema": response}}},
                      **{str(c): {"$ref": f"#/components/responses/{ERRORS[c]}"} for c in sorted(codes)}},
    }
    if params:
        operation["parameters"] = list(params)
    if body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref(body)}}}
    if public:
        operation["security"] = []
    return operation


SCHEMAS: dict[str, Any] = {
    "Error": obj(("error", "message"), error={"type": "string", "description": message("api.schema_error_code")},
                 message={"type": "string", "description": message("api.schema_error_message")}),
    "TokenRequest": obj(("username", "password"), username=text(KEY), password=text(SECRET, format="password")),
    "Token": obj(("token", "expires_at", "person"), token=S, token_type={"const": "Bearer"}, expires_at=DT,
                 person=obj(("username", "name", "roles"), username=S, name=S, roles=array(S))),
    "TokenInfo": obj(("id", "person_id", "created_at", "expires_at"), id=INT, person_id=INT, created_at=DT,
                     expires_at=DT),
    "PasswordChange": obj(("current_password", "new_password"), current_password=text(SECRET, format="password"),
                          new_password={**text(SECRET), "format": "password",
                                        "description": message("api.schema_new_password")}),
    "Field": obj(("key", "label", "type", "required"), key=S, label=S,
                 type={"enum": ["text", "textarea", "money", "int", "bool", "choice", "date", "unit", "person",
                                "people"]},
                 required=B, choices=array(obj(value=S, label=S)), help=S,
                 input={"type": "boolean", "description": message("api.schema_field_input")}, default={}),
    "Step": obj(("key", "kind", "name"), key=S, name=S, body=NS, reason=S, deadline_working_days=NI,
                kind={"enum": ["submit", "gate", "review", "countersign", "meeting", "record", "publicity", "filing",
                               "timer", "execution", "supervise"]},
                options=array(obj(key=S, label=S, needs_comment=B))),
    "Workflow": obj(("key", "name", "fields", "steps"), key=S, name=S, description=S,
                    initiator_roles=array(obj(key=S, name=S)), fields=array(ref("Field")), steps=array(ref("Step"))),
    "MatterCreate": obj(("workflow", "title"), workflow=text(KEY), title=text(TITLE), fields=field_values()),
    "MatterSummary": obj(("id", "title", "status"), id=INT, title=S, workflow=S, workflow_name=S, status=S,
                         status_name=S, current_step=NS, current_step_name=NS, personnel=B, urgent=B, initiator=NS,
                         created_at=DT, updated_at=DT, flags=array(S), flag_names=array(S)),
    "Matter": obj(("id", "title", "status", "route", "steps", "tasks", "timeline", "documents"),
                  id=INT, title=S, workflow=S, workflow_name=S, status=S, status_name=S, policy_version_id=INT,
                  policy_digest=S, initiator=NS, unit=NS, personnel=B, urgent=B, current_step=NS, current_step_name=NS,
                  created_at=DT,
                  fields=array(obj(key=S, label=S, value={}, display=S, type=S, input=B)),
                  route=array(S), decision={"type": ["object", "null"]},
                  steps=array(obj(key=S, name=S, kind=S, status=S, status_name=S, applies=B, why=S, round=INT,
                                  due_date=DATE, due_provisional=B, outcome=NS)),
                  tasks=array(obj(id=INT, title=S, assignee=NS, status=S, outcome=NS, due_date=DATE)),
                  opinions=array(obj(step=S, requirement=NS, author=NS, on_behalf_of=NS, decision=S,
                                     decision_name=S, text=S, at=DT)),
                  agenda_items=array(ref("AgendaItem")), supervision=array(ref("Supervision")),
                  timeline=array(obj(seq=INT, at=DT, actor=NS, kind=S, kind_name=S, detail=S, payload={})),
                  flags=array(ref("Flag")), execution={"anyOf": [ref("Execution"), {"type": "null"}]},
                  objections=array(ref("Objection")), copies=array(ref("Copy")),
                  attachments=array(ref("Attachment")), documents=array({"type": "object"})),
    "Attachment": obj(("id", "filename", "size", "download_url", "preview_url"), id=INT, filename=S, size=INT,
                      sha256=S, uploaded_at=DT, opinion_id=NI, download_url=S, preview_url=S),
    "Flag": obj(("kind", "name", "text"), kind=S, name=S, text=S, at=DT),
    "Copy": obj(("name",), name=NS, by=NS, note=S, at=DT),
    "CopyRequest": obj(("people",), people=array(text(KEY, description=message("api.schema_username"))),
                       note=text(TEXT)),
    "Payment": obj(("amount", "paid_on"), id=INT, amount=S, paid_on={"type": "string", "format": "date"}, note=S,
                   by=NS, at=DT),
    "Execution": obj(("approved", "paid", "payments"), approved={"type": ["string", "null"]}, paid=S, tolerance=S,
                     ceiling={"type": ["string", "null"]}, active=B, validity_months=INT,
                     amount_fields=array(obj(key=S, label=S)), payments=array(ref("Payment"))),
    "ExecutionResult": obj(("matter",), matter=obj(id=INT, status=S, current_step=NS), execution=ref("Execution")),
    "PaymentRequest": obj(("amount",), amount=money(),
                          paid_on=day(description=message("api.schema_paid_on")), note=text(TEXT)),
    "CompleteRequest": obj((), comment=text()),
    "AmountChangeRequest": obj(("field", "amount", "reason"), field={"enum": ["amount", "contract_total"]},
                               amount=money(description=message("api.schema_new_amount")),
                               reason=text(TEXT)),
    "Objection": obj(("id", "text", "status"), id=INT, step=S, round=INT, anonymous=B, specific=B, text=S, late=B,
                     lodged_at=DT, status={"enum": ["open", "logged", "verified", "unfounded"]}, status_name=S,
                     finding=NS, resolved_at={"type": ["string", "null"], "format": "date-time"}, resolved_by=NS,
                     complainant=RESTRICTED, contact=RESTRICTED, feedback=RESTRICTED),
    "ObjectionRequest": obj(("text",), text=text(), anonymous=B,
                            complainant=text(NAME_LENGTH, description=message("api.schema_complainant")),
                            contact=text(NAME_LENGTH),
                            specific={"type": "boolean", "description": message("api.schema_specific")}),
    "ResolutionRequest": obj(("result", "finding"), result={"enum": ["verified", "unfounded"]}, finding=text(),
                             feedback=text(description=message("api.schema_feedback"))),
    "CommentRequest": obj(("text",), text=text()),
    "Comment": obj(("id", "text"), id=INT, matter_id=INT, step=S, text=S, at=DT),
    "SignerRequest": obj(("signer", "reason"), signer=text(KEY, description=message("api.schema_signer")),
                         reason=text(TEXT)),
    "AcknowledgementRequest": obj(("text",), text=text()),
    "UrgentRequest": obj(("reason",), reason=text(TEXT)),
    "Task": obj(("id", "title", "matter_id", "actions"), id=INT, title=S, kind=S, matter_id=INT, matter_title=S,
                on_behalf_of=NS, status=S, due_date=DATE, due_provisional=B, overdue=B,
                actions=array({"type": "string", "description": message("api.schema_task_actions")}),
                action_names=array(S), labels={"type": "object", "additionalProperties": S},
                needs_comment=array(S), secondary=array({"enum": ["comment", "cc", "add_signer"]}), step_key=S,
                step_kind=S, blocked={"type": ["string", "null"], "description": message("api.schema_task_blocked")}),
    "PendingVote": obj(("meeting_id", "seq"), meeting_id=INT, meeting_title=S, seq=INT, title=S, matter_id=INT,
                       secret=B, personnel=B, options=array(S), chair_waiting=B),
    "Signoff": obj(("id", "kind", "kind_name", "title", "issuer", "sent_at", "label"), id=INT, kind=S, kind_name=S,
                   status=S, status_name=S, title=S, doc_number=NS, doc_date=DATE, matter_id=NI, meeting_id=NI,
                   has_pdf=B, has_ofd=B, signed_at={"type": ["string", "null"], "format": "date-time"},
                   issuer=S, issuer_unit_key=NS, sent_at=DT,
                   meeting_at={"type": ["string", "null"], "format": "date-time"},
                   label={**S, "description": message("api.schema_signoff_label")}),
    "Inbox": obj(("tasks", "votes", "signoffs", "total", "overdue", "page", "per_page", "pages"),
                 tasks=array(ref("Task")), votes=array(ref("PendingVote")),
                 signoffs={**array(ref("Signoff")), "description": message("api.schema_inbox_signoffs")}, total={**INT, "description": message("api.schema_inbox_total")},
                 overdue={**INT, "description": message("api.schema_inbox_overdue")},
                 page={**INT, "description": message("api.schema_inbox_page")},
                 per_page={**INT, "description": message("api.schema_inbox_per_page")},
                 pages={**INT, "description": message("api.schema_inbox_pages")}),
    "DecisionRecord": obj((), summary=text(), items=array(obj(
        ("title", "lead_unit"), title=text(TITLE), lead_unit=text(KEY, description=message("api.schema_unit_key")),
        co_units=array(text(KEY)), due_date=day(),
        due_working_days={"type": "integer", "minimum": 0, "maximum": 3650}))),
    "TaskAction": obj(("action",), action=text(KEY, description=message("api.schema_action")),
                      comment=text(description=message("api.schema_action_comment")),
                      return_to={**text(KEY), "type": ["string", "null"]},
                      fields=field_values(description=message("api.schema_resubmit_fields")),
                      record=ref("DecisionRecord")),
    "TaskActionResult": obj(("task", "matter"), task=ref("Task"), action_name=S,
                            matter=obj(id=INT, status=S, current_step=NS)),
    "MeetingCreate": obj(("body", "at", "place"), body=text(KEY, description=message("api.schema_meeting_body")),
                         title=text(TITLE), at=moment(), place=text(TITLE),
                         matters=array(IDENTIFIER), urgent=B,
                         unit=text(KEY, description=message("api.schema_meeting_unit"))),
    "MeetingSummary": obj(("id", "title", "status"), id=INT, title=S, body=S, body_name=S, status=S, status_name=S,
                          scheduled_at=DT, place=S, urgent=B, items=INT),
    "AgendaItem": obj(("seq", "title", "status"), meeting_id=INT, meeting_title=S, body=S, seq=INT, title=S,
                      matter_id=INT, personnel=B, secret=B, urgent=B, status=S, result=NS, result_name=NS,
                      counts={"type": ["object", "null"]}, basis=NS, note=NS,
                      quorum=obj(met=B, required=INT, present=INT, base=INT, basis=S), presiding=NS,
                      pending=array(S), options=array(S), recusals=array(obj(name=S, reason=S)),
                      written_opinions=array(obj(name=S, text=S)),
                      ballots=array(obj(order=INT, name=S, choice=S, choice_name=S, reason=S)), voted_count=INT,
                      mandatory={"type": "boolean", "description": message("api.schema_mandatory")},
                      to_acknowledge=array(S), acknowledged_at={"type": ["string", "null"], "format": "date-time"},
                      acknowledgement=NS, acknowledged_by=NS),
    "Meeting": obj(("id", "title", "status", "members", "items"), id=INT, title=S, body=S, body_name=S, status=S,
                   status_name=S, scheduled_at=DT, place=S, urgent=B, notice_at=DT, chair=NS,
                   members=array(obj(username=S, name=S, role=S, role_name=S, attendance=NS, reason=S)),
                   observers=array(S), items=array(ref("AgendaItem"))),
    "AgendaItemCreate": obj(("matter",), matter=IDENTIFIER, secret=B),
    "AttendanceRequest": obj(("person", "status"), person=text(KEY, description=message("api.schema_username")),
                             status={"enum": ["present", "left", "absent", "observer"]},
                             reason=text(TEXT, description=message("api.schema_absence_reason"))),
    "Attendance": obj(("person", "status"), person=S, name=S, status=S, reason=S, changed_at=DT),
    "RecusalRequest": obj(("person", "reason"), person=text(KEY), reason=text(TEXT)),
    "AbsenceRequest": obj(reason=text(description=message("api.schema_hand_in_reason")),
                          opinions={"type": "object", "description": message("api.schema_absence_opinions"),
                                    "propertyNames": {"pattern": "^[1-9][0-9]{0,2}$"},
                                    "additionalProperties": text()}),
    "WrittenOpinionRequest": obj(("person", "text"), person=text(KEY), text=text()),
    "VoteRequest": obj(("choice",), choice={"enum": ["agree", "disagree", "abstain", "postpone"]},
                       reason=text(description=message("api.schema_vote_reason")),
                       voter=text(KEY, description=message("api.schema_voter"))),
    "DeferRequest": obj(("reason",), reason=text(TEXT)),
    "Supervision": obj(("id", "title", "status"), id=INT, matter_id=NI, title=S, lead_unit=S, co_units=array(S),
                       due_date={"type": "string", "format": "date"}, due_provisional=B, status=S, status_name=S,
                       reports=array(obj(text=S, done=B, at=DT))),
    "ProgressReportRequest": obj(("text",), text=text(), done=B),
    "AuditVerification": obj(("ok", "events", "first_bad_seq", "reason"), ok=B, events=INT, first_bad_seq=NI,
                             reason=S),
    "Refusals": obj(("refusals",), refusals=array(obj(
        ("seq", "at", "actor", "action", "reason", "channel", "where"), seq=INT, at=DT, actor=S,
        action={"type": "string", "description": message("refusal.api_action")}, reason=S,
        channel={"type": "string", "description": message("refusal.api_channel")}, where=S, subject=S,
        subject_id=NI))),
}

MATTER_ID = path_param("matter_id", message("api.param_matter_id"))
TASK_ID = path_param("task_id", message("api.param_task_id"))
MEETING_ID = path_param("meeting_id", message("api.param_meeting_id"))
SEQ = path_param("seq", message("api.param_seq"))
M = (MEETING_ID,)
MS = (MEETING_ID, SEQ)

MATTER_FILTERS = (
    query_param("status", message("api.param_status"), {"enum": [s.value for s in MatterStatus]}),
    query_param("workflow", message("api.param_workflow"), text(KEY)),
    query_param("limit", message("api.param_limit"), {"type": "integer", "minimum": 0, "maximum": 500}),
    query_param("offset", message("api.param_offset"), {"type": "integer", "minimum": 0, "maximum": 10**9}),
)
MEETING_FILTERS = (query_param("status", message("api.param_status"),
                               {"enum": ["scheduled", "in_session", "closed", "cancelled"]}),)
KEY = ({"name": "key", "in": "path", "required": True, "description": message("api.param_workflow_key"),
        "schema": S},)
REFUSED = (403, 404, 409)

PATHS: dict[str, dict[str, Any]] = {
    "/openapi.json": {"get": op("openapi", message("api.summary_openapi"), TAG_DOCS, {"type": "object"},
                                public=True)},
    "/token": {"post": op("token", message("api.summary_token"), TAG_AUTH, ref("Token"),
                          body="TokenRequest", public=True, errors=(401, 429))},
    "/tokens": {"get": op("token_list", message("api.summary_token_list"), TAG_AUTH, array(ref("TokenInfo")))},
    "/tokens/{token_id}": {
        "delete": op("revoke_token", message("api.summary_revoke_token"), TAG_AUTH, {"type": "null"}, status=204,
                     errors=(404,), params=(path_param("token_id", message("api.param_token_id")),))},
    "/me/password": {"post": op("change_password", message("api.summary_change_password"), TAG_AUTH,
                                {"type": "null"}, status=204, body="PasswordChange", errors=(403,))},
    "/workflows": {"get": op("workflows", message("api.summary_workflows"), TAG_WORKFLOWS, array(ref("Workflow")))},
    "/workflows/{key}": {"get": op("workflow", message("api.summary_workflow"), TAG_WORKFLOWS, ref("Workflow"),
                                   errors=(404,), params=KEY)},
    "/matters": {
        "get": op("matter_list", message("api.summary_matter_list"), TAG_MATTERS, array(ref("MatterSummary")),
                  errors=(422,), params=MATTER_FILTERS),
        "post": op("create_matter", message("api.summary_create_matter"), TAG_MATTERS, ref("Matter"), status=201,
                   body="MatterCreate", errors=(403,)),
    },
    "/matters/{matter_id}": {
        "get": op("matter", message("api.summary_matter"), TAG_MATTERS, ref("Matter"),
                  errors=(403, 404), params=(MATTER_ID,))},
    "/matters/{matter_id}/urgent": {
        "post": op("mark_urgent", message("api.summary_mark_urgent"), TAG_MATTERS, ref("Matter"),
                   body="UrgentRequest", errors=(403, 404), params=(MATTER_ID,))},
    "/me/tasks": {"get": op("my_tasks", message("api.summary_my_tasks"), TAG_TASKS, ref("Inbox"),
                            params=(query_param("page", message("api.param_page"),
                                                {"type": "integer", "minimum": 1, "maximum": 10**6}),
                                    query_param("per_page", message("api.param_per_page"),
                                                {"type": "integer", "minimum": 1, "maximum": 200})))},
    "/tasks/{task_id}/actions": {
        "post": op("act", message("api.summary_act"), TAG_TASKS, ref("TaskActionResult"), body="TaskAction",
                   errors=REFUSED, params=(path_param("task_id", message("api.param_task_id")),))},
    "/tasks/{task_id}/comments": {
        "post": op("comment", message("api.summary_comment"), TAG_TASKS, ref("Comment"), status=201,
                   body="CommentRequest", errors=REFUSED, params=(TASK_ID,))},
    "/tasks/{task_id}/signers": {
        "post": op("add_signer", message("api.summary_add_signer"), TAG_TASKS, ref("Task"), status=201,
                   body="SignerRequest", errors=REFUSED, params=(TASK_ID,))},
    "/tasks/{task_id}/payments": {
        "post": op("pay", message("api.summary_pay"), TAG_EXECUTION, ref("Execution"), status=201,
                   body="PaymentRequest", errors=REFUSED, params=(TASK_ID,))},
    "/tasks/{task_id}/complete": {
        "post": op("complete", message("api.summary_complete"), TAG_EXECUTION, ref("ExecutionResult"),
                   body="CompleteRequest", errors=REFUSED, params=(TASK_ID,))},
    "/matters/{matter_id}/amount": {
        "post": op("change_amount", message("api.summary_change_amount"), TAG_EXECUTION, ref("ExecutionResult"),
                   body="AmountChangeRequest", errors=REFUSED, params=(MATTER_ID,))},
    "/matters/{matter_id}/copies": {
        "post": op("copy", message("api.summary_copy"), TAG_MATTERS, array(ref("Copy")), status=201,
                   body="CopyRequest", errors=REFUSED, params=(MATTER_ID,))},
    "/matters/{matter_id}/objections": {
        "get": op("objections", message("api.summary_objections"), TAG_PUBLICITY, array(ref("Objection")),
                  errors=(403, 404), params=(MATTER_ID,)),
        "post": op("lodge", message("api.summary_lodge"), TAG_PUBLICITY, ref("Objection"), status=201,
                   body="ObjectionRequest", errors=REFUSED, params=(MATTER_ID,))},
    "/matters/{matter_id}/objections/{objection_id}/resolution": {
        "post": op("resolve", message("api.summary_resolve"), TAG_PUBLICITY, ref("Objection"),
                   body="ResolutionRequest", errors=REFUSED,
                   params=(MATTER_ID, path_param("objection_id", message("api.param_objection_id"))))},
    "/meetings": {
        "get": op("meeting_list", message("api.summary_meeting_list"), TAG_MEETINGS, array(ref("MeetingSummary")),
                  errors=(422,), params=MEETING_FILTERS),
        "post": op("schedule", message("api.summary_schedule"), TAG_MEETINGS, ref("Meeting"), status=201,
                   body="MeetingCreate", errors=REFUSED),
    },
    "/meetings/{meeting_id}": {"get": op("meeting", message("api.summary_meeting"), TAG_MEETINGS, ref("Meeting"),
                                         errors=(403, 404), params=M)},
    "/meetings/{meeting_id}/open": {
        "post": op("open_session", message("api.summary_open_session"), TAG_MEETINGS, ref("Meeting"),
                   errors=(*REFUSED, 422), params=M)},
    "/meetings/{meeting_id}/items": {
        "post": op("add_item", message("api.summary_add_item"), TAG_MEETINGS, ref("AgendaItem"), status=201,
                   body="AgendaItemCreate", errors=REFUSED, params=M)},
    "/meetings/{meeting_id}/attendance": {
        "post": op("attend", message("api.summary_attend"), TAG_MEETINGS, ref("Attendance"),
                   body="AttendanceRequest", errors=REFUSED, params=M)},
    "/meetings/{meeting_id}/items/{seq}/recusals": {
        "post": op("recuse", message("api.summary_recuse"), TAG_MEETINGS, ref("AgendaItem"), status=201,
                   body="RecusalRequest", errors=REFUSED, params=MS)},
    "/meetings/{meeting_id}/items/{seq}/written-opinions": {
        "post": op("written_opinion", message("api.summary_written_opinion"), TAG_MEETINGS, ref("AgendaItem"),
                   status=201, body="WrittenOpinionRequest", errors=REFUSED, params=MS)},
    "/meetings/{meeting_id}/absence": {
        "post": op("hand_in", message("api.summary_hand_in"), TAG_MEETINGS, ref("Meeting"), status=201,
                   body="AbsenceRequest", errors=REFUSED, params=M)},
    "/meetings/{meeting_id}/items/{seq}/votes": {
        "post": op("vote", message("api.summary_vote"), TAG_MEETINGS, ref("AgendaItem"), status=201,
                   body="VoteRequest", errors=REFUSED, params=MS)},
    "/meetings/{meeting_id}/items/{seq}/acknowledgement": {
        "post": op("acknowledge", message("api.summary_acknowledge"), TAG_MEETINGS, ref("AgendaItem"),
                   body="AcknowledgementRequest", errors=REFUSED, params=MS)},
    "/meetings/{meeting_id}/items/{seq}/close": {
        "post": op("close_item", message("api.summary_close_item"), TAG_MEETINGS, ref("AgendaItem"),
                   errors=(*REFUSED, 422), params=MS)},
    "/meetings/{meeting_id}/items/{seq}/defer": {
        "post": op("defer_item", message("api.summary_defer_item"), TAG_MEETINGS, ref("AgendaItem"),
                   body="DeferRequest", errors=REFUSED, params=MS)},
    "/meetings/{meeting_id}/close": {
        "post": op("close", message("api.summary_close"), TAG_MEETINGS, ref("Meeting"), errors=(*REFUSED, 422),
                   params=M)},
    "/supervision": {
        "get": op("board", message("api.summary_board"), TAG_SUPERVISION, array(ref("Supervision")), errors=(422,),
                  params=(query_param("status", message("api.param_status"), {"enum": ["open", "done"]}),))},
    "/supervision/{item_id}/reports": {
        "post": op("report", message("api.summary_report"), TAG_SUPERVISION, ref("Supervision"), status=201,
                   body="ProgressReportRequest", errors=REFUSED,
                   params=(path_param("item_id", message("api.param_item_id")),))},
    "/audit/verify": {
        "get": op("verify", message("api.summary_verify"), TAG_AUDIT, ref("AuditVerification"), errors=(403,))},
    "/audit/refusals": {
        "get": op("refused_attempts", message("refusal.api_summary"), message("refusal.api_tag"),
                  ref("Refusals"), errors=(403, 422), params=(
                      query_param("since", message("refusal.since_help"), day()),
                      query_param("limit", message("refusal.limit_help"),
                                  {"type": "integer", "minimum": 1, "maximum": 1000})))},
}


# -- search and filter (issue 15, item 2): the lists' filters, their totals in headers, the 公文 list ----------
_PAGING_HEADERS = {
    "X-Total-Count": {"description": message("search.api_header_total"), "schema": {"type": "integer"}},
    "X-Total-Pages": {"description": message("search.api_header_pages"), "schema": {"type": "integer"}},
    "X-Page": {"description": message("search.api_param_page"), "schema": {"type": "integer"}},
    "X-Per-Page": {"description": message("search.api_param_per_page"), "schema": {"type": "integer"}},
    "Link": {"description": message("search.api_header_link"), "schema": S},
}
_FLAG = {"type": "string", "enum": ["1", "0", "true", "false"]}
_KEY_TEXT = MATTER_FILTERS[1]["schema"]          # a key's text (KEY is the workflow path parameter by now)
_SEARCH_COMMON = (
    query_param("q", message("search.api_param_q"), text(QUERY)),
    query_param("unit", message("search.api_param_unit"), _KEY_TEXT),
    query_param("from", message("search.api_param_from"), day()),
    query_param("to", message("search.api_param_to"), day()),
    query_param("mine", message("search.api_param_mine"), _FLAG),
    query_param("waiting", message("search.api_param_waiting"), _FLAG),
    query_param("page", message("search.api_param_page"), {"type": "integer", "minimum": 1, "maximum": 100000}),
    query_param("per_page", message("search.api_param_per_page"), {"type": "integer", "minimum": 1, "maximum": 500}),
)
SCHEMAS["MatterSummary"]["properties"].update(unit=NS, unit_key=NS, category=NS, category_name=NS,
                                              initiator_username=NS)
SCHEMAS["DocumentSummary"] = obj(("id", "title", "status"), id=INT, kind=S, kind_name=S, status=S, status_name=S,
                                 title=S, doc_number=NS, doc_date=DATE,
                                 matter_id=NI, meeting_id=NI, has_pdf=B, has_ofd=B,
                                 signed_at={"type": ["string", "null"], "format": "date-time"}, issuer_key=NS)
PATHS["/matters"]["get"]["parameters"] = [*MATTER_FILTERS[:2],
                                          query_param("category", message("search.api_param_category"), _KEY_TEXT),
                                          *_SEARCH_COMMON, *MATTER_FILTERS[2:]]
PATHS["/matters"]["get"]["responses"]["200"]["headers"] = _PAGING_HEADERS
PATHS["/documents"] = {"get": op("document_list", message("search.api_summary_documents"), TAG_MATTERS,
                                 array(ref("DocumentSummary")), errors=(422,), params=(
                                     query_param("status", message("api.param_status"),
                                                 {"enum": ["draft", "frozen", "void"]}),
                                     query_param("kind", message("search.api_param_kind"), _KEY_TEXT),
                                     *_SEARCH_COMMON))}
PATHS["/documents"]["get"]["responses"]["200"]["headers"] = _PAGING_HEADERS


DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": message("api.info_title"), "version": "1", "description": message("api.info_description")},
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "paths": PATHS,
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                       "description": message("api.bearer_description")}},
        "schemas": SCHEMAS,
        "responses": {name: {"description": ERROR_TEXT[code], "content": {"application/json": {"schema": ref("Error")}}}
                      for code, name in ERRORS.items()},
    },
}


@api.get("/openapi.json")
def openapi() -> Response:
    """The document with the bounds of this deployment's [limits] (text lengths, the date window, the money ceiling)."""
    return reply(bounded(DOCUMENT, limits()))
