"""Refuse a request made for one user under another user's session (a shared phone)."""

from __future__ import annotations

from flask import g, request

from app.errors import Conflict, Invalid

HEADER = "X-Patrol-User"


class SessionUserMismatch(Conflict):
    """The session belongs to another user than the one the phone sends for (409)."""

    code = "session_user_mismatch"


def check_expected_user() -> None:
    """Refuse a request whose X-Patrol-User names someone other than the logged-in user.

    The phone sends the id of the person whose record it is sending. After a logout made
    offline and another person's offline login, the browser may still hold the first
    person's cookie: without this check their records would be stored under the wrong name.
    Login and logout are exempt: they are how the phone puts its session right.
    """
    raw = request.headers.get(HEADER)
    if raw is None or request.path.startswith("/api/v1/auth/"):
        return
    if not raw.isdigit() or len(raw) > 12:
        raise Invalid(
            "请求头 X-Patrol-User 应为用户编号",
            "The X-Patrol-User header must be a user id.",
            field=HEADER,
        )
    user = g.get("user")
    if user is not None and user.id != int(raw):
        raise SessionUserMismatch(
            "本机登录的账号与这条记录的提交人不一致，请提交人重新登录",
            "This phone's session belongs to someone else; the record's author must log in again.",
        )
