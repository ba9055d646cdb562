"""《客户反映情况记录表》 exported with the seeds' Chinese title and the loop's columns."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from tests.inspections.conftest import upload
from tests.tickets.conftest import step


def _today() -> str:
    return datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()


def _url(world, ext: str, first: str | None = None, last: str | None = None) -> str:
    day = _today()
    return (
        f"/api/v1/tickets/customer-reports.{ext}?property_id={world.a.prop.id}"
        f"&from={first or day}&to={last or day}"
    )


@pytest.fixture
def looped(world, as_role):
    """A resident's report taken, dispatched, fixed, verified and called back (rated 4)."""
    frontdesk, staff = as_role("frontdesk"), as_role("staff")
    ticket = frontdesk.post(
        "/api/v1/tickets",
        json={
            "property_id": world.a.prop.id,
            "category": "equipment",
            "description": "业主反映A幢大堂灯不亮",
            "location_text": "A幢大堂",
            "reporter_name": "王女士",
            "reporter_phone": "13812345678",
        },
    ).get_json()
    tid = ticket["id"]
    step(frontdesk, tid, "reassign", department_id=world.a.department.id, note="派工程部")
    step(staff, tid, "accept")
    step(staff, tid, "comment", note="配件已订")
    step(staff, tid, "resolve", note="已更换灯具", photo_ids=[upload(staff)])
    step(frontdesk, tid, "verify", note="已核实")
    done = step(frontdesk, tid, "close", callback_rating=4, callback_note="电话回访，满意")
    assert done.get_json()["status"] == "closed"
    return ticket


def test_the_form_lists_each_report_through_the_whole_loop(world, as_role, looped):
    resp = as_role("frontdesk").get(_url(world, "xlsx"))
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(resp.data)).active
    assert sheet.title == "客户反映情况记录表"
    assert "客户反映情况记录表" in sheet["A1"].value
    headers = [c.value for c in sheet[2]]
    for column in (
        "受理时间",
        "反映人",
        "处理结果",
        "跟踪情况",
        "回访结果",
        "满意度（1–5）",
        "状态",
    ):
        assert column in headers
    row = dict(zip(headers, [c.value for c in sheet[3]], strict=True))
    assert row["单号"] == looped["number"] and row["反映人"] == "王女士"
    assert row["派往部门"] == world.a.department.name_zh
    assert row["处理结果"] == "已更换灯具" and "配件已订" in row["跟踪情况"]
    assert row["回访结果"] == "满意：电话回访，满意" and row["满意度（1–5）"] == 4
    assert row["状态"] == "已关闭"


def test_the_pdf_is_a_pdf_and_the_range_is_checked(world, as_role, looped):
    frontdesk = as_role("frontdesk")
    pdf = frontdesk.get(_url(world, "pdf"))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    reversed_range = frontdesk.get(_url(world, "xlsx", "2027-03-10", "2027-03-01"))
    assert reversed_range.status_code == 422 and "to" in reversed_range.get_json()["errors"]
    assert as_role("staff").get(_url(world, "xlsx")).status_code == 403
    other = as_role("frontdesk").get(
        _url(world, "xlsx").replace(
            f"property_id={world.a.prop.id}", f"property_id={world.b.prop.id}"
        )
    )
    assert other.status_code in (403, 404)
