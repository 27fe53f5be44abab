"""Security headers and cookies on every response (MLPS 2.0 / ASVS V3, V14).

A Content-Security-Policy without inline script or style (all JS is in webui/static), no framing,
no MIME sniffing, no referrer outside the site, and every cookie `Secure` when served over HTTPS
(directly, or through the trusted proxies of `[web] proxies`).
"""

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
HEADERS = {"Content-Security-Policy": CSP, "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "same-origin"}


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, marked Secure whenever this request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(super().get_cookie_secure(app) or request.is_secure)


def init_app(app: Flask) -> None:
    """Register before Flask-Login so that this runs after its remember cookie is set."""
    app.session_interface = SessionInterface()
    app.after_request(_secure_response)


def _secure_response(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        cookies = response.headers.getlist("Set-Cookie")
        if cookies:
            del response.headers["Set-Cookie"]
            for cookie in cookies:
                response.headers.add("Set-Cookie", cookie if "; Secure" in cookie else f"{cookie}; Secure")
    return response
