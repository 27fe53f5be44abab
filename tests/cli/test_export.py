"""`quorum export decisions|supervision|documents` and `quorum supervision import` of an Excel task list.

The deployment runs the demo first (`quorum demo`: the 远程会诊中心 decided by the 院长办公会 and the 党委会,
its 纪要 and 督办 items, every draft signed), then exports the registers as the 党政办主任 would.
"""

import io
from datetime import datetime

from openpyxl import Workbook, load_workbook

from tests.cli.support import Cli, user_error, with_snapshot

SECRETARY = "gaowenjing"        # 党政办主任
INSPECTOR = "sunlixin"          # 纪检监察室主任
VICE_PRESIDENT = "liuzhigang"   # 分管副院长: may export no register


def demo(cli: Cli) -> None:
    with_snapshot(cli, "cli_demo", lambda: cli.ok("demo"))


def rows_of(path) -> list[list[object]]:
    book = load_workbook(io.BytesIO(path.read_bytes()))
    return [list(r) for r in book.active.iter_rows(values_only=True)]


def test_export_writes_each_register_as_a_workbook(cli, tmp_path):
    demo(cli)
    decisions = tmp_path / "台账.xlsx"
    out = cli.ok("export", "decisions", "--year", "2026", decisions, "--as", SECRETARY)
    assert out.strip() == f"已导出2026年度“三重一大”事项决策台账（7项）：{decisions}"
    rows = rows_of(decisions)
    assert rows[1][:4] == ["序号", "事项名称", "事项类别", "提出单位"]
    project = next(r for r in rows[2:] if r[1] == "关于建设医共体远程会诊中心的议题")
    assert project[2] == "重大项目安排" and "党委会：通过（同意6票、不同意1票、弃权0票）" in project[9]
    supervision = tmp_path / "督办.xlsx"
    found = cli.json("export", "supervision", supervision, "--as", INSPECTOR)
    assert found == {"register": "supervision", "title": "督办事项台账", "rows": 2, "file": str(supervision),
                     "bytes": supervision.stat().st_size}
    assert [r[1] for r in rows_of(supervision)[2:]] == ["完成远程会诊中心设备与平台的政府采购",
                                                       "完成与六家成员单位远程会诊系统的联调上线"]
    documents = tmp_path / "发文.xlsx"
    cli.ok("export", "documents", documents, "--as", SECRETARY)          # the year defaults to --now's
    numbers = [r[1] for r in rows_of(documents)[2:]]
    assert len(numbers) == 26 and "二医共党发〔2026〕6号" in numbers


def test_export_is_refused_in_words_to_who_may_not_and_for_a_bad_year(cli, tmp_path):
    demo(cli)
    target = tmp_path / "台账.xlsx"
    line = user_error(cli.run("export", "decisions", target, "--as", VICE_PRESIDENT), "not_permitted")
    assert "可以导出三重一大决策台账" in line and not target.exists()
    line = user_error(cli.run("export", "documents", "--year", "明年", target, "--as", SECRETARY), "invalid_input")
    assert "年份「明年」不合理" in line
    line = user_error(cli.run("export", "supervision", tmp_path / "无此目录" / "x.xlsx", "--as", SECRETARY),
                      "invalid_input")
    assert "无法写入文件" in line


def test_supervision_import_reads_an_excel_list_with_a_title_row(cli, tmp_path):
    demo(cli)
    book = Workbook()
    for row in (["二连浩特市卫生健康委员会2026年重点任务清单"], [], ["序号", "任务", "责任单位", "完成时限"],
                [1, "建成远程心电诊断中心", "总医院、市医保局", datetime(2026, 12, 15)],
                [2, "完成基层医务人员轮训", "各医共体", "12月底"]):
        book.active.append(row)
    path = tmp_path / "tasks_2026.xlsx"
    book.save(path)
    out = cli.ok("supervision", "import", path, "--as", SECRETARY)
    assert out.startswith("已从「tasks_2026.xlsx」导入 2 项督办事项，跳过 0 项。")
    assert "第4行（序号 1） 牵头 总医院，配合 市医保局｜时限 2026-12-15" in out
    assert "general_hospital" not in out
    found = cli.json("supervision", "import", path, "--as", SECRETARY)
    assert found["created"] == [] and len(found["skipped"]) == 2           # the same list twice: nothing new


def test_supervision_import_of_a_gbk_list_names_every_unknown_unit_in_one_line(cli, tmp_path):
    demo(cli)
    path = tmp_path / "tasks_2026.csv"
    path.write_bytes(("序号,任务,责任单位,完成时限\r\n1,建成远程心电诊断中心,总医院,12月底\r\n"
                      "2,建成示范县,各州市人民政府,12月底\r\n3,推进示范县创建,各州市人民政府、市医保中心,2026年6月\r\n"
                      ).encode("gbk"))
    line = user_error(cli.run("supervision", "import", path, "--as", SECRETARY), "invalid_input")
    assert "「各州市人民政府」（第3行（序号 2）、第4行（序号 3））" in line and "「市医保中心」（第4行（序号 3））" in line
    out = cli.ok("supervision", "import", path, "--skip-unknown", "--as", SECRETARY)
    assert out.startswith("已从「tasks_2026.csv」导入 1 项督办事项，跳过 2 项。")
