"""A lost optimistic lock is a 409 on a page, as in the API — never a 500 (issue 13, one adapter layer)."""

from sqlalchemy.orm.exc import StaleDataError

from quorum.services import matters
from tests.helpers import submit
from tests.webui.conftest import as_user, post, text
from tests.webui.test_api import as_user as api_user


def lose_the_race(*_args, **_kw):
    raise StaleDataError("UPDATE statement on table 'matter' expected to update 1 row(s); 0 were matched.")


def test_a_change_that_lost_the_race_is_a_409_page_and_a_409_answer(app, client, sc, monkeypatch):
    mid = submit(sc, "关于紧急采购负压救护车的议题", amount="480000")
    monkeypatch.setattr(matters, "mark_urgent", lose_the_race)
    page = post(as_user(app, "eerdun"), f"/matters/{mid}/urgent", {"reason": "疫情防控物资告急"})
    assert page.status_code == 409
    assert "操作冲突：数据已被他人同时修改，请刷新后重试" in text(page) and "Traceback" not in text(page)
    answer = api_user(client, "eerdun").post(f"/matters/{mid}/urgent", json={"reason": "疫情防控物资告急"})
    assert answer.status_code == 409
    assert answer.get_json() == {"error": "conflict", "message": "操作冲突：数据已被他人同时修改，请刷新后重试"}
