"""Helpers for the review scenarios: pressing cards, channel activities (reactions, thread replies), a
connector that measures the raw bytes of every request, and realistic long answers."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bot.domain.models import Metric, Project, Rag, Template, Update, UpdateState
from tests.support.botserver import BotServer
from tests.support.connector import FakeConnector, Recorded
from tests.support.org import BRIEF, FULL, PM_ONE, PM_TWO, TEAM
from tests.support.teams import BOT_ID, CHANNEL_ID, TEAM_ID, TENANT, TeamsUser, execute, message

WEEK = "2026-W20"
LAST_WEEK = "2026-W19"
NEXT_WEEK = "2026-W21"
CLOSE_W20 = datetime(2026, 5, 18, 8, 0, tzinfo=UTC)  # Monday 09:00 London
CLOSE_W21 = datetime(2026, 5, 25, 8, 0, tzinfo=UTC)
CARD = "application/vnd.microsoft.card.adaptive"
_ids = itertools.count(1)


class MeasuringConnector(FakeConnector):
    """The fake connector, also keeping the size in bytes of each request body exactly as it arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.raw_sizes: dict[int, int] = {}

    async def _handle(self, request: web.Request) -> web.Response:
        before = len(self.calls)
        response = await super()._handle(request)
        # The parent read the body (aiohttp keeps it), so this is the very bytes that arrived.
        raw = await request.read()
        for call in self.calls[before:]:
            self.raw_sizes[id(call)] = len(raw)
        return response

    def raw_size(self, call: Recorded) -> int:
        """The bytes of the request body that produced ``call``."""
        return self.raw_sizes[id(call)]


def card_text(card: Any) -> str:
    """Every string in a card, joined (what a person could read, with the card's escapes)."""
    return json.dumps(card, ensure_ascii=False)


async def press(bot: BotServer, user: TeamsUser, verb: str, data: dict[str, Any]) -> Any:
    """Press an ``Action.Execute`` button; returns the invoke response body."""
    status, body = await bot.post(execute(user, verb, data, bot.connector.url))
    assert status == 200, body
    return body


def card_of(body: Any) -> dict[str, Any]:
    """The card an invoke answered with."""
    assert body["statusCode"] == 200, body
    assert body["type"] == CARD, body
    card: dict[str, Any] = body["value"]
    return card


def text_of(body: Any) -> str:
    """The plain message an invoke answered with."""
    assert body["type"] == "application/vnd.microsoft.activity.message", body
    return str(body["value"])


async def say(bot: BotServer, user: TeamsUser, text: str) -> None:
    """Type ``text`` in the 1:1 chat."""
    status, _ = await bot.post(message(user, text, bot.connector.url))
    assert status == 200


def _channel_base(user: TeamsUser, service_url: str, conversation_id: str) -> dict[str, Any]:
    return {
        "id": f"ch-{next(_ids)}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "timestamp": "2026-05-18T10:00:00.000Z",
        "from": {"id": user.id, "name": user.name, "aadObjectId": user.aad},
        "recipient": {"id": BOT_ID, "name": "Weeknotes"},
        "conversation": {
            "id": conversation_id,
            "conversationType": "channel",
            "isGroup": True,
            "tenantId": TENANT,
        },
        "channelData": {
            "tenant": {"id": TENANT},
            "team": {"id": TEAM_ID},
            "channel": {"id": CHANNEL_ID},
        },
        "locale": "en-GB",
    }


def reaction(
    user: TeamsUser,
    service_url: str,
    *,
    conversation_id: str,
    reply_to: str,
    added: tuple[str, ...] = (),
    removed: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A ``messageReaction`` on message ``reply_to``, as Teams sends it for a bot's channel post."""
    activity = {**_channel_base(user, service_url, conversation_id), "type": "messageReaction"}
    activity["replyToId"] = reply_to
    if added:
        activity["reactionsAdded"] = [{"type": kind} for kind in added]
    if removed:
        activity["reactionsRemoved"] = [{"type": kind} for kind in removed]
    return activity


def channel_reply(
    user: TeamsUser, service_url: str, *, conversation_id: str, text: str, reply_to: str = ""
) -> dict[str, Any]:
    """A message in a channel thread (the app has RSC ``ChannelMessage.Read.Group``, so no @mention)."""
    activity = {**_channel_base(user, service_url, conversation_id), "type": "message", "text": text}
    activity["textFormat"] = "plain"
    if reply_to:
        activity["replyToId"] = reply_to
    return activity


# ---- long, realistic answers (the shapes of the reference weeknote, invented words) --------------------

_ACHIEVEMENTS = [
    "Adoption activity sustained across the directorate",
    "Support provided to users moving from network drives – drop-in sessions in the library and at the depot",
    "Guidance reinforced on when to use OneDrive vs SharePoint for personal and shared content",
    "Weekly usage report refreshed, reviewed with the service owner and shared in the sprint notes",
    "External sharing follow‑up progressed with legal services and the information governance team",
    "Handover pack for the change adoption manager drafted, with the metrics and the reporting approach",
]
_RISKS = [
    "Supplier capacity in June may slow the third wave 🏗️",
    "Historic decisions on external sharing are partly undocumented; ownership is being clarified",
    "School holidays will lower usage figures and may be misread as a reversal in adoption",
]


def long_answers(number: int) -> dict[str, str]:
    """Full-template answers of a few thousand characters, with grouped bullets, emoji, curly quotes and
    dashes (text that grows when escaped), like the reference's longest sections."""
    achievements = "\n".join(
        f"{line} (item {number}.{index})\n  - Follow-up: “{line.lower()}” — agreed at the Tuesday stand-up\n"
        f"  - Evidence: ticket DDAT-{1000 + number * 10 + index}, notes in the project channel ✅"
        for index, line in enumerate(_ACHIEVEMENTS)
    )
    overview = " ".join(
        f"The project continues in its user adoption and optimisation phase (paragraph {n})."
        " Over the past seven days activity focused on maintaining momentum, refreshing usage reporting and"
        " progressing the external sharing clarification ahead of the handover."
        for n in range(1, 5)
    )
    return {
        "status_reason": "adoption is holding steady now that the migration has finished",
        "overview": overview,
        "achievements": achievements[:3900],
        "in_progress": "\n".join(
            f"Workstream {n}: reporting refresh and dashboards – in progress" for n in range(8)
        ),
        "data_period": "4 to 10 May 2026",
        "workstreams": "Deployment: complete\nUser adoption: in progress\nExternal sharing: in progress",
        "risks": "\n".join(_RISKS * 3),
        "planned": "\n".join(
            f"Planned activity {n}: produce the next usage report and brief the board 🔜" for n in range(12)
        ),
    }


def many_projects(owner: str, count: int) -> list[Project]:
    """``count`` full-template projects owned by ``owner``, each with two metrics."""
    return [
        Project(
            project_id=f"project-{n:02d}",
            name=f"Project {n:02d}: service modernisation",
            owner=owner,
            template=Template.FULL,
            metrics=(Metric("Active users", "users"), Metric("Open tickets", "tickets")),
            order=n,
        )
        for n in range(count)
    ]


def full_update(project: Project, week: str, author: str, number: int, *, rag: Rag = Rag.GREEN) -> Update:
    """A submitted full update with long answers."""
    return Update(
        week=week,
        project_id=project.project_id,
        state=UpdateState.SUBMITTED,
        rag=rag,
        answers=long_answers(number),
        metric_values={"Active users": 2400.0 + number, "Open tickets": 60.0 - number % 7},
        author=author,
        submitted_at=datetime(2026, 5, 14, 11, 0, tzinfo=UTC),
    )


FULL_ANSWERS = {
    "rag": "green",
    "status_reason": "adoption is holding steady",
    "overview": "The project continues in the adoption phase.",
    "achievements": "Adoption activity sustained\n  - Support for users leaving network drives",
    "metric_0": "2,409",
    "metric_1": "1263",
    "data_period": "6 to 12 April 2026",
    "workstreams": "Deployment: complete\nUser adoption: in progress",
    "planned": "Produce the next usage report",
}


def cards_in(calls: list[Recorded]) -> list[dict[str, Any]]:
    """Every card in these calls, in order."""
    return [card for call in calls for card in call.cards]


async def submit_week(bot: BotServer) -> None:
    """W19: OneDrive was amber. W20: OneDrive (green now), Frontline and Product: Drupal are in; Purview is
    missing."""
    await bot.services.store.updates.save(
        record=Update(
            week=LAST_WEEK,
            project_id=FULL.project_id,
            state=UpdateState.SUBMITTED,
            rag=Rag.AMBER,
            metric_values={"Active file viewing and editing": 2562.0, "File syncing": 1260.0},
        )
    )
    for user, project, answers in (
        (PM_ONE, FULL, FULL_ANSWERS),
        (PM_TWO, BRIEF, {"rag": "amber", "status_reason": "negotiations are outstanding"}),
        (PM_ONE, TEAM, {"update": "Product: Drupal\nnot started: 14, in progress: 17, completed: 26"}),
    ):
        card_of(
            await press(bot, user, "update.submit", {"project": project.project_id, "week": WEEK, **answers})
        )


def unthrottled(bot: BotServer) -> None:
    """Lift the messenger's outbound rate limits (Teams': 7 a second per conversation ...), so that a test
    posting dozens of replies in one thread does not wait tens of seconds. The limits have tests of their own.
    """
    messenger = bot.services.messenger
    if hasattr(messenger, "limits"):
        from bot.cadence.ratelimit import OutboundLimits, RateLimiter, Window

        wide = (Window(1_000_000, 1.0),)
        messenger.limits = OutboundLimits(conversation=RateLimiter(wide), tenant=RateLimiter(wide))


def huge_answers(number: int) -> dict[str, str]:
    """Full-template answers near the 4,000-character limit in every field: a section of about 30 KB."""
    answers = long_answers(number)
    for key in ("overview", "in_progress", "risks", "planned"):
        line = f"{key} detail for project {number}: the work continues with the service team – “on track”"
        answers[key] = "\n".join([line] * 200)[:3990]
    return answers


def plain(value: Any) -> str:
    """``value`` as the connector received it, re-serialised as the SDK does (``json.dumps`` defaults)."""
    return json.dumps(value)
