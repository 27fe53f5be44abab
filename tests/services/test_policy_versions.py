"""Policy versions: every rule set a matter started under is stored, and the matter keeps it.

A changed policies/ directory (here: the 党委会 threshold for 大额资金 raised from 200,000 元 to
1,000,000 元) becomes a new PolicyVersion row the first time it is used. Matters submitted before
the change finish under the old rules; matters submitted after it follow the new ones. Runs on
SQLite and PostgreSQL through the `sc` fixture.
"""

import shutil
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from quorum import policies
from quorum.core.errors import InvalidPolicy
from quorum.db import AuditEvent, Matter, Meeting, PolicyVersion, Task
from quorum.services import meetings, records
from quorum.services.policies import current_version, policy_set_for
from tests.helpers import pass_gate_and_reviews, schedule, start, submit

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = Path("workflows") / "major_matter.toml"
OLD_THRESHOLD = 'funds_party_committee = "200000"'
NEW_THRESHOLD = 'funds_party_committee = "1000000"'
OLD_ROUTE = "【党委会集体决定】适用：金额 600,000 元 ≥ 200,000 元，须提交党委会集体决策"
NEW_ROUTE = ("【党委会集体决定】不适用：事项类别 大额资金使用 不属于 重大事项决策、重要干部任免、重大项目安排，"
             "且金额 600,000 元 < 1,000,000 元，且是否预算内：是")


def policy_copy(tmp_path: Path, old: str, new: str) -> Path:
    """Copy policies/ to tmp_path/policies with one exact text replacement in major_matter.toml."""
    copy = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", copy)
    path = copy / WORKFLOW
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return copy


@pytest.fixture
def raised_threshold(tmp_path) -> policies.LoadedPolicies:
    return policies.load(policy_copy(tmp_path, OLD_THRESHOLD, NEW_THRESHOLD))


def funds_matter(sc, title: str) -> int:
    return submit(sc, title, category="funds", amount="600000", unit="wulan_chc")


def versions(sc) -> list[PolicyVersion]:
    with sc.sessions.begin() as s:
        rows = list(s.execute(select(PolicyVersion).order_by(PolicyVersion.id)).scalars())
        for r in rows:
            s.expunge(r)
        return rows


def matter_row(sc, matter_id: int) -> Matter:
    with sc.sessions.begin() as s:
        row = s.get(Matter, matter_id)
        s.expunge(row)
        return row


def record(sc, matter_id: int) -> dict:
    with sc.sessions.begin() as s:
        return records.matter_record(s, matter_id)


def step(rec: dict, key: str) -> dict:
    return next(st for st in rec["steps"] if st["key"] == key)


def hold_president_office(sc, matter_ids: list[int]) -> None:
    """Schedule and hold one 院长办公会 where every member agrees to every item."""
    meeting_id = schedule(sc, "president_office", matter_ids)
    roll = start(sc, meeting_id)
    secretary = sc.holder("secretariat", 0)
    for seq in range(1, len(matter_ids) + 1):
        for member in roll["members"]:
            if member != roll["chair"]:
                sc.do(member, meetings.vote, meeting_id, seq, "agree")
        sc.do(roll["chair"], meetings.vote, meeting_id, seq, "agree")
        sc.do(secretary, meetings.close_item, meeting_id, seq)
    sc.do(secretary, meetings.close, meeting_id)


# --------------------------------------------------------------------------------------------
# storing the version


def test_the_first_submission_stores_the_policy_version(sc, env):
    assert versions(sc) == []                          # loading the org stores no version
    mid = funds_matter(sc, "乌兰社区中心购置DR")
    [version] = versions(sc)
    assert version.label == "2026.1"
    assert version.digest == env.policies.digest
    assert version.content == env.policies.raw
    assert policies.digest_of(version.content) == version.digest
    assert version.loaded_at == env.now
    row = matter_row(sc, mid)
    assert (row.policy_version_id, row.policy_digest) == (version.id, version.digest)


def test_the_same_rules_reuse_the_stored_version(sc):
    first = funds_matter(sc, "乌兰社区中心购置DR")
    second = funds_matter(sc, "东城社区中心购置彩超")
    [version] = versions(sc)
    assert matter_row(sc, first).policy_version_id == matter_row(sc, second).policy_version_id == version.id


def test_a_changed_policy_is_a_new_version_and_old_matters_keep_theirs(sc, env, raised_threshold):
    old_mid = funds_matter(sc, "旧规则下申报：乌兰社区中心购置DR")
    assert raised_threshold.digest != env.policies.digest
    assert raised_threshold.policy_set.label == env.policies.policy_set.label == "2026.1"

    sc.env = replace(sc.env, policies=raised_threshold)
    new_mid = funds_matter(sc, "新规则下申报：东城社区中心购置彩超")

    old_version, new_version = versions(sc)
    assert (old_version.digest, new_version.digest) == (env.policies.digest, raised_threshold.digest)
    assert new_version.label == "2026.1"
    assert new_version.content == raised_threshold.raw
    assert old_version.content["workflows"]["major_matter"]["thresholds"] == {"funds_party_committee": "200000"}
    assert new_version.content["workflows"]["major_matter"]["thresholds"] == {"funds_party_committee": "1000000"}

    old_row, new_row = matter_row(sc, old_mid), matter_row(sc, new_mid)
    assert (old_row.policy_version_id, old_row.policy_digest) == (old_version.id, old_version.digest)
    assert (new_row.policy_version_id, new_row.policy_digest) == (new_version.id, new_version.digest)

    # Each stored version parses back to its own rules.
    with sc.sessions.begin() as s:
        old_rules = policy_set_for(s, old_version.id).workflow("major_matter")
        new_rules = policy_set_for(s, new_version.id).workflow("major_matter")
    assert old_rules.thresholds == {"funds_party_committee": Decimal("200000")}
    assert new_rules.thresholds == {"funds_party_committee": Decimal("1000000")}


def test_routes_follow_the_version_each_matter_started_under(sc, raised_threshold):
    old_mid = funds_matter(sc, "旧规则下申报：乌兰社区中心购置DR")
    sc.env = replace(sc.env, policies=raised_threshold)
    new_mid = funds_matter(sc, "新规则下申报：东城社区中心购置彩超")

    old, new = record(sc, old_mid), record(sc, new_mid)
    assert old["route"][5] == OLD_ROUTE
    assert (step(old, "party_committee")["status"], step(old, "party_committee")["applies"]) == ("pending", True)
    assert new["route"][5] == NEW_ROUTE
    assert (step(new, "party_committee")["status"], step(new, "party_committee")["applies"]) == ("skipped", False)
    # 前置程序: the risk report is needed at ≥ the threshold — only under the old rules here.
    with sc.sessions.begin() as s:
        old_reqs = set(s.execute(select(Task.requirement).where(Task.matter_id == old_mid)).scalars())
        new_reqs = set(s.execute(select(Task.requirement).where(Task.matter_id == new_mid)).scalars())
    assert old_reqs == {"legality", "risk", "consultation", "finance"}
    assert new_reqs == {"legality", "consultation", "finance"}

    # Both go through 前置程序, reviews and one 院长办公会, all while the new rules are deployed.
    pass_gate_and_reviews(sc, old_mid)
    pass_gate_and_reviews(sc, new_mid)
    hold_president_office(sc, [old_mid, new_mid])

    old, new = record(sc, old_mid), record(sc, new_mid)
    assert step(old, "president_office")["status"] == step(new, "president_office")["status"] == "done"
    assert (old["status"], old["current_step"]) == ("active", "party_committee")
    assert step(old, "party_committee")["status"] == "active"
    assert (new["status"], new["current_step"]) == ("active", "record")
    assert step(new, "party_committee")["status"] == "skipped"

    # Both versions are still stored, and each matter still points at its own.
    old_version, new_version = versions(sc)
    assert matter_row(sc, old_mid).policy_version_id == old_version.id
    assert matter_row(sc, new_mid).policy_version_id == new_version.id


def test_going_back_to_the_old_rules_reuses_the_old_version(sc, env, raised_threshold):
    funds_matter(sc, "旧规则下申报")
    sc.env = replace(sc.env, policies=raised_threshold)
    funds_matter(sc, "新规则下申报")
    sc.env = replace(sc.env, policies=env.policies)
    again = funds_matter(sc, "恢复旧规则后申报")
    old_version, _new_version = versions(sc)
    assert matter_row(sc, again).policy_version_id == old_version.id
    with sc.sessions.begin() as s:
        assert s.execute(select(func.count()).select_from(PolicyVersion)).scalar_one() == 2
        assert current_version(s, sc.env).id == old_version.id
    assert record(sc, again)["route"][5] == OLD_ROUTE


def test_a_new_version_is_audited_once(sc, raised_threshold):
    funds_matter(sc, "旧规则下申报")
    sc.env = replace(sc.env, policies=raised_threshold)
    funds_matter(sc, "新规则下申报")
    funds_matter(sc, "新规则下再申报")
    with sc.sessions.begin() as s:
        stored = list(s.execute(select(AuditEvent.payload).where(AuditEvent.kind == "policy.version_stored")
                                .order_by(AuditEvent.seq)).scalars())
    assert [p["digest"] for p in stored] == [v.digest for v in versions(sc)]


def test_meeting_records_the_version_it_was_called_under(sc, raised_threshold):
    mid = funds_matter(sc, "旧规则下申报")
    pass_gate_and_reviews(sc, mid)
    sc.env = replace(sc.env, policies=raised_threshold)
    meeting_id = schedule(sc, "president_office", [mid])
    old_version, new_version = versions(sc)
    with sc.sessions.begin() as s:
        assert s.get(Meeting, meeting_id).policy_version_id == new_version.id
    assert matter_row(sc, mid).policy_version_id == old_version.id


# --------------------------------------------------------------------------------------------
# invalid policy directories


def test_broken_toml_names_the_file_and_line(tmp_path):
    broken = policy_copy(tmp_path, OLD_THRESHOLD, 'funds_party_committee = "200000')
    line = next(n for n, text in enumerate((broken / WORKFLOW).read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith("funds_party_committee"))
    with pytest.raises(InvalidPolicy) as caught:
        policies.load(broken)
    exc = caught.value
    assert exc.key == "invalid_policy"
    assert exc.params["source"] == "policies/workflows/major_matter.toml"
    assert str(exc).startswith("规则文件有误（policies/workflows/major_matter.toml）：TOML 语法错误：")
    assert f"line {line}" in str(exc)


def test_unknown_body_names_the_file_and_step(tmp_path):
    broken = policy_copy(tmp_path, 'body = "party_committee"', 'body = "standing_committee"')
    with pytest.raises(InvalidPolicy) as caught:
        policies.load(broken)
    assert str(caught.value) == (
        "规则文件有误（policies/workflows/major_matter.toml，步骤 party_committee）："
        "meeting 步骤须指定已定义的议事机构 body，「standing_committee」未定义")


def test_unknown_role_in_a_requirement_names_the_file_and_step(tmp_path):
    broken = policy_copy(tmp_path, 'role = "legal_counsel"', 'role = "lawyer"')
    with pytest.raises(InvalidPolicy) as caught:
        policies.load(broken)
    assert str(caught.value) == (
        "规则文件有误（policies/workflows/major_matter.toml，步骤 pre_review）：未定义的角色「lawyer」（见 policies/roles.toml）")


def test_bad_threshold_names_the_file_and_threshold(tmp_path):
    broken = policy_copy(tmp_path, OLD_THRESHOLD, 'funds_party_committee = "20万"')
    with pytest.raises(InvalidPolicy) as caught:
        policies.load(broken)
    assert str(caught.value) == (
        "规则文件有误（policies/workflows/major_matter.toml，阈值 funds_party_committee）："
        "「20万」不是有效金额（请写成字符串，如 \"200000\"）")


def test_missing_policy_file_is_named(tmp_path):
    copy = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", copy)
    (copy / "bodies.toml").unlink()
    with pytest.raises(InvalidPolicy) as caught:
        policies.load(copy)
    assert str(caught.value) == "规则文件有误（policies/bodies.toml）：文件不存在"
