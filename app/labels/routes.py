"""HTTP routes for label sheets and re-issuing label codes."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("labels", __name__, description="QR labels (二维码标签)")
