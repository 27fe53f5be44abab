"""The secretariat runs a 院长办公会 in the browser: attendance, one recusal, members vote on their
phones, the chair is refused when voting first and votes last, the result is announced and shows
on the matter page."""

from quorum.services import meetings
from tests.helpers import pass_gate_and_reviews, schedule, start, submit


def test_secretariat_runs_a_meeting_with_a_recusal_and_the_chair_last(sc, live, page_for):
    mid = submit(sc, "关于乌兰社区卫生服务中心购置数字化X光机的议题", category="funds", amount="380000")
    pass_gate_and_reviews(sc, mid)
    meeting_id = schedule(sc, "president_office", [mid])
    with sc.sessions.begin() as s:
        meeting = meetings.get(s, meeting_id)
        live.runtime.fixed_now = meeting.scheduled_at          # the app's clock: the morning of the meeting
    secretary = sc.holder("secretariat", 0)
    chair, recused = sc.holder("president"), sc.holder("chief_accountant")
    voters = [sc.holder("vice_president", 0), sc.holder("vice_president", 1), sc.holder("party_deputy_secretary")]

    room = page_for(secretary, width=1280, height=900)
    room.on("dialog", lambda dialog: dialog.accept())
    room.goto(f"{live.url}/meetings/{meeting_id}")
    room.click("[data-testid=open-meeting]")
    for member in (chair, recused, *voters):
        room.locator(f"[data-testid=member-{member}] button[value=present]").click()
    assert "已达到法定人数" in room.locator("[data-testid=state-1]").inner_text()

    room.locator("[data-testid=item-1] details.organiser summary").click()
    recusal = room.locator("[data-testid=item-1] form[action$='/recusals']")
    recusal.locator("select[name=person]").select_option(recused)
    recusal.locator("input[name=reason]").fill("其配偶在拟参与投标的设备供应商任职")
    recusal.locator("button").click()
    state = room.locator("[data-testid=state-1]").inner_text()
    assert "回避1人" in state and "计算基数4人" in state

    chair_page = page_for(chair)
    chair_page.goto(f"{live.url}/meetings/{meeting_id}#item-1")
    chair_page.locator("[data-testid=vote-1] button[value=agree]").click()
    assert "末位表态" in chair_page.locator(".flash.error").inner_text()

    for voter in voters:
        page = page_for(voter)
        inbox_vote = page.locator("[data-testid=votes] li", has_text="数字化X光机")
        assert inbox_vote.count() == 1
        inbox_vote.locator("a", has_text="去表决").click()
        page.locator("[data-testid=vote-1] button[value=agree]").click()
        assert page.locator(".flash.error").count() == 0

    chair_page.goto(f"{live.url}/meetings/{meeting_id}#item-1")
    chair_page.locator("[data-testid=vote-1] button[value=agree]").click()
    assert chair_page.locator(".flash.error").count() == 0

    room.goto(f"{live.url}/meetings/{meeting_id}")
    room.click("[data-testid=close-item-1]")
    ballots = room.locator("[data-testid=ballots-1]").inner_text()
    names = [room.locator(f"[data-testid=member-{u}] strong").first.inner_text() for u in (*voters, chair)]
    assert [ballots.find(n) for n in names] == sorted(ballots.find(n) for n in names)   # the chair last

    matter_page = page_for(secretary, width=1280, height=900)
    matter_page.goto(f"{live.url}/matters/{mid}")
    result = matter_page.locator("[data-testid=meetings]").inner_text()
    assert "通过" in result and "回避" in result
    assert "同意4票" in result.replace(" ", "")


def test_on_a_phone_the_ballot_is_the_first_thing_and_shows_the_choice_after_voting(sc, live, page_for):
    """390×844: a member's and the chair's ballot start within the first screen, above the secretariat's
    panels (folded on a phone); after voting the member reads what she chose and has no second ballot."""
    mid = submit(sc, "关于乌兰社区卫生服务中心购置数字化X光机的议题", category="funds", amount="380000")
    pass_gate_and_reviews(sc, mid)
    meeting_id = schedule(sc, "president_office", [mid])
    start(sc, meeting_id)
    with sc.sessions.begin() as s:
        live.runtime.fixed_now = meetings.get(s, meeting_id).scheduled_at
    chair, member = sc.holder("president"), sc.holder("vice_president", 1)

    for who in (member, chair):
        page = page_for(who)                                   # 390 × 844
        page.goto(f"{live.url}/meetings/{meeting_id}")
        ballot = page.locator("[data-testid=ballot-1]")
        top = ballot.bounding_box()["y"]
        assert top < 700, f"{who}'s ballot starts {top:.0f} px down"
        assert page.locator("[data-testid=vote-1] button[value=agree]").bounding_box()["y"] < 844 * 1.5
        assert page.locator("[data-testid=attendance]").get_attribute("open") is None     # folded on a phone
        materials = ballot.locator("details.materials")
        assert not materials.locator("h4", has_text="前置程序意见").is_visible()
        materials.locator("summary").click()                  # one tap away
        assert materials.locator("text=合法性审查").first.is_visible()

    page = page_for(member)
    page.goto(f"{live.url}/meetings/{meeting_id}")
    page.fill("[data-testid=vote-1] textarea[name=reason]", "建议与区域影像中心统筹。")
    page.locator("[data-testid=vote-1] button[value=disagree]").click()
    mine = page.locator("[data-testid=my-choice-1]")
    assert mine.inner_text().startswith("您已表决：不同意")
    assert mine.bounding_box()["y"] < 700
    assert page.locator("[data-testid=vote-1]").count() == 0

    wide = page_for(chair, width=1280, height=900)
    wide.goto(f"{live.url}/meetings/{meeting_id}")
    assert wide.locator("[data-testid=attendance]").get_attribute("open") is not None   # open on a desktop
