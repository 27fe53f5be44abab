"""A county loads its own organisation (issue 15, item 1): the 单位 / 人员 / 任职 workbook, checked row by row,
applied all or nothing, re-imported by key without duplicating, exported and imported back without change."""

import csv
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from quorum.core.errors import InvalidInput, NotPermitted
from quorum.db import AuditEvent, Person, Post, Unit
from quorum.services import org, org_workbook
from quorum.services.org_workbook import OrgFileInvalid

ROOT = Path(__file__).resolve().parents[2]

UNITS = [["county_hospital", "某某县人民医院", "县医院", "牵头医院", "某医共发"],
         ["town_a", "某某县甲镇卫生院", "甲镇卫生院", "成员单位", ""],
         ["county_health", "某某县卫生健康局", "县卫健局", "主管部门", "某卫健发"]]
PEOPLE = [["zhao", "赵一", "13800000001", "zhao@example.org"],
          ["qian", "钱二", "0471-1234567", ""],
          ["sun", "孙三", 13800000003, "sun@example.org"]]      # a phone typed as a number in Excel
POSTS = [["zhao", "county_hospital", "系统管理员", "县医院信息科科长"],
         ["qian", "town_a", "member_unit_head", "甲镇卫生院院长"],
         ["sun", "县医院", "财务管理中心主任", ""]]                # unit by its short name, title left blank


def workbook(units=UNITS, people=PEOPLE, posts=POSTS, title_rows: int = 0, policies=None) -> bytes:
    """The shipped template filled in with openpyxl (optionally with title rows above each header)."""
    book = load_workbook(ROOT / "quorum" / "demo" / "org_template.xlsx")
    for name, rows in (("单位", units), ("人员", people), ("任职", posts)):
        sheet = book[name]
        for _ in range(title_rows):
            sheet.insert_rows(1)
        if title_rows:
            sheet["A1"] = f"{name}表（某某县紧密型医共体）"
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def load(db, env, data: bytes, actor: str | None = None, **kw):
    with db.sessions.begin() as s:
        who = org.person(s, actor) if actor else None
        return org_workbook.import_org(s, env, who, org_workbook.read_file("county.xlsx", data), **kw)


def count(db, model) -> int:
    with db.sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_a_county_loads_from_the_template_and_loading_it_again_changes_nothing(db, env):
    result = load(db, env, workbook(title_rows=2))
    assert (result["units_created"], result["people_created"], result["posts_created"]) == (3, 3, 3)
    assert [p["username"] for p in result["passwords"]] == ["zhao", "qian", "sun"]
    assert [w.split("」")[0] for w in result["warnings"]] == [       # bodies nobody sits on yet: told, not refused
        "议事机构「医共体党委会议", "议事机构「总医院院长办公会议", "议事机构「医共体管理委员会会议", "议事机构「总医院职工代表大会"]
    with db.sessions() as s:
        units = {u.key: u for u in s.execute(select(Unit)).scalars()}
        assert units["county_hospital"].kind == "lead_hospital" and units["county_hospital"].doc_prefix == "某医共发"
        assert units["town_a"].doc_prefix is None and units["county_health"].kind == "bureau"
        sun = org.person(s, "sun")
        assert sun.phone == "13800000003" and sun.must_change_password
        assert [(p.role, p.unit.key, p.title) for p in sun.posts] == [
            ("finance_center_head", "county_hospital", "财务管理中心主任")]
        for p in result["passwords"]:
            person = org.person(s, p["username"])
            assert org.check_password(person.password_hash, p["password"]) and person.must_change_password
            assert person.password_hash.startswith("scrypt:4096:8:1$") and len(p["password"]) == 16
            # the generated password keeps the [security] rules
            assert org_workbook.admin.DEFAULT_RULES.password_problem(p["password"], person.username, person.name) is None
        kinds = [e.kind for e in s.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()]
    assert kinds.count("org.unit_created") == 3 and kinds.count("org.person_created") == 3
    assert kinds.count("org.post_added") == 3 and kinds[-1] == "org.imported"
    events = count(db, AuditEvent)
    again = load(db, env, workbook(), actor="zhao")
    assert not again["changed"] and again["passwords"] == []
    assert (count(db, Unit), count(db, Person), count(db, Post), count(db, AuditEvent)) == (3, 3, 3, events)


def test_every_bad_row_is_listed_by_sheet_and_row_and_nothing_is_imported(db, env):
    units = [*UNITS,
             ["Bad Key", "某某县乙镇卫生院", "", "成员单位", ""],            # row 6 (title row, header, 3 good)
             ["town_a", "某某县甲镇卫生院（重复）", "", "成员单位", ""],       # row 7
             ["town_c", "某某县丙镇卫生院", "", "卫生院", "丙卫 发"],         # row 8: kind and code
             ["town_d", "", "", "成员单位", "某医共发"]]                     # row 9: no name, code taken
    people = [*PEOPLE,
              ["li", "李四", "abc", "li-at-example"],                        # row 6
              ["ZHAO", "赵一一", "", ""],                                    # row 7: same username, other case
              ["", "无名", "", ""]]                                          # row 8
    posts = [*POSTS,
             ["zhou", "town_a", "member_unit_head", ""],                     # row 6: nobody
             ["qian", "town_x", "member_unit_head", ""],                     # row 7: no such unit
             ["qian", "town_a", "院长", ""],                                 # row 8: no such role
             ["qian", "town_a", "成员单位执行院长（负责人）", ""]]          # row 9: listed at row 4
    with pytest.raises(OrgFileInvalid) as refused:
        load(db, env, workbook(units, people, posts, title_rows=1))
    assert refused.value.errors == [
        "「单位」第6行：单位代码「Bad Key」须为2–64位小写字母、数字或下划线，以小写字母开头",
        "「单位」第7行：单位代码「town_a」在「单位」第4行已出现",
        "「单位」第8行：类型「卫生院」不是 牵头医院、成员单位、主管部门、人民政府、党组织 之一",
        "「单位」第8行：机关代字「丙卫 发」不能含空格、数字或括号，最多20个字符",
        "「单位」第9行：「单位名称」不能为空",
        "「人员」第6行：电子邮箱「li-at-example」格式不正确",
        "「人员」第6行：电话「abc」格式不正确，请只填写数字、空格、连字符",
        "「人员」第7行：登录名「ZHAO」在「人员」第3行已出现",
        "「人员」第8行：「登录名」不能为空",
        "「任职」第6行：登录名「zhou」既不在「人员」表中，也不是系统中已有的人员",
        "「任职」第7行：单位「town_x」既不在「单位」表中，也不是系统中已有的单位",
        "「任职」第8行：角色「院长」不在规则文件 roles.toml 中（见「角色」表）",
        "「任职」第9行：钱二在该单位担任「成员单位执行院长（负责人）」已在「任职」第4行列出",
    ]
    assert str(refused.value) == "输入有误：组织文件有 13 处错误，未导入任何内容"
    assert (count(db, Unit), count(db, Person), count(db, Post), count(db, AuditEvent)) == (0, 0, 0, 0)


def test_a_missing_sheet_or_header_and_an_unreadable_file_are_refused(db, env):
    book = load_workbook(io.BytesIO(workbook()))
    del book["任职"]
    book["人员"].delete_rows(1)
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(OrgFileInvalid) as refused:
        org_workbook.read_file("county.xlsx", out.getvalue())
    assert refused.value.errors == ["人员：找不到表头（须含 登录名、姓名 列）", "缺少工作表「任职」"]
    with pytest.raises(InvalidInput, match="无法读取文件「county.xlsx」"):
        org_workbook.read_file("county.xlsx", b"not a workbook")
    with pytest.raises(InvalidInput, match="类型不受支持"):
        org_workbook.read_file("county.csv", b"a,b")


def test_the_first_import_must_name_an_administrator(db, env):
    posts = [row for row in POSTS if row[2] != "系统管理员"]
    with pytest.raises(OrgFileInvalid) as refused:
        load(db, env, workbook(posts=posts))
    assert refused.value.errors == ["工作簿中没有人担任「系统管理员」，导入后将无人能管理本系统"]
    assert count(db, Unit) == 0


def test_reimport_updates_by_key_and_audits_what_changed(db, env):
    load(db, env, workbook())
    units = [["county_hospital", "某某县总医院", "县总医院", "牵头医院", ""], *UNITS[1:]]
    people = [["zhao", "赵一", "13800000009", ""], *PEOPLE[1:], ["zhou", "周五", "", ""]]
    posts = [*POSTS[:2], ["sun", "county_hospital", "finance_center_head", "县总医院财务科科长"],
             ["zhou", "town_a", "member_unit_deputy", "甲镇卫生院副院长"]]
    checked = load(db, env, workbook(units, people, posts), actor="zhao", check_only=True)
    assert not checked["applied"] and checked["passwords"] == []
    assert count(db, Person) == 3
    done = load(db, env, workbook(units, people, posts), actor="zhao")
    expected = {"units_created": 0, "units_updated": 1, "people_created": 1, "people_updated": 1,
                "posts_created": 1, "posts_updated": 1}
    assert {k: done[k] for k in expected} == expected == {k: checked[k] for k in expected}
    assert [p["username"] for p in done["passwords"]] == ["zhou"]
    with db.sessions() as s:
        hospital = s.scalar(select(Unit).where(Unit.key == "county_hospital"))
        assert (hospital.name, hospital.short_name, hospital.doc_prefix) == ("某某县总医院", "县总医院", "某医共发")
        zhao = org.person(s, "zhao")
        assert (zhao.phone, zhao.email) == ("13800000009", "zhao@example.org")     # blank: unchanged
        events = {e.kind: e.payload for e in s.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()}
    assert events["org.unit_updated"]["changes"] == {"name": ["某某县人民医院", "某某县总医院"],
                                                     "short_name": ["县医院", "县总医院"]}
    assert events["org.person_updated"]["changes"] == {"phone": ["13800000001", "13800000009"]}
    assert events["org.post_updated"]["changes"] == {"title": ["财务管理中心主任", "县总医院财务科科长"]}
    assert "password" not in str(events)
    assert count(db, Post) == 4


def test_an_import_gives_no_post_to_a_deactivated_person(db, env):
    load(db, env, workbook())
    with db.sessions.begin() as s:
        org.person(s, "qian").active = False
    posts = [*POSTS, ["qian", "county_hospital", "职工代表", ""]]
    with pytest.raises(OrgFileInvalid) as refused:
        load(db, env, workbook(posts=posts), actor="zhao")
    assert refused.value.errors == ["「任职」第3行：钱二的账号已停用，不能任职",
                                    "「任职」第5行：钱二的账号已停用，不能任职"]


def test_only_an_administrator_imports_once_people_exist(community, env):
    with pytest.raises(NotPermitted):
        load(community, env, workbook(), actor="lichunyan")
    with pytest.raises(InvalidInput, match="请以系统管理员身份导入"):
        load(community, env, workbook())


def test_the_demo_exports_and_imports_back_without_change(community, env):
    with community.sessions() as s:
        exported = org_workbook.export(s, env, org.person(s, "gaowenjing"))
    events = count(community, AuditEvent)
    result = load(community, env, exported, actor="gaowenjing")
    assert not result["changed"] and count(community, AuditEvent) == events
    sheets = load_workbook(io.BytesIO(exported)).sheetnames
    assert sheets == ["说明", "单位", "人员", "任职", "角色"]


def test_the_shipped_example_is_the_export_of_the_demo_and_the_template_is_current(community, env):
    with community.sessions() as s:
        exported = org_workbook.export(s, env, None)
    assert cells(exported) == cells((ROOT / "quorum" / "demo" / "community.xlsx").read_bytes())
    assert cells(org_workbook.template(env.policies)) == cells(
        (ROOT / "quorum" / "demo" / "org_template.xlsx").read_bytes())
    units = cells(exported)["单位"]
    assert units[0] == ("单位代码", "单位名称", "简称", "类型", "机关代字")
    assert units[1] == ("general_hospital", "二连浩特市总医院", "总医院", "牵头医院", "二医共发")


def test_the_demo_toml_reads_as_the_workbook_does(db, env):
    toml = (ROOT / "quorum" / "demo" / "erlianhaote.toml").read_bytes()
    from_toml = org_workbook.read_file("erlianhaote.toml", toml)
    from_xlsx = org_workbook.read_file("community.xlsx", (ROOT / "quorum" / "demo" / "community.xlsx").read_bytes())
    roles = env.policies.policy_set.roles
    assert [(r.values["username"], r.values["unit"], roles[r.values["role"]], r.values["title"])
            for r in from_toml.posts] == [tuple(r.values.values()) for r in from_xlsx.posts]
    assert [r.values["key"] for r in from_toml.units] == [r.values["key"] for r in from_xlsx.units]
    assert [r.values["username"] for r in from_toml.people] == [r.values["username"] for r in from_xlsx.people]
    with pytest.raises(OrgFileInvalid) as refused:
        org_workbook.read_file("bad.toml", b"[[units]\nkey = 1")
    assert refused.value.errors[0].startswith("TOML 文件格式错误")
    bad = org_workbook.read_file("c.toml", "[[units]]\nkey = 'x'\nname = '某单位'\nkind = 'member_unit'\n".encode())
    with pytest.raises(OrgFileInvalid) as refused:
        with db.sessions.begin() as s:
            org_workbook.import_org(s, env, None, bad)
    assert refused.value.errors == ["「单位」第1项：单位代码「x」须为2–64位小写字母、数字或下划线，以小写字母开头"]


def cells(data: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(data))
    return {sheet.title: [tuple(c for c in row) for row in sheet.iter_rows(values_only=True)] for sheet in book}


def test_the_example_workbook_opens_in_libreoffice_calc_with_every_row(tmp_path):
    """Calc (headless) saves every sheet of the shipped example as CSV: the rows the import reads are there."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is needed to check the workbook opens in Calc"
    shutil.copy(ROOT / "quorum" / "demo" / "community.xlsx", tmp_path / "community.xlsx")
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                    "--outdir", str(tmp_path), str(tmp_path / "community.xlsx")],
                   check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)})
    sheets = {name: list(csv.reader(io.StringIO((tmp_path / f"community-{name}.csv").read_text(encoding="utf-8"))))
              for name in ("说明", "单位", "人员", "任职", "角色")}
    assert [len(sheets[n]) for n in ("单位", "人员", "任职")] == [18, 52, 55]
    assert sheets["人员"][:2] == [["登录名", "姓名", "电话", "电子邮箱"], ["bater", "巴特尔", "0479-7521036", "bater@example.org"]]
    assert sheets["任职"][1] == ["bater", "health_commission", "医共体党委书记", "市卫生健康委员会党组书记、主任，医共体党委书记"]
    assert sheets["说明"][0][0].startswith("医共体组织工作簿说明")
