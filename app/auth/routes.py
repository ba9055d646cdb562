"""HTTP routes for login, the current user, tokens and user management."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from app.auth import offline, service, users
from app.auth import schemas as s
from app.auth.models import User
from app.common.schemas import paginate, searched, sorted_by
from app.errors import AppError, Unauthorized
from app.extensions import db

blp = Blueprint("auth", __name__, description="Login, sessions, tokens and users (登录与用户)")


@blp.post("/auth/login")
@blp.arguments(s.LoginSchema)
@blp.response(200, s.MeSchema)
def login(data):
    """Log in with username and password; sets the session cookie."""
    user = _authenticate(data["username"], data["password"])
    service.start_session(user)
    if data["offline"]:
        # The key is in this one answer and nowhere else.
        g.offline_key = (user.id, offline.issue_grant(user))
    db.session.commit()
    return user


@blp.post("/auth/resume")
@blp.arguments(s.ResumeSchema)
@blp.response(200, s.MeSchema)
def resume(data):
    """Reopen the session of someone who logged in offline on this phone, with its kept key."""
    user = offline.resume(data["key"])
    db.session.commit()
    return user


def _authenticate(username: str, password: str) -> User:
    """Check a username and password; a refused attempt is committed (counted, audited) first."""
    try:
        return service.authenticate(username, password)
    except AppError:
        db.session.commit()
        raise


@blp.post("/auth/logout")
@blp.response(204)
def logout():
    """Log out: the session ends on the server, so a copy of the cookie no longer works."""
    service.end_session()
    db.session.commit()


@blp.get("/me")
@service.login_required
@blp.response(200, s.MeSchema)
def me():
    """Show who I am, my role and my properties."""
    return service.current_user()


@blp.post("/me/password")
@service.login_required
@blp.arguments(s.PasswordChangeSchema)
@blp.response(204)
def change_password(data):
    """Change my password; all my sessions and tokens end, this client gets a new session."""
    user = service.change_own_password(data["current_password"], data["new_password"])
    service.start_session(user)
    db.session.commit()


@blp.post("/auth/tokens")
@blp.arguments(s.TokenRequestSchema)
@blp.response(201, s.TokenSchema)
def create_token(data):
    """Issue a bearer token, for the logged-in user or for username and password."""
    if data.get("username"):
        user = _authenticate(data["username"], data.get("password") or "")
    elif g.get("user") is not None:
        user = service.current_user()
    else:
        raise Unauthorized()
    token, raw = service.create_token(user, data["name"], data.get("days"))
    db.session.commit()
    return {
        "id": token.id,
        "name": token.name,
        "token": raw,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
    }


@blp.get("/auth/tokens")
@service.login_required
@blp.response(200, s.TokenInfoSchema(many=True))
def list_tokens():
    """List my bearer tokens that are not revoked (never their secret)."""
    return db.session.scalars(service.own_tokens()).all()


@blp.delete("/auth/tokens/<int:token_id>")
@service.login_required
@blp.response(204)
def delete_token(token_id):
    """Revoke one of my bearer tokens."""
    service.revoke_own_token(token_id)
    db.session.commit()


@blp.get("/users")
@service.can_read("user")
@blp.arguments(s.UserArgs, location="query")
@blp.response(200, s.UserPage)
def list_users(args):
    """List users who share a property with me (only the grants of my properties are shown)."""
    query = searched(users.list_users(args), args, User.username, User.display_name, User.phone)
    return paginate(sorted_by(query.order_by(User.id), User, args), args)


@blp.post("/users")
@service.can_write("user")
@blp.arguments(s.UserSchema)
@blp.response(201, s.UserSchema)
def create_user(data):
    """Create a user with a role and granted properties."""
    user = users.create_user(data)
    db.session.commit()
    return user


@blp.get("/users/<int:obj_id>")
@service.can_read("user")
@blp.response(200, s.UserSchema)
def get_user(obj_id):
    """Show one user."""
    return users.get_user(obj_id)


@blp.patch("/users/<int:obj_id>")
@service.can_write("user")
@blp.arguments(s.UserSchema(partial=True))
@blp.response(200, s.UserSchema)
def update_user(data, obj_id):
    """Change a user: role, department, properties, reset password, deactivate.

    Account fields need an admin of every property the user holds; grants are edited only for
    my properties.
    """
    user = users.update_user(users.get_user(obj_id), data)
    db.session.commit()
    return user


@blp.delete("/users/<int:obj_id>")
@service.can_write("user")
@blp.response(204)
def delete_user(obj_id):
    """Deactivate a user (their records stay)."""
    users.deactivate_user(users.get_user(obj_id))
    db.session.commit()


@blp.post("/users/<int:obj_id>/reset-password")
@service.can_write("user")
@blp.arguments(s.PasswordResetSchema)
@blp.response(204)
def reset_password(data, obj_id):
    """Set a user's password (admin); their sessions and tokens stop working."""
    users.reset_password(users.get_user(obj_id), data["password"])
    db.session.commit()


@blp.post("/users/<int:obj_id>/deactivate")
@service.can_write("user")
@blp.response(200, s.UserSchema)
def deactivate_user(obj_id):
    """Deactivate a user: no more logins, sessions and tokens end (admin)."""
    user = users.deactivate_user(users.get_user(obj_id))
    db.session.commit()
    return user


@blp.post("/users/<int:obj_id>/reactivate")
@service.can_write("user")
@blp.response(200, s.UserSchema)
def reactivate_user(obj_id):
    """Let a deactivated user log in again (admin)."""
    user = users.reactivate_user(users.get_user(obj_id))
    db.session.commit()
    return user


@blp.put("/users/<int:obj_id>/properties/<int:property_id>")
@service.can_write("user")
@blp.response(200, s.UserSchema)
def grant_property(obj_id, property_id):
    """Grant one of my properties to a user (admin)."""
    user = users.grant_property(users.get_user(obj_id), property_id)
    db.session.commit()
    return user


@blp.delete("/users/<int:obj_id>/properties/<int:property_id>")
@service.can_write("user")
@blp.response(200, s.UserSchema)
def revoke_property(obj_id, property_id):
    """Take one of my properties away from a user; their other grants stay (admin)."""
    user = users.revoke_property(users.get_user(obj_id), property_id)
    db.session.commit()
    return user
