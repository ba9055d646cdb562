"""The session cookie: Flask's signed cookie, holding only the random id of an AuthSession."""

from __future__ import annotations

from flask import Flask, Response
from flask.sessions import SecureCookieSessionInterface, SessionMixin


class SessionCookie(SecureCookieSessionInterface):
    """Send the cookie with Max-Age as well as Expires, so a phone with a wrong clock keeps it."""

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Set the cookie like Flask does, adding Max-Age; empty sessions are left to Flask."""
        if not session or not self.should_set_cookie(app, session):
            super().save_session(app, session, response)
            return
        max_age = int(app.permanent_session_lifetime.total_seconds()) if session.permanent else None
        response.set_cookie(
            self.get_cookie_name(app),
            self.get_signing_serializer(app).dumps(dict(session)),  # type: ignore[union-attr]
            max_age=max_age,
            expires=self.get_expiration_time(app, session),
            httponly=self.get_cookie_httponly(app),
            domain=self.get_cookie_domain(app),
            path=self.get_cookie_path(app),
            secure=self.get_cookie_secure(app),
            partitioned=self.get_cookie_partitioned(app),
            samesite=self.get_cookie_samesite(app),
        )
        response.vary.add("Cookie")
