"""Checking one sheet row: typed cell readers that collect problems with row and field."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

YES = {"是", "y", "yes", "true", "1", "启用", "在用", "active"}
NO = {"否", "n", "no", "false", "0", "停用", "inactive"}


@dataclass
class Plan:
    """What committing one row will do."""

    row: int
    action: str  # create | update | unchanged
    key: str
    target: Any = None
    values: dict[str, Any] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)


class Row:
    """One data row being checked; every reader records a problem instead of raising."""

    def __init__(self, number: int, cells: dict[str, str]) -> None:
        self.number = number
        self.cells = cells
        self.problems: list[dict[str, Any]] = []

    def problem(self, name: str, zh: str, en: str) -> None:
        """Record a problem with one cell of this row."""
        self.problems.append(
            {
                "row": self.number,
                "field": name,
                "value": self.cells.get(name, ""),
                "message_zh": zh,
                "message_en": en,
            }
        )

    def text(self, name: str, max_length: int, required: bool = False) -> str | None:
        """Read a text cell (empty → None)."""
        value = self.cells.get(name, "")
        if not value:
            if required:
                self.problem(name, "必填项为空", "This cell is required.")
            return None
        if len(value) > max_length:
            self.problem(name, f"最多 {max_length} 个字符", f"At most {max_length} characters.")
            return None
        return value

    def choice(self, name: str, vocab: dict[str, tuple[str, str]], required: bool = False):
        """Read a code given as the code itself or its Chinese or English label."""
        value = self.cells.get(name, "")
        if not value:
            if required:
                self.problem(name, "必填项为空", "This cell is required.")
            return None
        wanted = value.strip().lower()
        for code, (zh, en) in vocab.items():
            if wanted in (code.lower(), zh.lower(), en.lower()):
                return code
        self.problem(
            name,
            "无法识别的值，可选：" + "、".join(zh for zh, _ in vocab.values()),
            "Unknown value; one of: " + ", ".join(vocab),
        )
        return None

    def integer(self, name: str, low: int, high: int, required: bool = False) -> int | None:
        """Read a whole number within a range."""
        value = self.cells.get(name, "")
        if not value:
            if required:
                self.problem(name, "必填项为空", "This cell is required.")
            return None
        if not re.fullmatch(r"-?\d+", value) or not low <= int(value) <= high:
            self.problem(
                name, f"应为 {low} 到 {high} 的整数", f"A whole number from {low} to {high}."
            )
            return None
        return int(value)

    def boolean(self, name: str) -> bool | None:
        """Read yes/no (是/否); an empty cell means yes."""
        value = self.cells.get(name, "").strip().lower()
        if not value or value in YES:
            return True
        if value in NO:
            return False
        self.problem(name, "应为“是”或“否”", "Use yes or no (是/否).")
        return None

    def pattern(self, name: str, regex: str, zh: str, en: str) -> str | None:
        """Read an optional cell that must match a pattern."""
        value = self.cells.get(name, "")
        if value and not re.fullmatch(regex, value):
            self.problem(name, zh, en)
            return None
        return value or None


def plan_for(row: Row, key: str, target: Any, values: dict[str, Any]) -> Plan:
    """Compare a row's values with the stored object: create, update or unchanged."""
    if target is None:
        return Plan(row.number, "create", key, None, values)
    changed = [k for k, v in values.items() if getattr(target, k) != v]
    action = "update" if changed else "unchanged"
    return Plan(row.number, action, key, target, {k: values[k] for k in changed}, changed)
