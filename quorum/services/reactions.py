"""The routes from the engine's events to what reacts to them — the one place they are wired.

The application layer: every entry point imports it before it acts — webui.runtime, flows.runtime,
the CLI's main, the tests' conftest, bench — so all run the same reactions; nothing below imports it
(the import graph stays one-way), and publishing an event with no route installed is an error, never
a silent skip.
"""

from quorum.services import documents, events, matters


def _step_activated(s, env, event: events.StepActivated) -> None:
    documents.on_step_activated(s, env, event.matter, event.step)


def _step_finished(s, env, event: events.StepFinished) -> None:
    documents.on_step_finished(s, env, event.matter, event.step)


def _meeting_scheduled(s, env, event: events.MeetingScheduled) -> None:
    documents.on_meeting_scheduled(s, env, event.meeting)


def _meeting_closed(s, env, event: events.MeetingClosed) -> None:
    documents.on_meeting_closed(s, env, event.meeting)


def _supervision_settled(s, env, event: events.SupervisionSettled) -> None:
    matters.on_supervision_settled(s, env, event.actor_id, event.matter_id)


events.route(events.StepActivated, _step_activated)
events.route(events.StepFinished, _step_finished)
events.route(events.MeetingScheduled, _meeting_scheduled)
events.route(events.MeetingClosed, _meeting_closed)
events.route(events.SupervisionSettled, _supervision_settled)
