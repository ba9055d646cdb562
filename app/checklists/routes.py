"""HTTP routes for checklists and for opening a checkpoint by its label code."""

from __future__ import annotations

from flask_smorest import Blueprint

from app.auth import service as auth
from app.checklists import schemas as s
from app.checklists import service
from app.checklists.models import ChecklistTemplate
from app.common.schemas import paginate, searched, sorted_by
from app.errors import NotFound
from app.extensions import db
from app.presence.service import check_label

blp = Blueprint("checklists", __name__, description="Checklist templates and versions (检查表)")


@blp.get("/checklists")
@auth.login_required
@blp.arguments(s.TemplateArgs, location="query")
@blp.response(200, s.TemplatePage)
def list_templates(args):
    """List checklist templates with their current version."""
    query = auth.scoped(ChecklistTemplate)
    for name in ("property_id", "kind", "active"):
        if args.get(name) is not None:
            query = query.where(getattr(ChecklistTemplate, name) == args[name])
    T = ChecklistTemplate
    query = searched(query, args, T.name_zh, T.name_en, T.kind)
    return paginate(sorted_by(query.order_by(T.id), T, args), args)


@blp.post("/checklists")
@auth.can_write("checklist")
@blp.arguments(s.TemplateSchema)
@blp.response(201, s.TemplateDetailSchema)
def create_template(data):
    """Create a template for a checkpoint kind (version 1)."""
    template = service.create_template(data)
    db.session.commit()
    return template


@blp.get("/checklists/<int:obj_id>")
@auth.login_required
@blp.response(200, s.TemplateDetailSchema)
def get_template(obj_id):
    """Show a template, its current items and its version history."""
    return auth.get_scoped(ChecklistTemplate, obj_id)


@blp.put("/checklists/<int:obj_id>")
@auth.can_write("checklist")
@blp.arguments(s.PublishSchema)
@blp.response(200, s.TemplateDetailSchema)
def publish_template(data, obj_id):
    """Publish edited items as a new version; past inspections keep their version."""
    template = service.update_template(auth.get_scoped(ChecklistTemplate, obj_id), data)
    db.session.commit()
    return template


@blp.patch("/checklists/<int:obj_id>")
@auth.can_write("checklist")
@blp.arguments(s.TemplatePatchSchema)
@blp.response(200, s.TemplateDetailSchema)
def patch_template(data, obj_id):
    """Rename or retire a template without publishing a version."""
    template = service.patch_template(auth.get_scoped(ChecklistTemplate, obj_id), data)
    db.session.commit()
    return template


@blp.get("/checklists/<int:obj_id>/versions/<int:number>")
@auth.login_required
@blp.response(200, s.VersionSchema)
def get_version(obj_id, number):
    """Show one version of a template with the items it had."""
    template = auth.get_scoped(ChecklistTemplate, obj_id)
    version = next((v for v in template.versions if v.number == number), None)
    if version is None:
        raise NotFound("找不到该版本", "No such version.")
    return version


@blp.get("/checkpoints/by-code/<code>")
@auth.login_required
@blp.arguments(s.ScanArgs, location="query")
@blp.response(200, s.ScannedCheckpointSchema)
def checkpoint_by_code(args, code):
    """Open a scanned checkpoint: the checkpoint and its current checklist.

    With the label's signature and printing (`s`, `v`), a forged label (403) or an old
    printing (410) is refused at the scan, before anyone fills in the checklist.
    """
    checkpoint = service.open_checkpoint(code)
    if args.get("s"):
        label = {"label_sig": args["s"], "label_version": args["v"]}
        check_label(checkpoint.code, label, checkpoint.label_version)
    return checkpoint
