"""Sessions, roles, CSRF and the HTTP hardening of the pages (the JSON API uses bearer tokens).

- `current_user()` resolves the login token kept in the signed session cookie to its user through the session
  row on the server (engine.identity.sessions): logging out, deactivating the user or the session's expiry ends
  it there, so a copied or replayed cookie stops working at once;
- `login_required(*roles)` sends anonymous visitors to the login page and answers 403 to other roles;
- every POST from a page carries the session's CSRF token (`csrf_token()` in templates; scripts send it in
  the `X-CSRF-Token` header), checked before any view runs; a missing or wrong token is a 400 page (JSON for
  JSON requests), never a stack trace;
- `same_site_path` / `referring_path`: "back where you were" only to this site's own paths (no open redirect);
- `init_app`: every response carries a Content-Security-Policy (own scripts only, no framing) and the other
  hardening headers; the session cookie is HttpOnly, SameSite=Lax and Secure when the request came over HTTPS
  (or SESSION_COOKIE_SECURE says so); behind `TRUSTED_PROXIES` reverse proxies the client's address, scheme and
  host come from their X-Forwarded-* headers (werkzeug's ProxyFix), never from a client's own.
Login throttling is engine.identity.login_throttle (in the database, so every process counts alike).
"""

from __future__ import annotations

import functools
import hmac
import secrets
import unicodedata
from urllib.parse import unquote, urlsplit

from flask import Flask, Response, abort, g, has_request_context, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.urls import iri_to_uri

from engine.identity import sessions as login_sessions
from engine.models import User
from web.services import services

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
LOGIN_KEY = "login"  # the session cookie's login token (engine.identity.sessions)

# The pages load only their own scripts (bpmn-js is served from /assets/bpmn-js). Styles may be inline: base.html
# has a <style> block, bar widths are style attributes, and bpmn-js writes style attributes into its SVG; its
# stylesheet draws a few icons as data: images.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
    "font-src 'self' data:", "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'",
    "frame-ancestors 'none'",
])
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # "back where you were" needs our own pages' referrer, nobody else does
    "Cross-Origin-Opener-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    app.session_interface = _SessionCookie()
    app.after_request(_add_security_headers)
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies,  # type: ignore[method-assign]
                                x_host=proxies, x_port=proxies)


class _SessionCookie(SecureCookieSessionInterface):
    """Flask's signed cookie, marked Secure also when this request came over HTTPS (directly or, with
    TRUSTED_PROXIES, through a TLS-terminating proxy), not only when SESSION_COOKIE_SECURE is set."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(super().get_cookie_secure(app) or (has_request_context() and request.is_secure))


def _add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def current_user() -> User | None:
    """The user of this request's live login session, else None (anonymous, logged out, ended or expired)."""
    if "user" not in g:
        token = session.get(LOGIN_KEY)
        g.user = None
        if isinstance(token, str):
            svc = services()
            with svc.sessions() as db:
                g.user = login_sessions.session_user(db, token, svc.clock().now())
                if g.user is not None:
                    db.expunge(g.user)
    return g.user


def login_required(*roles: str):
    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user = current_user()
            if user is None:
                return redirect(url_for("auth.login", next=request.full_path))
            if roles and user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def csrf_token() -> str:
    token = session.get(CSRF_FIELD)
    if not token:
        token = session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    """Before every page POST: the form's token (or the script's header) must match the session's."""
    if request.method != "POST" or request.path.startswith("/api/"):
        return
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD, "")
    expected = session.get(CSRF_FIELD, "")
    if not expected or not hmac.compare_digest(sent, expected):
        abort(400, description=_("表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试。"))


def same_site_path(target: str | None) -> str | None:
    """`target` as the ASCII path that will be sent, when it stays on this site; else None.

    Normalise first, then check: browsers drop tabs, newlines and carriage returns anywhere in a URL and read a
    backslash as a slash, and werkzeug strips them again when it writes the Location header, so a slash, a tab
    and a slash, or a slash and a backslash, leave as "//host" (another site). Such characters are refused, not
    repaired. What remains is percent-encoded as werkzeug would send it (`iri_to_uri`) and must be a path — no
    scheme, no host, one leading slash — also once every escape is decoded and compatibility characters are
    folded ("/%2F/host", "/%09/host", "/／host"), since a proxy or another client may do either."""
    if not target or any(_unsafe(char) for char in target):
        return None
    uri = iri_to_uri(target)
    return uri if _a_path(target) and _a_path(uri) else None


def _a_path(url: str) -> bool:
    """One leading slash, then no second one, no control and no backslash, even fully decoded and folded."""
    path = unicodedata.normalize("NFKC", _fully_unquoted(url.partition("?")[0].partition("#")[0]))
    return (url.startswith("/") and path[1:2] != "/" and not path[1:2].isspace()
            and not any(_unsafe(char) and not char.isspace() for char in path))


def _unsafe(char: str) -> bool:
    """Controls (C0, DEL, C1), format characters (zero-width, bidi overrides), whitespace and the backslash."""
    return char == "\\" or char.isspace() or unicodedata.category(char) in ("Cc", "Cf")


def _fully_unquoted(text: str) -> str:
    for _round in range(4):  # "%252F" is "%2F" after one decoding and "/" after two
        decoded = unquote(text)
        if decoded == text:
            break
        text = decoded
    return text


def referring_path() -> str | None:
    """The page the request came from, when it is one of this site's (for "back where you were")."""
    parts = urlsplit(request.referrer or "")
    if parts.netloc != request.host:
        return None
    return same_site_path(parts.path + (f"?{parts.query}" if parts.query else ""))
