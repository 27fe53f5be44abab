"""The chains from the command line: an expenditure paid past its tolerance, a 公示 objection, 加签, timers."""

from tests.cli.support import json_error, user_error


def test_an_expenditure_from_filing_to_payment_on_the_command_line(cli):
    cli.ok("init", "--demo-org")
    matter = cli.json("matter", "submit", "--workflow", "expenditure", "--title", "乌兰社区中心购置打印机",
                      "--field", "unit=wulan_chc", "--field", "purpose=打印机", "--field", "amount=8000",
                      "--field", "summary=购置打印机一台。", "--as", "zhanghua")
    assert matter["current_step"] == "member_head_approval"
    signer = cli.json("task", "add-signer", "1", "--to", "temuer", "--reason", "请党支部书记一并审核", "--as", "lichunyan")
    assert signer == {"task": 2, "signer": "temuer"}
    for task, user in ((1, "lichunyan"), (2, "temuer")):
        cli.ok("task", "act", str(task), "--action", "approve", "--comment", "同意。", "--as", user)
    tasks = cli.json("task", "list", "--as", "yangxiaodong")
    cli.ok("task", "act", str(tasks[0]["id"]), "--action", "approve", "--comment", "同意。", "--as", "yangxiaodong")
    notice = cli.json("task", "list", "--as", "gaowenjing")[0]
    cli.ok("task", "act", str(notice["id"]), "--action", "record", "--comment", "同意采购。", "--as", "gaowenjing")
    execution = cli.json("task", "list", "--as", "yangxiaodong")[0]
    assert execution["kind"] == "execution"
    refused = cli.run("--json", "expenditure", "pay", str(execution["id"]), "--amount", "9000", "--as", "yangxiaodong")
    assert "超过批准金额 8,000 元 的 10%" in json_error(refused, "exceeds_tolerance")
    paid = cli.json("expenditure", "pay", str(execution["id"]), "--amount", "8000", "--date", "2026-11-02",
                    "--as", "yangxiaodong")
    assert paid["amount"] == "8000.00"
    done = cli.json("expenditure", "complete", str(execution["id"]), "--as", "yangxiaodong")
    assert done["done"] is True
    shown = cli.json("matter", "show", str(matter["id"]))
    assert shown["status"] == "closed"


def test_refusals_on_the_command_line_are_one_line_with_their_key(cli):
    cli.ok("init", "--demo-org")
    result = cli.run("publicity", "object", "1", "--text", "反映。", "--complainant", "王某", "--as", "alatan")
    assert user_error(result, "not_found") == "未找到事项：1"
    result = cli.run("task", "add-signer", "99", "--to", "temuer", "--reason", "x", "--as", "lichunyan")
    assert "未找到待办：99" in user_error(result, "not_found")
    assert cli.ok("timers") == "没有到期须处理的事项。\n"
