"""Filing costs the same whatever the unit's history (issue 11, target 4).

The 拆分规避 check finds the related requests through matter_match_key — the normalised vendor,
project and purpose of each matter, written when it is filed — in one indexed query, so a submit
after 200 earlier requests of the unit runs the very statements it runs after 2, and reads only the
requests it shares a key with. Counted with a `before_cursor_execute` listener around the transaction.
"""

import importlib.util
from pathlib import Path

from sqlalchemy import delete, select

from quorum.db import MatterMatchKey
from quorum.services import checks, expenditure, matters
from tests.helpers import answer, counting, open_tasks

ROOT = Path(__file__).resolve().parents[2]
APPLICANT = "zhanghua"


def file(sc, n: int, vendor: str | None = None, amount: str = "20000") -> int:
    fields = {"unit": "wulan_chc", "purpose": f"第{n}批耗材采购", "vendor": vendor or f"二连浩特市第{n}供应商",
              "amount": amount, "summary": f"第{n}号采购申请，用于门诊日常耗材补充。"}
    return sc.do(APPLICANT, matters.submit, "expenditure", f"乌兰社区中心第{n}号采购申请", fields).id


def filing_statements(sc, earlier: int) -> list[str]:
    for n in range(earlier):
        sc.env = sc.env.later(minutes=40)
        file(sc, n)
    sc.env = sc.env.later(minutes=40)
    with counting(sc.sessions.kw["bind"]) as seen:
        file(sc, 10_000)
    return seen


def shape(statements: list[str]) -> list[str]:
    return [s.split(" WHERE ")[0] for s in statements]


def test_a_submit_after_200_earlier_requests_runs_the_statements_it_runs_after_2(sc):
    after_two = filing_statements(sc, 2)
    after_two_hundred = filing_statements(sc, 198)
    assert len(after_two_hundred) == len(after_two), "\n".join(after_two_hundred)
    assert shape(after_two_hundred) == shape(after_two)
    assert any("matter_match_key" in s and s.startswith("SELECT") for s in after_two_hundred)


def test_the_check_reads_only_the_requests_sharing_a_key(sc):
    for n in range(30):
        file(sc, n)
    first = file(sc, 100, vendor="二连浩特市（宏达）商贸有限公司")
    second = file(sc, 101, vendor=" 二连浩特市(宏达)商贸 有限公司 ")
    with sc.sessions.begin() as s:
        spec = sc.env.policies.policy_set.workflow("expenditure")
        keys = {"vendor": checks.stored_key("二连浩特市(宏达)商贸有限公司")}
        since = sc.env.now.replace(year=sc.env.now.year - 1)
        found = [row.id for row in s.execute(checks._related_query(spec, wulan(s), keys, since, second))]
        assert found == [first]
        flags = checks.flags_of(s, second)
    assert not flags          # 40,000 元 together: still below the 50,000 元 tier, as before


def wulan(s) -> int:
    from quorum.db import Unit
    return s.execute(select(Unit.id).where(Unit.key == "wulan_chc")).scalar_one()


def keys_of(sc, matter_id: int | None = None) -> set[tuple]:
    with sc.sessions.begin() as s:
        query = select(MatterMatchKey.matter_id, MatterMatchKey.workflow_key, MatterMatchKey.unit_id,
                       MatterMatchKey.field, MatterMatchKey.key, MatterMatchKey.created_at)
        if matter_id is not None:
            query = query.where(MatterMatchKey.matter_id == matter_id)
        return set(s.execute(query).all())


def test_a_refiled_request_is_indexed_by_its_new_vendor(sc):
    m = file(sc, 1, vendor="甲公司", amount="45000")
    answer(sc, m)
    answer(sc, m)
    task_id, user, _kind, _ = open_tasks(sc, m)[0]
    sc.do(user, matters.act, task_id, "record", "同意。请按规定组织采购并支付。")
    sc.do(APPLICANT, expenditure.change_amount, m, "amount", "60000", "增加采购数量")
    task_id, user, kind, _ = open_tasks(sc, m)[0]
    assert kind == "resubmit"
    sc.do(user, matters.act, task_id, "resubmit", "更换供应商后重新申报。", fields={"vendor": "乙 公司"})
    assert {(field, key) for *_, field, key, _at in keys_of(sc, m)} == {("vendor", "乙公司"), ("purpose", "第1批耗材采购")}


def test_the_migration_backfills_the_keys_of_existing_matters(sc):
    for n in range(3):
        file(sc, n)
    file(sc, 3, vendor="二连浩特市（宏达）商贸有限公司")
    written = keys_of(sc)
    assert len(written) == 8
    path = ROOT / "quorum" / "migrations" / "versions" / "0011_matter_match_keys.py"
    spec = importlib.util.spec_from_file_location("migration_0011", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with sc.sessions.begin() as s:
        s.execute(delete(MatterMatchKey))
        migration.backfill(s.connection())
    assert keys_of(sc) == written
