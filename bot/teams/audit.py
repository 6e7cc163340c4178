"""Audit events: who did what, when, and how it ended."""

from __future__ import annotations

import uuid
from datetime import datetime

from bot.domain.models import AuditEvent
from bot.ports import Services

# Actor and target come from the wire (a tenant id, an AAD id, a card's project): bounded so that a hostile
# value can neither overflow a Table Storage property (which would turn a refusal into an error) nor fill it.
MAX_ACTOR = 200
MAX_TARGET = 200
MAX_DETAIL = 500


def new_audit_event(
    now: datetime, *, actor: str, action: str, target: str = "", outcome: str = "ok", detail: str = ""
) -> AuditEvent:
    """An audit event at ``now``, in that ISO week's partition, with every field bounded."""
    year, week, _ = now.isocalendar()
    return AuditEvent(
        week=f"{year}-W{week:02d}",
        event_id=f"{now:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}",
        at=now,
        actor=actor[:MAX_ACTOR],
        action=action[:100],
        target=target[:MAX_TARGET],
        outcome=outcome[:20],
        detail=detail[:MAX_DETAIL],
    )


async def record_audit(
    services: Services, *, actor: str, action: str, target: str = "", outcome: str = "ok", detail: str = ""
) -> AuditEvent:
    """Store an audit event in the current ISO week's partition."""
    event = new_audit_event(
        services.clock(), actor=actor, action=action, target=target, outcome=outcome, detail=detail
    )
    return await services.store.audit.save(record=event)
