"""HTTP routes for tickets."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("tickets", __name__, description="Rectification tickets (整改工单)")
