"""Find and filter in the web UI and the API (issue 15, item 2): /matters, /documents, /api/v1/matters,
/api/v1/documents — the search box and filters, totals, page links that keep the filters, refusals of a bad
filter in Chinese, and a fixed number of SQL statements per searched page however many matters match.
"""

import re
from dataclasses import replace
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from quorum.db import Document
from quorum.services import matters
from tests.webui.conftest import PASSWORD, as_user, text
from tests.webui.test_statement_counts import Statements

APPLICANT = "zhanghua"          # 乌兰社区中心副主任: files 大额资金 requests
API = "/api/v1"


def file(sc, title: str, purpose: str = "办公设备购置") -> int:
    fields = {"unit": "wulan_chc", "purpose": purpose, "amount": "30000", "summary": f"{title}，拟通过询价方式采购。"}
    return sc.do(APPLICANT, matters.submit, "expenditure", title, fields).id


def shown(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-testid="matter-(\d+)"', html)]


def bearer(app, username: str) -> dict[str, str]:
    token = app.test_client().post(f"{API}/token", json={"username": username, "password": PASSWORD}).get_json()
    return {"Authorization": f"Bearer {token['token']}"}


@pytest.fixture
def filed(sc):
    return {"printer": file(sc, "乌兰社区中心购置打印机"), "ambulance": file(sc, "乌兰社区中心购置救护车", "医疗设备购置")}


def test_the_matter_list_searches_and_filters(app, sc, filed):
    web = as_user(app, APPLICANT)
    html = text(web.get("/matters?q=救护车"))
    assert shown(html) == [filed["ambulance"]] and "共 1 件" in html
    assert 'value="救护车"' in html                                     # the search box keeps the words
    assert shown(text(web.get("/matters?q=车"))) == [filed["ambulance"]]            # one character
    assert shown(text(web.get("/matters?q=询价&mine=1"))) == [filed["ambulance"], filed["printer"]]
    assert shown(text(web.get("/matters?waiting=1"))) == []
    head = as_user(app, "lichunyan")
    assert shown(text(head.get("/matters?waiting=1&unit=wulan_chc&status=active&workflow=expenditure"))) == \
        [filed["ambulance"], filed["printer"]]
    assert "没有符合条件的事项" in text(web.get("/matters?status=closed"))


def test_a_bad_filter_is_a_400_in_chinese_and_the_page_still_opens(app, sc, filed):
    web = as_user(app, APPLICANT)
    response = web.get("/matters?from=2026-02-30")
    assert response.status_code == 400
    assert "起始日期「2026-02-30」不是有效日期" in text(response) and 'data-testid="filter-error"' in text(response)
    assert "申报事项" in text(response) or "代理设置" in text(response)         # the page, not an error page
    response = web.get("/documents?status=lost")
    assert response.status_code == 400 and "状态「lost」不存在" in text(response)


def test_page_links_keep_the_filters(app, sc):
    made = [file(sc, f"乌兰社区中心购置办公椅第{i}批") for i in range(23)]
    web = as_user(app, APPLICANT)
    html = text(web.get("/matters?q=办公椅&unit=wulan_chc&mine=1"))
    assert "共 23 件，第 1/2 页" in html and len(shown(html)) == 20
    nxt = unescape(re.search(r'href="([^"]+)" rel="next"', html).group(1))
    assert parse_qs(urlsplit(nxt).query) == {"q": ["办公椅"], "unit": ["wulan_chc"], "mine": ["1"], "page": ["2"]}
    second = text(web.get(nxt))
    assert shown(second) == sorted(made, reverse=True)[20:] and "第 2/2 页" in second
    assert 'rel="next"' not in second and 'rel="prev"' in second


def test_the_document_list_searches_by_title_and_number(app, community, env, decided_demo):
    decided_demo(replace(env, files_dir=app.extensions["quorum"].settings.data_dir / "files"))
    with community.sessions.begin() as s:
        signed = s.execute(select(Document).where(Document.doc_number.isnot(None))
                           .order_by(Document.id)).scalars().first()
        number, title = signed.doc_number, signed.title
    web = as_user(app, "sunlixin")
    html = text(web.get(f"/documents?q={number}"))
    assert title in html and number in html and "共 1 份" in html
    assert "没有符合条件的公文" in text(web.get("/documents?q=不存在的公文标题"))
    assert 'class="nowrap">已签发<' in text(web.get("/documents?status=frozen"))    # never one character per line
    api = app.test_client()
    response = api.get(f"{API}/documents?q={number}", headers=bearer(app, "sunlixin"))
    assert response.status_code == 200 and [d["doc_number"] for d in response.get_json()] == [number]
    assert response.headers["X-Total-Count"] == "1"


def test_the_api_searches_with_totals_in_headers(app, sc, filed):
    file(sc, "乌兰社区中心购置打印纸")
    api, auth = app.test_client(), bearer(app, APPLICANT)
    response = api.get(f"{API}/matters?q=打印&per_page=1&page=2&status=active", headers=auth)
    assert response.status_code == 200
    body = response.get_json()
    assert [m["id"] for m in body] == [filed["printer"]]
    assert body[0]["unit_key"] == "wulan_chc" and body[0]["initiator_username"] == APPLICANT
    assert body[0]["initiator"] == "张华"
    assert (response.headers["X-Total-Count"], response.headers["X-Page"], response.headers["X-Total-Pages"]) == \
        ("2", "2", "2")
    assert 'rel="prev"' in response.headers["Link"] and "q=" in response.headers["Link"]
    today = sc.env.now.date().isoformat()
    assert len(api.get(f"{API}/matters?from={today}&to={today}", headers=auth).get_json()) == 3
    assert api.get(f"{API}/matters?to=2000-01-01", headers=auth).get_json() == []
    refused = api.get(f"{API}/matters?from=yesterday", headers=auth)
    assert refused.status_code == 422 and "起始日期「yesterday」不是有效日期" in refused.get_json()["message"]
    refused = api.get(f"{API}/matters?mine=perhaps", headers=auth)
    assert refused.status_code == 422 and "「mine」" in refused.get_json()["message"]
    legacy = api.get(f"{API}/matters?limit=1&offset=1", headers=auth)          # the older paging still answers
    assert len(legacy.get_json()) == 1 and legacy.headers["X-Total-Count"] == "3"


def test_the_openapi_document_describes_the_filters(app, client, sc):
    document = client.get(f"{API}/openapi.json").get_json()
    names = {p["name"] for p in document["paths"]["/matters"]["get"]["parameters"]}
    assert {"q", "status", "workflow", "category", "unit", "from", "to", "mine", "waiting", "page"} <= names
    assert "X-Total-Count" in document["paths"]["/documents"]["get"]["responses"]["200"]["headers"]


@pytest.fixture
def statements(community):
    counter = Statements(community.engine)
    yield counter
    counter.close()


def test_a_searched_page_costs_the_same_statements_for_3_and_40_matches(app, sc, statements):
    web, api, auth = as_user(app, APPLICANT), app.test_client(), bearer(app, APPLICANT)
    opened = {"web": lambda: web.get("/matters?q=办公桌&mine=1&unit=wulan_chc"),
              "web_short": lambda: web.get("/matters?q=桌"),
              "api": lambda: api.get(f"{API}/matters?q=办公桌&status=active", headers=auth),
              "documents": lambda: web.get("/documents?q=办公桌")}

    def cost() -> dict[str, int]:
        for fn in opened.values():
            assert fn().status_code == 200
        return {name: statements.of(fn) for name, fn in opened.items()}

    for i in range(3):
        file(sc, f"乌兰社区中心购置办公桌第{i}批")
    few = cost()
    for i in range(3, 40):
        file(sc, f"乌兰社区中心购置办公桌第{i}批")
    many = cost()
    assert many == few, f"3 matches: {few}; 40 matches: {many}"
    assert max(many.values()) <= 25, many
