"""No page is wider than a phone (issue 15, item 5): several of the demo's people open every main page at
390×844 in Debian's chromium; the document is never wider than the screen, no element reaches past its right
edge unless it sits in a horizontally scrollable container (a wide table in .table-wrap), and no short label —
a status in a table, a tag, a button — is broken one character per line (「已签发」 in the 公文 table was).

The world: the demo decided (its meetings held, documents signed, 督办 items open) and a new 三重一大 项目 with
the 分管领导's review waiting, so the inbox has approval cards and the matter page a decision form.
"""

from dataclasses import replace
from urllib.parse import quote

from sqlalchemy import select

from quorum.db import Document, Person
from tests.helpers import give_gate_opinions, submit

WIDTH = 390

# What overflows: elements past the right edge outside a scrollable box, and short texts wrapped per character.
MEASURE = """(width) => {
  const scrollable = (el) => {
    for (let p = el.parentElement; p && p !== document.documentElement; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX;
      if ((x === 'auto' || x === 'scroll' || x === 'hidden') && p.getBoundingClientRect().right <= width + 1) {
        return true;
      }
    }
    return false;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '') + ' 「' + (el.innerText || '').trim().slice(0, 24) + '」';
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= width + 1) continue;
    if (!scrollable(el)) wide.push(name(el) + ' right=' + Math.round(r.right));
  }
  const broken = [];
  for (const el of document.body.querySelectorAll('td, th, .tag, button, a.button, dt')) {
    const t = (el.innerText || '').trim();
    if (!t || t.length > 6 || el.getBoundingClientRect().width === 0) continue;
    const range = document.createRange();
    range.selectNodeContents(el);
    const lines = new Set(Array.from(range.getClientRects()).map((q) => Math.round(q.top))).size;
    if (lines > 1) broken.push(name(el) + ' lines=' + lines);
  }
  return {scroll: document.documentElement.scrollWidth, wide: wide.slice(0, 8), broken: broken.slice(0, 8)};
}"""


def test_no_page_is_wider_than_a_phone(sc, live, page_for, env, community, decided_demo):
    result = decided_demo(replace(env, files_dir=live.runtime.settings.data_dir / "files"))
    decided, meeting = result["matter_id"], result["meetings"][1]
    fresh = submit(sc, "关于建设医共体远程会诊中心二期工程及配套信息化系统采购的议题")
    give_gate_opinions(sc, fresh)
    with community.sessions() as s:
        signed = s.execute(select(Document.id).where(Document.status == "frozen").order_by(Document.id)).scalars().first()
        someone = s.execute(select(Person.id).where(Person.username == "bater")).scalar_one()
    leader = sc.holder("vice_president", 0)
    visits = {
        "gaowenjing": ["/tasks", "/matters", f"/matters/{decided}", f"/matters/{fresh}", "/matters/new", "/documents",
                       f"/documents/{signed}", "/meetings", f"/meetings/{meeting}", "/supervision", "/dashboard",
                       "/admin", f"/admin/people/{someone}", "/admin/bodies", "/admin/delegations", "/admin/policies",
                       "/notifications", "/notifications/outbox", "/registers", "/admin/units", "/admin/org",
                       f"/matters?q={quote('设备')}&status=active"],
        "sunlixin": ["/audit", "/audit/refusals", "/registers", "/documents?q=2026"],                  # 纪检
        "bater": ["/tasks", f"/matters/{decided}", f"/documents/{signed}", "/documents", f"/meetings/{meeting}",
                  "/supervision", "/dashboard", "/notifications"],
        leader: ["/tasks", f"/matters/{fresh}", "/matters"],
        sc.holder("member_unit_head", 0, "wulan_chc"): ["/tasks", "/matters/new", "/supervision", "/notifications"],
    }
    failures = {}
    for username, paths in visits.items():
        page = page_for(username, WIDTH)
        for path in paths:
            response = page.goto(f"{live.url}{path}")
            if response is None or response.status != 200:
                failures[f"{username} {path}"] = {"status": response and response.status}
                continue
            found = page.evaluate(MEASURE, WIDTH)
            if found["scroll"] > WIDTH or found["wide"] or found["broken"]:
                failures[f"{username} {path}"] = found
    # the matter page on a phone: the facts and the decision first, the 抄送 picker folded
    page = page_for(leader, WIDTH)
    page.goto(f"{live.url}/matters/{fresh}")
    top = page.evaluate("""() => Object.fromEntries(['fields', 'my-tasks', 'copies'].map((id) => {
        const el = document.querySelector(`[data-testid=${id}]`);
        return [id, el ? Math.round(el.getBoundingClientRect().top + window.scrollY) : null]; }))""")
    assert top["fields"] is not None and top["fields"] < 400, top
    assert top["my-tasks"] is not None and top["fields"] < top["my-tasks"] < top["copies"], top
    assert not page.locator("[data-testid=copy-form]").is_visible()
    assert failures == {}, "\n".join(f"{where}: {found}" for where, found in failures.items())


def test_the_pdf_is_made_in_the_background_with_its_progress_shown(live, page_for, env, community, decided_demo):
    """生成 PDF on a phone: the page comes back at once with the job's state, polled by static/jobs.js, and the
    download link appears when the web process's job thread has converted it — the page never blocks."""
    decided_demo(replace(env, files_dir=live.runtime.settings.data_dir / "files"))
    with community.sessions() as s:
        signed = s.execute(select(Document.id).where(Document.status == "frozen", Document.pdf_sha256.is_(None))
                           .order_by(Document.id)).scalars().first()
    page = page_for("gaowenjing", WIDTH)
    page.goto(f"{live.url}/documents/{signed}")
    page.click("[data-testid=make-pdf]")
    page.wait_for_url(f"{live.url}/documents/{signed}?job=*")
    assert "已开始生成 PDF" in page.locator(".flash").inner_text()
    assert page.locator("[data-testid^=job-]").count() == 1
    link = page.locator("[data-testid=job-link]")
    link.wait_for(timeout=90_000)                     # LibreOffice takes 10 s or more on a busy machine
    assert link.get_attribute("href") == f"/documents/{signed}/file.pdf"
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    response = page.request.get(f"{live.url}/documents/{signed}/file.pdf")
    assert response.status == 200 and response.body().startswith(b"%PDF")


def test_on_a_desktop_the_lists_tables_fit_without_scrolling(live, page_for, env, decided_demo):
    """At 1280 px a list shows every column: a long title wraps (kept whole, it pushed 成文日期 and 状态 out)."""
    decided_demo(replace(env, files_dir=live.runtime.settings.data_dir / "files"))
    page = page_for("gaowenjing", 1280)
    for path in ("/documents", "/audit", "/admin/units", "/admin/policies"):
        assert page.goto(f"{live.url}{path}").status == 200
        scrolling = page.evaluate("""() => Array.from(document.querySelectorAll('.table-wrap'))
            .filter((box) => box.scrollWidth > box.clientWidth + 1).map((box) => box.innerText.slice(0, 40))""")
        assert scrolling == [], f"{path}: {scrolling}"
