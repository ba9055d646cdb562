"""HTTP routes of the inbox: my messages, the unread count, marking read."""

from __future__ import annotations

from flask_smorest import Blueprint

from app.auth import service as auth
from app.common.schemas import paginate
from app.extensions import db
from app.inbox import schemas as s
from app.inbox import service

blp = Blueprint("inbox", __name__, description="Each person's messages (站内消息)")


@blp.get("/inbox")
@auth.login_required
@blp.arguments(s.InboxArgs, location="query")
@blp.response(200, s.InboxPage)
def my_messages(args):
    """List my messages, newest first."""
    return paginate(service.mine(args), args)


@blp.get("/inbox/unread")
@auth.login_required
@blp.response(200, s.UnreadSchema)
def unread():
    """Count my unread messages (the phone's badge)."""
    return {"unread": service.unread_count()}


@blp.post("/inbox/<int:obj_id>/read")
@auth.login_required
@blp.response(200, s.InboxMessageSchema)
def read(obj_id):
    """Mark one of my messages read."""
    message = service.mark_read(obj_id)
    db.session.commit()
    return message


@blp.post("/inbox/read-all")
@auth.login_required
@blp.response(200, s.UnreadSchema)
def read_all():
    """Mark all my messages read."""
    service.mark_all_read()
    db.session.commit()
    return {"unread": 0}
