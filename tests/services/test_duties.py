"""Recurring duties against the record (both backends): 管委会 meetings and 办结 督办 items as evidence."""

import argparse
import json
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from quorum import duties_commands
from quorum.calendar import TZ, WorkCalendar
from quorum.core.errors import InvalidPolicy
from quorum.core.states import SupervisionStatus
from quorum.db import SupervisionItem, Unit
from quorum.services import duties, meetings, supervision
from tests import helpers

POLICIES = Path(__file__).resolve().parents[2] / "policies"


@pytest.fixture(scope="module")
def loaded():
    return duties.load(POLICIES)


def hold_management_committee(sc, day: date) -> int:
    """Schedule a 管委会 meeting with no matters three working days after `day`, open it and close it."""
    sc.at(day, 9)
    meeting_id = helpers.schedule(sc, "management_committee", [])
    helpers.start(sc, meeting_id)
    sc.do(sc.holder("secretariat", 0), meetings.close, meeting_id)
    return meeting_id


def add_supervision(sc, title: str, done_on: date | None) -> int:
    with sc.sessions.begin() as s:
        unit_id = s.execute(select(Unit.id).where(Unit.key == "general_hospital")).scalar_one()
        item = SupervisionItem(matter_id=None, title=title, lead_unit_id=unit_id, co_unit_ids=[],
                               due_date=date(2026, 12, 31), status=SupervisionStatus.OPEN,
                               created_at=datetime(2026, 1, 5, 9, tzinfo=TZ))
        s.add(item)
        s.flush()
        item_id = item.id
    if done_on is not None:
        sc.at(done_on, 10)
        sc.do(sc.holder("secretariat", 0), supervision.report, item_id, "已完成并报送。", done=True)
    return item_id


def rows_of(sc, loaded, year: int, today: date) -> dict[tuple[str, str], dict]:
    with sc.sessions.begin() as s:
        rows = duties.report(s, loaded, year, today, WorkCalendar())
    return {(r["duty"], r["period"]): r for r in rows}


def test_load_reads_the_policies_file(loaded):
    assert loaded["promotion_mechanism"].evidence.value == "management_committee"


def test_load_refuses_a_bad_file_naming_it_and_the_duty(tmp_path):
    (tmp_path / "duties.toml").write_text(
        '[duties.broken]\nname = "x"\nowner = "general_hospital"\nsource = "s"\nperiods = ["H1"]\n'
        'evidence = { meetings_of = "no_such_body" }\n', encoding="utf-8")
    (tmp_path / "bodies.toml").write_text('[bodies.board]\nname = "理事会"\n', encoding="utf-8")
    with pytest.raises(InvalidPolicy) as caught:
        duties.load(tmp_path)
    assert f"{tmp_path.name}/duties.toml" in str(caught.value) and "broken" in str(caught.value)


def test_load_refuses_a_missing_or_malformed_file(tmp_path):
    with pytest.raises(InvalidPolicy, match="文件不存在"):
        duties.load(tmp_path)
    (tmp_path / "duties.toml").write_text("[duties.x\n", encoding="utf-8")
    with pytest.raises(InvalidPolicy, match="TOML"):
        duties.load(tmp_path)


def test_one_management_committee_meeting_is_one_of_two(sc, loaded):
    hold_management_committee(sc, date(2026, 3, 2))
    # a scheduled meeting that never closes is no evidence
    sc.at(date(2026, 8, 3), 9)
    helpers.schedule(sc, "management_committee", [])

    rows = rows_of(sc, loaded, 2026, date(2026, 11, 2))
    total = rows[("promotion_mechanism", "total")]
    assert (total["count"], total["required"], total["status"], total["escalated"]) == (1, 2, "due", True)
    assert total["status_name"] == "待办"
    assert total["evidence_dates"] == [date(2026, 3, 5)]
    assert rows[("promotion_mechanism", "H1")]["status"] == "done"
    assert rows[("promotion_mechanism", "H2")]["status"] == "upcoming"
    assert rows[("management_committee_consultation", "Q1")]["status"] == "done"
    assert rows[("management_committee_consultation", "Q2")]["status"] == "missing"
    assert rows[("management_committee_consultation", "Q4")]["status"] == "upcoming"
    assert rows[("promotion_mechanism", "H1")]["owner_name"] != "health_commission"   # the unit's name

    before = rows_of(sc, loaded, 2026, date(2026, 10, 30))[("promotion_mechanism", "total")]
    assert (before["status"], before["escalated"]) == ("upcoming", False)
    after = rows_of(sc, loaded, 2026, date(2027, 1, 4))[("promotion_mechanism", "total")]
    assert (after["status"], after["status_name"]) == ("missing", "缺失")
    assert rows_of(sc, loaded, 2027, date(2027, 1, 4))[("promotion_mechanism", "total")]["count"] == 0


def test_a_done_supervision_item_satisfies_the_half_year_financial_analysis(sc, loaded):
    add_supervision(sc, "2026年上半年财务分析", date(2026, 6, 22))
    add_supervision(sc, "2026年下半年财务分析", None)            # open: not evidence
    add_supervision(sc, "2026年上半年医保结算", date(2026, 6, 23))   # other title: not evidence

    rows = rows_of(sc, loaded, 2026, date(2026, 7, 6))
    h1, h2 = rows[("financial_analysis", "H1")], rows[("financial_analysis", "H2")]
    assert (h1["status"], h1["count"], h1["required"]) == ("done", 1, 1)
    assert h1["evidence_dates"] == [date(2026, 6, 22)]
    assert (h2["status"], h2["count"]) == ("upcoming", 0)
    assert rows[("semiannual_monitoring", "H1")]["status"] == "missing"
    assert rows[("president_annual_report", "Y")]["manual"] is True
    assert rows[("president_annual_report", "Y")]["count"] is None

    early = rows_of(sc, loaded, 2026, date(2026, 6, 19))[("financial_analysis", "H1")]
    assert (early["status"], early["count"]) == ("due", 0)      # as of a day before it was done


def test_the_duties_command_prints_a_chinese_table(community, capsys):
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")

    def add(parent, name, fn, help_text):
        p = parent.add_parser(name, help=help_text)
        p.add_argument("--json", action="store_true")
        p.set_defaults(fn=fn)
        return p

    duties_commands.register(sub, add)
    args = parser.parse_args(["duties", "--year", "2026"])
    assert args.fn is duties_commands.cmd_duties
    settings = SimpleNamespace(policies_dir=POLICIES, calendar=WorkCalendar)
    args.runtime, args.now = SimpleNamespace(settings=settings, db=community), "2026-11-02T09:00"
    args.fn(args)
    out = capsys.readouterr().out
    assert "2026年周期性职责（截至 2026-11-02）" in out
    assert "推进机制研究医共体工作" in out and "全年累计" in out and "2026-11-01 检查未达标" in out
    assert "缺失" in out and "未到期" in out and "0/2" in out and "人工确认" in out

    args.json = True
    args.fn(args)
    data = json.loads(capsys.readouterr().out)
    assert data["year"] == 2026 and {r["status"] for r in data["rows"]} >= {"missing", "upcoming", "due"}
