"""Map engine refusals and HTTP errors to a clear page (or JSON under /api) — never a 500 for bad input."""

from flask import jsonify, render_template, request
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from quorum.core.errors import QuorumError
from quorum.core.messages import MESSAGES, message
from quorum.services import failures


def wants_json() -> bool:
    return request.path.startswith("/api/")


RETRY_AFTER = "2"        # seconds: a burst of sign-offs drains in about that long


def init_app(app) -> None:
    @app.errorhandler(PoolTimeout)
    @app.errorhandler(DBAPIError)
    def database_busy(exc: Exception):
        if not failures.busy(exc):
            raise exc
        text = str(failures.refusal_for(exc))
        headers = {"Retry-After": RETRY_AFTER}
        if wants_json():
            return jsonify(error="service_busy", message=text), 503, headers
        return render_template("error.html", status=503, message=text, key="busy"), 503, headers

    @app.errorhandler(StaleDataError)
    @app.errorhandler(IntegrityError)
    def concurrent_change(exc: Exception):
        """Two people changed the same row at once (a lost optimistic lock): 409 on a page as in the API and CLI."""
        text = str(failures.refusal_for(exc))
        if wants_json():
            return jsonify(error="conflict", message=text), 409
        return render_template("error.html", status=409, message=text, key="conflict"), 409

    @app.errorhandler(QuorumError)
    def engine_refusal(exc: QuorumError):
        if wants_json():
            return jsonify(error=exc.key, message=str(exc)), exc.http_status
        return render_template("error.html", status=exc.http_status, message=str(exc), key=exc.key), exc.http_status

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        text = message(f"http.{status}") if f"http.{status}" in MESSAGES else exc.name
        if status == 400 and "CSRF" in (exc.description or ""):
            text = message("web.csrf_expired")
        if wants_json():
            return jsonify(error=exc.name.lower().replace(" ", "_"), message=text), status
        return render_template("error.html", status=status, message=text, key=exc.name), status
