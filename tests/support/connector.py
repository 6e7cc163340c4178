"""A recording fake Bot Connector (the Teams side of outbound calls), on an ephemeral loopback port.

It answers the REST calls botbuilder makes (send, reply, update, delete, create conversation, members,
paged members, team channels), records each with its Authorization header, and can be told to fail
(429 with Retry-After, 403 MessageWritesBlocked, 5xx) or to enforce Teams' per-conversation rate limits.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Recorded:
    """One call the bot made."""

    method: str
    path: str
    conversation_id: str
    body: dict[str, Any]
    authorization: str
    activity_id: str = ""
    reply_to: str = ""

    @property
    def cards(self) -> list[dict[str, Any]]:
        """The Adaptive Cards attached to this activity."""
        activity = self.body.get("activity", self.body) if self.method == "CREATE" else self.body
        return [
            a.get("content", {})
            for a in activity.get("attachments") or []
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]

    @property
    def text(self) -> str:
        activity = self.body.get("activity", self.body) if self.method == "CREATE" else self.body
        return str(activity.get("text") or "")


@dataclass
class Fault:
    """Fail matching calls: ``times`` of them, with ``status`` and optional headers/body."""

    pattern: re.Pattern[str]
    status: int
    times: int
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)


class FakeConnector:
    """The fake connector; ``url`` is the serviceUrl to put on activities."""

    def __init__(self) -> None:
        self.calls: list[Recorded] = []
        self.members: dict[str, dict[str, Any]] = {}
        self.channels: list[dict[str, str]] = []
        self.member_page_size = 0  # members per pagedmembers page (0: all on one page)
        self.reads: list[str] = []  # every GET, as 'path?query' (roster pages, member lookups)
        self._query: dict[str, str] = {}
        self.faults: list[Fault] = []
        self.rate_limit: tuple[int, float] | None = None
        self.tenant_rate_limit: tuple[int, float] | None = None  # every call, all conversations (~50/s)
        self.rate_limited = 0
        self._tenant_sent: deque[float] = deque()
        self.delay = 0.0
        self._sent_at: dict[str, deque[float]] = defaultdict(deque)
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.url = ""
        self.changed = asyncio.Event()

    # ---- control -------------------------------------------------------------------------------
    def add_member(self, member: dict[str, Any]) -> None:
        """Make a Teams member known (id, name, aadObjectId, email, userPrincipalName)."""
        self.members[member["id"]] = member

    def fail(
        self,
        pattern: str,
        status: int,
        *,
        times: int = 1,
        headers: dict[str, str] | None = None,
        code: str = "",
    ) -> None:
        """Fail the next ``times`` calls whose ``METHOD path`` matches ``pattern``."""
        body = {"error": {"code": code or f"Error{status}", "message": "injected by the test"}}
        self.faults.append(Fault(re.compile(pattern), status, times, headers or {}, body))

    def sent(self, conversation_id: str | None = None) -> list[Recorded]:
        """Messages the bot sent (new activities and replies), optionally in one conversation."""
        return [
            c
            for c in self.calls
            if (c.method in {"SEND", "REPLY"} or (c.method == "CREATE" and c.body.get("activity")))
            and (conversation_id is None or c.conversation_id == conversation_id)
        ]

    def updates(self) -> list[Recorded]:
        """Activities the bot updated in place."""
        return [c for c in self.calls if c.method == "UPDATE"]

    async def wait_for(self, count: int, *, timeout: float = 10.0) -> list[Recorded]:
        """Wait until at least ``count`` messages were sent."""
        deadline = time.monotonic() + timeout
        while len(self.sent()) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"expected {count} messages, got {len(self.sent())}: {self.sent()}")
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), remaining)
        return self.sent()

    # ---- server --------------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _fault_for(self, key: str) -> Fault | None:
        for fault in self.faults:
            if fault.times > 0 and fault.pattern.search(key):
                fault.times -= 1
                return fault
        return None

    def _over_rate(self, conversation_id: str) -> bool:
        if self.rate_limit is None or not conversation_id:
            return False
        count, window = self.rate_limit
        now = time.monotonic()
        stamps = self._sent_at[conversation_id]
        while stamps and now - stamps[0] > window:
            stamps.popleft()
        if len(stamps) >= count:
            return True
        stamps.append(now)
        return False

    def _over_tenant_rate(self) -> bool:
        if self.tenant_rate_limit is None:
            return False
        count, window = self.tenant_rate_limit
        now = time.monotonic()
        while self._tenant_sent and now - self._tenant_sent[0] > window:
            self._tenant_sent.popleft()
        if len(self._tenant_sent) >= count:
            return True
        self._tenant_sent.append(now)
        return False

    async def _handle(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        key = f"{request.method} {path}"
        if self.delay:
            await asyncio.sleep(self.delay)
        fault = self._fault_for(key)
        if fault is not None:
            return web.json_response(fault.body, status=fault.status, headers=fault.headers)
        if self._over_tenant_rate():
            self.rate_limited += 1
            return web.json_response(
                {"error": {"code": "Throttled"}}, status=429, headers={"Retry-After": "1"}
            )
        body: dict[str, Any] = {}
        if request.can_read_body:
            try:
                body = json.loads(await request.text() or "{}")
            except json.JSONDecodeError:
                return web.json_response({"error": {"code": "BadSyntax"}}, status=400)
        auth = request.headers.get("Authorization", "")
        self._query = dict(request.query)
        if request.method == "GET":
            self.reads.append(f"{path}?{request.query_string}")
        try:
            return self._route(request.method, path, body, auth)
        finally:
            self.changed.set()

    def _route(self, method: str, path: str, body: dict[str, Any], auth: str) -> web.Response:
        parts = [p for p in path.split("/") if p]
        if parts[:2] == ["v3", "conversations"] and len(parts) == 2 and method == "POST":
            return self._create(body, auth)
        if parts[:2] == ["v3", "conversations"] and len(parts) >= 4 and parts[3] == "activities":
            conversation = parts[2]
            if self._over_rate(conversation) and method == "POST":
                self.rate_limited += 1
                return web.json_response(
                    {"error": {"code": "Throttled"}}, status=429, headers={"Retry-After": "1"}
                )
            if method == "POST" and len(parts) == 4:
                return self._record("SEND", path, conversation, body, auth)
            if method == "POST" and len(parts) == 5:
                return self._record("REPLY", path, conversation, body, auth, reply_to=parts[4])
            if method == "PUT" and len(parts) == 5:
                self.calls.append(Recorded("UPDATE", path, conversation, body, auth, activity_id=parts[4]))
                return web.json_response({"id": parts[4]})
            if method == "DELETE" and len(parts) == 5:
                self.calls.append(Recorded("DELETE", path, conversation, body, auth, activity_id=parts[4]))
                return web.json_response({})
        if parts[:2] == ["v3", "conversations"] and len(parts) == 5 and parts[3] == "members":
            member = self.members.get(parts[4])
            if member is None:
                return web.json_response({"error": {"code": "MemberNotFoundInConversation"}}, status=404)
            return web.json_response(member)
        if parts[:2] == ["v3", "conversations"] and len(parts) == 4 and parts[3] == "pagedmembers":
            return self._paged_members()
        if parts[:2] == ["v3", "teams"] and len(parts) == 4 and parts[3] == "conversations":
            return web.json_response({"conversations": self.channels})
        if parts[:2] == ["v3", "teams"] and len(parts) == 3:
            return web.json_response({"id": parts[2], "name": "Demo team", "aadGroupId": "group-1"})
        return web.json_response({"error": {"code": "NotFound", "message": f"{method} {path}"}}, status=404)

    def _paged_members(self) -> web.Response:
        members = list(self.members.values())
        if not self.member_page_size:
            return web.json_response({"members": members})
        start = int(self._query.get("continuationToken") or 0)
        end = start + self.member_page_size
        page: dict[str, Any] = {"members": members[start:end]}
        if end < len(members):
            page["continuationToken"] = str(end)
        return web.json_response(page)

    def _record(
        self, kind: str, path: str, conversation: str, body: dict[str, Any], auth: str, reply_to: str = ""
    ) -> web.Response:
        activity_id = f"act-{next(self._ids)}"
        self.calls.append(
            Recorded(kind, path, conversation, body, auth, activity_id=activity_id, reply_to=reply_to)
        )
        return web.json_response({"id": activity_id})

    def _create(self, body: dict[str, Any], auth: str) -> web.Response:
        number = next(self._ids)
        if body.get("isGroup"):
            channel = ((body.get("channelData") or {}).get("channel") or {}).get("id", "channel")
            activity_id = f"post-{number}"
            conversation = f"{channel};messageid={activity_id}"
        else:
            member = (body.get("members") or [{}])[0].get("id", "user")
            conversation = f"a:personal-{member}"
            activity_id = f"act-{number}" if body.get("activity") else ""
        self.calls.append(
            Recorded("CREATE", "/v3/conversations", conversation, body, auth, activity_id=activity_id)
        )
        return web.json_response({"id": conversation, "activityId": activity_id, "serviceUrl": self.url})
