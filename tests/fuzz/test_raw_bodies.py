"""Fuzzed request bodies (bytes, JSON edge cases, ill-typed activities) with a valid token: never a 5xx."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from hypothesis import strategies as st

from tests.fuzz.strategies import draw, json_value, wrong_type
from tests.support.botserver import BotServer
from tests.support.org import PM_ONE, seed
from tests.support.teams import execute, message

ALLOWED = {200, 400, 401, 403, 413, 415}


@pytest.fixture
async def org(bot: BotServer) -> BotServer:
    await seed(bot.services.store, bot.connector)
    return bot


async def post_bytes(bot: BotServer, body: bytes) -> int:
    assert bot.http is not None
    headers = {"Authorization": f"Bearer {bot.token()}", "Content-Type": "application/json"}
    async with bot.http.post(f"{bot.url}/api/messages", data=body, headers=headers) as response:
        await response.read()
        return response.status


def with_raw(activity: dict[str, Any], field: str, literal: str) -> bytes:
    """``activity`` as JSON, with one field's value replaced by a raw JSON literal."""
    marker = "\u0000RAW\u0000"
    text = json.dumps({**activity, field: marker})
    return text.replace(json.dumps(marker), literal).encode()


LITERALS = [
    "1" * 5000,  # past Python's int-from-string limit
    "-" + "9" * 4301,
    "1e999",
    "NaN",
    "-Infinity",
    '"\\ud800 lone surrogate"',
    '"\\udfff\\ud800"',
    "[" * 50_000 + "]" * 50_000,  # nesting deeper than the parser's recursion limit
    '{"a":' * 20_000 + "1" + "}" * 20_000,
    '"' + "\\u0000" * 1000 + '"',
    "true",
    "null",
    "{}",
    "[]",
]


@pytest.mark.parametrize("field", ["text", "value", "from", "conversation", "channelData", "type", "id"])
async def test_json_edge_cases_in_any_field(org: BotServer, field: str) -> None:
    for literal in LITERALS:
        body = with_raw(message(PM_ONE, "help", org.connector.url), field, literal)
        assert await post_bytes(org, body) in ALLOWED, literal[:40]


@pytest.mark.parametrize(
    "body",
    [b"", b"\xff\xfe\x00", b'{"type": "message", "text": "\xc3\x28"}', b"\xef\xbb\xbf{}", b"[" * 100_000],
    ids=["empty", "not utf-8", "invalid utf-8 in a string", "bom", "deep array"],
)
async def test_bodies_that_are_not_json(org: BotServer, body: bytes) -> None:
    assert await post_bytes(org, body) in ALLOWED


async def test_random_bytes(org: BotServer) -> None:
    for body in draw(st.binary(max_size=2000), 40):
        assert await post_bytes(org, body) in ALLOWED, body[:100]


def serves_not(activity: dict[str, Any]) -> bool:
    """An invoke the bot does not serve: botbuilder answers 501 Not Implemented, the Bot Framework's way
    of saying so (Teams sends none: the manifest declares no task modules, extensions or sign-in)."""
    name = activity.get("name")
    return activity.get("type") == "invoke" and isinstance(name, str) and name != "adaptiveCard/action"


FIELDS = [
    "type",
    "id",
    "from",
    "recipient",
    "conversation",
    "channelData",
    "value",
    "name",
    "text",
    "replyToId",
    "serviceUrl",
    "channelId",
    "attachments",
    "entities",
    "timestamp",
    "locale",
]


async def test_activities_with_any_field_of_any_shape(org: BotServer) -> None:
    """A valid activity with fields replaced or added, of any JSON shape: a clear 4xx or an answer."""
    shapes = st.dictionaries(
        st.sampled_from(FIELDS), st.one_of(json_value, wrong_type), min_size=1, max_size=4
    )
    bases = [
        message(PM_ONE, "update", org.connector.url),
        execute(
            PM_ONE, "update.submit", {"project": "onedrive-adoption", "week": "2026-W20"}, org.connector.url
        ),
    ]
    for n, changes in enumerate(draw(shapes, int(os.environ.get("FUZZ_EXAMPLES", "80")))):
        activity = {**bases[n % 2], **changes}
        if "serviceUrl" in changes:
            activity["serviceUrl"] = org.connector.url  # keep the token's claim matching, to get past auth
        status = await post_bytes(org, json.dumps(activity).encode())
        assert status in ALLOWED | ({501} if serves_not(activity) else set()), (
            status,
            json.dumps(changes)[:300],
        )
    went_wrong = [c for c in org.connector.calls if "went wrong" in c.text]
    assert went_wrong == [], went_wrong[:1]
