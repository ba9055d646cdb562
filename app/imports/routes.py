"""HTTP routes for importing and exporting checkpoints, units and users as sheets."""

from __future__ import annotations

from flask import Response, current_app, request
from flask_smorest import Blueprint

from app.auth import service as auth
from app.extensions import db
from app.imports import schemas as s
from app.imports import service
from app.imports.sheets import XLSX_TYPE, TooLarge
from app.photos.routes import MultipartParser

WHAT = "<any(checkpoints, units, users):what>"
FILE = {"type": "string", "format": "binary"}


class ImportBlueprint(Blueprint):
    """A blueprint whose "files" arguments also see the form fields of the same body."""

    ARGUMENTS_PARSER = MultipartParser()


blp = ImportBlueprint(
    "imports", __name__, description="Bulk import and export as Excel or CSV (批量导入导出)"
)


# Room for the multipart envelope around the file.
FORM_OVERHEAD_BYTES = 64 * 1024


@blp.before_request
def limit_upload_size() -> None:
    """Refuse a sheet too large to import before any of it is read."""
    if request.method != "POST":
        return
    limit = current_app.config["IMPORT_MAX_BYTES"]
    request.max_content_length = limit + FORM_OVERHEAD_BYTES
    if request.content_length is not None and request.content_length > request.max_content_length:
        mb = limit / (1024 * 1024)
        raise TooLarge(
            f"文件过大（最多 {mb:g} MB）",
            f"The file is too large (at most {mb:g} MB).",
            field="file",
        )


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@blp.get(f"/{WHAT}/import/template.xlsx")
@auth.login_required
@blp.arguments(s.ListArgs, location="query")
@blp.response(200, FILE, content_type=XLSX_TYPE, description="The empty import sheet")
def import_template(args, what):
    """Download the import sheet: Chinese headers, English headers, notes on allowed values."""
    data = service.template(what, args["property_id"])
    return _download(data, XLSX_TYPE, f"{what}-template.xlsx")


@blp.post(f"/{WHAT}/import")
@auth.login_required
@blp.arguments(s.ImportArgs, location="query")
@blp.arguments(s.UploadSchema, location="files")
@blp.response(200, s.ImportReportSchema)
def import_sheet(args, files, what):
    """Check an uploaded sheet (preview, writes nothing) or apply it all or nothing (commit)."""
    report = service.run_import(what, args["property_id"], files["file"], args["commit"])
    if report["committed"]:
        db.session.commit()
    return report


@blp.get(f"/{WHAT}/export.<any(xlsx, csv):fmt>")
@auth.login_required
@blp.arguments(s.ListArgs, location="query")
@blp.response(200, FILE, content_type=XLSX_TYPE, description="The list as .xlsx or .csv")
@blp.doc(
    responses={"200": {"content": {XLSX_TYPE: {"schema": FILE}, "text/csv": {"schema": FILE}}}}
)
def export_sheet(args, what, fmt):
    """Download the current list in the import sheet's format."""
    data = service.export(what, args["property_id"], fmt)
    mimetype = XLSX_TYPE if fmt == "xlsx" else "text/csv"
    return _download(data, mimetype, f"{what}.{fmt}")
