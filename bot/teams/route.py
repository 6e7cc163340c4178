"""``POST /api/messages``: our own aiohttp handler around ``CloudAdapter``.

botbuilder 4.17.1's ``CloudAdapter.process`` serialises invoke bodies twice (HTTP 500 on every invoke that
answers with a body) and lets non-``PermissionError`` authentication failures escape as 500. So this handler
reads and checks the request itself, authenticates, refuses other tenants before any bot code runs, runs the
turn, and writes the invoke response body itself.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from aiohttp import web
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes
from botframework.connector.auth import AuthenticateRequestResult, EmulatorValidation, SkillValidation

log = logging.getLogger(__name__)

# A burst (Thursday's prompt, a team pressing Submit together) queues here rather than at storage: with
# hundreds of turns at once, each making ten storage calls, storage answers slower than its timeouts and
# people are told "not saved"; a bounded number of turns keeps every call quick (bench/load.py).
MAX_CONCURRENT_TURNS = 16

TurnLogic = Callable[[TurnContext], Awaitable[None]]
TenantRefused = Callable[[Activity, str], Awaitable[None]]


def _problem(status: HTTPStatus, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _shape_problem(body: dict[str, Any]) -> str | None:
    """What an activity lacks that every Teams activity has and botbuilder reads unguarded, or None.

    msrest turns a JSON value of the wrong type into a string or ``None`` rather than refusing it, and the SDK
    then fails deep inside a turn (``remove_recipient_mention`` on a missing recipient, state keys on a
    missing conversation). Refusing here keeps such bodies a 400.
    """
    for name in ("from", "recipient", "conversation"):
        account = body.get(name)
        if not isinstance(account, dict) or not isinstance(account.get("id"), str) or not account["id"]:
            return f"The activity needs {name} with an id."
    for name in ("serviceUrl", "channelId"):
        if not isinstance(body.get(name), str):
            return f"The activity needs a {name}."
    for name in ("id", "text", "replyToId", "name", "locale"):
        if name in body and body[name] is not None and not isinstance(body[name], str):
            return f"The activity's {name} must be text."
    if body.get("channelData") is not None and not isinstance(body["channelData"], dict):
        return "The activity's channelData must be an object."
    return None


def _invoke_value_problem(activity: Activity) -> str | None:
    """Why an invoke's ``value`` cannot be handled, or None (botbuilder would answer 500 otherwise)."""
    if activity.type != ActivityTypes.invoke:
        return None
    if activity.name == "adaptiveCard/action":
        value = activity.value
        if not isinstance(value, dict):
            return "An adaptiveCard/action invoke needs an object value."
        action = value.get("action")
        if not isinstance(action, dict) or not isinstance(action.get("verb"), str):
            return "An adaptiveCard/action invoke needs value.action with a verb."
        if "data" in action and not isinstance(action["data"], dict):
            return "value.action.data must be an object."
    elif activity.value is not None and not isinstance(activity.value, dict):
        return "An invoke value must be an object."
    return None


def _claims_problem(auth: AuthenticateRequestResult, activity: Activity, auth_header: str) -> str | None:
    """Why a token botbuilder accepted is still not a channel's token for this activity, or None.

    botbuilder validates tokens from the Emulator's issuers without checking their audience or ``serviceurl``
    claim (only ``appid``): a Multi-tenant bot's own outbound token has that shape, so whoever saw one could
    post as anyone, with replies (and the bot's token) sent to a serviceUrl of their choosing. Teams sends
    neither Emulator nor skill tokens. Every channel token carries a ``serviceurl`` claim naming the
    activity's serviceUrl, and an expiry (PyJWT accepts a token without ``exp`` as never expiring).
    """
    if EmulatorValidation.is_token_from_emulator(auth_header) or SkillValidation.is_skill_token(auth_header):
        return "an Emulator or skill token"
    identity = auth.claims_identity
    claims: dict[str, Any] = dict(getattr(identity, "claims", None) or {})
    if not isinstance(claims.get("exp"), (int, float)):
        return "token without expiry"
    if not activity.service_url or claims.get("serviceurl") != activity.service_url:
        return "not a channel token for this serviceUrl"
    return None


def _tenants_of(body: dict[str, Any]) -> set[str]:
    """Every tenant id the activity names: ``channelData.tenant.id`` and ``conversation.tenantId``.

    Read from the JSON as posted: botbuilder's schema maps the conversation's tenant to ``tenantID``, so the
    ``tenantId`` Teams sends never reaches ``Activity.conversation.tenant_id``. Teams sets both, equal. An
    activity whose two disagree (or with a malformed one) is refused: which tenant it belongs to would be
    ambiguous, and no handler may read a tenant other than the one that was checked.
    """
    tenants: set[str] = set()
    channel_data = body.get("channelData")
    if isinstance(channel_data, dict) and "tenant" in channel_data:
        tenant = channel_data["tenant"]
        tenant_id = tenant.get("id") if isinstance(tenant, dict) else None
        tenants.add(tenant_id.lower() if isinstance(tenant_id, str) else "(malformed)")
    conversation = body.get("conversation")
    if isinstance(conversation, dict):
        for key in ("tenantId", "tenantID"):
            if key in conversation:
                value = conversation[key]
                tenants.add(value.lower() if isinstance(value, str) else "(malformed)")
    return {tenant for tenant in tenants if tenant}


def _body_of(invoke: InvokeResponse) -> Any:
    body = invoke.body
    if hasattr(body, "serialize"):
        return body.serialize()
    return body


class MessagesRoute:
    """The aiohttp handler for ``/api/messages``."""

    def __init__(
        self,
        adapter: CloudAdapter,
        logic: TurnLogic,
        *,
        allowed_tenants: frozenset[str],
        on_tenant_refused: TenantRefused,
        max_turns: int = MAX_CONCURRENT_TURNS,
    ) -> None:
        self._adapter = adapter
        self._logic = logic
        self._allowed_tenants = allowed_tenants
        self._on_tenant_refused = on_tenant_refused
        self._turns = asyncio.Semaphore(max_turns)

    def _tenant_allowed(self, body: dict[str, Any]) -> bool:
        """Exactly one tenant named (channelData and conversation agree), and it is on the allow-list."""
        tenants = _tenants_of(body)
        return len(tenants) == 1 and tenants <= self._allowed_tenants

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        if request.content_type != "application/json":
            return _problem(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "Send the activity as application/json.")
        try:
            body = await request.json()
        except web.HTTPRequestEntityTooLarge:
            return _problem(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "The activity is too large.")
        except (ValueError, RecursionError):
            # JSONDecodeError and UnicodeDecodeError are ValueErrors; so is an integer literal longer than
            # Python's 4,300-digit limit, and nesting deeper than the parser's recursion limit is neither.
            return _problem(HTTPStatus.BAD_REQUEST, "The body is not valid JSON.")
        if not isinstance(body, dict) or not isinstance(body.get("type"), str):
            return _problem(HTTPStatus.BAD_REQUEST, "The body is not an activity (it needs a type).")
        shape = _shape_problem(body)
        if shape:
            return _problem(HTTPStatus.BAD_REQUEST, shape)
        try:
            activity = Activity().deserialize(body)
        except Exception:  # msrest raises a variety of errors for ill-typed fields
            return _problem(HTTPStatus.BAD_REQUEST, "The activity could not be read.")

        auth_header = request.headers.get("Authorization") or None
        try:
            auth = await self._adapter.bot_framework_authentication.authenticate_request(
                activity, auth_header
            )
        except Exception as error:  # every authentication failure is a 401, whatever the SDK raises
            log.info("refused unauthenticated activity: %s", type(error).__name__)
            return _problem(HTTPStatus.UNAUTHORIZED, "Unauthorized.")
        # Without a header botbuilder lets a request through only when authentication is off (local runs).
        claims_problem = _claims_problem(auth, activity, auth_header) if auth_header is not None else None
        if claims_problem:
            log.info("refused activity with a non-channel token: %s", claims_problem)
            return _problem(HTTPStatus.UNAUTHORIZED, "Unauthorized.")

        if self._allowed_tenants and not self._tenant_allowed(body):
            tenant = " / ".join(sorted(_tenants_of(body))) or "(none)"
            try:
                await self._on_tenant_refused(activity, tenant)
            except Exception as error:  # storage down must not turn a refusal into a 500
                log.warning("could not audit a refused tenant: %s", type(error).__name__)
            return _problem(HTTPStatus.FORBIDDEN, "This tenant is not served by this bot.")

        problem = _invoke_value_problem(activity)
        if activity.type == ActivityTypes.invoke and not isinstance(body.get("name"), str):
            problem = "An invoke needs a name."
        if problem:
            return _problem(HTTPStatus.BAD_REQUEST, problem)

        async with self._turns:
            invoke = await self._adapter.process_activity(auth, activity, self._logic)
        if invoke is None:
            return web.Response(status=HTTPStatus.OK)
        body_out = _body_of(invoke)
        if body_out is None:
            return web.Response(status=invoke.status)
        return web.json_response(
            body_out, status=invoke.status, dumps=lambda v: json.dumps(v, ensure_ascii=False)
        )
