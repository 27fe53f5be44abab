"""`quorum org import|export|template` (issue 15, item 1): a county onboards from the command line."""

import io
import json

from openpyxl import load_workbook
from sqlalchemy.orm import Session

from quorum.services import org
from tests.cli.support import ROOT


def filled(template, out):
    """The template `quorum org template` wrote, filled with two units and three people."""
    book = load_workbook(template)
    for row in (["county_hospital", "某某县人民医院", "县医院", "牵头医院", "某医共发"],
                ["town_a", "某某县甲镇卫生院", "甲镇卫生院", "成员单位", ""]):
        book["单位"].append(row)
    for row in (["zhao", "赵一", "13800000001", "zhao@example.org"], ["qian", "钱二", "", ""],
                ["sun", "孙三", "", ""]):
        book["人员"].append(row)
    for row in (["zhao", "county_hospital", "系统管理员", "信息科科长"], ["qian", "town_a", "成员单位执行院长（负责人）", ""],
                ["sun", "town_a", "member_unit_deputy", "甲镇卫生院副院长"]):
        book["任职"].append(row)
    book.save(out)
    return out


def test_a_county_onboards_from_the_template_on_the_command_line(cli, tmp_path):
    cli.ok("init")
    assert cli.ok("org", "template", tmp_path / "t.xlsx") == f"已写出 {tmp_path / 't.xlsx'}：单位 0 个，人员 0 人，任职 0 项\n"
    county = filled(tmp_path / "t.xlsx", tmp_path / "county.xlsx")
    checked = cli.ok("org", "import", county, "--check")
    assert checked.startswith("检查通过，导入将：单位 新增 2、更新 0；人员 新增 3、更新 0；任职 新增 3、更新 0（未导入）")
    out = cli.ok("org", "import", county)
    lines = out.splitlines()
    assert lines[0] == "导入完成：单位 新增 2、更新 0；人员 新增 3、更新 0；任职 新增 3、更新 0"
    assert lines[1:5] == [
        "提示：议事机构「医共体党委会议」还没有人担任其席位角色（医共体党委书记、医共体党委副书记、总院长、成员单位党组织主要负责人），暂不能召开",
        "提示：议事机构「总医院院长办公会议」还没有人担任其席位角色（总院长、分管副院长、总会计师、医共体党委副书记），暂不能召开",
        "提示：议事机构「医共体管理委员会会议」还没有人担任其席位角色（管委会主任、管委会成员），暂不能召开",
        "提示：议事机构「总医院职工代表大会」还没有人担任其席位角色（工会主席、职工代表），暂不能召开"]
    assert lines[5].startswith("新人员的初始密码（只显示这一次")
    assert [line.split("：")[0] for line in lines[6:]] == ["  赵一（登录名 zhao）", "  钱二（登录名 qian）",
                                                         "  孙三（登录名 sun）"]
    passwords = {line.split("登录名 ")[1].split("）")[0]: line.split("：", 1)[1] for line in lines[6:]}
    engine = cli.engine()
    with Session(engine) as s:
        for username, password in passwords.items():
            person = org.person(s, username)
            assert org.check_password(person.password_hash, password) and person.must_change_password
    engine.dispose()
    refused = cli.run("org", "import", county)
    assert refused.returncode == 2 and "请以系统管理员身份导入（--as 登录名）" in refused.stderr
    unchanged = cli.ok("org", "import", county, "--as", "zhao").splitlines()
    assert unchanged == ["没有变化：文件与系统中的组织一致", *lines[1:5]]         # the bodies still without seats
    shown = cli.json("matter", "submit", "--workflow", "expenditure", "--title", "甲镇卫生院购置打印机",
                     "--field", "unit=town_a", "--field", "purpose=打印机", "--field", "amount=8000",
                     "--field", "summary=购置打印机一台。", "--as", "sun")
    assert shown["current_step"] == "member_head_approval"


def test_bad_rows_are_listed_on_stderr_and_nothing_is_imported(cli, tmp_path):
    cli.ok("init")
    cli.ok("org", "template", tmp_path / "t.xlsx")
    book = load_workbook(filled(tmp_path / "t.xlsx", tmp_path / "county.xlsx"))
    book["人员"].append(["li", "李四", "abc", ""])
    book["任职"].append(["zhou", "town_a", "职工代表", ""])
    book.save(tmp_path / "bad.xlsx")
    result = cli.run("org", "import", tmp_path / "bad.xlsx")
    assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "错误：输入有误：组织文件有 2 处错误，未导入任何内容",
        "  「人员」第5行：电话「abc」格式不正确，请只填写数字、空格、连字符",
        "  「任职」第5行：登录名「zhou」既不在「人员」表中，也不是系统中已有的人员"]
    as_json = cli.run("org", "import", tmp_path / "bad.xlsx", "--json")
    body = json.loads(as_json.stderr)
    assert as_json.returncode == 2 and body["error"] == "invalid_input" and len(body["errors"]) == 2
    assert cli.json("org", "export", tmp_path / "empty.xlsx")["people"] == 0
    missing = cli.run("org", "import", tmp_path / "nothing.xlsx")
    assert missing.returncode == 2 and "无法读取文件" in missing.stderr


def test_the_demo_toml_loads_and_its_export_imports_back_unchanged(cli, tmp_path):
    cli.ok("init")
    done = cli.json("org", "import", ROOT / "quorum" / "demo" / "erlianhaote.toml")
    assert (done["units_created"], done["people_created"], done["posts_created"]) == (17, 51, 54)
    assert len(done["passwords"]) == 51 and done["warnings"] == []         # every body of the demo has its seats
    written = cli.json("org", "export", tmp_path / "org.xlsx", "--as", "gaowenjing")
    assert (written["units"], written["people"], written["posts"]) == (17, 51, 54)
    again = cli.json("org", "import", tmp_path / "org.xlsx", "--as", "gaowenjing")
    assert again["changed"] is False and again["passwords"] == []
    book = load_workbook(io.BytesIO((tmp_path / "org.xlsx").read_bytes()))
    assert book["人员"]["A2"].value == "bater" and book["任职"]["C2"].value == "医共体党委书记"
    refused = cli.run("org", "export", tmp_path / "x.xlsx", "--as", "lichunyan")
    assert refused.returncode == 2 and "无权" in refused.stderr
