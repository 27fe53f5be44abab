"""加签, 抄送 and comments with attachments on review and countersign steps."""

from quorum.services import attachments, matters, task_ops, visibility
from tests.helpers import answer, current_step, open_tasks, person


def expenditure(sc) -> int:
    return sc.do("zhanghua", matters.submit, "expenditure", "乌兰社区中心购置打印机",
                 {"unit": "wulan_chc", "purpose": "打印机", "amount": "8000", "summary": "购置。"}).id


def test_an_added_signer_must_act_before_the_step_completes(sc):
    m = expenditure(sc)
    task_id, head, _kind, _ = open_tasks(sc, m)[0]
    sc.do(head, task_ops.add_signer, task_id, person(sc, "temuer"), "请党支部书记一并审核。")
    assert "不得审批本人提交的事项" in sc.refused(head, task_ops.add_signer, task_id, person(sc, "zhanghua"), "x")
    assert "已有待办" in sc.refused(head, task_ops.add_signer, task_id, person(sc, "temuer"), "x")
    answer(sc, m, username=head)
    assert current_step(sc, m) == "member_head_approval"
    answer(sc, m, username="temuer")
    assert current_step(sc, m) == "finance_review"


def test_a_copied_person_may_read_a_personnel_matter_but_has_nothing_to_do(sc):
    m = sc.do("alatan", matters.submit, "executive_president", "关于委派朝鲁门同志的议题",
              {"unit": "gerile_station", "candidate": "chaolumen", "summary": "选派。"}).id
    vice, other = person(sc, "liuzhigang"), person(sc, "naren")
    with sc.sessions.begin() as s:
        assert not visibility.can_view(s, sc.env, s.merge(vice), matters.get(s, m))
    sc.do("alatan", task_ops.copy_to, m, [vice], "请分管副院长知悉。")
    assert "均已在抄送范围内" in sc.refused("alatan", task_ops.copy_to, m, [vice])
    assert "只有申报人" in sc.refused("menghe", task_ops.copy_to, m, [other])
    with sc.sessions.begin() as s:
        assert visibility.can_view(s, sc.env, s.merge(vice), matters.get(s, m))
    assert "liuzhigang" not in [u for _, u, _, _ in open_tasks(sc, m)]


def test_a_comment_with_an_attachment_closes_nothing(sc, tmp_path):
    sc.env = sc.env.__class__(sc.env.policies, sc.env.calendar, sc.env.now, tmp_path)
    m = expenditure(sc)
    task_id, head, _kind, _ = open_tasks(sc, m)[0]
    upload = attachments.Upload("报价单.pdf", "application/pdf", b"%PDF-1.4 quote")
    opinion = sc.do(head, task_ops.comment, task_id, "请补充第二家供应商报价。", [upload])
    assert opinion.decision == "comment"
    assert current_step(sc, m) == "member_head_approval" and len(open_tasks(sc, m)) == 1
    with sc.sessions.begin() as s:
        stored = attachments.listing(s, m)
    assert [(a.filename, a.opinion_id) for a in stored] == [("报价单.pdf", opinion.id)]
    assert "该待办不是分派给您的" in sc.refused("temuer", task_ops.comment, task_id, "x")
