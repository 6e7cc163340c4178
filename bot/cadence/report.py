"""What a tick did, for the log, the ``weeknotes tick`` command and the director."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.cadence.plan import CardJob, Plan
from bot.domain.models import Phase


class Outcome(StrEnum):
    """How one job ended in this tick."""

    SENT = "sent"
    RESENT = "resent after a crash"
    ALREADY = "already done"
    BUSY = "in progress elsewhere"
    BLOCKED = "blocked"
    FAILED = "failed"
    LOST = "taken over"
    STOPPED = "stopped"


DELIVERED = (Outcome.SENT, Outcome.RESENT)
PROBLEMS = (Outcome.BLOCKED, Outcome.FAILED)


@dataclass(frozen=True)
class JobResult:
    """One card job's outcome."""

    job: CardJob
    outcome: Outcome
    detail: str = ""


@dataclass
class PhaseReport:
    """One (week, phase) of cards."""

    week: str
    phase: Phase
    plan: Plan = field(default_factory=Plan)
    results: list[JobResult] = field(default_factory=list)
    note: str = ""

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.results if r.outcome is outcome)


@dataclass(frozen=True)
class StepResult:
    """A week-level step: close, digest, retention."""

    week: str
    step: str
    outcome: Outcome
    detail: str = ""


@dataclass
class TickReport:
    """Everything one tick did."""

    now: datetime
    timezone: str
    due: list[tuple[str, Phase]] = field(default_factory=list)
    phases: list[PhaseReport] = field(default_factory=list)
    steps: list[StepResult] = field(default_factory=list)

    def results(self, *outcomes: Outcome) -> list[JobResult]:
        """Every card job with one of ``outcomes`` (all if none given)."""
        return [r for p in self.phases for r in p.results if not outcomes or r.outcome in outcomes]

    @property
    def sent(self) -> list[JobResult]:
        """Cards posted in this tick (including any resent after a crash)."""
        return self.results(*DELIVERED)

    @property
    def blocked(self) -> list[str]:
        """Everyone who could not be written to because they blocked the bot (new this tick or known)."""
        emails = {r.job.email for r in self.results(Outcome.BLOCKED)}
        emails |= {u.email for p in self.phases for u in p.plan.blocked}
        return sorted(emails)

    @property
    def problems(self) -> list[JobResult]:
        """Cards not delivered: blocked or failed."""
        return self.results(*PROBLEMS)

    def step(self, week: str, step: str) -> StepResult | None:
        return next((s for s in self.steps if s.week == week and s.step == step), None)

    def summary(self) -> str:
        """One line for the log."""
        counts = Counter(r.outcome.value for r in self.results())
        due = ", ".join(f"{week} {phase.value}" for week, phase in self.due) or "nothing"
        parts = [f"due: {due}"] + [f"{n} {what}" for what, n in sorted(counts.items())]
        parts += [f"{s.week} {s.step}: {s.outcome.value}" for s in self.steps]
        return "; ".join(parts)

    def lines(self) -> list[str]:
        """The report as people read it (``weeknotes tick`` prints it)."""
        local = self.now.astimezone(ZoneInfo(self.timezone))
        out = [f"Tick at {self.now.isoformat()} ({local:%a %d %b %Y %H:%M} {self.timezone})"]
        if not self.due:
            out.append("Nothing is due.")
        for phase in self.phases:
            out.append(f"{phase.week} {phase.phase.value}:" + (f" {phase.note}" if phase.note else ""))
            counts = Counter(r.outcome for r in phase.results)
            if counts or not phase.note:
                summary = ", ".join(f"{counts[o]} {o.value}" for o in Outcome if counts[o])
                out.append(f"  {summary or 'no cards to send'}")
            for result in phase.results:
                if result.outcome in (*DELIVERED, *PROBLEMS):
                    extra = (
                        f" ({result.detail})" if result.detail and result.outcome is not Outcome.SENT else ""
                    )
                    out.append(
                        f"  {result.outcome.value}: {result.job.email}, {result.job.project.name}"
                        f" [{result.job.reason}]{extra}"
                    )
            plan = phase.plan
            for item in plan.blocked:
                out.append(f"  not sent, blocked: {item.email}, {item.project.name}")
            for item in plan.unasked:
                out.append(f"  nobody to ask: {item.project.name} ({item.reason})")
            quiet = [
                (plan.answered, "already answered"),
                (plan.already_asked, "asked earlier"),
                (plan.covered_by_prompt, "prompted late instead"),
            ]
            if any(n for n, _ in quiet):
                out.append("  left out: " + ", ".join(f"{n} {what}" for n, what in quiet if n))
        for step in self.steps:
            detail = f" ({step.detail})" if step.detail else ""
            out.append(f"{step.week} {step.step}: {step.outcome.value}{detail}")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())
