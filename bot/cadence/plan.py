"""Who gets which card in a week's prompt and reminder: pure functions over what storage holds.

For each active project the person asked is, in order:

1. whoever the project was handed over to this week (``Update.handed_over_to``), if they are available;
2. the owner, if available;
3. the deputy, if available (the owner is on leave that week, or has left);
4. nobody: the project is reported to the director as having no one to ask.

"Available" means known, active and not on leave that week (``Person.leave_weeks``). Someone who blocked the
bot (``Person.blocked``) is not written to; their projects are reported instead.

The **prompt** goes for every project not yet submitted or skipped. The **reminder** goes, once, for every
project still without a submitted or skipped answer, except one whose prompt was itself sent at or after the
reminder time (the service was down, so the late prompt serves as the reminder).

Each card is one job, keyed ``<phase>:<email>:<project>`` (the person is in the key so that a person's
claims are found, and erased, with them). A project is asked once per phase: if the person asked changed
after a claim was made (leave marked later), the earlier claim stands.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.cadence.claims import MAX_ATTEMPTS, ClaimState
from bot.domain.models import Claim, Person, Phase, Project, Update, UpdateState

ANSWERED = frozenset({UpdateState.SUBMITTED, UpdateState.SKIPPED})


class Reason:
    """Why a person is asked (shown on their card and in reports)."""

    OWNER = "owner"
    DEPUTY = "deputy"
    HANDED_OVER = "handed over"


@dataclass(frozen=True)
class CardJob:
    """One card to one person about one project, for one week and phase."""

    week: str
    phase: Phase
    person: Person
    project: Project
    reason: str = Reason.OWNER

    @property
    def email(self) -> str:
        return self.person.email

    @property
    def key(self) -> str:
        """The claim's row key."""
        return job_key(self.phase, self.person.email, self.project.project_id)


@dataclass(frozen=True)
class Unasked:
    """A project nobody could be asked about, and why."""

    project: Project
    reason: str
    email: str = ""


@dataclass(frozen=True)
class Plan:
    """A phase's cards, and what was left out."""

    jobs: tuple[CardJob, ...] = ()
    unasked: tuple[Unasked, ...] = ()
    blocked: tuple[Unasked, ...] = ()
    answered: int = 0
    already_asked: int = 0
    covered_by_prompt: int = 0


def job_key(phase: Phase, email: str, project_id: str) -> str:
    """``prompt:priya.shah@example.org:onedrive-adoption``."""
    return f"{phase.value}:{email.lower()}:{project_id}"


def parse_job_key(key: str) -> tuple[str, str, str] | None:
    """``(phase, email, project_id)`` of a card job's key, or ``None`` for a week-level job (``close``)."""
    parts = key.split(":", 2)
    if len(parts) != 3:
        return None
    return parts[0], parts[1], parts[2]


def available(person: Person | None, week: str) -> bool:
    """Known, active and not on leave in ``week``."""
    return person is not None and person.active and week not in person.leave_weeks


def who_answers(
    project: Project, people: Mapping[str, Person], week: str, update: Update | None
) -> tuple[Person | None, str]:
    """The person to ask about ``project`` in ``week``, and why (see the module rules)."""
    if update is not None and update.handed_over_to:
        taker = people.get(update.handed_over_to.lower())
        if available(taker, week):
            return taker, Reason.HANDED_OVER
    owner = people.get(project.owner.lower())
    if available(owner, week):
        return owner, Reason.OWNER
    deputy = people.get(project.deputy.lower()) if project.deputy else None
    if available(deputy, week):
        return deputy, Reason.DEPUTY
    if owner is None:
        return None, f"its owner {project.owner} is not in the people list"
    why = f"{owner.name} is on leave" if owner.active else f"{owner.name} has left"
    return None, why + (" and the deputy is unavailable" if project.deputy else " and there is no deputy")


@dataclass
class _Claimed:
    """The claims of one phase, by project: who holds each project's job."""

    by_project: dict[str, list[tuple[str, Claim]]] = field(default_factory=dict)

    @classmethod
    def of(cls, phase: Phase, claims: Iterable[Claim]) -> _Claimed:
        found = cls()
        for claim in claims:
            parsed = parse_job_key(claim.job)
            if parsed is None or parsed[0] != phase.value:
                continue
            found.by_project.setdefault(parsed[2], []).append((parsed[1], claim))
        return found

    def held_by_other(self, project_id: str, email: str) -> bool:
        """True if someone else has (or had) this project's job, and it was not given up on."""
        for other, claim in self.by_project.get(project_id, []):
            if other == email.lower():
                continue
            abandoned = claim.state == ClaimState.BLOCKED or (
                claim.state == ClaimState.FAILED and claim.attempts >= MAX_ATTEMPTS
            )
            if not abandoned:
                return True
        return False

    def delivered_at(self, project_id: str) -> datetime | None:
        """When this project's job was done (the earliest, if several)."""
        times = [
            c.done_at
            for _, c in self.by_project.get(project_id, [])
            if c.state == ClaimState.DONE and c.done_at is not None
        ]
        return min(times) if times else None


def _ordered(projects: Iterable[Project]) -> list[Project]:
    return sorted((p for p in projects if p.active), key=lambda p: (p.order, p.name, p.project_id))


def plan_phase(
    *,
    week: str,
    phase: Phase,
    projects: Iterable[Project],
    people: Mapping[str, Person],
    updates: Mapping[str, Update],
    claims: Iterable[Claim],
    remind_at: datetime | None = None,
) -> Plan:
    """The cards of ``phase`` (PROMPT or REMIND) for ``week``.

    Args:
        week: The week.
        phase: ``Phase.PROMPT`` or ``Phase.REMIND``.
        projects: Every project (inactive ones are left out).
        people: Everyone, by lower-case email.
        updates: The week's updates, by project id.
        claims: The week's claims (every phase).
        remind_at: The reminder's time this week (for REMIND: a prompt sent at or after it is enough).

    Returns:
        The jobs in weeknote order, and what was left out.
    """
    if phase not in (Phase.PROMPT, Phase.REMIND):
        raise ValueError(f"{phase} is not a phase that sends cards")
    claims = list(claims)
    mine = _Claimed.of(phase, claims)
    prompts = _Claimed.of(Phase.PROMPT, claims)
    jobs: list[CardJob] = []
    unasked: list[Unasked] = []
    blocked: list[Unasked] = []
    answered = already = covered = 0
    for project in _ordered(projects):
        update = updates.get(project.project_id)
        if update is not None and update.state in ANSWERED:
            answered += 1
            continue
        if phase is Phase.REMIND and remind_at is not None:
            prompted = prompts.delivered_at(project.project_id)
            if prompted is not None and prompted >= remind_at:
                covered += 1
                continue
        person, reason = who_answers(project, people, week, update)
        if person is None:
            unasked.append(Unasked(project, reason))
            continue
        if mine.held_by_other(project.project_id, person.email):
            already += 1
            continue
        if person.blocked:
            blocked.append(Unasked(project, f"{person.name} has blocked the bot", person.email))
            continue
        jobs.append(CardJob(week, phase, person, project, reason))
    return Plan(tuple(jobs), tuple(unasked), tuple(blocked), answered, already, covered)
