"""What a dialog sees of one turn: who is asking, the shared services, and ways to answer.

The Teams seam builds a ``Turn`` from botbuilder's ``TurnContext``; dialogs never touch the SDK directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from bot.domain.models import Person
from bot.ports import Card, Services


@dataclass(frozen=True)
class Actor:
    """The sender: their Teams identity and, once linked, the ``Person`` we know them as."""

    aad_object_id: str
    teams_user_id: str
    name: str
    person: Person | None


@dataclass(frozen=True)
class CardReply:
    """Answer with a card (an Action.Execute replaces the card that was pressed)."""

    card: Card


@dataclass(frozen=True)
class TextReply:
    """Answer with a short message."""

    text: str


@dataclass(frozen=True)
class ErrorReply:
    """Refuse: the card stays as it was and the person sees ``message``."""

    message: str
    status: int = 400


@dataclass(frozen=True)
class BeginDialog:
    """Start a multi-turn chat conversation (a botbuilder-dialogs dialog) with ``options``."""

    dialog_id: str
    options: dict[str, Any]


Reply = CardReply | TextReply | ErrorReply | BeginDialog


class Turn(Protocol):
    """One inbound activity, as dialogs see it."""

    services: Services
    actor: Actor
    conversation_id: str
    is_personal: bool

    async def send_card(self, card: Card) -> str:
        """Send a card in this conversation; returns the new activity id."""
        ...

    async def send_text(self, text: str) -> str:
        """Send a message in this conversation; returns the new activity id."""
        ...

    async def audit(self, action: str, *, target: str = "", outcome: str = "ok", detail: str = "") -> None:
        """Record who did what (the week is today's)."""
        ...

    def value(self) -> dict[str, Any]:
        """The data a card sent (empty for typed text)."""
        ...
