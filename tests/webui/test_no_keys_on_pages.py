"""No internal identifier reaches a person on a page (issue 14, item 2): every page the demo's people reach —
the 党政办, the 总院长, a member unit's head, a 人社局 approver, the 纪检 and a staff representative, each
following every link from their start pages — names units, people, steps, roles and statuses in Chinese. The
visible text never holds a policy key (`pre_review`, `wulan_chc`, `not_permitted`) or a username. Two pages of the
administration are exceptions by purpose: the people pages show each account's 登录名 (labelled so), and the rule
reference /admin/policies pairs each key of the policy files with its name, for whoever edits those files."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from sqlalchemy import select

from quorum.db import Person, Unit
from tests.webui.conftest import as_user

KEY = re.compile(r"\b[a-z]+_[a-z_]+\b")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
PEOPLE = ("gaowenjing", "eerdun", "lichunyan", "enhe", "sunlixin", "wuhaiyan")
STARTS = ("/tasks", "/matters", "/meetings", "/documents", "/supervision", "/notifications", "/dashboard",
          "/audit/refusals", "/delegations", "/account")
SKIP = re.compile(r"^/(logout|static/|api/)|/(download|file|pdf|ofd|ics|preview|png)\b|\.(docx|pdf|ofd|ics|png|xlsx)$")
ACCOUNT_PAGES = re.compile(r"^/admin($|/people)")      # the 登录名 is what an administrator manages there
RULE_REFERENCE = "/admin/policies"                      # keys beside their names, for editing policies/
PAGES_EACH = 80


class VisibleText(HTMLParser):
    """The text a reader sees: text nodes outside <script>/<style>, plus the words of buttons and placeholders."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self._hidden += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in ("placeholder", "title", "aria-label"):
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def crawl(client) -> dict[str, str]:
    """Follow same-site links breadth first from the start pages; {path: visible text} of every HTML page."""
    seen: dict[str, str] = {}
    queue = list(STARTS)
    while queue and len(seen) < PAGES_EACH:
        path = queue.pop(0)
        if path in seen or SKIP.search(path):
            continue
        response = client.get(path)
        if response.status_code != 200 or not response.mimetype == "text/html":
            seen[path] = ""
            continue
        parser = VisibleText()
        parser.feed(response.get_data(as_text=True))
        seen[path] = " ".join(parser.parts)
        for href in parser.links:
            target = urlsplit(href)
            if not target.netloc and target.path.startswith("/"):
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return seen


def test_no_page_shows_a_key_or_a_username(app, decided_demo, env, community):
    decided_demo(env)
    with community.sessions.begin() as s:
        usernames = set(s.execute(select(Person.username)).scalars())
        unit_keys = set(s.execute(select(Unit.key)).scalars())
    found, visited = {}, 0
    for username in PEOPLE:
        pages = crawl(as_user(app, username))
        visited += len(pages)
        for path, body in pages.items():
            keys = set() if path == RULE_REFERENCE else set(KEY.findall(body))
            names = set(WORD.findall(body)) & (unit_keys | (set() if ACCOUNT_PAGES.search(path) else usernames))
            if keys or names:
                found[f"{username} {path}"] = sorted(keys | names)
    assert visited > 100
    assert found == {}, "\n".join(f"{where}: {words}" for where, words in found.items())

