"""Find and filter (issue 15, item 2): quorum.services.search over matters and documents, on both databases.

张华 files 大额资金 requests of 乌兰社区中心; 阿拉坦 proposes an appointment (a personnel matter, restricted);
李春燕 approves with an opinion. Each filter, the totals and pages, visibility, queries shorter than a
trigram, and the index following an edit and an opinion are checked against the rows the services made.
"""

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from quorum.core.errors import InvalidInput
from quorum.db import Document, Matter
from quorum.db.search import gram_tokens, grams
from quorum.services import document_records, documents, matters, org, search
from tests.helpers import answer, open_tasks

APPLICANT = "zhanghua"


def file(sc, title: str, purpose: str = "办公设备购置", amount: str = "30000") -> int:
    fields = {"unit": "wulan_chc", "purpose": purpose, "amount": amount,
              "summary": f"{title}，拟通过询价方式采购。"}
    return sc.do(APPLICANT, matters.submit, "expenditure", title, fields).id


def propose(sc) -> int:
    fields = {"post": "乌兰社区卫生服务中心主任", "unit": "wulan_chc", "candidate": "temuer",
              "current_post": "乌兰社区卫生服务中心党支部书记", "summary": "岗位空缺，拟选拔配备。"}
    return sc.do("alatan", matters.submit, "appointment", "关于特木尔同志任职的动议", fields).id


def find(sc, username: str, **raw) -> search.Page:
    with sc.sessions.begin() as s:
        me = org.person(s, username)
        return search.matters(s, sc.env, me, search.filters(s, sc.env, **raw))


def ids(page: search.Page) -> list[int]:
    return [r["id"] for r in page.rows]


@pytest.fixture
def filed(sc):
    printer = file(sc, "乌兰社区中心购置打印机")
    sc.at(sc.env.now.date() + timedelta(days=1), 10)
    ambulance = file(sc, "乌兰社区中心购置救护车", purpose="医疗设备购置", amount="45000")
    return {"printer": printer, "ambulance": ambulance}


def test_a_word_of_the_title_of_a_field_and_of_an_opinion_finds_the_matter(sc, filed):
    assert ids(find(sc, APPLICANT, q="打印机")) == [filed["printer"]]
    assert ids(find(sc, APPLICANT, q="医疗设备购置")) == [filed["ambulance"]]          # a field value
    assert ids(find(sc, APPLICANT, q="询价方式")) == [filed["ambulance"], filed["printer"]]   # newest first
    assert find(sc, APPLICANT, q="询价方式").total == 2
    assert ids(find(sc, APPLICANT, q="节能降耗")) == []
    answer(sc, filed["printer"], comment="同意，注意节能降耗。")                             # an opinion given now
    assert ids(find(sc, APPLICANT, q="节能降耗")) == [filed["printer"]]


def test_every_word_must_occur_and_latin_letters_match_in_any_case(sc, filed):
    assert ids(find(sc, APPLICANT, q="询价方式 救护车")) == [filed["ambulance"]]
    assert ids(find(sc, APPLICANT, q="救护车 打印机")) == []
    sc.do(APPLICANT, matters.submit, "expenditure", "采购 HP LaserJet 耗材",
          {"unit": "wulan_chc", "purpose": "办公耗材", "amount": "2000", "summary": "打印耗材。"})
    assert [r["title"] for r in find(sc, APPLICANT, q="laserjet").rows] == ["采购 HP LaserJet 耗材"]
    assert [r["title"] for r in find(sc, APPLICANT, q="hP").rows] == ["采购 HP LaserJet 耗材"]   # two letters
    assert find(sc, APPLICANT, q="100%").total == 0 and find(sc, APPLICANT, q="a_b").total == 0   # no wildcards


def test_queries_of_one_or_two_characters_still_match(sc, filed):
    assert ids(find(sc, APPLICANT, q="车")) == [filed["ambulance"]]
    assert ids(find(sc, APPLICANT, q="打印")) == [filed["printer"]]
    assert ids(find(sc, APPLICANT, q="购置 救护")) == [filed["ambulance"]]
    assert ids(find(sc, APPLICANT, q="乌兰社区中心 车")) == [filed["ambulance"]]          # long and short together


def test_the_grams_of_a_text_are_its_characters_and_their_pairs_without_spaces():
    assert grams("购置 HP机") == sorted(["购", "购置", "置", "h", "hp", "p", "p机", "机"])
    assert grams("　\n ") == [] and gram_tokens("") == ""
    assert gram_tokens("车") == "e8bda6"                               # the hex of its UTF-8 bytes: one FTS5 token


def test_the_index_follows_an_edit_of_the_title_and_of_the_fields(sc, filed):
    with sc.sessions.begin() as s:
        matter = s.get(Matter, filed["printer"])
        matter.title = "乌兰社区中心购置复印机"
        matter.fields = {**matter.fields, "purpose": "文印设备更新", "summary": "更换复印机一台。"}
    assert ids(find(sc, APPLICANT, q="打印机")) == [] and ids(find(sc, APPLICANT, q="打印")) == []
    assert ids(find(sc, APPLICANT, q="复印机")) == [filed["printer"]]
    assert ids(find(sc, APPLICANT, q="复印")) == [filed["printer"]] and ids(find(sc, APPLICANT, q="复")) == [filed["printer"]]
    assert ids(find(sc, APPLICANT, q="文印设备")) == [filed["printer"]]


def test_status_workflow_unit_and_date_filters(sc, filed):
    appointment = propose(sc)
    everyone = find(sc, "sunlixin")                                   # 纪检 sees every matter
    assert ids(everyone) == [appointment, filed["ambulance"], filed["printer"]]
    assert ids(find(sc, "sunlixin", workflow="appointment")) == [appointment]
    assert ids(find(sc, "sunlixin", workflow="expenditure", status="active")) == [filed["ambulance"], filed["printer"]]
    assert find(sc, "sunlixin", status="closed").total == 0
    assert find(sc, "sunlixin", unit="wulan_chc").total == 3          # the post filled is at 乌兰社区中心 too
    assert find(sc, "sunlixin", unit="general_hospital").total == 0
    first_day = everyone.rows[-1]["created_at"].date()
    assert ids(find(sc, "sunlixin", start=first_day, end=first_day)) == [filed["printer"]]
    assert ids(find(sc, "sunlixin", start=(first_day + timedelta(days=1)).isoformat())) == \
        [appointment, filed["ambulance"]]
    assert find(sc, "sunlixin", end=first_day - timedelta(days=1)).total == 0


def test_mine_is_what_i_filed_or_acted_on_and_waiting_is_my_open_tasks(sc, filed):
    assert find(sc, APPLICANT, mine=True).total == 2
    head = open_tasks(sc, filed["printer"])[0][1]
    assert head == "lichunyan"
    assert ids(find(sc, head, waiting=True)) == [filed["ambulance"], filed["printer"]]
    assert find(sc, head, mine=True).total == 0
    answer(sc, filed["printer"], comment="同意。")
    assert ids(find(sc, head, mine=True)) == [filed["printer"]]          # she gave an opinion on it
    assert ids(find(sc, head, waiting=True)) == [filed["ambulance"]]
    assert find(sc, APPLICANT, waiting=True).total == 0


def test_totals_and_pages_newest_first(sc):
    made = [file(sc, f"乌兰社区中心购置办公桌第{i}批") for i in range(5)]
    first = find(sc, APPLICANT, q="办公桌", per_page=2)
    assert (first.total, first.pages, ids(first)) == (5, 3, [made[4], made[3]])
    assert ids(find(sc, APPLICANT, q="办公桌", per_page=2, page=3)) == [made[0]]
    beyond = find(sc, APPLICANT, q="办公桌", per_page=2, page=9)
    assert (beyond.total, beyond.rows) == (5, [])
    assert first.as_json() == {"total": 5, "page": 1, "per_page": 2, "pages": 3}
    # without words the total is a COUNT and the page read apart (with words, mine or waiting: one window count)
    listed = find(sc, APPLICANT, per_page=2)
    assert listed.total >= 5 and ids(listed) == [made[4], made[3]]
    assert (find(sc, APPLICANT, per_page=2, page=listed.pages + 1).total, listed.total) == (listed.total, len(
        ids(find(sc, APPLICANT, per_page=100))))
    mine = find(sc, APPLICANT, mine=True, per_page=100)
    assert find(sc, APPLICANT, mine=True, per_page=2, page=mine.pages * 50 + 1).total == mine.total == len(mine.rows)


def test_a_person_only_finds_what_they_may_see(sc, filed):
    appointment = propose(sc)
    assert find(sc, APPLICANT, q="特木尔").total == 0                 # a personnel matter: restricted
    assert ids(find(sc, "alatan", q="特木尔")) == [appointment]        # its initiator
    assert ids(find(sc, "sunlixin", q="特木尔")) == [appointment]      # 纪检: matter.view_all
    assert find(sc, APPLICANT).total == 2


def test_rows_carry_names_for_people_and_keys_for_machines(sc, filed):
    row = find(sc, APPLICANT, q="救护车").rows[0]
    assert (row["unit"], row["unit_key"]) == ("二连浩特市乌兰社区卫生服务中心", "wulan_chc")
    assert (row["initiator"], row["initiator_username"]) == ("张华", APPLICANT)
    assert row["status_name"] and row["workflow_name"] and row["current_step_name"]


@pytest.mark.parametrize(("raw", "words"), [
    ({"status": "nonsense"}, "状态「nonsense」不存在"),
    ({"workflow": "nonsense"}, "流程「nonsense」不存在"),
    ({"category": "nonsense"}, "类别「nonsense」不存在"),
    ({"unit": "atlantis"}, "单位「atlantis」未登记"),
    ({"start": "2026-13-01"}, "起始日期「2026-13-01」不是有效日期"),
    ({"end": "yesterday"}, "截止日期「yesterday」不是有效日期"),
    ({"start": "2026-12-07", "end": "2026-12-01"}, "起始日期 2026-12-07 晚于截止日期 2026-12-01"),
    ({"start": "1900-01-01"}, "起始日期「1900-01-01」超出允许范围（2000-01-01 至 2100-12-31）"),
    ({"page": "0"}, "页码「0」无效"),
    ({"page": "x"}, "页码「x」无效"),
    ({"per_page": "1000"}, "每页条数「1000」无效"),
    ({"q": "字" * 101}, "搜索词过长"),
    ({"q": " ".join("字" * 9)}, "搜索词最多 8 个"),
])
def test_a_bad_filter_is_refused_in_words(sc, raw, words):
    with pytest.raises(InvalidInput) as refused:
        find(sc, APPLICANT, **raw)
    assert words in str(refused.value)


# -- documents ---------------------------------------------------------------------------------------

def find_documents(db, env, username: str, **raw) -> search.Page:
    with db.sessions.begin() as s:
        me = org.person(s, username)
        return search.documents_page(s, env, me, search.filters(s, env, documents_list=True, **raw))


@pytest.fixture
def denv(env, tmp_path):
    return replace(env, files_dir=tmp_path / "files")


@pytest.fixture
def decided(community, denv, decided_demo):
    return decided_demo(denv)


def test_documents_by_title_number_and_body_and_the_index_follows_an_edit(community, denv, decided):
    with community.sessions.begin() as s:
        signed = s.execute(select(Document).where(Document.doc_number.isnot(None)).order_by(Document.id)).scalars().first()
        number, title, doc_id = signed.doc_number, signed.title, signed.id
        draft = s.execute(select(Document).where(Document.status == "draft")).scalars().first()
    assert doc_id in [r["id"] for r in find_documents(community, denv, "sunlixin", q=number).rows]
    assert doc_id in [r["id"] for r in find_documents(community, denv, "sunlixin", q=title[:6], per_page=100).rows]
    assert doc_id in [r["id"] for r in find_documents(community, denv, "sunlixin", status="frozen", per_page=100).rows]
    assert find_documents(community, denv, "sunlixin", q="独一无二的正文内容").total == 0
    target = draft.id if draft is not None else doc_id
    with community.sessions.begin() as s:
        s.execute(update(Document).where(Document.id == target).values(body="独一无二的正文内容。"))
    assert [r["id"] for r in find_documents(community, denv, "sunlixin", q="独一无二的正文内容").rows] == [target]
    assert [r["id"] for r in find_documents(community, denv, "sunlixin", q="正文").rows] == [target]   # 2 characters


def test_documents_found_are_those_the_person_may_read(community, denv, decided):
    with community.sessions.begin() as s:
        people = [username for username, _name in org.active_people(s)]
    for username in people:
        found = find_documents(community, denv, username, per_page=100)
        with community.sessions.begin() as s:
            me = org.person(s, username)
            readable = sorted((d.id for d in s.execute(select(Document)).scalars()
                               if document_records.can_read(s, denv, me, d)), reverse=True)
        assert [r["id"] for r in found.rows] == readable, username
        assert found.total == len(readable)


def test_documents_mine_waiting_and_a_bad_kind(community, denv, decided):
    with community.sessions.begin() as s:
        drafted = {d.created_by_id for d in s.execute(select(Document)).scalars()} - {None}
        author = s.get(org.Person, sorted(drafted)[0]).username if drafted else None
        waiting = {username: [d.id for d in documents.awaiting(s, org.person(s, username))]
                   for username in ("bater", "sunlixin")}
    if author is not None:
        assert find_documents(community, denv, author, mine=True).total >= 1
    for username, expected in waiting.items():
        assert sorted(r["id"] for r in find_documents(community, denv, username, waiting=True).rows) == sorted(expected)
    with pytest.raises(InvalidInput) as refused:
        find_documents(community, denv, "sunlixin", workflow="nonsense")
    assert "公文种类「nonsense」不存在" in str(refused.value)


def test_the_search_visibility_is_the_visibility_rule_for_every_person(community, denv, decided):
    """What a person finds with no words and no filter is exactly what visibility.can_view lets him open."""
    from quorum.services import visibility
    with community.sessions.begin() as s:
        people = [username for username, _name in org.active_people(s)]
        all_matters = list(s.execute(select(Matter)).scalars())
        assert any(m.personnel for m in all_matters)
    for username in people:
        found = {r["id"] for r in find_documents_or_matters(community, denv, username)}
        with community.sessions.begin() as s:
            me = org.person(s, username)
            allowed = {m.id for m in s.execute(select(Matter)).scalars() if visibility.can_view(s, denv, me, m)}
        assert found == allowed, username


def find_documents_or_matters(db, env, username: str) -> list[dict]:
    with db.sessions.begin() as s:
        me = org.person(s, username)
        return search.matters(s, env, me, search.filters(s, env, per_page=100)).rows
