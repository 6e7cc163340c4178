"""Hostile text stored as a PM's answer (through the real card submit) ends escaped in the HTML and Markdown
exports, verbatim in the JSON, and literal in every card the channel gets."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from tests.review.support import CLOSE_W20, WEEK, card_of, cards_in, press, say
from tests.support.azurite import Azurite
from tests.support.botserver import BotServer
from tests.support.org import DIRECTOR, FULL, PM_ONE

HOSTILE = {
    "rag": "red",
    "status_reason": "<script>alert('status')</script>",
    "overview": "Quote break: \"><img src=x onerror=alert(1)> and ' onmouseover='alert(2)",
    "achievements": "[click me](javascript:alert(3))\n  - **bold** _it_ `code` ![img](http://x/y.png)\n"
    '# Heading injection\n<a href="javascript:alert(4)">link</a>',
    "risks": "| table | injection |\n|---|---|\n&lt;already escaped&gt; {{DATE(2026-05-14)}}",
    "planned": "1. numbered\n> quoted\n---",
}


def text_blocks(card: Any) -> list[str]:
    found: list[str] = []
    stack = [card]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                found.append(str(node.get("text", "")))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, azurite: Azurite, table_prefix: str, tmp_path: Path) -> Path:
    monkeypatch.setenv("WEEKNOTES_STORAGE", azurite.connection_string)
    monkeypatch.setenv("WEEKNOTES_TABLE_PREFIX", table_prefix)
    monkeypatch.chdir(tmp_path)
    return tmp_path


async def export(fmt: str, out: Path) -> str:
    assert await asyncio.to_thread(main, ["export", "--week", WEEK, "--format", fmt, "--out", str(out)]) == 0
    return await asyncio.to_thread(out.read_text, encoding="utf-8")


async def test_hostile_answers_are_escaped_everywhere(org: BotServer, cli_env: Path) -> None:
    card_of(await press(org, PM_ONE, "update.submit", {"project": FULL.project_id, "week": WEEK, **HOSTILE}))

    page = await export("html", cli_env / "w.html")
    assert "<script" not in page and "<img" not in page and "<a " not in page
    assert not re.search(r"<[^>]*\s(href|src|on\w+)\s*=", page), "no tag carries a link or a handler"
    assert "&lt;script&gt;alert(&#x27;status&#x27;)&lt;/script&gt;" in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;a href=&quot;javascript:alert(4)&quot;&gt;link&lt;/a&gt;" in page
    assert "&amp;lt;already escaped&amp;gt;" in page

    markdown = await export("md", cli_env / "w.md")
    assert "[click me](javascript" not in markdown and "\\[click me\\](javascript:alert(3))" in markdown
    assert "\\*\\*bold\\*\\*" in markdown and "!\\[img\\](http://x/y.png)" in markdown
    assert "\\<script\\>" in markdown
    assert not any(line.startswith("# Heading") for line in markdown.splitlines())

    data = json.loads(await export("json", cli_env / "w.json"))
    everything = json.dumps(data, ensure_ascii=False)
    assert "<script>alert('status')</script>" in everything, "JSON carries the text verbatim (plain text)"

    # The cards: preview what the channel gets, and check every TextBlock shows the text literally.
    await say(org, DIRECTOR, "help")
    org.clock.now = CLOSE_W20
    before = len(org.connector.sent(DIRECTOR.conversation_id))
    await press(org, DIRECTOR, "review.preview", {"week": WEEK})
    await org.services.tasks.drain()
    blocks = "\n".join(
        b for c in cards_in(org.connector.sent(DIRECTOR.conversation_id)[before:]) for b in text_blocks(c)
    )
    assert "\\[click me\\](javascript:alert(3))" in blocks and "[click me](" not in blocks
    assert "\\*\\*bold\\*\\*" in blocks and "\\`code\\`" in blocks
    assert "\\<script\\>" in blocks and "<script>" not in blocks
    assert "{\\{DATE(2026-05-14)}}" in blocks, "no date substitution"
    assert "\\&lt;already escaped\\&gt;" in blocks
    assert not re.search(r"^\s*#", blocks, re.MULTILINE), "no heading from user text"
