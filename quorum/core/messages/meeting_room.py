"""Wording of the meeting room area (see quorum/core/messages/__init__.py)."""

MESSAGES: dict[str, str] = {
    # --- a member who cannot attend: his own 请假 and 书面意见 before the meeting opens (issue 14) ---------
    "meeting_room.members_only": "只有本次会议的应到会成员可以自行请假或提交书面意见",
    "meeting_room.too_late": "会议当前状态为「{state}」，只能在开会前自行请假或提交书面意见",
    "meeting_room.leave_first": "请先请假并说明原因，再提交书面意见",
    "meeting_room.nothing_handed_in": "请填写请假原因或至少一项议题的书面意见",
    "meeting_room.handed_in": "已提交：{what}",
    "meeting_room.leave_recorded": "请假",
    "meeting_room.opinions_recorded": "{count}项议题的书面意见",
}
