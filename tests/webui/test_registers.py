"""台账 in the browser: the 党政办 and the 纪检 download the registers as Excel; others are refused, on record.

The demo 医共体 has decided its 远程会诊中心 (quorum.services.demo.run), so the 2026 决策台账 has seven
matters, the 督办台账 two items and the 发文登记簿 26 numbered documents.
"""

import io
from dataclasses import replace

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from quorum.db import AuditEvent
from tests.webui.conftest import as_user, text

SECRETARY = "gaowenjing"        # 党政办主任 (and platform administrator)
INSPECTOR = "sunlixin"          # 纪检监察室主任
VICE_PRESIDENT = "liuzhigang"   # 分管副院长: may export no register
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def decided(app, env, decided_demo):
    decided_demo(replace(env, files_dir=app.extensions["quorum"].settings.data_dir / "files"))
    return app


def workbook_rows(response) -> list[list[object]]:
    assert response.status_code == 200 and response.mimetype == XLSX
    sheet = load_workbook(io.BytesIO(response.data)).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def refusals(community) -> int:
    with community.sessions.begin() as s:
        return s.execute(select(func.count()).select_from(AuditEvent)
                         .where(AuditEvent.kind == "access.refused")).scalar_one()


def test_the_secretariat_finds_the_registers_in_the_navigation_and_downloads_each(decided):
    client = as_user(decided, SECRETARY)
    page = text(client.get("/tasks"))
    assert 'href="/registers"' in page and ">台账</a>" in page
    page = text(client.get("/registers"))
    for kind in ("decisions", "supervision", "documents"):
        assert f'data-testid="register-{kind}"' in page and f'action="/registers/{kind}.xlsx"' in page
    assert '<option value="2026">2026年</option>' in page
    response = client.get("/registers/decisions.xlsx?year=2026")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    assert "%E5%86%B3%E7%AD%96%E5%8F%B0%E8%B4%A6-2026.xlsx" in response.headers["Content-Disposition"]   # 决策台账-2026
    rows = workbook_rows(response)
    assert rows[0][0].startswith("2026年度“三重一大”事项决策台账") and len(rows) == 2 + 7
    assert any(r[1] == "关于建设医共体远程会诊中心的议题" and "陈国庆（不同意）" in r[10] for r in rows[2:])
    assert [r[1] for r in workbook_rows(client.get("/registers/supervision.xlsx"))[2:]] == [
        "完成远程会诊中心设备与平台的政府采购", "完成与六家成员单位远程会诊系统的联调上线"]
    assert len(workbook_rows(client.get("/registers/documents.xlsx?year=2026"))) == 2 + 26
    assert workbook_rows(client.get("/registers/documents.xlsx?year=2025"))[2:] == []


def test_the_discipline_inspector_may_download_the_registers_too(decided):
    client = as_user(decided, INSPECTOR)
    assert 'href="/registers"' in text(client.get("/tasks"))
    assert len(workbook_rows(client.get("/registers/decisions.xlsx"))) == 2 + 7      # the year defaults to today's


def test_others_see_no_link_and_are_refused_on_record(decided, community):
    client = as_user(decided, VICE_PRESIDENT)
    assert 'href="/registers"' not in text(client.get("/tasks"))
    before = refusals(community)
    response = client.get("/registers/decisions.xlsx?year=2026")
    assert response.status_code == 403 and "可以导出三重一大决策台账" in text(response)
    assert client.get("/registers").status_code == 403
    assert refusals(community) == before + 2


def test_a_bad_year_or_an_unknown_register_is_answered_in_words(decided):
    client = as_user(decided, SECRETARY)
    response = client.get("/registers/decisions.xlsx?year=abc")
    assert response.status_code == 422 and "年份「abc」不合理" in text(response)
    assert client.get("/registers/ledger.xlsx").status_code == 404
