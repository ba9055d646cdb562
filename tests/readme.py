"""The README's own command blocks, read from the README, for the tests that run or check them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
# The host:port the README uses throughout (the Makefile's HOST and PORT defaults).
README_ORIGIN = "http://127.0.0.1:5000"

_FENCE = re.compile(r"^(?P<indent> *)```(?P<info>[\w-]*)\s*$")


@dataclass
class Block:
    """A fenced code block of the README, with the section (## heading) it is in."""

    section: str
    info: str
    text: str


def blocks(text: str | None = None) -> list[Block]:
    """Return every fenced code block of the README, in order."""
    text = README.read_text(encoding="utf-8") if text is None else text
    found: list[Block] = []
    section = ""
    lines: list[str] | None = None
    info = indent = ""
    for line in text.splitlines():
        fence = _FENCE.match(line)
        if lines is None:
            if line.startswith("## "):
                section = line[3:].strip()
            elif fence:
                lines, info, indent = [], fence["info"], fence["indent"]
        elif fence and fence["indent"] == indent and not fence["info"]:
            found.append(Block(section, info, "\n".join(lines) + "\n"))
            lines = None
        else:
            lines.append(line[len(indent) :] if line.startswith(indent) else line)
    return found


def section_text(heading: str, text: str | None = None) -> str:
    """Return the text of one ## section of the README (heading line excluded)."""
    text = README.read_text(encoding="utf-8") if text is None else text
    match = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"the README has no section {heading!r}"
    return match.group(1)
