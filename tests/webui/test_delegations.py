"""代理 in the web UI: the 法律顾问 goes to a training course and names the 审计科科长 as delegate.

The delegate sees his task in 我的待办 marked 代周明, gives the 合法性审查意见, and the record says
"图雅（代周明）". Cancelling ends it at once; nobody else may cancel it.
"""

from datetime import timedelta

from sqlalchemy import select

from quorum.calendar import TZ
from quorum.db import Delegation, Opinion, Person
from quorum.services import delegations
from tests.helpers import person
from tests.helpers import submit as submit_matter
from tests.webui.conftest import post
from tests.webui.test_matters import LEGAL, MEMBER, RISK, forms, page, press, snapshot, user

LOCAL = "%Y-%m-%dT%H:%M"
TRAINING = "赴自治区司法厅参加医疗机构法律顾问培训"


def _delegate_form(app, sc, principal: str, delegate: str, days: int = 5, reason: str = TRAINING):
    client = user(app, principal)
    now = sc.env.now
    response = press(client, "/delegations", "delegation-form", "设置代理", delegate=delegate,
                     starts=now.strftime(LOCAL), ends=(now + timedelta(days=days)).strftime(LOCAL), reason=reason)
    return client, response


def _only_delegation(sc) -> Delegation:
    with sc.sessions.begin() as s:
        row = s.execute(select(Delegation)).scalar_one()
        s.expunge(row)
        return row


def test_a_delegate_acts_on_the_principals_task_while_he_is_away(app, sc):
    mid = submit_matter(sc, "关于建设医共体远程会诊中心的议题")
    form = forms(page(user(app, LEGAL), "/delegations"))["delegation-form"]
    assert form.fields["starts"] == [sc.env.now.strftime(LOCAL)]            # defaults: from now, for a week
    counsel, response = _delegate_form(app, sc, LEGAL, RISK)
    assert response.status_code == 302
    row = _only_delegation(sc)
    with sc.sessions.begin() as s:
        names = {p.id: p.username for p in s.execute(select(Person)).scalars()}
    assert (names[row.principal_id], names[row.delegate_id], row.reason) == (LEGAL, RISK, TRAINING)
    assert row.active and row.starts == sc.env.now.astimezone(TZ) and row.ends - row.starts == timedelta(days=5)
    html = page(counsel, "/delegations")
    assert "已设置代理：图雅将在代理期间代您办理待办" in html and 'data-testid="away-banner"' in html

    delegate = user(app, RISK)
    for where in ("/delegations", "/matters"):
        banner = page(delegate, where)
        assert 'data-testid="standing-in-banner"' in banner and "您正在代周明办理待办" in banner
    assert 'data-testid="away-banner"' in page(counsel, "/matters")
    assert "代周明办理" in page(delegate, "/tasks")
    legality = sc.task_of(LEGAL, mid, "legality")
    matter_page = page(delegate, f"/matters/{mid}")
    assert f'data-testid="decide-{legality}"' in matter_page and "代周明办理" in matter_page
    press(delegate, f"/matters/{mid}", f"decide-{legality}", "同意",
          comment="经审查，项目采购程序及合同文本符合《政府采购法》等规定。")
    with sc.sessions.begin() as s:
        opinion = s.execute(select(Opinion).where(Opinion.task_id == legality)).scalar_one()
        assert (names[opinion.author_id], names[opinion.on_behalf_of_id]) == (RISK, LEGAL)
    assert "图雅</strong>（代周明）" in page(user(app, MEMBER), f"/matters/{mid}")
    assert sc.task_of(RISK, mid, "risk") is not None                     # her own 风险评估 is still hers to do


def test_cancelling_ends_the_delegation_at_once(app, sc):
    mid = submit_matter(sc, "关于建设医共体远程会诊中心的议题")
    counsel, _ = _delegate_form(app, sc, LEGAL, RISK)
    row = _only_delegation(sc)
    cancel = post(counsel, f"/delegations/{row.id}/cancel", page="/delegations")
    assert cancel.status_code == 302 and not _only_delegation(sc).active
    assert "已取消代理" in page(counsel, "/delegations") and "已取消" in page(counsel, "/delegations")

    delegate = user(app, RISK)
    assert "代周明" not in page(delegate, "/tasks")
    legality = sc.task_of(LEGAL, mid, "legality")
    assert f'data-testid="decide-{legality}"' not in page(delegate, f"/matters/{mid}")
    before = snapshot(sc)
    stale = post(delegate, f"/tasks/{legality}/act", {"action": "approve", "comment": "同意"})
    assert stale.status_code == 302 and snapshot(sc) == before
    again = post(counsel, f"/delegations/{row.id}/cancel", page="/delegations")
    assert again.status_code == 302 and "该代理已取消" in page(counsel, "/delegations")
    assert snapshot(sc) == before


def test_only_the_principal_may_cancel(app, sc, client):
    _delegate_form(app, sc, LEGAL, RISK)
    row = _only_delegation(sc)
    before = snapshot(sc)
    anonymous = post(client, f"/delegations/{row.id}/cancel", page="/login")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for someone in (RISK, MEMBER):                                   # the delegate, a bystander
        refused = post(user(app, someone), f"/delegations/{row.id}/cancel", page="/delegations")
        assert refused.status_code == 403 and "只有本人（系统管理员可为任何人）可以设置或取消代理" in refused.get_data(as_text=True)
    assert 'action="/delegations/' not in page(user(app, RISK), "/delegations")     # no cancel button for her
    assert snapshot(sc) == before and _only_delegation(sc).active
    assert post(user(app, LEGAL), "/delegations/999/cancel", page="/delegations").status_code == 404


def test_a_bad_delegation_is_refused_with_the_values_kept(app, sc, client):
    before = snapshot(sc)
    anonymous = post(client, "/delegations", {"delegate": RISK, "starts": "2026-11-02T09:00",
                                              "ends": "2026-11-06T18:00", "reason": TRAINING}, page="/login")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert client.get("/delegations").status_code == 302

    counsel = user(app, LEGAL)
    backwards = press(counsel, "/delegations", "delegation-form", "设置代理", delegate=RISK,
                      starts="2026-11-06T18:00", ends="2026-11-02T09:00", reason=TRAINING)
    html = backwards.get_data(as_text=True)
    assert backwards.status_code == 422 and "代理结束时间须晚于开始时间" in html
    kept = forms(html)["delegation-form"].fields
    assert kept["delegate"] == [RISK] and kept["reason"] == [TRAINING] and kept["starts"] == ["2026-11-06T18:00"]
    no_reason = press(counsel, "/delegations", "delegation-form", "设置代理", delegate=RISK, reason=" ")
    assert no_reason.status_code == 422 and "请填写代理事由" in no_reason.get_data(as_text=True)
    garbled = press(counsel, "/delegations", "delegation-form", "设置代理", delegate=RISK, ends="下周五")
    assert garbled.status_code == 422 and "结束时间「下周五」无效" in garbled.get_data(as_text=True)
    nobody = press(counsel, "/delegations", "delegation-form", "设置代理", delegate="", reason=TRAINING)
    assert nobody.status_code == 422 and "请选择代理人" in nobody.get_data(as_text=True)
    assert snapshot(sc) == before


def test_a_delegation_is_always_for_oneself(app, sc):
    """The form has no principal field: whatever is posted, the principal is the signed-in person."""
    bystander = user(app, MEMBER)
    response = press(bystander, "/delegations", "delegation-form", "设置代理", delegate=RISK, principal=LEGAL,
                     reason="下乡巡诊")
    assert response.status_code == 302
    row = _only_delegation(sc)
    assert row.principal_id == person(sc, MEMBER).id
    with sc.sessions.begin() as s:
        assert delegations.principals_of(s, person(sc, RISK).id, sc.env.now) == {row.principal_id}
    assert "下乡巡诊" not in page(user(app, LEGAL), "/delegations")       # not his, not shown to him
