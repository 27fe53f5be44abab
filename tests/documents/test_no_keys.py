"""No internal identifier reaches a reader of a 公文 (issue 14): the text of every demo document kind names units,
people and steps in Chinese — never a policy key such as `wulan_chc` or `pre_review`, never a username."""

import io
import re

import docx
from sqlalchemy import select

from quorum.db import Person, Unit
from quorum.services import documents
from tests.documents.test_layout import KINDS

KEY = re.compile(r"\b[a-z]+_[a-z_]+\b")


def text_of(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_no_document_kind_shows_a_key_or_a_username(world, community, denv):
    with community.sessions.begin() as s:
        usernames = set(s.execute(select(Person.username)).scalars())
        unit_keys = set(s.execute(select(Unit.key)).scalars())
        texts = {kind: text_of(documents.read_file(denv, documents.get(s, world["kinds"][kind]))) for kind in KINDS}
    for kind, body in texts.items():
        words = set(re.findall(r"[A-Za-z_]+", body))
        assert KEY.findall(body) == [], kind
        assert words & (usernames | unit_keys) == set(), kind
    assert "二连浩特市乌兰社区卫生服务中心：建议家庭医生签约服务绩效单列考核。" in texts["request"]   # a 会签 opinion
