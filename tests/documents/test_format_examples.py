"""The formats whose Chinese examples left the docstrings (issue 13 item 5): each example, checked here."""

import tomllib
from datetime import date, datetime
from pathlib import Path

from quorum import policies
from quorum.calendar_arrangement import describe
from quorum.core.documents import cn_date, format_number, parse_document_policy, printed_number, subject_of
from quorum.documents.wording import _numbered
from quorum.services.drafting import _time_of_day

ROOT = Path(__file__).resolve().parents[2] / "policies"


def _policy():
    rules = policies.load(ROOT).policy_set
    return parse_document_policy(tomllib.loads((ROOT / "documents.toml").read_text(encoding="utf-8")),
                                 rules.roles, rules.bodies)


def test_document_date_is_unpadded_arabic():
    assert cn_date(date(2026, 1, 5)) == "2026年1月5日"
    assert cn_date(date(2026, 12, 25)) == "2026年12月25日"


def test_doc_number_and_minutes_issue_number():
    policy = _policy()
    notice = next(k for k in policy.kinds.values() if k.layout != "minutes" and k.numbered)
    assert format_number(notice, "二医共发", 2026, 3) == "二医共发〔2026〕3号"
    minutes = policy.kind("minutes")
    number = format_number(minutes, "党委会议纪要", 2026, 1)
    assert number == "党委会议纪要〔2026〕第1期"
    assert printed_number(minutes, number, "党委会议纪要") == "〔2026〕第1期"
    assert printed_number(notice, "二医共发〔2026〕3号", "二医共发") == "二医共发〔2026〕3号"


def test_subject_of_a_title():
    assert subject_of("关于建设远程会诊中心的议题") == "建设远程会诊中心"


def test_day_as_people_read_it():
    assert describe(date(2027, 2, 20)) == "2027-02-20（周六）"


def test_heading_numerals():
    assert [_numbered(i) for i in (1, 10, 12, 20, 21)] == ["一", "十", "十二", "二十", "二十一"]


def test_meeting_time_in_minutes():
    assert _time_of_day(datetime(2026, 3, 2, 9, 0)) == "上午9时"
    assert _time_of_day(datetime(2026, 3, 2, 14, 30)) == "下午2时30分"
