"""HTTP routes for label sheets and re-issuing label codes."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint

from app.auth import service as auth
from app.extensions import db
from app.labels import service
from app.labels.schemas import LabelAddressSchema, LabelSheetArgs, ReissuedCheckpointSchema
from app.places.models import Checkpoint
from app.places.schemas import CheckpointSchema

blp = Blueprint("labels", __name__, description="QR labels (二维码标签)")

PDF = {"type": "string", "format": "binary"}


@blp.get("/labels.pdf")
@auth.roles_required(service.PRINT_ROLES)
@blp.arguments(LabelSheetArgs, location="query")
@blp.response(
    200,
    PDF,
    content_type="application/pdf",
    description="A4 sheet of QR labels. X-Patrol-Label-Base-URL names the address they encode; "
    "X-Patrol-Label-Warning: label_url_localhost when that is this machine only "
    "(GET /labels/address says why, in Chinese and English).",
)
def label_sheet(args):
    """Print QR labels for a zone, a checkpoint kind or chosen checkpoints (admin, supervisor)."""
    pdf = service.render_labels(service.checkpoints_to_label(args))
    address = service.label_address()
    headers = {
        "Content-Disposition": 'inline; filename="patrol-labels.pdf"',
        # Headers are Latin-1: an internationalised domain name is sent escaped.
        "X-Patrol-Label-Base-URL": address["base_url"].encode("ascii", "backslashreplace").decode(),
    }
    if address["warning"]:
        headers["X-Patrol-Label-Warning"] = address["warning"]["code"]
    return Response(pdf, mimetype="application/pdf", headers=headers)


@blp.get("/labels/address")
@auth.roles_required(service.PRINT_ROLES)
@blp.response(200, LabelAddressSchema)
def label_address():
    """Say which address labels printed now would encode, warning if phones cannot reach it."""
    return service.label_address()


@blp.post("/checkpoints/<int:obj_id>/reissue-code")
@auth.can_write("checkpoint")
@blp.response(200, ReissuedCheckpointSchema)
def reissue_code(obj_id):
    """Give a checkpoint a new label code; the old label then answers 410 (admin)."""
    checkpoint = service.reissue_code(auth.get_scoped(Checkpoint, obj_id))
    db.session.commit()
    return checkpoint


@blp.post("/checkpoints/<int:obj_id>/reprint")
@auth.can_write("checkpoint")
@blp.response(200, CheckpointSchema)
def reprint(obj_id):
    """Reprint a label with the same code: the label version goes up, old copies are refused."""
    checkpoint = service.reprint(auth.get_scoped(Checkpoint, obj_id))
    db.session.commit()
    return checkpoint
