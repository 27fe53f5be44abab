"""A new step kind runs through the engine with no change to the services (issue 13: one class, its policy entry,
its tests).

The toy 听证 kind of tests/core/test_step_kind_added.py — registered here, its name in the message table —
is put between the 前置程序 and the 分管领导审核 of major_matter: the engine opens its task for the role's holder,
counts its due date from the class's own span, shows its name, and goes on when it is answered. On SQLite and
PostgreSQL through the `sc` fixture.
"""

import shutil
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from quorum import policies
from quorum.core import messages
from quorum.core.errors import NotPermitted
from quorum.core.steps import register, unregister
from quorum.db import MatterStep
from quorum.services import matters, records
from tests.core.test_step_kind_added import HearingStep
from tests.helpers import current_step, give_gate_opinions, open_tasks, submit

ROOT = Path(__file__).resolve().parents[2]
HEARING = '''
[[steps]]
key = "hearing"
kind = "hearing"
name = "合法性听证"
role = "legal_counsel"
notice_days = 7

'''


@pytest.fixture
def hearing_policies(tmp_path, monkeypatch) -> policies.LoadedPolicies:
    register(HearingStep)
    monkeypatch.setitem(messages.MESSAGES, "steps.kind_hearing", "听证")
    copy = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", copy)
    workflow = copy / "workflows" / "major_matter.toml"
    text = workflow.read_text(encoding="utf-8")
    anchor = '[[steps]]\nkey = "leader_review"\n'
    assert text.count(anchor) == 1
    workflow.write_text(text.replace(anchor, HEARING + anchor), encoding="utf-8")
    yield policies.load(copy)
    unregister("hearing")


def test_the_engine_runs_a_new_kind_from_its_class_alone(sc, hearing_policies):
    sc.env = replace(sc.env, policies=hearing_policies)
    matter_id = submit(sc, "关于聘请常年法律顾问的议题", category="project", amount="300000")
    give_gate_opinions(sc, matter_id)
    assert current_step(sc, matter_id) == "hearing"

    tasks = open_tasks(sc, matter_id)
    counsel = sc.holder("legal_counsel", 0)
    assert [(user, kind) for _id, user, kind, _req in tasks] == [(counsel, "hearing")]
    with sc.sessions.begin() as s:
        step = next(st for st in matters.get(s, matter_id).steps if st.step_key == "hearing")
        assert step.kind == "hearing"
        assert step.due_date == (step.started_at + timedelta(days=7)).date()    # HearingStep.span: 7 calendar days
        rec = records.matter_record(s, matter_id)
    shown = next(st for st in rec["steps"] if st["key"] == "hearing")
    assert shown["name"] == "合法性听证"

    sc.do(counsel, matters.act, tasks[0][0], "heard", "听证已举行，可以继续。")
    assert current_step(sc, matter_id) == "leader_review"
    with sc.sessions.begin() as s:
        done = s.query(MatterStep).filter_by(matter_id=matter_id, step_key="hearing").one()
        assert (done.status, done.outcome) == ("done", "approved")      # its option's effect is "pass"


def test_the_new_kind_answers_only_with_its_own_options(sc, hearing_policies):
    sc.env = replace(sc.env, policies=hearing_policies)
    matter_id = submit(sc, "关于聘请常年法律顾问的议题", category="project", amount="300000")
    give_gate_opinions(sc, matter_id)
    task_id, counsel, _kind, _req = open_tasks(sc, matter_id)[0]
    with pytest.raises(NotPermitted) as refused:
        sc.do(counsel, matters.act, task_id, "approve", "同意。")
    assert "此待办不支持「同意」操作" in str(refused.value)
    assert current_step(sc, matter_id) == "hearing" and open_tasks(sc, matter_id)[0][0] == task_id
