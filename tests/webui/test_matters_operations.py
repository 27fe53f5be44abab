"""Withdraw, transfer and urge from the matter page: the buttons appear exactly where the engine allows."""

from sqlalchemy import func, select

from quorum.db import AuditEvent
from quorum.services import records
from tests.helpers import submit
from tests.webui.conftest import as_user, flashes, post, text


def events(community) -> int:
    """Audit events but the records of refused attempts (those are tested in tests/security/test_authorization.py)."""
    with community.sessions.begin() as s:
        return s.execute(select(func.count()).select_from(AuditEvent)
                         .where(AuditEvent.kind != "access.refused")).scalar_one()


def test_withdraw_transfer_and_urge_through_the_matter_page(app, sc, community):
    secretary, counsel, risk = sc.holder("secretariat", 0), sc.holder("legal_counsel"), sc.holder("risk_officer")
    mid = submit(sc, "关于建设医共体远程会诊中心的议题")
    page = f"/matters/{mid}"

    owner = as_user(app, secretary)
    html = text(owner.get(page))
    assert 'data-testid="withdraw-form"' in html and 'data-testid="urge"' in html
    stranger = as_user(app, sc.holder("staff_representative"))
    html = text(stranger.get(page))
    assert 'data-testid="withdraw-form"' not in html and 'data-testid="urge"' not in html
    before = events(community)
    post(stranger, f"{page}/withdraw", {"reason": "不需要"}, page=page)
    assert "只有申报人可以撤回事项" in flashes(stranger) and events(community) == before

    task_id = sc.task_of(counsel, mid, "legality")
    post(owner, f"{page}/tasks/{task_id}/urge", page=page)
    assert "已催办" in flashes(owner)

    lawyer = as_user(app, counsel)
    assert f'data-testid="transfer-{task_id}"' in text(lawyer.get(page))
    post(lawyer, f"{page}/tasks/{task_id}/transfer", {"to": risk, "reason": "本人出差"}, page=page)
    assert "已转交" in flashes(lawyer)
    assert sc.task_of(risk, mid, "legality") is not None and sc.task_of(counsel, mid, "legality") is None

    post(owner, f"{page}/withdraw", {"reason": "预算调整，暂不实施"}, page=page)
    assert "事项已撤回" in flashes(owner)
    with sc.sessions.begin() as s:
        assert records.matter_record(s, mid)["status"] == "withdrawn"
