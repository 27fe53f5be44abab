"""Input bounds: a date of 9999-12-31 or an amount of 10^25 yuan is refused, naming the bound.

The bounds are [limits] in config.toml (date_min, date_max, money_max, and the text lengths); the
pure core takes them as a Bounds. The web form, the API (422) and the CLI (exit 2) refuse alike,
and nothing is stored — on SQLite and PostgreSQL.
"""

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

from quorum.core.errors import InvalidInput
from quorum.core.values import Bounds, coerce_value
from quorum.limits_settings import LimitsSettings, parse_limits
from quorum.settings import load_settings
from tests.cli.support import Cli, cli_backends, make_cli, user_error
from tests.conftest import ROOT
from tests.webui import conftest as web
from tests.webui.test_api import as_user, audit_count
from tests.webui.test_api_inputs import GOOD_MATTER, assert_refused

HUGE = "1" + "0" * 25                  # 10^25 元
AMOUNT = SimpleNamespace(type="money", label="金额")
OCCURRED = SimpleNamespace(type="date", label="处置日期")
SECRETARY = "gaowenjing"
app, client = web.app, web.client      # the web fixtures (the Flask app over the test database)


# --------------------------------------------------------------------------------------------
# the core and the configuration


def test_the_default_bounds_refuse_the_year_9999_and_ten_to_the_25_yuan():
    with pytest.raises(InvalidInput, match="超出上限 1,000,000,000,000 元"):
        coerce_value(AMOUNT, HUGE)
    with pytest.raises(InvalidInput, match=r"9999-12-31 超出允许范围（2000-01-01 至 2100-12-31）"):
        coerce_value(OCCURRED, "9999-12-31")
    with pytest.raises(InvalidInput, match="1999-12-31"):
        coerce_value(OCCURRED, "1999-12-31")
    assert coerce_value(AMOUNT, "1000000000000") == Decimal("1000000000000")
    assert coerce_value(OCCURRED, "2100-12-31") == date(2100, 12, 31)


def test_configured_bounds_are_the_ones_applied():
    limits = parse_limits({"limits": {"date_min": "2020-01-01", "date_max": "2030-12-31", "money_max": 50_000_000,
                                      "title_max": 120}}, Path("config.toml"))
    assert limits.title_max == 120 and limits.bounds == Bounds(date(2020, 1, 1), date(2030, 12, 31), Decimal(50_000_000))
    with pytest.raises(InvalidInput, match="50,000,000"):
        coerce_value(AMOUNT, "50000000.01", limits.bounds)
    with pytest.raises(InvalidInput, match="2019-12-31"):
        coerce_value(OCCURRED, "2019-12-31", limits.bounds)


@pytest.mark.parametrize(("table", "words"), [
    ({"date_min": "去年"}, "[limits] date_min"),
    ({"date_min": "2030-01-01", "date_max": "2020-01-01"}, "应晚于 date_min"),
    ({"money_max": -1}, "[limits] money_max"),
    ({"money_max": True}, "[limits] money_max"),
    ({"title_max": 5}, "[limits] title_max"),
    ({"colour": "red"}, "未知的设置项"),
])
def test_a_bad_limits_section_is_refused_naming_the_key(table, words):
    with pytest.raises(InvalidInput, match=words.replace("[", r"\[").replace("]", r"\]")):
        parse_limits({"limits": table}, Path("config.toml"))


def test_the_shipped_config_reads_its_limits_section(tmp_path):
    settings = load_settings(ROOT / "config.toml", env={"QUORUM_DATA_DIR": str(tmp_path / "data")})
    assert settings.limits == LimitsSettings()


# --------------------------------------------------------------------------------------------
# the API, the web form and the command line


def test_the_api_refuses_an_amount_beyond_the_ceiling_with_422(client, sc):
    secretary = as_user(client, SECRETARY)
    before = audit_count(sc)
    body = {**GOOD_MATTER, "fields": {**GOOD_MATTER["fields"], "amount": HUGE}}
    assert_refused(secretary.post("/matters", json=body), 422, "超出上限 1,000,000,000,000 元")
    assert audit_count(sc) == before


def test_the_web_form_refuses_an_amount_beyond_the_ceiling(client, sc):
    from tests.webui.test_matters import REMOTE_CENTRE, forms
    web.login(client, SECRETARY)
    form = forms(client.get("/matters/new?workflow=major_matter").get_data(as_text=True))["matter-form"]
    before = audit_count(sc)
    response = client.post(form.action, data=form.data(title="关于建设医共体远程会诊中心的议题",
                                                       **{**REMOTE_CENTRE, "field_amount": HUGE}))
    assert response.status_code == 422
    assert "超出上限 1,000,000,000,000 元" in response.get_data(as_text=True)
    assert audit_count(sc) == before


@pytest.fixture(params=cli_backends())
def cli(request, tmp_path) -> Iterator[Cli]:
    yield from make_cli(request.param, tmp_path / "data")


def test_the_command_line_refuses_both_with_exit_2(cli):
    assert cli.run("init", "--demo-org").returncode == 0
    submit = ["matter", "submit", "--workflow", "major_matter", "--title", "购置救护车", "--field", "category=funds",
              "--field", "unit=wulan_chc", "--field", "summary=购置救护车一辆", "--as", SECRETARY]
    refused = cli.run(*submit, "--field", f"amount={HUGE}")
    assert "超出上限 1,000,000,000,000 元" in user_error(refused, "invalid_input")
    emergency = ["matter", "submit", "--workflow", "emergency", "--title", "暴雨夜间抢险临机处置",
                 "--field", "body=party_committee", "--field", "unit=general_hospital",
                 "--field", "occurred_on=9999-12-31", "--field", "situation=暴雨", "--field", "why_urgent=夜间",
                 "--as", "eerdun"]
    refused = cli.run(*emergency)
    assert "9999-12-31 超出允许范围（2000-01-01 至 2100-12-31）" in user_error(refused, "invalid_input")


def test_api_dates_and_texts_follow_the_limits_section(app):
    from webui.api.inputs import Body
    with app.test_request_context(json={"paid_on": "9999-12-31", "starts_at": "2101-01-05T09:00:00",
                                        "note": "注" * 20_001, "ok": "2026-11-22"}):
        body = Body.read()
        with pytest.raises(InvalidInput, match=r"9999-12-31 超出允许范围（2000-01-01 至 2100-12-31）"):
            body.day("paid_on")
        with pytest.raises(InvalidInput, match="年份范围"):
            body.moment("starts_at")
        with pytest.raises(InvalidInput, match="20000"):
            body.text("note")
        assert body.day("ok") == date(2026, 11, 22)


def test_a_configured_ceiling_reaches_the_filing_of_a_matter(sc):
    """The deployment's [limits] travel on the Env to the services: a county's lower ceiling refuses more."""
    from dataclasses import replace

    from quorum.services import matters
    from quorum.services.demo import Scenario
    strict = Scenario(sc.sessions, replace(sc.env, bounds=Bounds(money_max=Decimal("500000"))))
    fields = {**GOOD_MATTER["fields"], "amount": "860000"}
    with pytest.raises(InvalidInput) as refused:
        strict.do(SECRETARY, matters.submit, GOOD_MATTER["workflow"], GOOD_MATTER["title"], fields)
    assert "500,000" in str(refused.value)
