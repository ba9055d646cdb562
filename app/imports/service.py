"""Run an import (preview or all-or-nothing commit), build the template and the exports."""

from __future__ import annotations

from typing import Any

from flask import current_app
from werkzeug.datastructures import FileStorage

from app.audit import service as audit
from app.auth.service import get_property, require_role
from app.errors import Invalid
from app.imports import sheets
from app.imports.checks import Row
from app.imports.kinds import Checkpoints, Units
from app.imports.user_rows import Users

MAX_ROWS = 5000
KINDS: dict[str, type[Checkpoints] | type[Units] | type[Users]] = {
    "checkpoints": Checkpoints,
    "units": Units,
    "users": Users,
}


class ImportInvalid(Invalid):
    """A commit of a sheet that still has problems (422); nothing was written."""

    code = "import_invalid"


def lister(what: str, property_id: int) -> Any:
    """Return the handler of one importable list for a granted property (role checked)."""
    kind = KINDS[what]
    require_role(kind.writers)
    return kind(get_property(property_id))


def run_import(what: str, property_id: int, upload: FileStorage, commit: bool) -> dict[str, Any]:
    """Check every row of an upload; with commit, apply all of them or (on a problem) none."""
    handler = lister(what, property_id)
    rows = sheets.read_upload(
        upload, handler.columns, current_app.config["IMPORT_MAX_BYTES"], MAX_ROWS
    )
    problems: list[dict[str, Any]] = []
    plans = []
    for number, cells in rows:
        row = Row(number, cells)
        plan = handler.check(row)
        problems.extend(row.problems)
        if plan is not None:
            plans.append(plan)
    counts = {a: sum(p.action == a for p in plans) for a in ("create", "update", "unchanged")}
    report = {
        "what": what,
        "property_id": property_id,
        "committed": False,
        "rows": len(rows),
        "created": counts["create"],
        "updated": counts["update"],
        "unchanged": counts["unchanged"],
        "problems": problems,
        "changes": [
            {"row": p.row, "action": p.action, "key": p.key, "fields": p.changed} for p in plans
        ],
    }
    if not commit:
        return report
    if problems:
        raise ImportInvalid(
            f"有 {len(problems)} 处问题，未导入任何数据",
            f"{len(problems)} problems found; nothing was imported.",
            field="file",
            problems=problems,
        )
    for plan in plans:
        handler.apply(plan)
    audit.record(
        handler.entity,
        None,
        "import",
        {"created": [None, counts["create"]], "updated": [None, counts["update"]]},
        property_id=property_id,
        summary=upload.filename,
    )
    report["committed"] = True
    return report


def template(what: str, property_id: int) -> bytes:
    """Build the empty import sheet of a list, with its notes."""
    handler = lister(what, property_id)
    return sheets.write_xlsx(handler.columns, [], _notes(handler))


def export(what: str, property_id: int, fmt: str) -> bytes:
    """Build the current list in the import sheet's format (xlsx or csv)."""
    handler = lister(what, property_id)
    rows = handler.export()
    if fmt == "csv":
        return sheets.write_csv(handler.columns, rows)
    return sheets.write_xlsx(handler.columns, rows, _notes(handler))


def _notes(handler: Any) -> list[tuple[str, str]]:
    header = [
        ("说明 Notes", "第 1 行中文表头，第 2 行英文表头（可删），数据从第 3 行开始；* 为必填。"),
        (
            "",
            "Row 1: Chinese headers; row 2: English headers (optional); data from row 3; * needed.",
        ),
    ]
    return header + handler.notes()
