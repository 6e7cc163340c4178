"""A week's cadence as the director reads it: who was prompted, reminded, submitted, skipped, blocked.

Read from storage only (claims, updates, people), so it answers the same from any instance and after any
restart; ``weeknotes status --week 2026-W20`` prints it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from bot.cadence.claims import ClaimState
from bot.cadence.plan import parse_job_key
from bot.domain.models import Claim, Edition, Person, Phase, Project, Update, UpdateState
from bot.domain.weeks import week_label
from bot.storage.protocol import Store


@dataclass
class WeekStatus:
    """Everything the status report says about one week."""

    week: str
    edition: Edition | None
    people: dict[str, Person]
    projects: list[Project]
    updates: dict[str, Update]
    cards: dict[Phase, dict[str, list[tuple[str, Claim]]]] = field(default_factory=dict)
    """Per phase, per person (email): their projects' claims."""
    steps: dict[str, Claim] = field(default_factory=dict)

    def name(self, email: str) -> str:
        person = self.people.get(email.lower())
        return person.name if person else email

    def project_name(self, project_id: str) -> str:
        return next((p.name for p in self.projects if p.project_id == project_id), project_id)


async def week_status(store: Store, week: str) -> WeekStatus:
    """Read the status of ``week``."""
    people = {p.email.lower(): p for p in await store.people.list(partition=Person.partition_key)}
    projects = sorted(
        await store.projects.list(partition=Project.partition_key), key=lambda p: (p.order, p.name)
    )
    updates = {u.project_id: u for u in await store.updates.list(partition=week)}
    edition = await store.editions.get(partition=Edition.partition_key, key=week)
    status = WeekStatus(week, edition, people, projects, updates)
    for claim in await store.claims.list(partition=week):
        parsed = parse_job_key(claim.job)
        if parsed is None:
            status.steps[claim.job] = claim
            continue
        phase_name, email, project_id = parsed
        if phase_name not in {Phase.PROMPT.value, Phase.REMIND.value}:
            continue
        by_person = status.cards.setdefault(Phase(phase_name), defaultdict(list))
        by_person[email].append((project_id, claim))
    return status


def _people_line(status: WeekStatus, phase: Phase, states: set[str]) -> list[str]:
    order = {p.project_id: n for n, p in enumerate(status.projects)}
    lines = []
    for email, unordered in sorted(status.cards.get(phase, {}).items()):
        items = sorted(unordered, key=lambda item: (order.get(item[0], len(order)), item[0]))
        chosen = [
            status.project_name(pid)
            + (" (resent after a crash)" if claim.detail.startswith("resent") else "")
            for pid, claim in items
            if claim.state in states
        ]
        if chosen:
            lines.append(f"  {status.name(email)} <{email}>: {', '.join(chosen)}")
    return lines


def format_status(status: WeekStatus) -> str:
    """The status as text."""
    edition = status.edition.state.value if status.edition else "open"
    out = [f"{status.week}, {week_label(status.week)}: edition {edition}"]

    def section(title: str, lines: list[str]) -> None:
        out.append(f"{title} ({len(lines)}):")
        out.extend(lines or ["  nobody"])

    done = {ClaimState.DONE.value}
    section("Prompted", _people_line(status, Phase.PROMPT, done))
    section("Reminded", _people_line(status, Phase.REMIND, done))
    submitted, skipped, drafts, missing = [], [], [], []
    for project in (p for p in status.projects if p.active):
        update = status.updates.get(project.project_id)
        who = status.name(update.author) if update and update.author else ""
        if update is None:
            missing.append(f"  {project.name} (owner {status.name(project.owner)})")
        elif update.state is UpdateState.SUBMITTED:
            submitted.append(f"  {project.name}: {who}" + (", late" if update.late else ""))
        elif update.state is UpdateState.SKIPPED:
            skipped.append(
                f"  {project.name}: {who}" + (f" ({update.skip_reason})" if update.skip_reason else "")
            )
        else:
            drafts.append(f"  {project.name}: draft by {who}")
    section("Submitted", submitted)
    section("Skipped", skipped)
    section("Not answered", missing + drafts)
    blocked_now = {
        email
        for by_person in status.cards.values()
        for email, items in by_person.items()
        if any(claim.state == ClaimState.BLOCKED.value for _, claim in items)
    }
    blocked_now |= {email for email, person in status.people.items() if person.blocked}
    blocked = [f"  {status.name(email)} <{email}>" for email in sorted(blocked_now)]
    section("Blocked the bot", blocked)
    problems = []
    for phase, by_person in status.cards.items():
        for email, items in sorted(by_person.items()):
            for project_id, claim in items:
                if claim.state == ClaimState.FAILED.value:
                    problems.append(
                        f"  {phase.value} to {status.name(email)}, {status.project_name(project_id)}: "
                        f"{claim.state} ({claim.detail})"
                    )
    section("Not delivered", problems)
    for job in ("close", "digest", "retention"):
        step = status.steps.get(job)
        if step is not None:
            out.append(f"{job}: {step.state}" + (f" ({step.detail})" if step.detail else ""))
    return "\n".join(out)
