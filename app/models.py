"""Import every domain's models so the metadata (and Alembic) sees all tables."""

from app.audit.models import AuditEntry
from app.auth.models import ApiToken, AuthSession, LoginThrottle, User, property_grant
from app.checklists.models import ChecklistItem, ChecklistTemplate, ChecklistVersion
from app.inbox.models import InboxMessage
from app.inspections.models import Inspection, ItemResult, result_photo
from app.notify.models import Notification, NotificationChannel
from app.photos.models import Photo
from app.places.models import (
    Checkpoint,
    Company,
    Department,
    Property,
    RetiredCode,
    RoutingRule,
    Unit,
    UnitStatusChange,
    Zone,
)
from app.plans.models import HandoverNote, Plan, PlanVersion, Shift, Slot, Visit
from app.presence.models import PhotoBand, PhotoPrint, Presence, PresenceSetting, Review
from app.renovation.models import LedgerEntry, Notice, Permit
from app.tickets.models import Ticket, TicketCounter, TicketEvent, event_photo

__all__ = [
    "ApiToken",
    "AuditEntry",
    "AuthSession",
    "ChecklistItem",
    "ChecklistTemplate",
    "ChecklistVersion",
    "Checkpoint",
    "Company",
    "Department",
    "HandoverNote",
    "InboxMessage",
    "Inspection",
    "ItemResult",
    "LedgerEntry",
    "LoginThrottle",
    "Notice",
    "Notification",
    "NotificationChannel",
    "Permit",
    "Photo",
    "PhotoBand",
    "PhotoPrint",
    "Plan",
    "PlanVersion",
    "Presence",
    "PresenceSetting",
    "Property",
    "RetiredCode",
    "Review",
    "RoutingRule",
    "Shift",
    "Slot",
    "Ticket",
    "TicketCounter",
    "TicketEvent",
    "Unit",
    "UnitStatusChange",
    "User",
    "Visit",
    "Zone",
    "event_photo",
    "property_grant",
    "result_photo",
]
