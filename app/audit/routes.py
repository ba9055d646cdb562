"""HTTP route for the audit trail (admins)."""

from __future__ import annotations

from flask_smorest import Blueprint

from app.audit import schemas as s
from app.audit import service
from app.auth import service as auth
from app.common.schemas import paginate

blp = Blueprint("audit", __name__, description="Audit trail of set-up changes (操作日志)")


@blp.get("/audit")
@auth.roles_required(("admin",))
@blp.arguments(s.AuditArgs, location="query")
@blp.response(200, s.AuditPage)
def list_audit(args):
    """List who changed what in the set-up, newest first (admin)."""
    return paginate(service.list_entries(args), args)
