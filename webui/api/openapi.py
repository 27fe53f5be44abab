"""GET /openapi.json: the OpenAPI 3.1 description of this API, written by hand.

A test compares it with the app's URL map in both directions, so a route added without being
described here (or described but removed) fails the suite.
"""

from typing import Any

from flask import Response

from quorum.core.messages import message
from webui.api.blueprint import api, reply
from webui.api.inputs import KEY, MAX_ID, NAME_LENGTH, SECRET, TEXT, TITLE, limits
from webui.api.schema_bounds import IDENTIFIER, bounded, day, field_values, moment, money, text

ERRORS = {401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 409: "Conflict", 422: "InvalidInput",
          429: "TooManyAttempts"}
ERROR_TEXT = {401: "缺少或无效的访问令牌", 403: "无权执行此操作", 404: "对象不存在",
              409: "与当前状态或议事规则冲突（如重复表决、主持人未末位表态）", 422: "输入有误",
              429: "登录失败过多：账号已锁定或来源地址受限，见 Retry-After"}


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
        "responses": {str(status): {"description": "成功", "content": {"application/json": {"schema": response}}},
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
    "Error": obj(("error", "message"), error={"type": "string", "description": "机器可读的错误代码，如 chair_must_speak_last"},
                 message={"type": "string", "description": "中文说明"}),
    "TokenRequest": obj(("username", "password"), username=text(KEY), password=text(SECRET, format="password")),
    "Token": obj(("token", "expires_at", "person"), token=S, token_type={"const": "Bearer"}, expires_at=DT,
                 person=obj(("username", "name", "roles"), username=S, name=S, roles=array(S))),
    "TokenInfo": obj(("id", "person_id", "created_at", "expires_at"), id=INT, person_id=INT, created_at=DT,
                     expires_at=DT),
    "PasswordChange": obj(("current_password", "new_password"), current_password=text(SECRET, format="password"),
                          new_password={**text(SECRET), "format": "password",
                                        "description": "按 [security] 规则：默认至少 10 位、4 类字符中至少 3 类、不含用户名或姓名"}),
    "Field": obj(("key", "label", "type", "required"), key=S, label=S,
                 type={"enum": ["text", "textarea", "money", "int", "bool", "choice", "date", "unit", "person",
                                "people"]},
                 required=B, choices=array(obj(value=S, label=S)), help=S,
                 input={"type": "boolean", "description": "false：系统设置的标记或金额，不能填写"}, default={}),
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
                  documents=array({"type": "object"})),
    "Flag": obj(("kind", "name", "text"), kind=S, name=S, text=S, at=DT),
    "Copy": obj(("name",), name=NS, by=NS, note=S, at=DT),
    "CopyRequest": obj(("people",), people=array(text(KEY, description="用户名")), note=text(TEXT)),
    "Payment": obj(("amount", "paid_on"), id=INT, amount=S, paid_on={"type": "string", "format": "date"}, note=S,
                   by=NS, at=DT),
    "Execution": obj(("approved", "paid", "payments"), approved={"type": ["string", "null"]}, paid=S, tolerance=S,
                     ceiling={"type": ["string", "null"]}, active=B, validity_months=INT,
                     amount_fields=array(obj(key=S, label=S)), payments=array(ref("Payment"))),
    "ExecutionResult": obj(("matter",), matter=obj(id=INT, status=S, current_step=NS), execution=ref("Execution")),
    "PaymentRequest": obj(("amount",), amount=money(),
                          paid_on=day(description="不填为今天"), note=text(TEXT)),
    "CompleteRequest": obj((), comment=text()),
    "AmountChangeRequest": obj(("field", "amount", "reason"), field={"enum": ["amount", "contract_total"]},
                               amount=money(description="新金额（元）"),
                               reason=text(TEXT)),
    "Objection": obj(("id", "text", "status"), id=INT, step=S, round=INT, anonymous=B, specific=B, text=S, late=B,
                     lodged_at=DT, status={"enum": ["open", "logged", "verified", "unfounded"]}, status_name=S,
                     finding=NS, resolved_at={"type": ["string", "null"], "format": "date-time"}, resolved_by=NS,
                     complainant={"type": ["string", "null"], "description": "仅组织人事、党政办、纪检监察可见"},
                     contact={"type": ["string", "null"], "description": "仅组织人事、党政办、纪检监察可见"},
                     feedback={"type": ["string", "null"], "description": "仅组织人事、党政办、纪检监察可见"}),
    "ObjectionRequest": obj(("text",), text=text(), anonymous=B, complainant=text(NAME_LENGTH, description="实名时必填"),
                            contact=text(NAME_LENGTH), specific={"type": "boolean", "description": "反映的问题是否具体（默认 true）"}),
    "ResolutionRequest": obj(("result", "finding"), result={"enum": ["verified", "unfounded"]}, finding=text(),
                             feedback=text(description="实名反映时必填")),
    "CommentRequest": obj(("text",), text=text()),
    "Comment": obj(("id", "text"), id=INT, matter_id=INT, step=S, text=S, at=DT),
    "SignerRequest": obj(("signer", "reason"), signer=text(KEY, description="加签人用户名"), reason=text(TEXT)),
    "AcknowledgementRequest": obj(("text",), text=text()),
    "UrgentRequest": obj(("reason",), reason=text(TEXT)),
    "Task": obj(("id", "title", "matter_id", "actions"), id=INT, title=S, kind=S, matter_id=INT, matter_title=S,
                on_behalf_of=NS, status=S, due_date=DATE, due_provisional=B, overdue=B,
                actions=array({"type": "string", "description": "本环节可作的答复（如 approve、agree_with_changes、"
                                                                "appoint、acknowledge）及 return、record、resubmit、"
                                                                "withdraw、pay、complete"}),
                action_names=array(S), labels={"type": "object", "additionalProperties": S},
                needs_comment=array(S), secondary=array({"enum": ["comment", "cc", "add_signer"]}), step_key=S,
                step_kind=S, blocked={"type": ["string", "null"], "description": "不能办理的原因（如公示期未满）"}),
    "PendingVote": obj(("meeting_id", "seq"), meeting_id=INT, meeting_title=S, seq=INT, title=S, matter_id=INT,
                       secret=B, personnel=B, options=array(S), chair_waiting=B),
    "Inbox": obj(("tasks", "votes", "total", "overdue", "page", "per_page", "pages"), tasks=array(ref("Task")),
                 votes=array(ref("PendingVote")), total={**INT, "description": "我的待办总数"},
                 overdue={**INT, "description": "其中已逾期"}, page={**INT, "description": "本页页码（从 1 起）"},
                 per_page={**INT, "description": "每页条数"}, pages={**INT, "description": "总页数"}),
    "DecisionRecord": obj((), summary=text(), items=array(obj(
        ("title", "lead_unit"), title=text(TITLE), lead_unit=text(KEY, description="单位代码"),
        co_units=array(text(KEY)), due_date=day(),
        due_working_days={"type": "integer", "minimum": 0, "maximum": 3650}))),
    "TaskAction": obj(("action",), action=text(KEY, description="待办的可执行操作之一（见 Task.actions）"),
                      comment=text(description="不同意、退回及须说明理由的答复时必填"),
                      return_to={**text(KEY), "type": ["string", "null"]},
                      fields=field_values(description="重新申报时修改的字段"), record=ref("DecisionRecord")),
    "TaskActionResult": obj(("task", "matter"), task=ref("Task"), action_name=S,
                            matter=obj(id=INT, status=S, current_step=NS)),
    "MeetingCreate": obj(("body", "at", "place"), body=text(KEY, description="议事机构，如 president_office"),
                         title=text(TITLE), at=moment(), place=text(TITLE),
                         matters=array(IDENTIFIER), urgent=B,
                         unit=text(KEY, description="按单位召开的机构（成员单位班子会）须填单位代码")),
    "MeetingSummary": obj(("id", "title", "status"), id=INT, title=S, body=S, body_name=S, status=S, status_name=S,
                          scheduled_at=DT, place=S, urgent=B, items=INT),
    "AgendaItem": obj(("seq", "title", "status"), meeting_id=INT, meeting_title=S, body=S, seq=INT, title=S,
                      matter_id=INT, personnel=B, secret=B, urgent=B, status=S, result=NS, result_name=NS,
                      counts={"type": ["object", "null"]}, basis=NS, note=NS,
                      quorum=obj(met=B, required=INT, present=INT, base=INT, basis=S), presiding=NS,
                      pending=array(S), options=array(S), recusals=array(obj(name=S, reason=S)),
                      written_opinions=array(obj(name=S, text=S)),
                      ballots=array(obj(order=INT, name=S, choice=S, choice_name=S, reason=S)), voted_count=INT,
                      mandatory={"type": "boolean", "description": "必须追认的临机处置事项"},
                      to_acknowledge=array(S), acknowledged_at={"type": ["string", "null"], "format": "date-time"},
                      acknowledgement=NS, acknowledged_by=NS),
    "Meeting": obj(("id", "title", "status", "members", "items"), id=INT, title=S, body=S, body_name=S, status=S,
                   status_name=S, scheduled_at=DT, place=S, urgent=B, notice_at=DT, chair=NS,
                   members=array(obj(username=S, name=S, role=S, role_name=S, attendance=NS, reason=S)),
                   observers=array(S), items=array(ref("AgendaItem"))),
    "AgendaItemCreate": obj(("matter",), matter=IDENTIFIER, secret=B),
    "AttendanceRequest": obj(("person", "status"), person=text(KEY, description="用户名"),
                             status={"enum": ["present", "left", "absent", "observer"]},
                             reason=text(TEXT, description="请假时必填")),
    "Attendance": obj(("person", "status"), person=S, name=S, status=S, reason=S, changed_at=DT),
    "RecusalRequest": obj(("person", "reason"), person=text(KEY), reason=text(TEXT)),
    "WrittenOpinionRequest": obj(("person", "text"), person=text(KEY), text=text()),
    "VoteRequest": obj(("choice",), choice={"enum": ["agree", "disagree", "abstain", "postpone"]},
                       reason=text(description="不同意或缓议时必填（记名表决）"),
                       voter=text(KEY, description="党政办代为登记举手表决时，表决人的用户名")),
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

MATTER_ID = path_param("matter_id", "事项编号")
TASK_ID = path_param("task_id", "待办编号")
MEETING_ID = path_param("meeting_id", "会议编号")
SEQ = path_param("seq", "议题序号（第几项）")
M = (MEETING_ID,)
MS = (MEETING_ID, SEQ)

MATTER_FILTERS = (
    query_param("status", "按状态筛选", {"enum": ["active", "closed", "rejected", "withdrawn"]}),
    query_param("workflow", "按流程筛选", text(KEY)),
    query_param("limit", "最多返回条数（默认100，最大500）", {"type": "integer", "minimum": 0, "maximum": 500}),
    query_param("offset", "跳过条数", {"type": "integer", "minimum": 0, "maximum": 10**9}),
)
MEETING_FILTERS = (query_param("status", "按状态筛选", {"enum": ["scheduled", "in_session", "closed", "cancelled"]}),)
KEY = ({"name": "key", "in": "path", "required": True, "description": "流程代码", "schema": S},)
REFUSED = (403, 404, 409)

PATHS: dict[str, dict[str, Any]] = {
    "/openapi.json": {"get": op("openapi", "本文档", "文档", {"type": "object"}, public=True)},
    "/token": {"post": op("token", "以用户名和密码换取访问令牌（也接受表单提交）", "认证", ref("Token"),
                          body="TokenRequest", public=True, errors=(401, 429))},
    "/tokens": {"get": op("token_list", "我的有效令牌（系统管理员：全部）", "认证", array(ref("TokenInfo")))},
    "/tokens/{token_id}": {
        "delete": op("revoke_token", "吊销令牌（本人或系统管理员）", "认证", {"type": "null"}, status=204,
                     errors=(404,), params=(path_param("token_id", "令牌编号"),))},
    "/me/password": {"post": op("change_password", "修改本人密码（网页登录随之失效，令牌一并吊销）", "认证",
                                {"type": "null"}, status=204, body="PasswordChange", errors=(403,))},
    "/workflows": {"get": op("workflows", "流程及其字段、步骤", "流程", array(ref("Workflow")))},
    "/workflows/{key}": {"get": op("workflow", "单个流程", "流程", ref("Workflow"), errors=(404,), params=KEY)},
    "/matters": {
        "get": op("matter_list", "我可查阅的事项", "事项", array(ref("MatterSummary")), errors=(422,),
                  params=MATTER_FILTERS),
        "post": op("create_matter", "申报事项", "事项", ref("Matter"), status=201, body="MatterCreate", errors=(403,)),
    },
    "/matters/{matter_id}": {
        "get": op("matter", "事项全貌：路径、环节、待办、意见、时间线、文件", "事项", ref("Matter"),
                  errors=(403, 404), params=(MATTER_ID,))},
    "/matters/{matter_id}/urgent": {
        "post": op("mark_urgent", "主要负责人标记紧急议题", "事项", ref("Matter"), body="UrgentRequest",
                   errors=(403, 404), params=(MATTER_ID,))},
    "/me/tasks": {"get": op("my_tasks", "我的待办（含可执行操作，逾期在前，分页）及待我表决的议题", "待办", ref("Inbox"),
                            params=(query_param("page", "页码，从 1 起", {"type": "integer", "minimum": 1,
                                                                         "maximum": 10**6}),
                                    query_param("per_page", "每页条数（默认 50，最多 200）",
                                                {"type": "integer", "minimum": 1, "maximum": 200})))},
    "/tasks/{task_id}/actions": {
        "post": op("act", "办理待办", "待办", ref("TaskActionResult"), body="TaskAction", errors=REFUSED,
                   params=(path_param("task_id", "待办编号"),))},
    "/tasks/{task_id}/comments": {
        "post": op("comment", "评论待办（不办结）", "待办", ref("Comment"), status=201, body="CommentRequest",
                   errors=REFUSED, params=(TASK_ID,))},
    "/tasks/{task_id}/signers": {
        "post": op("add_signer", "加签：本环节须加签人办理后方可完成", "待办", ref("Task"), status=201,
                   body="SignerRequest", errors=REFUSED, params=(TASK_ID,))},
    "/tasks/{task_id}/payments": {
        "post": op("pay", "登记支付（累计超过批准金额容差的拒绝）", "资金执行", ref("Execution"), status=201,
                   body="PaymentRequest", errors=REFUSED, params=(TASK_ID,))},
    "/tasks/{task_id}/complete": {
        "post": op("complete", "执行完毕", "资金执行", ref("ExecutionResult"), body="CompleteRequest", errors=REFUSED,
                   params=(TASK_ID,))},
    "/matters/{matter_id}/amount": {
        "post": op("change_amount", "变更批准金额（超过容差的退回重新审批）", "资金执行", ref("ExecutionResult"),
                   body="AmountChangeRequest", errors=REFUSED, params=(MATTER_ID,))},
    "/matters/{matter_id}/copies": {
        "post": op("copy", "抄送事项", "事项", array(ref("Copy")), status=201, body="CopyRequest", errors=REFUSED,
                   params=(MATTER_ID,))},
    "/matters/{matter_id}/objections": {
        "get": op("objections", "任前公示异议", "公示", array(ref("Objection")), errors=(403, 404), params=(MATTER_ID,)),
        "post": op("lodge", "登记任前公示异议（组织人事、党政办、纪检监察）", "公示", ref("Objection"), status=201,
                   body="ObjectionRequest", errors=REFUSED, params=(MATTER_ID,))},
    "/matters/{matter_id}/objections/{objection_id}/resolution": {
        "post": op("resolve", "登记异议核查结论（组织人事、纪检监察）", "公示", ref("Objection"),
                   body="ResolutionRequest", errors=REFUSED,
                   params=(MATTER_ID, path_param("objection_id", "异议编号")))},
    "/meetings": {
        "get": op("meeting_list", "我可查阅的会议", "会议", array(ref("MeetingSummary")), errors=(422,),
                  params=MEETING_FILTERS),
        "post": op("schedule", "安排会议（发出会议通知）", "会议", ref("Meeting"), status=201, body="MeetingCreate",
                   errors=REFUSED),
    },
    "/meetings/{meeting_id}": {"get": op("meeting", "会议全貌", "会议", ref("Meeting"), errors=(403, 404), params=M)},
    "/meetings/{meeting_id}/open": {
        "post": op("open_session", "开会", "会议", ref("Meeting"), errors=(*REFUSED, 422), params=M)},
    "/meetings/{meeting_id}/items": {
        "post": op("add_item", "增加议题", "会议", ref("AgendaItem"), status=201, body="AgendaItemCreate",
                   errors=REFUSED, params=M)},
    "/meetings/{meeting_id}/attendance": {
        "post": op("attend", "登记出席、离席、请假或列席", "会议", ref("Attendance"), body="AttendanceRequest",
                   errors=REFUSED, params=M)},
    "/meetings/{meeting_id}/items/{seq}/recusals": {
        "post": op("recuse", "登记回避", "会议", ref("AgendaItem"), status=201, body="RecusalRequest",
                   errors=REFUSED, params=MS)},
    "/meetings/{meeting_id}/items/{seq}/written-opinions": {
        "post": op("written_opinion", "登记缺席成员的书面意见", "会议", ref("AgendaItem"), status=201,
                   body="WrittenOpinionRequest", errors=REFUSED, params=MS)},
    "/meetings/{meeting_id}/items/{seq}/votes": {
        "post": op("vote", "表决（主持人末位表态）", "会议", ref("AgendaItem"), status=201, body="VoteRequest",
                   errors=REFUSED, params=MS)},
    "/meetings/{meeting_id}/items/{seq}/acknowledgement": {
        "post": op("acknowledge", "确认会议已知悉征求意见中的不同意见（主持人或党政办）", "会议", ref("AgendaItem"),
                   body="AcknowledgementRequest", errors=REFUSED, params=MS)},
    "/meetings/{meeting_id}/items/{seq}/close": {
        "post": op("close_item", "宣布表决结果", "会议", ref("AgendaItem"), errors=(*REFUSED, 422), params=MS)},
    "/meetings/{meeting_id}/items/{seq}/defer": {
        "post": op("defer_item", "暂缓表决", "会议", ref("AgendaItem"), body="DeferRequest", errors=REFUSED,
                   params=MS)},
    "/meetings/{meeting_id}/close": {
        "post": op("close", "散会", "会议", ref("Meeting"), errors=(*REFUSED, 422), params=M)},
    "/supervision": {
        "get": op("board", "督办事项", "督办", array(ref("Supervision")), errors=(422,),
                  params=(query_param("status", "按状态筛选", {"enum": ["open", "done"]}),))},
    "/supervision/{item_id}/reports": {
        "post": op("report", "报告督办进展（牵头单位可确认办结）", "督办", ref("Supervision"), status=201,
                   body="ProgressReportRequest", errors=REFUSED, params=(path_param("item_id", "督办事项编号"),))},
    "/audit/verify": {
        "get": op("verify", "核验审计链（纪检监察室、系统管理员）", "审计", ref("AuditVerification"), errors=(403,))},
    "/audit/refusals": {
        "get": op("refused_attempts", message("refusal.api_summary"), message("refusal.api_tag"),
                  ref("Refusals"), errors=(403, 422), params=(
                      query_param("since", message("refusal.since_help"), day()),
                      query_param("limit", message("refusal.limit_help"),
                                  {"type": "integer", "minimum": 1, "maximum": 1000})))},
}


DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Quorum 医共体议事决策平台 API", "version": "1",
             "description": "令牌认证：先 POST /token 取得令牌，之后每个请求带 Authorization: Bearer <令牌>。"
                            "错误一律返回 JSON {error, message}：401 未认证、403 无权、404 不存在、"
                            "409 与状态或议事规则冲突、422 输入有误。时间为 ISO 8601（北京时间），金额为字符串。"},
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "paths": PATHS,
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "POST /token 取得的令牌"}},
        "schemas": SCHEMAS,
        "responses": {name: {"description": ERROR_TEXT[code], "content": {"application/json": {"schema": ref("Error")}}}
                      for code, name in ERRORS.items()},
    },
}


@api.get("/openapi.json")
def openapi() -> Response:
    """The document with the bounds of this deployment's [limits] (text lengths, the date window, the money ceiling)."""
    return reply(bounded(DOCUMENT, limits()))
