"""Importing 重点任务清单 (seeds 000 附件1 and 002) as 督办 items: deadlines, owners, duplicates, rights."""

import argparse
from datetime import date, datetime
from types import SimpleNamespace

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from quorum import supervision_commands
from quorum.core.errors import InvalidInput, NotPermitted
from quorum.db import AuditEvent, SupervisionItem, Unit
from quorum.services import supervision
from quorum.services import supervision_import as imp

SECRETARY = "gaowenjing"       # 党政办主任 (secretariat)
OUTSIDER = "bater"             # 卫健委主任: no secretariat post
PLAN = imp.TASK_LISTS_DIR / "action_plan_2021.csv"
YUNNAN = imp.TASK_LISTS_DIR / "yunnan_2022_tasks.csv"


def counts(sc) -> tuple[int, int]:
    with sc.sessions.begin() as s:
        return (s.execute(select(func.count()).select_from(SupervisionItem)).scalar_one(),
                s.execute(select(func.count()).select_from(AuditEvent)).scalar_one())


def items(sc) -> dict[str, dict]:
    """The imported items by their task text (title without the continuing marker)."""
    with sc.sessions.begin() as s:
        keys = dict(s.execute(select(Unit.id, Unit.key)).all())
        out = {}
        for it in s.execute(select(SupervisionItem).order_by(SupervisionItem.id)).scalars():
            base = it.title.removesuffix(imp.CONTINUING_SUFFIX).removesuffix(imp.RECURRING_SUFFIX)
            out[base] = {"id": it.id, "title": it.title, "lead": keys[it.lead_unit_id],
                         "co": [keys[u] for u in it.co_unit_ids], "due": it.due_date, "matter": it.matter_id,
                         "status": it.status, "provisional": it.due_provisional}
        return out


def by_number(path) -> dict[str, str]:
    return {r["序号"]: r["任务"] for r in imp.read_csv(path)}


# ------------------------------------------------------------------------------------------------
# 完成时限


@pytest.mark.parametrize("text, hint, due, continuing", [
    ("4月底", 2026, date(2026, 4, 30), False),
    ("2月底", 2024, date(2024, 2, 29), False),
    ("2月底", 2023, date(2023, 2, 28), False),
    ("12月底", 2021, date(2021, 12, 31), False),
    ("9月底", 2021, date(2021, 9, 30), False),
    ("2022年6月底", 2030, date(2022, 6, 30), False),
    ("2022年12月", None, date(2022, 12, 31), False),
    ("2022年底", None, date(2022, 12, 31), False),
    ("2023年3月底前完成并持续推进", None, date(2023, 3, 31), True),
    ("2023年3月，并持续推进", None, date(2023, 3, 31), True),
    ("4月底完成并持续推进", 2021, date(2021, 4, 30), True),
    ("6月底完成并持续实施", 2021, date(2021, 6, 30), True),
    ("  ７月底完成并持续实施 ", 2021, date(2021, 7, 31), True),
    ("持续实施", 2021, None, True),
])
def test_parse_deadline_understands_month_ends_and_continuing_duties(text, hint, due, continuing):
    parsed = imp.parse_deadline(text, hint)
    assert (parsed.due, parsed.continuing) == (due, continuing)
    assert parsed.recurrence == ("quarterly" if continuing else None)


@pytest.mark.parametrize("text, hint, words", [
    ("尽快", 2021, "无法识别"),
    ("13月底", 2021, "1 至 12"),
    ("", 2021, "为空"),
    ("12月底", None, "未写年份"),
    ("持续", 2021, "无法识别"),
    ("完成", 2021, "无法识别"),
])
def test_parse_deadline_refuses_what_it_cannot_read_naming_the_cell(text, hint, words):
    with pytest.raises(InvalidInput) as err:
        imp.parse_deadline(text, hint, where="第7行")
    assert "第7行「完成时限」" in str(err.value) and words in str(err.value)


def test_quarter_end_and_file_year():
    assert imp.quarter_end(date(2026, 11, 2)) == date(2026, 12, 31)
    assert imp.quarter_end(date(2026, 4, 1)) == date(2026, 6, 30)
    assert imp.year_from_name(PLAN) == 2021 and imp.year_from_name(YUNNAN) == 2022
    assert imp.year_from_name("tasks.csv") is None


# ------------------------------------------------------------------------------------------------
# the shipped lists


def test_shipped_lists_are_transcribed_from_the_seeds():
    plan = imp.read_csv(PLAN)
    assert [r["序号"] for r in plan][:4] == ["1.1", "1.2", "1.3", "2.1"] and len(plan) == 39
    assert plan[0]["责任单位"] == "各医共体管委会办公室" and plan[0]["完成时限"] == "4月底完成并持续推进"
    assert plan[0]["_line"] == 2
    yunnan = imp.read_csv(YUNNAN)
    assert [r["序号"] for r in yunnan] == [str(n) for n in range(1, 30)]
    assert all(r["责任单位"] == "" for r in yunnan)       # 附件1 names no owner per task
    assert yunnan[2]["完成时限"] == "2023年3月，并持续推进"


def test_action_plan_2021_becomes_39_items_with_lead_and_co_units(sc):
    result = sc.do(SECRETARY, imp.import_rows, imp.read_file(PLAN), 2021, source=PLAN.name)
    assert len(result["created"]) == 39 and result["skipped"] == []
    got, text = items(sc), by_number(PLAN)
    assert len(got) == 39
    first = got[text["1.1"]]
    assert (first["lead"], first["co"], first["due"], first["matter"]) == ("health_commission", [], date(2021, 4, 30),
                                                                            None)
    assert first["title"].endswith("（完成后持续推进，每季度检查）") and first["status"] == "open"
    assert got[text["2.1"]]["lead"] == "health_commission" and got[text["2.1"]]["co"] == ["general_hospital"]
    assert got[text["2.1"]]["due"] == date(2021, 6, 30)
    assert (got[text["4.2"]]["lead"], got[text["4.2"]]["co"]) == ("health_commission", ["general_hospital"])
    assert (got[text["5.1"]]["lead"], got[text["5.1"]]["co"]) == ("general_hospital", [])
    assert got[text["7.1"]]["due"] == date(2021, 7, 31) and got[text["7.2"]]["due"] == date(2021, 9, 30)
    assert got[text["9.1"]]["due"] == date(2021, 9, 30) and got[text["12.2"]]["due"] == date(2021, 12, 31)
    assert got[text["12.2"]]["title"] == text["12.2"]                 # a plain deadline keeps its text
    # 持续实施 alone: a quarterly check, first due at the end of the current quarter (env: 2026-11-02)
    assert got[text["13.1"]]["due"] == date(2026, 12, 31)
    assert got[text["13.1"]]["title"].endswith("（持续实施，每季度检查）")
    assert sum(1 for r in result["created"] if r["continuing"]) == 7   # 1.1, 2.1, 2.2, 7.1, 13.1–13.3
    with sc.sessions.begin() as s:
        events = list(s.execute(select(AuditEvent).where(AuditEvent.kind == "supervision.opened")
                                .order_by(AuditEvent.seq)).scalars())
    assert len(events) == 39
    assert events[0].payload["continuing"] is True and events[0].payload["recurrence"] == "quarterly"
    assert events[0].payload["source"] == "action_plan_2021.csv" and events[0].payload["row"] == "第2行（序号 1.1）"
    assert events[1].payload["continuing"] is False and events[1].payload["due"] == "2021-12-31"


def test_yunnan_list_needs_a_default_lead_and_then_opens_29_dated_items(sc):
    rows = imp.read_file(YUNNAN)
    refusal = sc.refused(SECRETARY, imp.import_rows, rows, 2022)
    assert "第2行（序号 1）「责任单位」为空" in refusal
    assert counts(sc)[0] == 0
    result = sc.do(SECRETARY, imp.import_rows, rows, 2022, default_unit="各医共体管委会办公室")
    assert len(result["created"]) == 29
    got, text = items(sc), by_number(YUNNAN)
    assert {v["lead"] for v in got.values()} == {"health_commission"}
    assert got[text["1"]]["due"] == date(2022, 12, 31) and got[text["1"]]["title"] == text["1"]
    assert got[text["3"]]["due"] == date(2023, 3, 31) and got[text["3"]]["title"].endswith(imp.CONTINUING_SUFFIX)
    assert got[text["21"]]["due"] == date(2023, 12, 31)
    dues = sorted(v["due"] for v in got.values())
    assert dues.count(date(2022, 12, 31)) == 11 and dues.count(date(2023, 3, 31)) == 16
    assert dues.count(date(2023, 12, 31)) == 2
    assert not any(v["provisional"] for v in got.values())


def test_importing_twice_creates_nothing_new(sc):
    rows = imp.read_file(PLAN)
    sc.do(SECRETARY, imp.import_rows, rows, 2021)
    before = counts(sc)
    again = sc.do(SECRETARY, imp.import_rows, rows, 2021)
    assert again["created"] == [] and len(again["skipped"]) == 39
    assert "已有相同的未办结督办事项" in again["skipped"][0]["reason"]
    assert counts(sc) == before


def test_a_done_item_does_not_block_a_new_round(sc):
    rows = [{"序号": "1", "任务": "开展季度财务分析", "责任单位": "各医共体", "完成时限": "12月底"}]
    first = sc.do(SECRETARY, imp.import_rows, rows, 2026)["created"][0]
    sc.do(SECRETARY, supervision.report, first["id"], "已完成", done=True)
    second = sc.do(SECRETARY, imp.import_rows, rows, 2026)
    assert len(second["created"]) == 1 and second["created"][0]["id"] != first["id"]


def test_a_continuing_task_once_done_becomes_a_quarterly_check_and_so_on(sc):
    rows = [{"序号": "1.1", "任务": "制定县域医共体建设任务清单", "责任单位": "各医共体管委会办公室",
             "完成时限": "4月底完成并持续推进"}]
    first = sc.do(SECRETARY, imp.import_rows, rows, 2026)["created"][0]
    assert first["due_date"] == date(2026, 4, 30) and first["recurrence"] == "quarterly"
    sc.do(SECRETARY, supervision.report, first["id"], "任务清单已印发", done=True)    # done on 2026-11-02
    with sc.sessions.begin() as s:
        follow = s.execute(select(SupervisionItem).where(SupervisionItem.id != first["id"])).scalar_one()
        assert (follow.title, follow.status, follow.due_date, follow.recurrence) == (
            first["title"], "open", date(2027, 3, 31), "quarterly")
        assert follow.due_provisional is True                      # 2027 has no holiday data yet
        follow_id = follow.id
    sc.do(SECRETARY, supervision.report, follow_id, "一季度检查：清单任务按计划推进", done=True)
    with sc.sessions.begin() as s:
        assert s.execute(select(func.count()).select_from(SupervisionItem)).scalar_one() == 3


def test_a_dated_task_without_continuation_does_not_recur(sc):
    rows = [{"序号": "1", "任务": "出台工作推进实施方案", "责任单位": "各医共体管委会办公室", "完成时限": "6月底"}]
    first = sc.do(SECRETARY, imp.import_rows, rows, 2026)["created"][0]
    sc.do(SECRETARY, supervision.report, first["id"], "已印发", done=True)
    with sc.sessions.begin() as s:
        assert s.execute(select(func.count()).select_from(SupervisionItem)).scalar_one() == 1


UNKNOWN = [
    {"序号": "1", "任务": "出台工作推进实施方案", "责任单位": "各医共体管委会办公室", "完成时限": "6月底"},
    {"序号": "2", "任务": "建成紧密型县域医共体示范县", "责任单位": "各州市人民政府、各医共体", "完成时限": "12月底"},
    {"序号": "3", "任务": "落实统一岗位设置", "责任单位": "市人社局、市委编办", "完成时限": "12月底"},
]


def test_an_unknown_owner_refuses_the_import_naming_the_row_and_name(sc):
    before = counts(sc)
    refusal = sc.refused(SECRETARY, imp.import_rows, UNKNOWN, 2022)
    assert "第3行（序号 2）" in refusal and "各州市人民政府" in refusal and "--skip-unknown" in refusal
    assert counts(sc) == before                 # row 1 was rolled back with the rest


def test_skip_unknown_skips_that_row_and_lists_it(sc):
    result = sc.do(SECRETARY, imp.import_rows, UNKNOWN, 2022, skip_unknown=True)
    assert [r["row"] for r in result["skipped"]] == ["第3行（序号 2）"]
    assert "各州市人民政府" in result["skipped"][0]["reason"]
    got = items(sc)
    assert set(got) == {"出台工作推进实施方案", "落实统一岗位设置"}
    # units may also be named by their registered short names
    assert (got["落实统一岗位设置"]["lead"], got["落实统一岗位设置"]["co"]) == ("hrss_bureau", ["staffing_office"])
    assert got["出台工作推进实施方案"]["due"] == date(2022, 6, 30)


def test_only_the_secretariat_may_import(sc):
    before = counts(sc)
    with pytest.raises(NotPermitted):
        sc.do(OUTSIDER, imp.import_rows, imp.read_file(PLAN), 2021)
    assert counts(sc) == before


def test_a_bad_deadline_in_a_row_is_refused_with_its_row(sc):
    rows = [dict(UNKNOWN[0]), {"序号": "2", "任务": "某项任务", "责任单位": "各医共体", "完成时限": "下半年"}]
    refusal = sc.refused(SECRETARY, imp.import_rows, rows, 2022)
    assert "第3行（序号 2）「完成时限」「下半年」无法识别" in refusal
    assert counts(sc)[0] == 0


# ------------------------------------------------------------------------------------------------
# files and the command


def test_read_csv_accepts_a_bom_and_the_seed_header_names(tmp_path):
    path = tmp_path / "清单.csv"
    path.write_text("\ufeff序号,主要内容,责任单位,完成时限\n1.1,制定清单,各医共体,4月底\n,,,\n", encoding="utf-8")
    assert imp.read_file(path) == [{"序号": "1.1", "任务": "制定清单", "责任单位": "各医共体", "完成时限": "4月底",
                                    "_line": 2}]


def test_read_file_refuses_wrong_headers_encodings_and_types(tmp_path):
    bad = tmp_path / "a.csv"
    bad.write_text("序号,任务,完成时限\n1,x,4月底\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="缺少列：责任单位"):
        imp.read_file(bad)
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"\xff\xfe\x00\xd8\x81\x30\x81")          # neither UTF-8 nor GB18030
    with pytest.raises(InvalidInput, match="既不是 UTF-8 也不是 GB18030"):
        imp.read_file(binary)
    with pytest.raises(InvalidInput, match="不支持的文件类型"):
        imp.read_file(tmp_path / "c.txt")
    fake = tmp_path / "d.xlsx"
    fake.write_text("序号,任务", encoding="utf-8")
    with pytest.raises(InvalidInput, match="不是有效的 .xlsx 工作簿"):
        imp.read_file(fake)
    with pytest.raises(InvalidInput, match="找不到文件"):
        imp.read_file(tmp_path / "e.xlsx")
    empty = tmp_path / "f.csv"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="找不到表头行"):
        imp.read_file(empty)


def test_command_registers_and_prints_a_chinese_summary(sc, capsys):
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")

    def add(parent, name, fn, help_text):
        p = parent.add_parser(name, help=help_text)
        p.set_defaults(fn=fn)
        return p

    supervision_commands.register(sub, add)
    args = parser.parse_args(["supervision-import", "action_plan_2021.csv", "--skip-unknown"])
    assert args.fn is supervision_commands.cmd_import and args.year is None and args.skip_unknown
    args.json = False
    args.runtime = SimpleNamespace(act=lambda fn, *a, **kw: sc.do(SECRETARY, fn, *a, **kw))
    args.fn(args)
    out = capsys.readouterr().out
    assert out.startswith("已从「action_plan_2021.csv」导入 39 项督办事项，跳过 0 项。")
    assert "第5行（序号 2.1） 牵头 市卫健委，配合 总医院｜时限 2021-06-30｜完成后每季度检查" in out
    assert "第38行（序号 13.1） 牵头 市卫健委，配合 总医院｜时限 2026-12-31｜持续实施，每季度检查" in out
    assert "health_commission" not in out and "general_hospital" not in out      # names, never unit keys
    args.fn(args)
    assert "导入 0 项督办事项，跳过 39 项" in capsys.readouterr().out
    assert counts(sc)[0] == 39


# ------------------------------------------------------------------------------------------------
# task lists from Excel (issue 15, item 7): title rows, date cells, GB18030, every unknown unit at once

def write_xlsx(path, rows) -> None:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)


WEIJIANWEI = [
    ["二连浩特市卫生健康委员会2026年重点任务清单"],                   # a title row
    ["（2026年3月印发）", None, None, None],                          # and a line under it
    [],
    ["序号", "任务", "责任单位", "完成时限"],
    [1, "制定医共体药品耗材统一采购目录", "总医院、市医保局", datetime(2026, 6, 30)],
    [2, "建成远程心电诊断中心", "总医院", date(2026, 9, 15)],
    [3, "完成基层医务人员轮训", "各医共体", 46385],                    # a date cell that lost its format
    [4, "落实村医待遇保障", "市财政局、市人社局", "2026年底"],
    [5, "推进家庭医生签约服务", "各医共体", "持续实施"],
]


@pytest.mark.parametrize("text, due", [
    ("2026-06-30", date(2026, 6, 30)),
    ("2026/6/5", date(2026, 6, 5)),
    ("2026.06.05", date(2026, 6, 5)),
    ("2026年6月30日前完成", date(2026, 6, 30)),
    ("46385", date(2026, 12, 29)),
    ("46385.0", date(2026, 12, 29)),
])
def test_a_deadline_written_as_a_day_is_that_day(text, due):
    parsed = imp.parse_deadline(text, None)
    assert (parsed.due, parsed.continuing) == (due, False)
    assert imp.parse_deadline(text + "并持续推进", None).continuing


def test_a_day_that_does_not_exist_is_refused_naming_the_cell():
    with pytest.raises(InvalidInput, match="第4行「完成时限」「2026-02-30」不是有效日期"):
        imp.parse_deadline("2026-02-30", None, where="第4行")
    with pytest.raises(InvalidInput, match="无法识别"):
        imp.parse_deadline("12345", None, where="第4行")        # a number, but no plausible date


def test_an_xlsx_list_with_title_rows_and_excel_dates_is_read_from_its_header(tmp_path):
    path = tmp_path / "重点任务清单.xlsx"
    write_xlsx(path, WEIJIANWEI)
    rows = imp.read_file(path)
    assert [(r["序号"], r["完成时限"], r["_line"]) for r in rows] == [
        ("1", "2026-06-30", 5), ("2", "2026-09-15", 6), ("3", "2026-12-29", 7), ("4", "2026年底", 8),
        ("5", "持续实施", 9)]
    assert rows[0]["任务"] == "制定医共体药品耗材统一采购目录" and rows[0]["责任单位"] == "总医院、市医保局"


def test_an_xlsx_list_becomes_items_with_exact_and_month_end_dues(sc, tmp_path):
    path = tmp_path / "weijianwei_2026.xlsx"
    write_xlsx(path, WEIJIANWEI)
    result = sc.do(SECRETARY, imp.import_rows, imp.read_file(path), 2026, source=path.name)
    assert [r["row"] for r in result["created"]] == [f"第{n}行（序号 {n - 4}）" for n in range(5, 10)]
    got = items(sc)
    assert (got["制定医共体药品耗材统一采购目录"]["lead"], got["制定医共体药品耗材统一采购目录"]["co"],
            got["制定医共体药品耗材统一采购目录"]["due"]) == ("general_hospital", ["medical_security"], date(2026, 6, 30))
    assert got["建成远程心电诊断中心"]["due"] == date(2026, 9, 15)
    assert got["完成基层医务人员轮训"]["due"] == date(2026, 12, 29)
    assert got["落实村医待遇保障"]["due"] == date(2026, 12, 31)
    assert got["推进家庭医生签约服务"]["due"] == date(2026, 12, 31)       # quarterly, from 2026-11-02


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-8", "utf-8-sig"])
def test_a_csv_list_in_gbk_gb18030_or_utf8_is_read_alike(tmp_path, encoding):
    path = tmp_path / "清单.csv"
    text = ("二连浩特市2026年重点任务清单,,,\r\n序号,主要内容,牵头单位,时限\r\n"
            "1,建成远程影像诊断中心,总医院,2026/9/30\r\n2,制定县域医共体建设任务清单,各医共体管委会办公室,4月底\r\n")
    path.write_bytes(text.encode(encoding))
    assert imp.read_file(path) == [
        {"序号": "1", "任务": "建成远程影像诊断中心", "责任单位": "总医院", "完成时限": "2026/9/30", "_line": 3},
        {"序号": "2", "任务": "制定县域医共体建设任务清单", "责任单位": "各医共体管委会办公室", "完成时限": "4月底",
         "_line": 4}]


UNKNOWN_MANY = [
    {"序号": "1", "任务": "出台工作推进实施方案", "责任单位": "各医共体管委会办公室", "完成时限": "6月底"},
    {"序号": "2", "任务": "建成紧密型县域医共体示范县", "责任单位": "各州市人民政府、各医共体", "完成时限": "12月底"},
    {"序号": "3", "任务": "建立医保总额付费机制", "责任单位": "市医保中心", "完成时限": "9月底"},
    {"序号": "4", "任务": "推进示范县创建", "责任单位": "各州市人民政府", "完成时限": "12月底"},
    {"序号": "5", "任务": "某项任务", "责任单位": "各医共体", "完成时限": "下半年"},
]


def test_every_unknown_unit_and_bad_row_is_named_in_one_refusal_and_nothing_is_written(sc):
    before = counts(sc)
    refusal = sc.refused(SECRETARY, imp.import_rows, UNKNOWN_MANY, 2026)
    assert "任务清单有 3 处问题，未导入任何事项" in refusal
    assert "第6行（序号 5）「完成时限」「下半年」无法识别" in refusal
    assert "「各州市人民政府」（第3行（序号 2）、第5行（序号 4））" in refusal
    assert "「市医保中心」（第4行（序号 3））" in refusal and "--skip-unknown" in refusal
    assert refusal.count("各州市人民政府") == 1
    assert counts(sc) == before


def test_the_import_command_reads_an_xlsx_with_a_title_row(sc, capsys, tmp_path):
    path = tmp_path / "weijianwei_2026.xlsx"
    write_xlsx(path, WEIJIANWEI)
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    supervision_commands.register(sub, lambda parent, name, fn, help_text: parent.add_parser(name).set_defaults(fn=fn)
                                  or parent.choices[name])
    args = parser.parse_args(["supervision-import", str(path)])
    args.json = False
    args.runtime = SimpleNamespace(act=lambda fn, *a, **kw: sc.do(SECRETARY, fn, *a, **kw))
    args.fn(args)
    out = capsys.readouterr().out
    assert out.startswith("已从「weijianwei_2026.xlsx」导入 5 项督办事项，跳过 0 项。")
    assert "第5行（序号 1） 牵头 总医院，配合 市医保局｜时限 2026-06-30" in out
    assert "第7行（序号 3） 牵头 总医院｜时限 2026-12-29" in out
