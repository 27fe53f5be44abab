"""`quorum matter list` (issue 15, items 2 and 8): the 事项 list's search and filters on the command line.

On a fresh deployment with the demo 医共体 (`init --demo-org`), 张华 files two 大额资金 requests and 李春燕 approves
one with an opinion; the list finds them by title, field value and opinion, by filter, a page at a time, as --as
sees them — text with names only, --json with usernames and unit keys beside the names and the totals.
"""

import re

import pytest

from tests.cli.support import NOW, json_error, user_error

KEY = re.compile(r"\b[a-z]+_[a-z_]+\b")
APPLICANT, HEAD = "zhanghua", "lichunyan"


def submit(cli, title: str, purpose: str) -> int:
    return cli.json("matter", "submit", "--workflow", "expenditure", "--title", title, "--field", "unit=wulan_chc",
                    "--field", f"purpose={purpose}", "--field", "amount=8000", "--field", f"summary={title}。",
                    "--as", APPLICANT)["id"]


@pytest.fixture
def filed(cli):
    cli.ok("init", "--demo-org")
    printer, ambulance = submit(cli, "乌兰社区中心购置打印机", "办公设备"), submit(cli, "乌兰社区中心购置救护车", "医疗设备")
    task = cli.json("task", "list", "--as", HEAD)[0]
    cli.ok("task", "act", str(task["id"]), "--action", "approve", "--comment", "同意，注意节能降耗。", "--as", HEAD)
    return {"printer": printer, "ambulance": ambulance, "approved": task["matter_id"]}


def ids(cli, *args: str) -> list[int]:
    return [m["id"] for m in cli.json("matter", "list", *args)["matters"]]


def test_search_and_filters_as_the_web_and_the_api(cli, filed):
    assert ids(cli, "--q", "救护车", "--as", APPLICANT) == [filed["ambulance"]]
    assert ids(cli, "--q", "医疗设备", "--as", APPLICANT) == [filed["ambulance"]]              # a field value
    assert ids(cli, "--q", "节能降耗", "--as", APPLICANT) == [filed["approved"]]               # an opinion
    assert ids(cli, "--q", "车", "--as", APPLICANT) == [filed["ambulance"]]                    # one character
    assert ids(cli, "--mine", "--as", APPLICANT) == [filed["ambulance"], filed["printer"]]
    assert ids(cli, "--mine", "--as", HEAD) == [filed["approved"]]
    waiting = [m for m in (filed["printer"], filed["ambulance"]) if m != filed["approved"]]
    assert ids(cli, "--waiting", "--as", HEAD) == waiting
    assert ids(cli, "--category", "expenditure", "--unit", "wulan_chc", "--status", "active", "--as", APPLICANT) == \
        [filed["ambulance"], filed["printer"]]
    day = NOW[:10]
    assert ids(cli, "--workflow", "expenditure", "--from", day, "--to", day, "--as", "sunlixin") == \
        [filed["ambulance"], filed["printer"]]
    assert ids(cli, "--to", "2000-01-01", "--as", APPLICANT) == []


def test_pages_and_totals_in_json_with_keys_beside_names(cli, filed):
    page = cli.json("matter", "list", "--mine", "--per-page", "1", "--page", "2", "--as", APPLICANT)
    assert (page["total"], page["page"], page["per_page"], page["pages"]) == (2, 2, 1, 2)
    row = page["matters"][0]
    assert row["id"] == filed["printer"]
    assert (row["initiator"], row["initiator_username"]) == ("张华", APPLICANT)
    assert (row["unit_key"], row["workflow"], row["status"]) == ("wulan_chc", "expenditure", "active")


def test_the_text_shows_names_only(cli, filed):
    out = cli.ok("matter", "list", "--mine", "--per-page", "1", "--as", APPLICANT)
    lines = out.splitlines()
    assert lines[0] == "共 2 件，第 1/2 页"
    assert f"#{filed['ambulance']}" in lines[1] and "乌兰社区中心购置救护车" in lines[1] and "[办理中]" in lines[1]
    assert "大额资金" in lines[1] and "张华" in lines[1] and "二连浩特市乌兰社区卫生服务中心" in lines[1]
    assert lines[-1] == "下一页：加 --page 2"
    assert KEY.findall(out) == [] and APPLICANT not in out
    assert cli.ok("matter", "list", "--q", "不存在的事项", "--as", APPLICANT) == "没有符合条件的事项\n"


def test_a_bad_filter_or_no_actor_is_one_chinese_line(cli, filed):
    assert "状态「done」不存在" in user_error(cli.run("matter", "list", "--status", "done", "--as", APPLICANT),
                                               "invalid_input")
    assert "单位「atlantis」未登记" in user_error(cli.run("matter", "list", "--unit", "atlantis", "--as", APPLICANT),
                                                "invalid_input")
    assert "起始日期「2026-02-30」不是有效日期" in json_error(
        cli.run("matter", "list", "--from", "2026-02-30", "--as", APPLICANT, "--json"), "invalid_input")
    assert "--as" in user_error(cli.run("matter", "list"), "invalid_input")
