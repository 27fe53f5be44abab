"""Web forms are bounded by the deployment's [limits]: every text input and textarea carries a maxlength from
`lengths`, and an over-long value posted past the browser is refused (422) in Chinese, the input kept, nothing stored."""

import dataclasses
import html
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from quorum.core.values import Bounds
from quorum.db import Matter, Task
from quorum.limits_settings import LimitsSettings
from tests.conftest import ROOT
from tests.webui.conftest import business_events, login, text
from tests.webui.test_api import submit_appointment
from tests.webui.test_matters import REMOTE_CENTRE, forms
from webui.api.inputs import lengths

SECRETARY = "gaowenjing"
COUNTY = LimitsSettings(Bounds(date(2020, 1, 1), date(2030, 12, 31), Decimal(50_000_000)), title_max=120,
                        text_max=500, long_text_max=5000)
TAG = re.compile(r"<(input|textarea)\b((?:[^>{]|\{\{.*?\}\}|\{%.*?%\})*)>", re.S)
TEXT_TYPES = {None, "text", "search", "email", "tel", "url", "password"}


def text_fields(source: str) -> list[tuple[int, str]]:
    """(line, attributes) of every text input (no type, or a text-like type) and textarea of a template."""
    found = []
    for m in TAG.finditer(source):
        kind = re.search(r'\btype="([^"]*)"', m.group(2))
        if m.group(1) == "textarea" or (kind.group(1) if kind else None) in TEXT_TYPES:
            found.append((source[:m.start()].count("\n") + 1, m.group(2)))
    return found


def with_limits(app, limits: LimitsSettings) -> None:
    runtime = app.extensions["quorum"]
    runtime.settings = dataclasses.replace(runtime.settings, limits=limits)


def counts(sc) -> tuple[int, int]:
    with sc.sessions.begin() as s:
        return business_events(s), s.scalar(select(func.count()).select_from(Matter))


def test_every_text_field_of_every_template_has_a_maxlength_from_the_limits():
    kinds = set(lengths(LimitsSettings()))
    missing, fixed = [], []
    for path in sorted((ROOT / "templates" / "web").rglob("*.html")):
        for line, attrs in text_fields(path.read_text(encoding="utf-8")):
            where = f"{Path(path).relative_to(ROOT)}:{line}"
            bound = re.search(r'maxlength="([^"]*)"', attrs)
            if bound is None:
                missing.append(where)
            elif re.fullmatch(r"\{\{ lengths\.(\w+) \}\}", bound.group(1)) is None or \
                    bound.group(1).split(".")[1].split()[0] not in kinds:
                fixed.append(f"{where} {bound.group(0)}")
    assert missing == [] and fixed == []


def test_the_forms_show_the_deployments_bounds(app, client, sc):
    login(client, SECRETARY)
    page = client.get("/matters/new?workflow=major_matter").get_data(as_text=True)
    assert re.search(r'<input id="f-title" name="title" value="" maxlength="200"', page)
    with_limits(app, COUNTY)
    page = client.get("/matters/new?workflow=major_matter").get_data(as_text=True)
    assert re.search(r'name="title" value="" maxlength="120"', page)
    assert 'maxlength="5000"' in page                     # the summary textarea: long_text_max


def test_an_over_long_title_is_refused_with_the_input_kept(app, client, sc):
    with_limits(app, COUNTY)
    login(client, SECRETARY)
    form = forms(client.get("/matters/new?workflow=major_matter").get_data(as_text=True))["matter-form"]
    title = "关于建设医共体远程会诊中心" + "并配套建设影像诊断平台" * 10 + "的议题"
    assert 120 < len(title) <= 200                         # within Quorum's own 200, beyond this county's 120
    before = counts(sc)
    response = client.post(form.action, data=form.data(title=title, **REMOTE_CENTRE))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "「标题」不能超过120个字，已保留您填写的内容，请删减后再提交" in page
    assert f'value="{html.escape(title)}"' in page and html.escape(REMOTE_CENTRE["field_summary"]) in page
    assert counts(sc) == before


def test_an_over_long_opinion_is_refused_with_the_opinion_kept(app, client, sc):
    personnel = submit_appointment(sc)
    task = sc.task_of("zhouming", personnel, "legality")
    with_limits(app, COUNTY)
    login(client, "zhouming")
    page = client.get(f"/matters/{personnel}").get_data(as_text=True)
    form = next(f for f in forms(page).values() if f.action.endswith(f"/tasks/{task}/act"))
    opinion = "经审查，该人选的提名程序符合《党政领导干部选拔任用工作条例》的规定。" * 150
    assert 5000 < len(opinion) < 20_000
    before = counts(sc)
    response = client.post(form.action, data=form.data(comment=opinion, action="approve",
                                                       next=f"/matters/{personnel}"))
    assert response.status_code == 422
    assert "「意见」不能超过5000个字" in text(response) and opinion[:40] in text(response)
    assert counts(sc) == before
    with sc.sessions.begin() as s:
        assert s.get(Task, task).status == "open"
