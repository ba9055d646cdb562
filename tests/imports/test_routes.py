"""Bulk import and export: preview with row problems, all-or-nothing commit, re-import, export."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from app.auth.models import User
from app.extensions import db
from app.places.models import Checkpoint, RetiredCode, Unit

UNIT_HEADER = ["楼栋*", "楼层*", "房号*", "状态", "业主", "业主电话", "启用"]
CP_HEADER = ["编码", "区域*", "类型*", "名称*", "英文名称", "位置", "启用"]
USER_HEADER = ["用户名*", "姓名*", "电话", "角色*", "部门", "初始密码", "启用"]


def xlsx(header, rows, english=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    if english:
        sheet.append(english)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, what, prop_id, data, name="sheet.xlsx", commit=False):
    # Encoded in memory: the test client's own encoder leaves a temp file open above 500 KB.
    body, length, boundary = stream_encode_multipart(
        {"file": FileStorage(io.BytesIO(data), name)}, use_tempfile=False
    )
    return client.post(
        f"/api/v1/{what}/import?property_id={prop_id}&commit={'true' if commit else 'false'}",
        data=body.read(length),
        content_type=f'multipart/form-data; boundary="{boundary}"',
    )


def count(model, **where) -> int:
    query = select(func.count()).select_from(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return db.session.scalar(query)


@pytest.fixture
def admin(world, login):
    return login(world.a.users["admin"])


def test_template_has_chinese_then_english_headers_and_notes(admin, world):
    resp = admin.get(f"/api/v1/units/import/template.xlsx?property_id={world.a.prop.id}")
    assert resp.status_code == 200
    assert resp.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(resp.data))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(UNIT_HEADER)
    assert rows[1][:3] == ("building", "floor", "number")
    notes = {r[0]: r[1] for r in book.worksheets[1].iter_rows(values_only=True)}
    assert world.a.zone.name_zh in notes["楼栋 building"]
    assert "装修" in notes["状态 status"]


def test_unit_preview_names_each_problem_by_row_and_field_and_writes_nothing(admin, world):
    building = world.a.zone.name_zh
    sheet = xlsx(
        UNIT_HEADER,
        [
            [building, 5, "501", "装修", "张三", "13800000000", "是"],
            ["不存在的楼", 5, "502", "", "", "", ""],
            [building, "五", "503", "", "", "", ""],
            [building, 5, "504", "装", "", "", ""],
            [building, 5, "501", "", "", "", ""],
            [building, 5, "", "", "", "abc", ""],
        ],
        english=["building", "floor", "number", "status", "owner_name", "owner_phone", "active"],
    )
    before = count(Unit)
    resp = upload(admin, "units", world.a.prop.id, sheet)
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["committed"] is False and body["rows"] == 6
    found = {(p["row"], p["field"]) for p in body["problems"]}
    assert found == {
        (4, "building"),
        (5, "floor"),
        (6, "status"),
        (7, "number"),
        (8, "number"),
    }
    assert body["created"] == 1 and body["changes"][0] == {
        "row": 3,
        "action": "create",
        "key": f"{building} 501",
        "fields": [],
    }
    assert count(Unit) == before
    refused = upload(admin, "units", world.a.prop.id, sheet, commit=True)
    assert refused.status_code == 422
    problem = refused.get_json()
    assert problem["code"] == "import_invalid" and "file" in problem["errors"]
    assert len(problem["problems"]) == 5
    db.session.expire_all()
    assert count(Unit) == before


def test_unit_commit_is_all_or_nothing_and_reimport_updates(admin, world):
    building = world.a.zone.name_zh
    rows = [[building, 7, f"70{i}", "收楼", f"业主{i}", "", ""] for i in range(1, 4)]
    sheet = xlsx(UNIT_HEADER, rows)
    before = count(Unit)
    resp = upload(admin, "units", world.a.prop.id, sheet, commit=True)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["committed"] is True and resp.get_json()["created"] == 3
    db.session.expire_all()
    assert count(Unit) == before + 3
    again = upload(admin, "units", world.a.prop.id, sheet, commit=True).get_json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    rows[1][3] = "装修"
    changed = upload(admin, "units", world.a.prop.id, xlsx(UNIT_HEADER, rows), commit=True)
    body = changed.get_json()
    assert (body["created"], body["updated"]) == (0, 1)
    assert body["changes"][1]["fields"] == ["status"]
    db.session.expire_all()
    assert count(Unit) == before + 3
    unit = db.session.scalar(select(Unit).where(Unit.number == "702"))
    assert unit.status == "renovating"
    history = admin.get(f"/api/v1/units/{unit.id}/history").get_json()
    assert history[-1]["to_status"] == "renovating"


def test_checkpoint_problems_unknown_kind_duplicate_and_retired_codes(admin, world):
    zone = world.a.zone.name_zh
    db.session.add(RetiredCode(code="OLD001", checkpoint_id=world.a.checkpoint.id, label_version=1))
    db.session.commit()
    sheet = xlsx(
        CP_HEADER,
        [
            ["NEW001", zone, "消防设施", "1层消防栓", "Hydrant 1F", "1层东侧", ""],
            ["NEW001", zone, "stairwell", "楼梯间X", "", "", ""],
            ["", zone, "灯塔", "灯塔", "", "", ""],
            ["", "", "stairwell", "无区域", "", "", ""],
            ["OLD001", zone, "stairwell", "旧码", "", "", ""],
            [world.b.checkpoint.code, zone, "stairwell", "别人的码", "", "", ""],
        ],
    )
    body = upload(admin, "checkpoints", world.a.prop.id, sheet).get_json()
    found = {(p["row"], p["field"]) for p in body["problems"]}
    assert found == {(3, "code"), (4, "kind"), (5, "zone"), (6, "code"), (7, "code")}
    assert count(Checkpoint, code="NEW001") == 0


def test_checkpoint_export_round_trip_and_idempotent_reimport(admin, world):
    zone = world.a.zone.name_zh
    sheet = xlsx(
        CP_HEADER,
        [
            ["", zone, "fire_equipment", "1层灭火器", "Extinguisher 1F", "", ""],
            ["", zone, "走廊/楼梯间", "2层楼梯间", "", "西侧", "是"],
        ],
    )
    first = upload(admin, "checkpoints", world.a.prop.id, sheet, commit=True).get_json()
    assert first["created"] == 2
    total = count(Checkpoint, property_id=world.a.prop.id)
    # Same sheet without codes: matched on zone and name, nothing added.
    second = upload(admin, "checkpoints", world.a.prop.id, sheet, commit=True).get_json()
    assert (second["created"], second["unchanged"]) == (0, 2)
    assert count(Checkpoint, property_id=world.a.prop.id) == total
    for fmt in ("xlsx", "csv"):
        exported = admin.get(f"/api/v1/checkpoints/export.{fmt}?property_id={world.a.prop.id}")
        assert exported.status_code == 200
        back = upload(admin, "checkpoints", world.a.prop.id, exported.data, name=f"x.{fmt}")
        body = back.get_json()
        assert body["problems"] == [] and body["unchanged"] == total, body
    text = admin.get(f"/api/v1/checkpoints/export.csv?property_id={world.a.prop.id}").data
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert rows[0][:2] == ["编码", "区域*"] and rows[1][:2] == ["code", "zone"]
    assert {r[3] for r in rows[2:]} >= {"1层灭火器", "2层楼梯间"}
    assert all(r[0] for r in rows[2:])  # generated codes are exported


def test_user_import_creates_with_password_updates_and_grants(admin, world, client):
    sheet = xlsx(
        USER_HEADER,
        [
            ["wang.gong", "王工", "13900000000", "部门员工", "ENG", "first-pass-1", ""],
            ["li.zhu", "李助理", "", "assistant", "", "second-pass-2", ""],
            ["no.pass", "无密码", "", "assistant", "", "short", ""],
            ["no.dept", "无部门", "", "staff", "", "third-pass-3", ""],
            [world.b.users["assistant"].username, "B的助理", "", "assistant", "", "", ""],
        ],
    )
    body = upload(admin, "users", world.a.prop.id, sheet).get_json()
    found = {(p["row"], p["field"]) for p in body["problems"]}
    # B's assistant shares no property with A's admin: not theirs to update.
    assert found == {(4, "password"), (5, "department"), (6, "username")}
    world.a.users["admin"].properties.append(world.b.prop)  # now an admin of both
    db.session.commit()
    fixed = xlsx(
        USER_HEADER,
        [
            ["wang.gong", "王工", "13900000000", "部门员工", "ENG", "first-pass-1", ""],
            ["li.zhu", "李助理", "", "assistant", "", "second-pass-2", ""],
            [world.b.users["assistant"].username, "B的助理", "", "assistant", "", "", ""],
        ],
    )
    done = upload(admin, "users", world.a.prop.id, fixed, commit=True).get_json()
    assert (done["created"], done["updated"]) == (2, 1)
    login = client.post(
        "/api/v1/auth/login", json={"username": "wang.gong", "password": "first-pass-1"}
    )
    assert login.status_code == 200
    assert login.get_json()["department"]["code"] == "ENG"
    other = db.session.get(User, world.b.users["assistant"].id)
    db.session.refresh(other)
    assert set(other.property_ids) == {world.a.prop.id, world.b.prop.id}
    again = upload(admin, "users", world.a.prop.id, fixed, commit=True).get_json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    assert count(User, username="wang.gong") == 1
    exported = admin.get(f"/api/v1/users/export.xlsx?property_id={world.a.prop.id}")
    rows = list(load_workbook(io.BytesIO(exported.data)).worksheets[0].iter_rows(values_only=True))
    assert all(r[5] in (None, "") for r in rows[2:])  # never a password
    assert ("wang.gong", "王工") in {(r[0], r[1]) for r in rows[2:]}


@pytest.mark.parametrize(
    "name,data,status",
    [
        ("units.xlsx", b"PK\x03\x04 not really a zip", 422),
        ("units.xlsx", b"just text", 422),
        ("units.xls", b"\xd0\xcf\x11\xe0 old excel", 422),
        ("units.txt", b"a,b", 422),
        ("units.csv", b"", 422),
        ("units.csv", "楼栋*,楼层*\nA,1\n".encode(), 422),  # number column missing
        ("units.csv", "楼栋,楼层,房号,颜色\nA,1,1,red\n".encode(), 422),  # unknown column
        ("units.csv", "楼栋,楼层,房号\n".encode(), 422),  # no data rows
        ("units.csv", b"x" * (2 * 1024 * 1024 + 100_000), 413),
    ],
)
def test_a_broken_file_is_refused_naming_file(admin, world, name, data, status):
    resp = upload(admin, "units", world.a.prop.id, data, name=name)
    assert resp.status_code == status, resp.get_json()
    assert "file" in resp.get_json()["errors"]


def test_missing_file_is_refused_naming_file(admin, world):
    resp = admin.post(
        f"/api/v1/units/import?property_id={world.a.prop.id}",
        data={},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422
    assert "file" in resp.get_json()["errors"]


def test_gb18030_csv_without_english_row(admin, world):
    text = f"楼栋,楼层,房号,状态\n{world.a.zone.name_zh},2,201,未收楼\n"
    resp = upload(admin, "units", world.a.prop.id, text.encode("gb18030"), name="u.csv")
    body = resp.get_json()
    assert body["problems"] == [] and body["changes"][0]["row"] == 2


def test_exported_masked_phones_survive_a_reimport(admin, world):
    unit = db.session.get(Unit, world.a.unit.id)
    unit.owner_phone = "13812345678"
    db.session.commit()
    data = admin.get(f"/api/v1/units/export.xlsx?property_id={world.a.prop.id}").data
    rows = list(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))
    assert rows[2][5] == "138****5678"  # admins do not see owners' phones in full
    body = upload(admin, "units", world.a.prop.id, data, commit=True).get_json()
    assert body["unchanged"] == 1
    db.session.expire_all()
    assert db.session.get(Unit, world.a.unit.id).owner_phone == "13812345678"


@pytest.mark.parametrize(
    "what,role,status",
    [
        ("checkpoints", "admin", 200),
        ("checkpoints", "supervisor", 403),
        ("checkpoints", "assistant", 403),
        ("units", "admin", 200),
        ("units", "supervisor", 200),
        ("units", "frontdesk", 403),
        ("users", "admin", 200),
        ("users", "supervisor", 403),
        ("users", "staff", 403),
    ],
)
def test_who_may_import_and_export(world, login, what, role, status):
    client = login(world.a.users[role])
    prop = world.a.prop.id
    assert client.get(f"/api/v1/{what}/import/template.xlsx?property_id={prop}").status_code == (
        status
    )
    assert client.get(f"/api/v1/{what}/export.csv?property_id={prop}").status_code == status
    resp = upload(client, what, prop, b"a,b\n", name="x.csv")
    assert resp.status_code == (422 if status == 200 else status)


@pytest.mark.parametrize("what", ["checkpoints", "units", "users"])
def test_another_property_is_not_found(world, login, what):
    admin = login(world.a.users["admin"])
    prop = world.b.prop.id
    assert admin.get(f"/api/v1/{what}/export.xlsx?property_id={prop}").status_code == 404
    assert upload(admin, what, prop, b"a\n1\n", name="x.csv").status_code == 404


def test_an_import_leaves_one_audit_entry_besides_the_row_changes(admin, world):
    sheet = xlsx(UNIT_HEADER, [[world.a.zone.name_zh, 9, "901", "", "", "", ""]])
    upload(admin, "units", world.a.prop.id, sheet, name="units-9.xlsx", commit=True)
    entries = admin.get("/api/v1/audit?entity=unit").get_json()["items"]
    assert [e["action"] for e in entries] == ["import", "create"]
    assert entries[0]["summary"] == "units-9.xlsx"
    assert entries[0]["changes"]["created"] == [None, 1]
    assert entries[1]["changes"]["number"] == [None, "901"]


@pytest.mark.parametrize("what", ["units", "checkpoints"])
def test_old_names_with_control_characters_do_not_break_the_sheets(admin, world, what):
    # Stored before control characters were refused at input.
    world.a.zone.name_zh = "坏\x01区"
    world.a.checkpoint.name_zh = "点\x0b位"
    world.a.unit.owner_name = "陈\x02先生"
    db.session.commit()
    prop = world.a.prop.id
    resp = admin.get(f"/api/v1/{what}/import/template.xlsx?property_id={prop}")
    assert resp.status_code == 200, resp.data[:300]
    notes = [
        r for r in load_workbook(io.BytesIO(resp.data)).worksheets[1].iter_rows(values_only=True)
    ]
    assert any("坏区" in (r[1] or "") for r in notes)
    resp = admin.get(f"/api/v1/{what}/export.xlsx?property_id={prop}")
    assert resp.status_code == 200, resp.data[:300]
    cells = [
        c
        for r in load_workbook(io.BytesIO(resp.data)).worksheets[0].iter_rows(values_only=True)
        for c in r
    ]
    assert "坏区" in cells
    resp = admin.get(f"/api/v1/{what}/export.csv?property_id={prop}")
    assert resp.status_code == 200
    assert "\x01" not in resp.data.decode("utf-8-sig")
