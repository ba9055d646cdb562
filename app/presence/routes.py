"""HTTP routes for the review queue, review decisions, people's records and settings."""

from __future__ import annotations

from flask_smorest import Blueprint

from app.auth import service as auth
from app.common.schemas import paginate
from app.extensions import db
from app.inspections.models import Inspection
from app.inspections.schemas import InspectionPage
from app.presence import schemas as s
from app.presence import service

blp = Blueprint("presence", __name__, description="Proof of presence (到场证明) and review")


@blp.get("/presence/review")
@auth.roles_required(service.REVIEW_ROLES)
@blp.arguments(s.ReviewQueueArgs, location="query")
@blp.response(200, InspectionPage)
def review_queue(args):
    """List flagged (doubtful) inspections, or those of another status, newest first."""
    return paginate(service.review_queue(args), args)


@blp.get("/presence/review/<int:obj_id>")
@auth.roles_required(service.REVIEW_ROLES)
@blp.response(200, s.ReviewCaseSchema)
def review_case(obj_id):
    """Show an inspection's evidence beside the earlier photos it copies, and its reviews."""
    inspection = auth.get_scoped(Inspection, obj_id)
    presence = inspection.presence
    return {
        "inspection": inspection,
        "earlier_photos": service.matched_photos(presence) if presence else [],
        "reviews": service.reviews_of(inspection),
    }


@blp.post("/inspections/<int:obj_id>/review")
@auth.roles_required(service.REVIEW_ROLES)
@blp.arguments(s.ReviewInSchema)
@blp.response(201, s.ReviewSchema)
def review(data, obj_id):
    """Accept or reject an inspection's presence (supervisor); the decision is audited."""
    inspection = auth.get_scoped(Inspection, obj_id)
    decision = service.decide(inspection, data["decision"], data.get("note"))
    db.session.commit()
    return decision


@blp.get("/presence/notes")
@auth.roles_required(service.REVIEW_ROLES)
@blp.arguments(s.NotesArgs, location="query")
@blp.response(200, s.ReviewPage)
def record_notes(args):
    """List rejected inspections as notes on the assistants' records."""
    return paginate(service.record_notes(args), args)


@blp.get("/presence/settings")
@auth.roles_required(service.REVIEW_ROLES)
@blp.arguments(s.PropertyArgs, location="query")
@blp.response(200, s.SettingsSchema)
def get_settings(args):
    """Show a property's presence threshold and walking estimates."""
    return service.get_settings(args["property_id"])


@blp.put("/presence/settings")
@auth.roles_required(frozenset({"admin"}))
@blp.arguments(s.PropertyArgs, location="query")
@blp.arguments(s.SettingsSchema(partial=True))
@blp.response(200, s.SettingsSchema)
def update_settings(args, data):
    """Change a property's presence threshold or walking estimates (admin)."""
    settings = service.update_settings(args["property_id"], data)
    db.session.commit()
    return settings
