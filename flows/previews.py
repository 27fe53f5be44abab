"""The attachment previews' background job: convert what waits in the preview queue (issue 15, item 6).

A file attached to a matter — a PDF or an office file — is queued by quorum.services.attachment_preview
when it is stored; this flow claims each queued file, renders it (LibreOffice headless, then pdftoppm),
bounded in size, time and pages, and records the outcome beside the file. It runs every minute, so a
preview is there within about a minute of the upload; a quiet minute does nothing. Not recorded as a job
run: each conversion records its own outcome, and the queue shows what is still waiting.
"""

from typing import Any

from prefect import flow, get_run_logger, task

from flows.runtime import current
from quorum.services import attachment_preview

CRON = "* * * * *"


@task
def convert_pending(now: str | None) -> list[dict[str, Any]]:
    rt = current()
    limits = getattr(rt.settings, "previews", None) or attachment_preview.PreviewLimits()
    return attachment_preview.run_pending(rt.env(now), limits)


@flow(name="quorum-previews", log_prints=True)
def previews_flow(now: str | None = None) -> dict[str, Any]:
    """Every minute: render the pages of the attachments waiting for a preview."""
    done = convert_pending(now)
    if done:
        get_run_logger().info("previews: %d rendered, %d failed", sum(1 for d in done if d["state"] == "ready"),
                              sum(1 for d in done if d["state"] != "ready"))
    return {"converted": done}


def deployment(timezone: str = "Asia/Shanghai"):
    """The 'previews' deployment served beside the sweep (flows/serve.py)."""
    from prefect.schedules import Cron
    return previews_flow.to_deployment(name="previews", schedule=Cron(CRON, timezone=timezone))
