"""Map engine refusals and HTTP errors to a clear page (or JSON under /api) — never a 500 for bad input."""

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from quorum.core.errors import QuorumError
from quorum.core.messages import MESSAGES, message


def wants_json() -> bool:
    return request.path.startswith("/api/")


def init_app(app) -> None:
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
