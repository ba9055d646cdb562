"""HTTP routes for submitting and reading inspections."""

from __future__ import annotations

from flask_smorest import Blueprint
from sqlalchemy.exc import IntegrityError

from app.auth import service as auth
from app.common.schemas import paginate
from app.extensions import db
from app.inspections import schemas as s
from app.inspections import service
from app.inspections.models import Inspection

blp = Blueprint("inspections", __name__, description="Inspections (巡查记录)")


@blp.post("/inspections")
@auth.login_required
@blp.arguments(s.InspectionInSchema)
@blp.response(201, s.InspectionDetailSchema)
@blp.alt_response(200, schema=s.InspectionDetailSchema, description="Already stored (replay)")
def submit(data):
    """Submit an inspection; a replay with the same client_uuid returns the stored one (200).

    The same client_uuid with different answers is refused (409, naming the stored inspection).
    """
    earlier = service.replayed(data)
    if earlier is not None:
        return earlier, 200
    try:
        inspection = service.submit(data)
        db.session.commit()
    except IntegrityError:
        # A concurrent copy of this submission committed first: answer with that one.
        db.session.rollback()
        earlier = service.replayed(data)
        if earlier is None:
            raise
        return earlier, 200
    return inspection


@blp.get("/inspections")
@auth.login_required
@blp.arguments(s.InspectionArgs, location="query")
@blp.response(200, s.InspectionPage)
def list_inspections(args):
    """List inspections by property, checkpoint, zone, user, failures and scan time."""
    return paginate(service.list_inspections(args), args)


@blp.get("/inspections/<int:obj_id>")
@auth.login_required
@blp.response(200, s.InspectionDetailSchema)
def get_inspection(obj_id):
    """Show an inspection with its results, photos and tickets."""
    return auth.get_scoped(Inspection, obj_id)
