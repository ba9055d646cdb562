"""The user list as an import sheet: matched by username, new users granted the property."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.auth import service as auth_service
from app.auth import users
from app.auth.models import ROLES, User, property_grant
from app.extensions import db
from app.imports.checks import Plan, Row, plan_for
from app.imports.kinds import ACTIVE, USERNAME, Context, _yes
from app.imports.sheets import Column
from app.places.models import Department, Property


class Users:
    """Users of the property, matched by username; new ones are granted the property."""

    entity = "user"
    writers = frozenset({"admin"})
    columns = (
        Column("username", "用户名", "username", True),
        Column("display_name", "姓名", "display_name", True),
        Column("phone", "电话", "phone"),
        Column("role", "角色", "role", True),
        Column("department", "部门", "department"),
        Column("password", "初始密码", "password"),
        ACTIVE,
    )

    def __init__(self, prop: Property) -> None:
        self.ctx = Context(prop)
        self.prop = prop
        depts = list(
            db.session.scalars(select(Department).where(Department.property_id == prop.id))
        )
        self.departments = {d.code.lower(): d for d in depts} | {d.name_zh: d for d in depts}
        self.me = auth_service.current_user()

    def check(self, row: Row) -> Plan | None:
        """Check one row and say what committing it would do."""
        username = row.pattern(
            "username", USERNAME, "用户名只能含字母、数字和 _ . -", "Letters, digits, _ . - only."
        )
        if not row.cells.get("username"):
            row.problem("username", "必填项为空", "This cell is required.")
        values: dict[str, Any] = {
            "display_name": row.text("display_name", 100, required=True),
            "phone": row.text("phone", 32),
            "role": row.choice("role", ROLES, required=True),
            "active": row.boolean("active"),
        }
        values["department_id"] = self._department(row)
        if row.problems or not username:
            return None
        target = self._target(row, username)
        if row.problems:
            return None
        self._keep_department(row, target, values)
        password = row.cells.get("password", "")
        if target is None and len(password) < auth_service.MIN_PASSWORD_LENGTH:
            row.problem(
                "password",
                f"新用户需要至少 {auth_service.MIN_PASSWORD_LENGTH} 位的初始密码",
                f"A new user needs a password of {auth_service.MIN_PASSWORD_LENGTH}+ characters.",
            )
        if target is not None and target.id == self.me.id and values["active"] is False:
            row.problem("active", "不能停用自己的账号", "You cannot deactivate your own account.")
        if row.problems:
            return None
        if target is None:
            return plan_for(
                row, username, None, {"username": username, "password": password, **values}
            )
        plan = plan_for(row, username, target, values)
        self._check_authority(row, plan)
        if row.problems:
            return None
        if self.prop.id not in target.property_ids:
            plan.action, plan.changed = "update", [*plan.changed, "property_ids"]
        return plan

    def _check_authority(self, row: Row, plan: Plan) -> None:
        """Refuse account changes to a user who also holds properties the caller does not run."""
        account = users.account_changes(plan.target, plan.values)
        old = plan.target.department
        if "department_id" in plan.changed and old and old.property_id not in self.me.property_ids:
            account.append("department")
        if account and not users.has_authority(plan.target):
            names = ", ".join(account)
            row.problem(
                account[0],
                f"该用户还属于你不管理的项目，不能修改其账号（{names}）",
                f"The user also belongs to properties you do not administer ({names}).",
            )

    def _department(self, row: Row) -> int | None:
        text = row.cells.get("department", "")
        if not text:
            return None
        dept = self.departments.get(text.lower()) or self.departments.get(text)
        if dept is None:
            row.problem("department", "本项目没有该部门", "No department of this property.")
            return None
        return dept.id

    def _keep_department(self, row: Row, target: User | None, values: dict[str, Any]) -> None:
        """Keep a department of another property, which this sheet cannot name."""
        if values["department_id"] is not None:
            return
        dept = target.department if target is not None else None
        if dept is not None and dept.property_id != self.prop.id:
            values["department_id"] = dept.id
        elif values["role"] == "staff":
            row.problem("department", "部门员工必须属于一个部门", "Staff need a department.")

    def _target(self, row: Row, username: str) -> User | None:
        if not self.ctx.once(row, "username", ("user", username)):
            return None
        user = db.session.scalar(select(User).where(User.username == username))
        if user is not None and user.company_id != self.me.company_id:
            row.problem("username", "该用户名已被占用", "This username is taken.")
            return None
        if user is not None and not set(user.property_ids) & set(self.me.property_ids):
            row.problem(
                "username",
                "该用户名属于你不管理的项目的用户",
                "This username belongs to a user outside your properties.",
            )
            return None
        return user

    def apply(self, plan: Plan) -> None:
        """Create or update the user of a checked row."""
        if plan.action == "create":
            users.create_user({**plan.values, "property_ids": [self.prop.id]})
        elif plan.action == "update":
            data = dict(plan.values)
            mine = set(auth_service.granted_property_ids())
            data["property_ids"] = sorted(
                {p for p in plan.target.property_ids if p in mine} | {self.prop.id}
            )
            users.update_user(plan.target, data)

    def export(self) -> list[list[Any]]:
        """Return the users granted the property as sheet rows (never a password)."""
        granted = select(property_grant.c.user_id).where(
            property_grant.c.property_id == self.prop.id
        )
        users = db.session.scalars(select(User).where(User.id.in_(granted)).order_by(User.id))
        depts = {d.id: d.code for d in self.departments.values()}
        return [
            [
                u.username,
                u.display_name,
                u.phone,
                u.role,
                depts.get(u.department_id or 0, ""),
                "",
                _yes(u.active),
            ]
            for u in users
        ]

    def notes(self) -> list[tuple[str, str]]:
        """Return the allowed values shown on the template's notes sheet."""
        depts = {d.id: d for d in self.departments.values()}.values()
        return [
            ("角色 role", "; ".join(f"{k} {zh}" for k, (zh, _) in ROLES.items())),
            ("部门 department", "; ".join(f"{d.code} {d.name_zh}" for d in depts)),
            ("初始密码 password", "新用户必填，至少 8 位；已有用户忽略 / new users only, 8+"),
            ("启用 active", "是/否 yes/no（空=是 empty = yes）"),
        ]
