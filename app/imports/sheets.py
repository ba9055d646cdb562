"""Read an uploaded .xlsx or .csv sheet into rows; write the template and exports."""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from werkzeug.datastructures import FileStorage

from app.common.fields import without_control_characters
from app.errors import AppError, Invalid

XLSX_MAGIC = b"PK\x03\x04"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATA_SHEET = "数据 Data"
NOTES_SHEET = "说明 Notes"


class TooLarge(AppError):
    """An upload over the size limit (413)."""

    status = 413
    code = "too_large"


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its field, Chinese and English headers, and whether it is needed."""

    key: str
    zh: str
    en: str
    required: bool = False

    @property
    def zh_header(self) -> str:
        """Return the Chinese header, starred when the column is required."""
        return f"{self.zh}*" if self.required else self.zh


def _norm(header: Any) -> str:
    return str(header or "").strip().rstrip("*").strip().lower()


FORMULA_START = ("=", "+", "-", "@")


def safe_cell(value: Any) -> Any:
    """Quote text a spreadsheet would run as a formula (CSV/formula injection); drop controls.

    Rows stored before control characters were refused at input may still hold them.
    """
    value = without_control_characters(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def cell_text(value: Any) -> str:
    """Turn a cell into trimmed text (3.0 → "3"; an empty cell → ""; a formula quote dropped)."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] in FORMULA_START:
        value = value[1:]
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _bad_file(zh: str, en: str) -> Invalid:
    return Invalid(zh, en, field="file")


def read_upload(
    storage: FileStorage, columns: Sequence[Column], max_bytes: int, max_rows: int
) -> list[tuple[int, dict[str, str]]]:
    """Return (spreadsheet row number, {field: text}) for every non-blank data row."""
    name = (storage.filename or "").lower()
    try:
        data = storage.stream.read(max_bytes + 1)
    finally:
        storage.close()  # a large part is spooled to a temporary file; release it now
    if len(data) > max_bytes:
        mb = max_bytes / (1024 * 1024)
        raise TooLarge(
            f"文件过大（最多 {mb:g} MB）",
            f"The file is too large (at most {mb:g} MB).",
            field="file",
        )
    if not data:
        raise _bad_file("文件为空", "The file is empty.")
    if name.endswith(".xlsx"):
        grid = _xlsx_grid(data, max_rows)
    elif name.endswith(".csv"):
        grid = _csv_grid(data)
    else:
        raise _bad_file(
            "只支持 .xlsx 或 .csv 文件（旧版 .xls 请另存为 .xlsx）",
            "Only .xlsx or .csv files are accepted (save an old .xls as .xlsx).",
        )
    return _rows(grid, columns, max_rows)


def _xlsx_grid(data: bytes, max_rows: int) -> list[list[str]]:
    if not data.startswith(XLSX_MAGIC):
        raise _bad_file("不是有效的 .xlsx 文件", "This is not a valid .xlsx file.")
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it drops; they do not matter here.
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = book.worksheets[0]
                grid = []
                for values in sheet.iter_rows(values_only=True):
                    grid.append([cell_text(v) for v in values])
                    if len(grid) > max_rows + 2:
                        break
            finally:
                book.close()
    except Exception:  # zip, XML and openpyxl errors: the file is broken, not the server
        raise _bad_file("无法读取该 .xlsx 文件", "The .xlsx file could not be read.") from None
    return grid


def _csv_grid(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _bad_file(
            "CSV 文件编码无法识别，请使用 UTF-8", "The CSV encoding is not recognised; use UTF-8."
        )
    if "\x00" in text:
        raise _bad_file("不是文本 CSV 文件", "This is not a text CSV file.")
    try:
        return [[cell_text(v) for v in row] for row in csv.reader(io.StringIO(text))]
    except csv.Error:
        raise _bad_file("CSV 格式有误", "The CSV file is malformed.") from None


def _header_keys(header: list[str], columns: Sequence[Column]) -> list[str | None]:
    names: dict[str, str] = {}
    for col in columns:
        for label in (col.zh, col.en, col.key, f"{col.zh} {col.en}"):
            names[_norm(label)] = col.key
    keys: list[str | None] = []
    unknown = []
    for cell in header:
        if not cell:
            keys.append(None)
            continue
        key = names.get(_norm(cell))
        if key is None:
            unknown.append(cell)
        keys.append(key)
    if unknown:
        raise _bad_file(
            f"无法识别的列：{'、'.join(unknown)}（请使用模板的表头）",
            f"Unknown columns: {', '.join(unknown)} (use the template's headers).",
        )
    present = [k for k in keys if k]
    if len(present) != len(set(present)):
        raise _bad_file("有重复的列", "A column appears twice.")
    missing = [c for c in columns if c.required and c.key not in present]
    if missing:
        raise _bad_file(
            "缺少必填列：" + "、".join(c.zh for c in missing),
            "Required columns are missing: " + ", ".join(c.en for c in missing),
        )
    return keys


def _rows(
    grid: list[list[str]], columns: Sequence[Column], max_rows: int
) -> list[tuple[int, dict[str, str]]]:
    if not grid or not any(grid[0]):
        raise _bad_file("第 1 行应为表头", "Row 1 must hold the column headers.")
    keys = _header_keys(grid[0], columns)
    english = {c.key: _norm(c.en) for c in columns}
    start = 1
    if len(grid) > 1 and any(grid[1]):
        second = [(k, _norm(v)) for k, v in zip(keys, grid[1], strict=False) if v]
        if all(k is not None and english[k] == v for k, v in second):
            start = 2  # the optional English header row
    rows = []
    for index in range(start, len(grid)):
        cells = {k: v for k, v in zip(keys, grid[index], strict=False) if k}
        if any(cells.values()):
            rows.append((index + 1, {c.key: cells.get(c.key, "") for c in columns}))
    if not rows:
        raise _bad_file("没有数据行", "The sheet has no data rows.")
    if len(rows) > max_rows:
        raise _bad_file(
            f"一次最多导入 {max_rows} 行", f"At most {max_rows} rows can be imported at once."
        )
    return rows


def write_xlsx(
    columns: Sequence[Column], rows: Iterable[Sequence[Any]], notes: Iterable[Sequence[str]]
) -> bytes:
    """Build a workbook: Chinese headers in row 1, English in row 2, data from row 3, notes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    sheet.append([c.zh_header for c in columns])
    sheet.append([c.en for c in columns])
    grey = PatternFill("solid", fgColor="EEEEEE")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = grey
    for cell in sheet[2]:
        cell.font = Font(italic=True, color="666666")
        cell.fill = grey
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    sheet.freeze_panes = "A3"
    for index, _col in enumerate(columns):
        sheet.column_dimensions[chr(ord("A") + index)].width = 18
    info = book.create_sheet(NOTES_SHEET)
    for line in notes:
        info.append([safe_cell(v) for v in line])
    info.column_dimensions["A"].width = 28
    info.column_dimensions["B"].width = 90
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_csv(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> bytes:
    """Build a UTF-8 CSV (with BOM, so Excel reads Chinese) with the two header lines."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.zh_header for c in columns])
    writer.writerow([c.en for c in columns])
    for row in rows:
        writer.writerow(["" if v is None else safe_cell(v) for v in row])
    return out.getvalue().encode("utf-8-sig")
