"""The registers in Excel (issue 15, item 3): 三重一大决策台账, 督办台账 and 发文登记簿 of the demo 医共体.

The demo (quorum.services.demo.run) has heard seven matters in 2026: the 远程会诊中心 went through its
前置程序, the 院长办公会 (5 of 5, all 同意) and the 党委会 (8 of 9 present, 孟和 recused, 陈国庆 voted
不同意 with his reason), and its 纪要 opened two 督办 items. Each register is exported, read back with
openpyxl, and opened by LibreOffice Calc (converted to CSV) to see the rows a clerk would see.
"""

import csv
import io
import os
import re
import shutil
import subprocess
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from quorum.core.errors import InvalidInput, NotPermitted
from quorum.db import Document, Person, Unit
from quorum.services import documents, org, registers
from quorum.services import supervision_import as imp
from quorum.services.demo import Scenario
from quorum.services.xlsx_layout import FIRST_ROW, HEADER_ROW
from tests.helpers import counting

KEY = re.compile(r"\b[a-z]+_[a-z_]+\b")      # an internal key such as major_matter or general_hospital
SECRETARY = "gaowenjing"        # 党政办主任
INSPECTOR = "sunlixin"          # 纪检监察室主任
VICE_PRESIDENT = "liuzhigang"   # 分管副院长: neither secretariat nor 纪检
PROJECT = "关于建设医共体远程会诊中心的议题"
PROCUREMENT = "完成远程会诊中心设备与平台的政府采购"
ROLL_OUT = "完成与六家成员单位远程会诊系统的联调上线"


@pytest.fixture
def demo(community, env, decided_demo, tmp_path):
    """The demo decided, its drafts signed (numbered) with their files under tmp_path."""
    denv = replace(env, files_dir=tmp_path / "files")
    decided_demo(denv)
    return Scenario(community.sessions, denv)


def export(sc, username: str, kind: str, year: int | None = 2026) -> registers.Register:
    return sc.do(username, registers.build, kind, year)


def sheet_rows(data: bytes) -> tuple[object, list[list[object]]]:
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    return sheet, [list(r) for r in sheet.iter_rows(values_only=True)]


def by_header(rows: list[list[object]]) -> list[dict[str, object]]:
    header = rows[HEADER_ROW - 1]
    return [dict(zip(header, r, strict=True)) for r in rows[FIRST_ROW - 1:]]


def calc_csv(tmp_path: Path, files: dict[str, bytes]) -> dict[str, list[list[str]]]:
    """Open each workbook in LibreOffice Calc (headless) and save its sheet as UTF-8 CSV."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is needed to check the registers open in Calc"
    work = tmp_path / "calc"
    work.mkdir()
    paths = []
    for name, data in files.items():
        (work / f"{name}.xlsx").write_bytes(data)
        paths.append(str(work / f"{name}.xlsx"))
    profile = (tmp_path / "profile").as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(work), *paths],
                   check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)})
    return {name: list(csv.reader(io.StringIO((work / f"{name}.csv").read_text(encoding="utf-8"))))
            for name in files}


def test_the_decision_register_has_one_row_per_matter_heard_with_the_facts_of_each_meeting(demo):
    register = export(demo, SECRETARY, "decisions")
    assert register.file_name == "三重一大决策台账-2026.xlsx" and register.title == "2026年度“三重一大”事项决策台账"
    sheet, rows = sheet_rows(register.xlsx())
    assert rows[0][0].startswith("2026年度“三重一大”事项决策台账") and "共7项" in rows[0][0]
    assert rows[1] == ["序号", "事项名称", "事项类别", "提出单位", "金额（元）", "前置程序及结果", "决策会议及日期",
                       "到会/应到", "回避人员", "表决结果", "不同意及保留意见", "纪要编号", "督办落实情况", "事项状态"]
    found = by_header(rows)
    assert [r["序号"] for r in found] == list(range(1, 8))
    project = next(r for r in found if r["事项名称"] == PROJECT)
    assert project["事项类别"] == "重大项目安排" and project["提出单位"] == "二连浩特市总医院"
    assert Decimal(str(project["金额（元）"])) == Decimal("860000")
    assert project["前置程序及结果"].splitlines() == ["合法性审查意见：同意", "风险评估报告：同意", "征求意见汇总：同意",
                                                 "财务管理中心审核意见：同意"]
    assert project["决策会议及日期"].splitlines() == ["院长办公会\u30002026-10-21", "党委会\u30002026-10-26"]
    assert project["到会/应到"].splitlines() == ["院长办公会\u30005/5", "党委会\u30008/9"]
    assert project["回避人员"] == "党委会：孟和（其近亲属在拟参与投标的设备供应商任职，依规回避）"
    assert project["表决结果"].splitlines() == ["院长办公会：通过（同意5票、不同意0票、弃权0票）",
                                            "党委会：通过（同意6票、不同意1票、弃权0票）"]
    assert project["不同意及保留意见"] == "党委会\u3000陈国庆（不同意）：建议先试点连通两家社区中心，再全面铺开，控制一次性投入。"
    assert project["纪要编号"].splitlines() == ["院长办公会议纪要〔2026〕第2期", "党委会议纪要〔2026〕第2期"]
    assert project["督办落实情况"].splitlines() == [f"{PROCUREMENT}（办理中，时限2026-11-24）",
                                              f"{ROLL_OUT}（办理中，时限2026-11-30）"]
    appointment = next(r for r in found if r["事项类别"] == "干部任免")
    assert appointment["回避人员"].startswith("党委会：特木尔（") and appointment["金额（元）"] is None
    plan = next(r for r in found if r["事项名称"] == "二连浩特市紧密型医共体2026年度绩效分配方案")
    assert plan["决策会议及日期"].count("\n") == 2 and "职代会会议纪要〔2026〕第1期" in plan["纪要编号"]
    # no internal key or username in any cell
    cells = " ".join(str(c) for r in rows for c in r if c is not None)
    assert not any(word in cells for word in ("major_matter", "project", "party_committee", "gaowenjing", "agree"))


def test_the_register_is_laid_out_for_printing(demo):
    sheet, rows = sheet_rows(export(demo, SECRETARY, "decisions").xlsx())
    assert sheet.freeze_panes == "A3" and sheet.print_title_rows == "$2:$2"
    assert sheet.page_setup.orientation == "landscape" and str(sheet.page_setup.paperSize) == "9"    # 9: A4
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert "A1:N1" in {str(r) for r in sheet.merged_cells.ranges}
    header = sheet["B2"]
    assert header.font.b and header.border.left.style == "thin" and header.alignment.wrap_text
    title_width, pre_review_width = sheet.column_dimensions["B"].width, sheet.column_dimensions["F"].width
    assert 16 <= title_width <= 30 and 12 <= pre_review_width <= 28
    assert sheet["E3"].number_format == "#,##0.00" and sheet["F9"].alignment.wrap_text
    assert sheet.row_dimensions[9].height >= 4 * 15        # the project's four 前置程序 lines fit


def test_the_supervision_register_lists_every_item_with_units_progress_and_status(demo):
    register = export(demo, INSPECTOR, "supervision", None)
    _, rows = sheet_rows(register.xlsx())
    found = by_header(rows)
    assert [r["督办事项"] for r in found] == [PROCUREMENT, ROLL_OUT]
    first, second = found
    assert first["来源"] == f"事项：{PROJECT}" and first["牵头单位"] == "二连浩特市总医院"
    assert first["协办单位"] == "二连浩特市财政局" and first["完成时限"] == "2026-11-24"
    assert first["办理状态"] == "办理中" and first["进展情况"] == "2026-10-27\u3000采购需求已论证，招标文件已报财政局备案。"
    assert second["协办单位"].split("、")[0] == "二连浩特市蒙医中医医院" and second["进展情况"] is None


def test_the_document_register_lists_the_numbered_documents_of_the_year(demo):
    register = export(demo, SECRETARY, "documents")
    _, rows = sheet_rows(register.xlsx())
    found = by_header(rows)
    numbers = [r["发文字号"] for r in found]
    assert len(found) == 26 and all(numbers) and len(set(numbers)) == 26
    decision = next(r for r in found if r["发文字号"] == "二医共党发〔2026〕6号")
    assert decision["文种"] == "决定" and decision["签发人"] == "巴特尔" and decision["成文日期"] == "2026-10-26"
    assert decision["发文机关"] == "中共二连浩特市紧密型医共体委员会" and decision["状态"] == "已签发"
    minutes = next(r for r in found if r["发文字号"] == "党委会议纪要〔2026〕第2期")
    assert minutes["密级/公开属性"] == "内部资料"
    assert by_header(sheet_rows(export(demo, SECRETARY, "documents", 2025).xlsx())[1]) == []


def test_a_voided_document_keeps_its_line_and_says_why(demo):
    with demo.sessions.begin() as s:
        doc_id = s.execute(select(Document.id).where(Document.doc_number == "二医共发〔2026〕6号")).scalar_one()
    demo.do(SECRETARY, documents.void, doc_id, "批复金额有误，作废后重新发文")
    found = by_header(sheet_rows(export(demo, SECRETARY, "documents").xlsx())[1])
    reply = next(r for r in found if r["发文字号"] == "二医共发〔2026〕6号")
    assert reply["状态"] == "已作废：批复金额有误，作废后重新发文" and len(found) == 26


def test_the_registers_open_in_libreoffice_calc_with_the_expected_rows(demo, tmp_path):
    files = {kind: export(demo, SECRETARY, kind).xlsx() for kind in registers.KINDS}
    sheets = calc_csv(tmp_path, files)
    decisions = sheets["decisions"]
    assert decisions[1][:5] == ["序号", "事项名称", "事项类别", "提出单位", "金额（元）"]
    assert len([r for r in decisions[2:] if any(r)]) == 7
    project = next(r for r in decisions if len(r) > 1 and r[1] == PROJECT)
    assert project[4] == "860,000.00" and "陈国庆（不同意）" in project[10] and "党委会\u30008/9" in project[7]
    supervision = sheets["supervision"]
    assert [r[1] for r in supervision[2:] if any(r)] == [PROCUREMENT, ROLL_OUT]
    documents = sheets["documents"]
    assert documents[1][1] == "发文字号" and len([r for r in documents[2:] if any(r)]) == 26
    assert any(r[1] == "二医共党发〔2026〕6号" and r[7] == "巴特尔" for r in documents[2:])


def test_who_may_export_which_register(demo):
    with pytest.raises(NotPermitted, match="只有.*可以导出三重一大决策台账"):
        export(demo, VICE_PRESIDENT, "decisions")
    with pytest.raises(NotPermitted):
        export(demo, VICE_PRESIDENT, "documents")
    assert export(demo, INSPECTOR, "decisions").rows
    with demo.sessions.begin() as s:
        assert registers.may_export(s, demo.env, org.person(s, VICE_PRESIDENT)) == {
            "decisions": False, "supervision": False, "documents": False}
        assert all(registers.may_export(s, demo.env, org.person(s, SECRETARY)).values())


@pytest.mark.parametrize("year", ["1999", "二〇二六", "", "20266"])
def test_a_bad_year_is_refused_in_words(demo, year):
    with pytest.raises(InvalidInput, match="年份"):
        export(demo, SECRETARY, "decisions", year)


def test_an_unknown_register_is_refused(demo):
    with pytest.raises(InvalidInput, match="没有名为「ledger」的台账"):
        export(demo, SECRETARY, "ledger")


def test_each_register_costs_a_fixed_number_of_statements_whatever_its_rows(demo, community):
    """A register is read with a fixed number of queries: the 26 documents of 2026 cost what the none of 2025 do."""
    def statements(kind: str, year: int | None) -> int:
        with community.sessions.begin() as s:
            actor = org.person(s, SECRETARY)
            registers.build(s, demo.env, actor, kind, 2026)             # the policies' caches of this session
            with counting(community.engine) as seen:
                registers.build(s, demo.env, actor, kind, year)
            return len(seen)

    assert statements("decisions", 2025) == statements("decisions", 2026)
    assert statements("documents", 2025) == statements("documents", 2026)
    few = statements("supervision", None)
    demo.do(SECRETARY, imp.import_rows, imp.read_file(imp.TASK_LISTS_DIR / "action_plan_2021.csv"), 2021)
    assert statements("supervision", None) == few


def test_no_register_shows_a_key_or_a_username(demo, community):
    demo.do(SECRETARY, imp.import_rows, imp.read_file(imp.TASK_LISTS_DIR / "action_plan_2021.csv"), 2021)
    with community.sessions.begin() as s:
        words = set(s.execute(select(Person.username)).scalars()) | set(s.execute(select(Unit.key)).scalars())
    for kind in registers.KINDS:
        _, rows = sheet_rows(export(demo, INSPECTOR, kind).xlsx())
        cells = [str(c) for r in rows for c in r if c is not None]
        assert not [c for c in cells if KEY.search(c) or set(re.findall(r"[a-z_]+", c)) & words], kind
    imported = by_header(sheet_rows(export(demo, INSPECTOR, "supervision").xlsx())[1])
    assert len(imported) == 41 and imported[0]["来源"] == "重点任务清单"
    assert sum(r["督办事项"].endswith("每季度检查）") for r in imported) == 7
