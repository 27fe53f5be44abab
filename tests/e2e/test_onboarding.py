"""A county moves in (issue 15, item 1), in the browser: from the shipped template to a finished 大额资金 request.

The server's operator loads a first workbook naming only the administrator (as `quorum org import` does on a
database without people). The administrator signs in with the generated password, must change it, uploads the
county's workbook — the shipped template filled with three units and ten people — reads every new person's
password from the page, and registers a 机关代字. Then a member unit's deputy, signing in for the first time,
files a 成员单位大额资金使用 request on her phone, her unit head approves it from his inbox, and the 财务管理中心
and the 党政办 take it to its end: the imported organisation routes every step.
"""

import io
import re
import secrets

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from quorum.db import Matter, Task
from quorum.services import expenditure, matters, org, org_workbook
from quorum.settings import load_settings
from tests.conftest import ROOT
from tests.e2e.conftest import LiveServer
from webui import create_app

TEMPLATE = ROOT / "quorum" / "demo" / "org_template.xlsx"
UNITS = [["county_hospital", "某某县人民医院", "县医院", "牵头医院", "某医共发"],
         ["town_a", "某某县甲镇卫生院", "甲镇卫生院", "成员单位", ""],
         ["county_health", "某某县卫生健康局", "县卫健局", "主管部门", "某卫健发"]]
PEOPLE = [("zhao", "赵一", "county_hospital", "系统管理员", "县医院党政办公室主任（平台管理员）"),
          ("zhao", None, "county_hospital", "党政办公室", "县医院党政办公室主任"),
          ("qian", "钱二", "town_a", "成员单位执行院长（负责人）", "甲镇卫生院院长"),
          ("sunli", "孙丽", "town_a", "成员单位副职（班子成员）", "甲镇卫生院副院长"),
          ("lidong", "李东", "town_a", "成员单位党组织主要负责人", "甲镇卫生院党支部书记"),
          ("zhoujie", "周杰", "county_hospital", "财务管理中心主任", "县医院财务管理中心主任"),
          ("wuqing", "吴青", "county_hospital", "总会计师", "县医院总会计师"),
          ("zhengyu", "郑宇", "county_hospital", "总院长", "县医院院长"),
          ("wanghai", "王海", "county_hospital", "分管副院长", "县医院副院长"),
          ("fengyun", "冯云", "county_health", "医共体党委书记", "县卫健局党组书记、局长"),
          ("chenmo", "陈默", "county_hospital", "纪检监察室主任", "县医院纪检监察室主任")]


def workbook(units, people) -> bytes:
    """The shipped template, filled in with openpyxl as the county's clerk would in Excel."""
    book = load_workbook(TEMPLATE)
    for row in units:
        book["单位"].append(row)
    names = {}
    for username, name, unit, role, title in people:
        if name and username not in names:
            names[username] = name
            book["人员"].append([username, name, f"0479-75{len(names):05d}", f"{username}@example.org"])
        book["任职"].append([username, unit, role, title])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def empty_live(db, env, tmp_path):
    settings = load_settings(ROOT / "config.toml", env={"QUORUM_DATA_DIR": str(tmp_path / "data"),
                                                        "QUORUM_SECRET_KEY": secrets.token_urlsafe(32)})
    app = create_app(settings, database=db, now=env.now, test_config={"TESTING": False})
    app.extensions["quorum"].policies = env.policies
    with LiveServer(app) as server:
        yield server


def first_sign_in(browser, live, username: str, password: str, chosen: str, width: int = 1280):
    """Sign in with the generated password; the first page is the password change; then 我的待办."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live.url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live.url}/account/password")
    assert "首次登录" in page.locator("body").inner_text()
    page.goto(f"{live.url}/tasks")                              # any page leads back to the password change
    page.wait_for_url(f"{live.url}/account/password")
    page.fill("input[name=current_password]", password)
    page.fill("input[name=new_password]", chosen)
    page.fill("input[name=confirm_password]", chosen)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live.url}/tasks")
    return page


def test_a_county_onboards_from_the_template_and_runs_a_large_expenditure(db, env, empty_live, browser, tmp_path):
    live = empty_live
    with db.sessions.begin() as s:                              # `quorum org import` on the server, no --as
        first = org_workbook.import_org(s, env, None, org_workbook.read_file(
            "admin.xlsx", workbook(UNITS[:1], PEOPLE[:1])))
    zhao_password = first["passwords"][0]["password"]

    admin = first_sign_in(browser, live, "zhao", zhao_password, "Xian-Admin-2026")
    admin.goto(f"{live.url}/admin/org")
    county = tmp_path / "某某县医共体组织.xlsx"
    county.write_bytes(workbook(UNITS, PEOPLE))
    admin.set_input_files("input[name=file]", str(county))
    admin.click("button[value=check]")
    admin.wait_for_load_state()
    result = admin.locator("[data-testid=org-result]").inner_text()
    assert "检查通过，尚未导入" in result
    admin.set_input_files("input[name=file]", str(county))
    admin.click("button[value=apply]")
    admin.wait_for_load_state()
    table = admin.locator("[data-testid=org-result] table").first.inner_text()
    assert re.search(r"单位\s+2\s+0", table) and re.search(r"人员\s+9\s+0", table)
    assert re.search(r"任职\s+10\s+0", table)
    passwords = {}
    for row in admin.locator("[data-testid=org-passwords] tbody tr").all():
        name, username, password = (c.strip() for c in row.locator("td").all_inner_texts())
        passwords[username] = password
    assert sorted(passwords) == sorted({p[0] for p in PEOPLE} - {"zhao"})
    assert admin.evaluate("document.documentElement.scrollWidth") <= 1280

    admin.goto(f"{live.url}/admin/units")
    units = admin.locator("[data-testid=units]").inner_text()
    assert "县医院" in units and "甲镇卫生院" in units and "县卫健局" in units and "某医共发" in units
    admin.locator("[data-testid=units] a", has_text="甲镇卫生院").click()
    admin.fill("input[name=code]", "甲卫发")
    admin.click("[data-testid=edit-unit] button.primary")
    admin.wait_for_url(f"{live.url}/admin/units")
    assert "甲卫发" in admin.locator("[data-testid=units]").inner_text()

    filer = first_sign_in(browser, live, "sunli", passwords["sunli"], "Jiazhen-Fuyuan-26", width=390)
    filer.goto(f"{live.url}/matters/new?workflow=expenditure")
    filer.fill("#f-title", "甲镇卫生院购置心电图机")
    filer.select_option("#f-unit", "town_a")
    filer.fill("#f-purpose", "设备器械购置")
    filer.fill("#f-amount", "8000")
    filer.fill("#f-summary", "购置十二导心电图机一台，询价三家后择优采购。")
    filer.click("[data-testid=matter-form] button[type=submit]")
    filer.wait_for_url(re.compile(r".*/matters/\d+$"))
    matter_id = int(filer.url.rsplit("/", 1)[1])
    assert "成员单位负责人审批" in filer.locator("body").inner_text()
    assert filer.evaluate("document.documentElement.scrollWidth") <= 390

    head = first_sign_in(browser, live, "qian", passwords["qian"], "Jiazhen-Yuanzhang-26", width=390)
    card = head.locator("[data-testid=tasks] li", has_text="甲镇卫生院购置心电图机")
    card.locator("textarea[name=comment]").fill("同意购置。")
    card.locator("button[name=action][value=approve]").click()
    head.wait_for_load_state()
    assert head.locator("[data-testid=tasks] li", has_text="甲镇卫生院购置心电图机").count() == 0

    def task_of(username: str) -> int:
        with db.sessions.begin() as s:
            person = org.person(s, username)
            return s.scalar(select(Task.id).where(Task.matter_id == matter_id, Task.assignee_id == person.id,
                                                  Task.status == "open"))

    def do(username: str, fn, *args, **kw):
        with db.sessions.begin() as s:
            return fn(s, env, org.person(s, username), *args, **kw)

    do("zhoujie", matters.act, task_of("zhoujie"), "approve", "预算内，来源合规。")
    do("zhao", matters.act, task_of("zhao"), "record", "同意甲镇卫生院购置心电图机。")
    execution = task_of("zhoujie")
    do("zhoujie", expenditure.pay, execution, "7800")
    do("zhoujie", expenditure.complete, execution, "已按合同支付。")
    with db.sessions.begin() as s:
        assert s.get(Matter, matter_id).status == "closed"
    filer.goto(f"{live.url}/matters/{matter_id}")
    assert "事项办结" in filer.locator("body").inner_text()
    for page in (admin, filer, head):
        page.context.close()
