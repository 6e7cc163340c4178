"""Audit events: who did what, when, and how it ended."""

from __future__ import annotations

import uuid

from bot.domain.models import AuditEvent
from bot.ports import Services


async def record_audit(
    services: Services, *, actor: str, action: str, target: str = "", outcome: str = "ok", detail: str = ""
) -> AuditEvent:
    """Store an audit event in the current ISO week's partition."""
    now = services.clock()
    year, week, _ = now.isocalendar()
    event = AuditEvent(
        week=f"{year}-W{week:02d}",
        event_id=f"{now:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}",
        at=now,
        actor=actor,
        action=action,
        target=target,
        outcome=outcome,
        detail=detail[:500],
    )
    return await services.store.audit.save(record=event)
