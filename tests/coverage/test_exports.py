"""The exports open in Excel and PDF readers and hold the expected rows."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from pypdf import PdfReader

QUERY = "property_id={p}&from=2026-03-02&to=2026-03-03"


def _get(login, scenario, path):
    client = login(scenario.site.users["supervisor"])
    resp = client.get(f"/api/v1/coverage/{path}?{QUERY.format(p=scenario.site.prop.id)}")
    assert resp.status_code == 200, resp.data[:300]
    return resp


def test_coverage_report_xlsx(scenario, login):
    resp = _get(login, scenario, "report.xlsx")
    assert resp.mimetype.endswith("spreadsheetml.sheet")
    assert "coverage-A-20260302-20260303.xlsx" in resp.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(resp.data))
    assert book.sheetnames == ["覆盖率 Coverage", "漏巡 Missed", "工单 Tickets"]
    sheet = book["覆盖率 Coverage"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert scenario.site.prop.name in rows[0][0] and "2026-03-02 至 2026-03-03" in rows[0][0]
    assert rows[1][:9] == ["区域", "应巡", "按时", "迟到", "存疑", "漏巡", "豁免", "待巡", "计划外"]
    assert rows[2:] == [
        [scenario.zone.name_zh, 6, 2, 1, 0, 2, 1, 0, 2, 60.0, 40.0],
        ["Z2幢", 4, 3, 0, 0, 1, 0, 0, 0, 75.0, 75.0],
        ["合计 Total", 10, 5, 1, 0, 3, 1, 0, 2, 66.7, 55.6],
    ]
    missed = [list(r) for r in book["漏巡 Missed"].iter_rows(min_row=3, values_only=True)]
    assert [(r[0], r[4]) for r in missed] == [
        ("2026-03-02", scenario.cps[2].code),
        ("2026-03-03", scenario.cps[2].code),
        ("2026-03-03", scenario.cps[3].code),
    ]
    assert missed[0][1] == "09:00–12:00"


def test_patrol_record_xlsx(scenario, login):
    book = load_workbook(io.BytesIO(_get(login, scenario, "patrol-record.xlsx").data))
    rows = [list(r) for r in book.active.iter_rows(values_only=True)]
    assert "区域管理员巡查记录表" in rows[0][0]
    assert rows[1] == ["日期", "时间", "区域", "点位", "编号", "巡查人", "结果", "问题描述", "计划"]
    body = rows[2:]
    assert len(body) == 8
    assert [(r[0], r[1], r[4], r[8]) for r in body] == [
        ("2026-03-02", "09:00", scenario.cps[3].code, "按时"),
        ("2026-03-02", "10:00", scenario.cps[0].code, "按时"),
        ("2026-03-02", "12:20", scenario.cps[1].code, "迟到"),
        ("2026-03-02", "14:00", scenario.cps[3].code, "按时"),
        ("2026-03-03", "11:00", scenario.cps[1].code, "按时"),
        ("2026-03-03", "13:00", scenario.cps[2].code, "计划外"),
        ("2026-03-03", "15:00", scenario.cps[3].code, "按时"),
        ("2026-03-03", "20:00", scenario.cps[0].code, "计划外"),
    ]
    assert {r[6] for r in body} == {"合格"}


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_coverage_report_pdf(scenario, login):
    resp = _get(login, scenario, "report.pdf")
    assert resp.mimetype == "application/pdf"
    text = _pdf_text(resp.data)
    assert "2026-03-02" in text and "2026-03-03" in text
    assert "66.7" in text and "55.6" in text
    assert scenario.cps[2].code in text


def test_patrol_record_pdf(scenario, login):
    text = _pdf_text(_get(login, scenario, "patrol-record.pdf").data)
    for cp in scenario.cps:
        assert cp.code in text
    assert "20:00" in text


def test_old_names_with_control_characters_do_not_break_the_xlsx(scenario, login):
    from app.extensions import db

    # Stored before control characters were refused at input (PostgreSQL never took NUL).
    scenario.zone.name_zh = "坏\x01区\x1b"
    scenario.site.prop.name = "物业\x1f"
    db.session.commit()
    book = load_workbook(io.BytesIO(_get(login, scenario, "report.xlsx").data))
    rows = [list(r) for r in book["覆盖率 Coverage"].iter_rows(values_only=True)]
    assert "物业" in rows[0][0]
    assert "坏区" in [r[0] for r in rows[2:]]
    book = load_workbook(io.BytesIO(_get(login, scenario, "patrol-record.xlsx").data))
    assert "坏区" in [r[2] for r in book.active.iter_rows(min_row=3, values_only=True)]
    for pdf in ("report.pdf", "patrol-record.pdf"):
        assert "坏" in _pdf_text(_get(login, scenario, pdf).data)
