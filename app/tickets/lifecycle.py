"""The ticket state machine: which step is allowed from which state, to whom, with what proof."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event as orm_event

from app.auth.models import User
from app.auth.service import current_user, get_scoped_ref
from app.common.models import utcnow
from app.errors import Conflict, Forbidden, Invalid
from app.extensions import db
from app.photos.models import Photo
from app.photos.service import get_owned_photos
from app.places.models import Department, Property
from app.presence import service as presence
from app.tickets import dispatch
from app.tickets.models import ACTIONS, OPEN_STATUSES, TICKET_STATUSES, Ticket, TicketEvent


def sla_due(prop: Property, priority: str) -> tuple[datetime, datetime]:
    """Return (accept by, close by) for a ticket opened, or handed to a new holder, now."""
    now = utcnow()
    urgent = priority == "urgent"
    accept = prop.sla_accept_urgent_minutes if urgent else prop.sla_accept_minutes
    close = prop.sla_close_urgent_hours if urgent else prop.sla_close_hours
    return now + timedelta(minutes=accept), now + timedelta(hours=close)


DISPATCHERS = frozenset({"frontdesk", "supervisor"})
OPEN = frozenset(OPEN_STATUSES)
# Reported or confirmed fixed but not yet closed: a repeat failure proves otherwise.
FIXED = frozenset({"resolved", "verified"})


@dataclass(frozen=True)
class Step:
    """One lifecycle action: the states it leaves, the state it reaches, who may take it."""

    sources: frozenset[str]
    target: str | None  # None: the state does not change
    roles: frozenset[str]
    department_only: bool = False  # staff must belong to the ticket's department


# The hands-on steps: staff of the department, or an assistant the ticket was dispatched to.
HANDS = frozenset({"staff", "assistant"})

STEPS: dict[str, Step] = {
    "accept": Step(frozenset({"new", "reopened"}), "accepted", HANDS, True),
    "start": Step(frozenset({"accepted", "reopened"}), "in_progress", HANDS, True),
    "resolve": Step(frozenset({"accepted", "in_progress"}), "resolved", HANDS, True),
    "verify": Step(frozenset({"resolved"}), "verified", DISPATCHERS),
    "reopen": Step(frozenset({"resolved", "verified"}), "reopened", DISPATCHERS),
    "close": Step(frozenset({"verified"}), "closed", DISPATCHERS),
    "reassign": Step(OPEN, "new", DISPATCHERS),
    "delay": Step(OPEN, None, frozenset({"staff", "frontdesk", "supervisor"}), True),
    "approve_delay": Step(OPEN, None, frozenset({"supervisor"})),
    "reject_delay": Step(OPEN, None, frozenset({"supervisor"})),
    "comment": Step(
        OPEN | {"closed"},
        None,
        frozenset({"assistant", "inspector", "frontdesk", "staff", "supervisor", "admin"}),
    ),
}


@orm_event.listens_for(TicketEvent, "before_update")
@orm_event.listens_for(TicketEvent, "before_delete")
def _events_are_immutable(_mapper: Any, _conn: Any, target: TicketEvent) -> None:
    raise RuntimeError(f"ticket event {target.id} is part of the record and cannot change")


def may(user: User, ticket: Ticket, action: str) -> bool:
    """Tell whether this user may take this step on this ticket now (ignoring its payload)."""
    step = STEPS[action]
    if ticket.status not in step.sources or user.role not in step.roles:
        return False
    if step.department_only and user.role in HANDS:
        return holds(user, ticket, action)
    if action in ("approve_delay", "reject_delay"):
        return ticket.delay_until is not None
    if action == "close" and user.role != "supervisor":
        return not doubtful_verification(ticket)
    return True


def holds(user: User, ticket: Ticket, action: str) -> bool:
    """Tell whether a hands-on person may work this ticket.

    A ticket dispatched to a named person waits for that person to accept it; once taken,
    the department works it as before. An assistant works only what was dispatched to them.
    """
    if ticket.assignee_id == user.id:
        return True
    if user.role != "staff" or user.department_id is None:
        return False
    named = ticket.assignee_id is not None and ticket.accepted_at is None
    if named and action == "accept":
        return False
    return user.department_id == ticket.department_id


def allowed_actions(user: User, ticket: Ticket) -> list[str]:
    """List the steps the user may take on the ticket now."""
    return [name for name in STEPS if may(user, ticket, name)]


def apply_step(ticket: Ticket, action: str, data: dict[str, Any]) -> TicketEvent:
    """Take one lifecycle step, recording it as an immutable event."""
    user = current_user()
    step = STEPS[action]
    outsider = step.department_only and user.role in HANDS and not holds(user, ticket, action)
    if user.role not in step.roles or outsider:
        raise Forbidden(allowed=allowed_actions(user, ticket))
    if action == "close" and ticket.status in step.sources and not may(user, ticket, action):
        raise Forbidden(
            "验证时未扫描签名标签（手输编号），须由主管核实后关闭",
            "It was verified with a typed code, not a scanned label: a supervisor must close it.",
            allowed=allowed_actions(user, ticket),
        )
    if not may(user, ticket, action):
        status_zh, status_en = TICKET_STATUSES[ticket.status]
        raise Conflict(
            f"工单当前为“{status_zh}”，不能{ACTIONS[action][0]}",
            f"Cannot {ACTIONS[action][1].lower()}: the ticket is {status_en.lower()}.",
            allowed=allowed_actions(user, ticket),
        )
    photos = _photos(user, ticket, data.get("photo_ids") or [])
    recorded, target = _outcome(ticket, action, data)
    details = HANDLERS[action](ticket, user, data, photos)
    from_status = ticket.status
    if target is not None:
        ticket.status = target
    event = TicketEvent(
        ticket=ticket,
        actor_id=user.id,
        action=recorded,
        from_status=from_status,
        to_status=ticket.status,
        note=data.get("note"),
        details=details or None,
        client_uuid=str(data["client_uuid"]) if data.get("client_uuid") else None,
    )
    event.photos = photos
    db.session.add(event)
    db.session.flush()
    return event


def _outcome(ticket: Ticket, action: str, data: dict[str, Any]) -> tuple[str, str | None]:
    """Return the action recorded and the state reached; an unsatisfied call-back reopens."""
    if action == "close" and ticket.kind == "complaint" and _unsatisfied(data):
        return "reopen", STEPS["reopen"].target
    return action, STEPS[action].target


# 回访 ratings at or below this count as not satisfied: the ticket goes back, never closed.
UNHAPPY_RATING = 2


def _unsatisfied(data: dict[str, Any]) -> bool:
    rating = data.get("callback_rating")
    return data.get("callback_satisfied") is False or (
        rating is not None and rating <= UNHAPPY_RATING
    )


def _photos(user: User, ticket: Ticket, ids: list[int]) -> list[Photo]:
    return get_owned_photos(ids, user, ticket.property_id, "photo_ids") if ids else []


def _need_note(data: dict[str, Any], why_zh: str, why_en: str) -> None:
    if not (data.get("note") or "").strip():
        raise Invalid(why_zh, why_en, field="note")


# --- one handler per step: check the proof it needs, change the ticket, return event details ---


def _accept(ticket: Ticket, user: User, data: dict, photos: list) -> dict:
    ticket.accepted_at = ticket.accepted_at or utcnow()
    ticket.assignee = user
    return {}


def _start(ticket: Ticket, user: User, data: dict, photos: list) -> dict:
    ticket.assignee = ticket.assignee or user
    ticket.accepted_at = ticket.accepted_at or utcnow()
    return {}


def _resolve(ticket: Ticket, user: User, data: dict, photos: list) -> dict:
    _need_note(data, "请说明整改情况", "Say what was done.")
    if not photos:
        raise Invalid(
            "请上传整改后的照片", "At least one after-photo is required.", field="photo_ids"
        )
    ticket.resolved_at = utcnow()
    ticket.resolved_by_id = user.id
    return {}


def _verify(ticket: Ticket, user: User, data: dict, photos: list) -> dict:
    if user.id == ticket.resolved_by_id:
        raise Forbidden("整改人不能自己验证", "The person who resolved it cannot verify it.")
    ticket.verified_at = utcnow()
    if ticket.checkpoint_id is None:
        return {}
    return _verify_by_scan(ticket, data, photos)


def _verify_by_scan(ticket: Ticket, data: dict, photos: list) -> dict:
    """A checkpoint ticket is verified by a fresh scan of its label with an after-photo."""
    code = (data.get("checkpoint_code") or "").strip().upper()
    assert ticket.checkpoint is not None
    if code != ticket.checkpoint.code:
        raise Invalid(
            "请扫描该点位的二维码进行验证",
            "Scan this checkpoint's own label to verify.",
            field="checkpoint_code",
        )
    scanned_at: datetime | None = data.get("scanned_at")
    if scanned_at is None or (ticket.resolved_at and scanned_at < ticket.resolved_at):
        raise Invalid(
            "扫码时间须在整改完成之后", "The scan must come after the fix.", field="scanned_at"
        )
    if not photos:
        raise Invalid(
            "请拍摄现场照片",
            "An after-photo taken at the checkpoint is required.",
            field="photo_ids",
        )
    # The label's signature proves the scan; a forged or retired label is refused outright.
    checkpoint = ticket.checkpoint
    signed = presence.check_label(
        code, data, checkpoint.label_version, checkpoint.label_reprinted_at, scanned_at
    )
    details = {"checkpoint_code": code, "scanned_at": scanned_at.isoformat()}
    if signed:
        return {**details, "label_scanned": True, "label_version": data["label_version"]}
    # A typed code proves nobody stood there: the verification stands, doubtful, for a supervisor.
    return {**details, "label_scanned": False, "doubtful": True, "reasons": ["code_typed"]}


def doubtful_verification(ticket: Ticket) -> bool:
    """Tell whether the ticket's standing verification rests on a typed code, not a scan."""
    verify = next((e for e in reversed(ticket.events) if e.action == "verify"), None)
    return verify is not None and bool((verify.details or {}).get("doubtful"))


def _reopen(ticket: Ticket, user: User, data: dict, photos: list) -> dict:
    _need_note(data, "请说明验证未通过的原因", "Say why the fix did not pass.")
    return _undo_fix(ticket)


def _undo_fix(ticket: Ticket) -> dict:
    ticket.reopen_count += 1
    ticket.resolved_at = ticket.verified_at = None
    return {"reopen_count": ticket.reopen_count}


def reopen_on_repeat(
    ticket: Ticket, user: User, inspection: Any, repeat: TicketEvent
) -> TicketEvent:
    """Reopen a ticket reported fixed when a patrol finds the same failure again (再次发现)."""
    from_status = ticket.status
    details = {**_undo_fix(ticket), "reason": "repeat", "repeat_event_id": repeat.id}
    ticket.status = STEPS["reopen"].target or "reopened"
    event = TicketEvent(
        ticket=ticket,
        actor_id=user.id,
        action="reopen",
        from_status=from_status,
        to_status=ticket.status,
        note="巡查再次发现该问题，整改未生效 / Found failing again: the fix did not hold.",
        inspection_id=inspection.id,
        details=details,
    )
    db.session.add(event)
    db.session.flush()
    return event


def _close(ticket: Ticket, user: User, data: dict, photos: list) -> dict:
    if ticket.kind != "complaint":
        _check_close_due(ticket)
        ticket.closed_at = utcnow()
        return {}
    rating = data.get("callback_rating")
    said = data.get("callback_satisfied") is not None or rating is not None
    if not said or not (data.get("callback_note") or ""):
        raise Invalid(
            "请填写回访记录",
            "Record the call-back to the resident first.",
            field="callback_satisfied",
        )
    ticket.callback_at = utcnow()
    ticket.callback_satisfied = not _unsatisfied(data)
    ticket.callback_rating = rating
    ticket.callback_note = data["callback_note"]
    if not _unsatisfied(data):
        _check_close_due(ticket)
        ticket.closed_at = utcnow()
        return {"callback_satisfied": True, "callback_rating": rating}
    # 回访不满意: rectify until the resident is satisfied; the front desk dispatches it again.
    details = {
        **_undo_fix(ticket),
        "reason": "callback_unsatisfied",
        "callback_satisfied": False,
        "callback_rating": rating,
        "callback_note": data["callback_note"],
        "from_department_id": ticket.department_id,
    }
    ticket.department = None
    ticket.assignee = None
    ticket.accepted_at = None
    return details


def _check_close_due(ticket: Ticket) -> None:
    if ticket.close_due_at < utcnow():
        raise Conflict(
            "已超期，须先由主管批准延期说明",
            "Overdue: a supervisor must approve a written delay before it can be closed.",
            allowed=["delay"],
        )


def _reassign(ticket: Ticket, user: User, data: dict, photos: list) -> dict:
    _need_note(data, "请填写改派原因", "Give the reason for reassigning.")
    if data.get("department_id") is None:
        raise Invalid("请选择部门", "Choose the department.", field="department_id")
    dept = get_scoped_ref(Department, data["department_id"], "department_id")
    if dept.property_id != ticket.property_id or not dept.active:
        raise Invalid(
            "部门不属于该项目", "Not an active department of this property.", field="department_id"
        )
    person = None
    if data.get("assignee_id") is not None:
        person = dispatch.holder(ticket, dept, data["assignee_id"])
    details = {
        "from_department_id": ticket.department_id,
        "to_department_id": dept.id,
        "from_assignee_id": ticket.assignee_id,
        "to_assignee_id": person.id if person else None,
        "to_assignee_name": person.display_name if person else None,
    }
    # Set the relationships, not their ids: the response is dumped from this same object.
    ticket.department = dept
    ticket.assignee = person  # none: anyone of the department accepts it
    ticket.accepted_at = None
    # The new department gets a fresh accept window, escalated anew if it lets it pass.
    prop = db.session.get(Property, ticket.property_id)
    assert prop is not None
    ticket.accept_due_at = sla_due(prop, ticket.priority)[0]
    ticket.escalation_level = 0
    return details


def _delay(ticket: Ticket, user: User, data: dict, photos: list) -> dict:
    _need_note(data, "请填写延期说明", "A written delay reason is required.")
    until: datetime | None = data.get("until")
    if until is None or until <= utcnow() or until <= ticket.close_due_at:
        raise Invalid(
            "新的期限须晚于现在和原期限",
            "The new deadline must be later than now and than the current one.",
            field="until",
        )
    ticket.delay_reason = data["note"]
    ticket.delay_until = until
    return {"until": until.isoformat()}


def _approve_delay(ticket: Ticket, user: User, data: dict, photos: list) -> dict:
    assert ticket.delay_until is not None
    details = {"from": ticket.close_due_at.isoformat(), "until": ticket.delay_until.isoformat()}
    ticket.close_due_at = ticket.delay_until
    ticket.delay_until = ticket.delay_reason = None
    ticket.overdue_at = None
    return details


def _reject_delay(ticket: Ticket, user: User, data: dict, photos: list) -> dict:
    _need_note(data, "请说明不批准的原因", "Say why the delay is refused.")
    ticket.delay_until = ticket.delay_reason = None
    return {}


def _comment(ticket: Ticket, user: User, data: dict, photos: list) -> dict:
    _need_note(data, "请输入内容", "Write something.")
    return {}


HANDLERS = {
    "accept": _accept,
    "start": _start,
    "resolve": _resolve,
    "verify": _verify,
    "reopen": _reopen,
    "close": _close,
    "reassign": _reassign,
    "delay": _delay,
    "approve_delay": _approve_delay,
    "reject_delay": _reject_delay,
    "comment": _comment,
}
