"""Units, their 机关代字 and the organisation workbook in 管理 (issue 15, item 1), on both databases.

The administrator 高文静 adds and edits units, registers a 机关代字 (as `quorum unit set-code` does), downloads
the template and the export, uploads a workbook — checked, refused row by row, or applied with the new people's
passwords shown once — and a new person must change that password at the first sign-in.
"""

import io
import re

from openpyxl import load_workbook
from sqlalchemy import func, select

from quorum.db import AuditEvent, Person, Unit
from tests.webui.conftest import as_user, business_events, csrf_token, login, text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def unit_row(community, key: str) -> Unit | None:
    with community.sessions() as s:
        return s.scalar(select(Unit).where(Unit.key == key))


def kinds(community) -> list[str]:
    with community.sessions() as s:
        return list(s.scalars(select(AuditEvent.kind).order_by(AuditEvent.id)))


def upload(client, data: bytes, action: str, name: str = "county.xlsx"):
    return client.post("/admin/org", data={"csrf_token": csrf_token(client, "/admin/org"), "action": action,
                                           "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_the_administrator_lists_adds_and_edits_units_and_their_codes(app, community):
    admin = as_user(app, "gaowenjing")
    page = text(admin.get("/admin/units"))
    assert "单位（17）" in page and "二医共发" in page and "乌兰社区中心" in page and "成员单位" in page
    assert "wulan_chc" not in page
    token = csrf_token(admin, "/admin/units/new")
    made = admin.post("/admin/units/new", data={"csrf_token": token, "key": "saihan_chc", "name": "二连浩特市赛汗社区卫生服务中心",
                                                "short_name": "赛汗社区中心", "kind": "member_unit", "code": "赛社卫发"})
    assert made.status_code == 302
    row = unit_row(community, "saihan_chc")
    assert (row.name, row.short_name, row.kind, row.doc_prefix) == ("二连浩特市赛汗社区卫生服务中心", "赛汗社区中心",
                                                                    "member_unit", "赛社卫发")
    assert kinds(community)[-2:] == ["org.unit_created", "unit.code_set"]
    edit = text(admin.get(f"/admin/units/{row.id}"))
    assert 'data-testid="unit-code">saihan_chc<' in edit and "赛社卫发" in edit
    token = csrf_token(admin, f"/admin/units/{row.id}")
    saved = admin.post(f"/admin/units/{row.id}", data={"csrf_token": token, "name": row.name, "short_name": "赛汗中心",
                                                       "kind": "member_unit", "code": "赛汗卫发"})
    assert saved.status_code == 302
    row = unit_row(community, "saihan_chc")
    assert (row.short_name, row.doc_prefix) == ("赛汗中心", "赛汗卫发")
    assert kinds(community)[-2:] == ["org.unit_updated", "unit.code_set"]


def test_a_bad_unit_is_refused_with_its_reason_and_nothing_changes(app, community):
    admin = as_user(app, "gaowenjing")
    with community.sessions() as s:
        before = business_events(s)
    token = csrf_token(admin, "/admin/units/new")
    cases = [({"key": "Saihan", "name": "赛汗", "kind": "member_unit"}, 422, "单位代码「Saihan」须为2–64位小写字母"),
             ({"key": "wulan_chc", "name": "乌兰", "kind": "member_unit"}, 422, "单位代码「wulan_chc」已存在"),
             ({"key": "saihan_chc", "name": "", "kind": "member_unit"}, 422, "姓名不能为空"),
             ({"key": "saihan_chc", "name": "赛汗", "kind": "hospital"}, 422, "类型「hospital」不是"),
             ({"key": "saihan_chc", "name": "赛汗", "kind": "member_unit", "code": "二医共发"}, 409, "二医共发")]
    for form, status, reason in cases:
        refused = admin.post("/admin/units/new", data={"csrf_token": token, "short_name": "", "code": "", **form})
        assert refused.status_code == status, form
        assert reason in text(refused)
    wulan = unit_row(community, "wulan_chc")
    token = csrf_token(admin, f"/admin/units/{wulan.id}")
    refused = admin.post(f"/admin/units/{wulan.id}", data={"csrf_token": token, "name": wulan.name,
                                                           "short_name": "乌兰", "kind": "member_unit",
                                                           "code": "二卫健发"})
    assert refused.status_code == 409 and "二卫健发" in text(refused)
    assert unit_row(community, "saihan_chc") is None and unit_row(community, "wulan_chc").short_name == "乌兰社区中心"
    with community.sessions() as s:
        assert business_events(s) == before


def test_members_may_not_reach_units_or_the_workbook(app, community):
    member = as_user(app, "lichunyan")
    with community.sessions() as s:
        before = business_events(s), s.scalar(select(func.count()).select_from(Unit))
    for path in ("/admin/units", "/admin/units/new", "/admin/units/1", "/admin/org", "/admin/org/export.xlsx",
                 "/admin/org/template.xlsx"):
        assert member.get(path).status_code == 403, path
    token = csrf_token(member, "/tasks")
    assert member.post("/admin/units/new", data={"csrf_token": token, "key": "x_unit", "name": "某",
                                                 "kind": "member_unit"}).status_code == 403
    assert member.post("/admin/org", data={"csrf_token": token, "action": "apply",
                                           "file": (io.BytesIO(b"x"), "a.xlsx")}).status_code == 403
    anonymous = app.test_client().get("/admin/units")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    with community.sessions() as s:
        assert (business_events(s), s.scalar(select(func.count()).select_from(Unit))) == before


def test_the_workbook_is_downloaded_checked_refused_by_row_and_applied(app, community):
    admin = as_user(app, "gaowenjing")
    exported = admin.get("/admin/org/export.xlsx")
    assert exported.status_code == 200 and exported.mimetype == XLSX
    assert "attachment" in exported.headers["Content-Disposition"]
    template = admin.get("/admin/org/template.xlsx")
    assert load_workbook(io.BytesIO(template.data)).sheetnames == ["说明", "单位", "人员", "任职", "角色"]
    unchanged = upload(admin, exported.data, "check")
    assert unchanged.status_code == 200 and "没有变化：文件与系统中的组织一致" in text(unchanged)

    book = load_workbook(io.BytesIO(exported.data))
    book["单位"].append(["saihan_chc", "二连浩特市赛汗社区卫生服务中心", "赛汗社区中心", "成员单位", ""])
    book["人员"].append(["bolor", "宝鲁尔", "0479-7533999", "bolor@example.org"])
    book["任职"].append(["bolor", "saihan_chc", "成员单位执行院长（负责人）", "赛汗社区卫生服务中心主任"])
    good = io.BytesIO()
    book.save(good)
    book["人员"].append(["nobody", "", "", "x@"])
    book["任职"].append(["bolor", "nowhere", "职工代表", ""])
    bad = io.BytesIO()
    book.save(bad)

    refused = upload(admin, bad.getvalue(), "apply")
    page = text(refused)
    assert refused.status_code == 422 and "组织文件有 2 处错误，未导入任何内容" in page
    assert "「人员」第54行：「姓名」不能为空" in page
    assert "「任职」第57行：单位「nowhere」既不在「单位」表中，也不是系统中已有的单位" in page
    assert unit_row(community, "saihan_chc") is None

    checked = upload(admin, good.getvalue(), "check")
    assert checked.status_code == 200 and "检查通过，尚未导入" in text(checked)
    assert unit_row(community, "saihan_chc") is None
    applied = upload(admin, good.getvalue(), "apply")
    page = text(applied)
    assert applied.status_code == 200 and "已导入" in page and applied.headers["Cache-Control"] == "no-store"
    password = re.search(r"<td>宝鲁尔</td><td>bolor</td><td><code>([^<]+)</code>", page).group(1)
    assert unit_row(community, "saihan_chc").short_name == "赛汗社区中心"
    assert kinds(community)[-1] == "org.imported"
    again = upload(admin, good.getvalue(), "apply")
    assert "没有变化" in text(again) and "<code>" not in text(again)

    newcomer = app.test_client()
    login(newcomer, "bolor", password)
    forced = newcomer.get("/tasks")
    assert forced.status_code == 302 and forced.headers["Location"].endswith("/account/password")
    assert "首次登录，请先把系统生成的初始密码改为您自己的密码" in text(newcomer.get("/account/password"))
    token = csrf_token(newcomer, "/account/password")
    changed = newcomer.post("/account/password", data={"csrf_token": token, "current_password": password,
                                                       "new_password": "Saihan-2026-bl", "confirm_password":
                                                       "Saihan-2026-bl"})
    assert changed.status_code == 302
    assert newcomer.get("/tasks").status_code == 200
    with community.sessions() as s:
        bolor = s.scalar(select(Person).where(Person.username == "bolor"))
        assert not bolor.must_change_password
        assert bolor.password_hash.startswith("scrypt:32768:8:1$")      # the chosen one at full cost


def test_an_upload_without_a_file_or_of_another_kind_is_refused(app, community):
    admin = as_user(app, "gaowenjing")
    token = csrf_token(admin, "/admin/org")
    missing = admin.post("/admin/org", data={"csrf_token": token, "action": "apply"})
    assert missing.status_code == 422 and "请选择要上传的组织工作簿" in text(missing)
    other = upload(admin, b"a,b\n", "apply", name="county.csv")
    assert other.status_code == 422 and "类型不受支持" in text(other)
    broken = upload(admin, b"not a workbook", "apply")
    assert broken.status_code == 422 and "无法读取文件「county.xlsx」" in text(broken)
