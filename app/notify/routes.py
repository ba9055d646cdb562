"""HTTP routes for notification channels and the outbox (admins; supervisors read)."""

from __future__ import annotations

from flask_smorest import Blueprint

from app.auth import service as auth
from app.common.db import end_read_transaction
from app.common.schemas import paginate, searched, sorted_by
from app.extensions import db
from app.notify import schemas as s
from app.notify import service
from app.notify.models import Notification, NotificationChannel

blp = Blueprint(
    "notify", __name__, description="Notification channels and the outbox (通知渠道与发送队列)"
)

ADMIN = ("admin",)
READERS = ("admin", "supervisor")


# --- channels ---


@blp.get("/notification-channels")
@auth.roles_required(READERS)
@blp.arguments(s.NotificationChannelArgs, location="query")
@blp.response(200, s.NotificationChannelPage)
def list_channels(args):
    """List notification channels."""
    query = service.list_channels(auth.scoped(NotificationChannel), args)
    query = searched(query, args, NotificationChannel.address)
    return paginate(sorted_by(query, NotificationChannel, args), args)


@blp.post("/notification-channels")
@auth.roles_required(ADMIN)
@blp.arguments(s.NotificationChannelSchema)
@blp.response(201, s.NotificationChannelSchema)
def create_channel(data):
    """Add a webhook, WeCom robot or e-mail channel for an audience of a property."""
    channel = service.create_channel(data)
    db.session.commit()
    return channel


@blp.get("/notification-channels/<int:obj_id>")
@auth.roles_required(READERS)
@blp.response(200, s.NotificationChannelSchema)
def get_channel(obj_id):
    """Show one channel."""
    return auth.get_scoped(NotificationChannel, obj_id)


@blp.patch("/notification-channels/<int:obj_id>")
@auth.roles_required(ADMIN)
@blp.arguments(s.NotificationChannelSchema(partial=True, exclude=("property_id",)))
@blp.response(200, s.NotificationChannelSchema)
def update_channel(data, obj_id):
    """Change a channel; notifications still waiting follow a new address."""
    channel = service.update_channel(auth.get_scoped(NotificationChannel, obj_id), data)
    db.session.commit()
    return channel


@blp.delete("/notification-channels/<int:obj_id>")
@auth.roles_required(ADMIN)
@blp.response(204, description="Deactivated")
def delete_channel(obj_id):
    """Deactivate a channel; what was still waiting for it is marked failed."""
    service.deactivate_channel(auth.get_scoped(NotificationChannel, obj_id))
    db.session.commit()


@blp.post("/notification-channels/<int:obj_id>/test")
@auth.roles_required(ADMIN)
@blp.response(200, s.TestResultSchema)
def test_channel(obj_id):
    """Send a test message through a channel now and report whether it arrived (admin)."""
    message = service.test_message(auth.get_scoped(NotificationChannel, obj_id))
    end_read_transaction()  # no database lock held while waiting for the receiver
    return service.send_test(message)


# --- the outbox ---


@blp.get("/notifications")
@auth.roles_required(READERS)
@blp.arguments(s.NotificationArgs, location="query")
@blp.response(200, s.NotificationPage)
def list_notifications(args):
    """List the outbox, newest first, with attempts and the last delivery error."""
    return paginate(service.list_notifications(auth.scoped(Notification), args), args)


@blp.post("/notifications/<int:obj_id>/retry")
@auth.roles_required(ADMIN)
@blp.response(200, s.NotificationSchema)
def retry_notification(obj_id):
    """Send a failed notification again now."""
    notification = service.retry(auth.get_scoped(Notification, obj_id))
    db.session.commit()
    return notification
