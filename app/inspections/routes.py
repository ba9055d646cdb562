"""HTTP routes for submitting and reading inspections."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("inspections", __name__, description="Inspections (巡查记录)")
