"""Compiling a week's records into the :class:`~bot.domain.weeknote.Weeknote` everything else renders.

Pure: records in, weeknote out. The rules:

- **Director**: the active person with the director role (the first by email if there are several) gives the
  name and title; the note and highlights come from the edition (highlights parsed as items).
- **Sections**: active projects in ``order``, then name. A project's section comes from its SUBMITTED update
  for the edition's week (late ones too, marked ``late``). No update, or only a DRAFT, makes it an
  :class:`Absence` of kind ``missing``; SKIPPED makes one of kind ``skipped`` with the reason given.
- **Author line**: ``Name, Title`` of the update's author, falling back to the project owner (the email
  itself if the person is unknown).
- **RAG**: 🟢 green "on track", 🟠 amber "at risk", 🔴 red "off track". Amber is the orange circle: it is what
  amber looks like on a traffic light and is distinct from green at a glance, where 🟡 reads as yellow.
- **Templates** (answer field ids in :data:`bot.domain.answers.TEMPLATE_FIELDS`; empty parts are left out):

  - *full*: status line ``Overall status: 🟢 on track``; parts 📌 Project overview (paragraphs),
    ✅ Key achievements this week, 🔄 Work in progress, 📈 Metrics snapshot (week on week)
    ("Based on data from <data period>", defaulting to the week's dates, then one sentence per metric),
    📊 Current status (the overall status, with the reason as its sub-point, then the workstreams),
    ⚠️ Risks and issues, 🔜 Planned activities;
  - *brief*: status line ``The project status is amber as <reason>.``; parts "Key outcomes in last period"
    and "Key activities in next period";
  - *summary*: one part, "Project summary";
  - *team*: the free text, split into parts at sub-headings (an unindented, unbulleted line ending with
    ``:`` or starting with ``## ``), with the lines under each parsed as items.

- **Changes since last week**, against the project's latest SUBMITTED update before this week: a RAG change
  (``Amber → Green``, kind ``rag``; a change to red is kind ``new_red``; red with no earlier update is
  ``new_red`` too), and every metric that moved by more than 10% (kind ``metric``). The RAG overview marks
  ``▲ from amber`` (better) or ``▼ from green`` (worse).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.domain.answers import (
    indent_width,
    paragraphs,
    parse_items,
    strip_marker,
    workstream_text,
    workstreams,
)
from bot.domain.metrics import change_summary, metric_sentence
from bot.domain.models import (
    Edition,
    Organisation,
    Person,
    Project,
    Rag,
    Role,
    Template,
    Update,
    UpdateState,
)
from bot.domain.weeknote import Absence, Change, Item, Part, Section, Weeknote
from bot.domain.weeks import week_label, week_range_text

RAG_EMOJI: dict[Rag, str] = {Rag.GREEN: "🟢", Rag.AMBER: "🟠", Rag.RED: "🔴"}
RAG_WORDS: dict[Rag, str] = {Rag.GREEN: "on track", Rag.AMBER: "at risk", Rag.RED: "off track"}
_RAG_RANK: dict[Rag, int] = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2}
_REASON_JOINERS = ("as ", "because ", "with ", "due to ", "since ", "following ", "now that ", "but ")


@dataclass(frozen=True)
class WeeknoteStats:
    """Counts for the digest. ``submitted`` includes the ``late`` ones."""

    submitted: int
    late: int
    skipped: int
    missing: int

    @property
    def total(self) -> int:
        """Every active project: submitted, skipped or missing."""
        return self.submitted + self.skipped + self.missing


def rag_phrase(rag: Rag) -> str:
    """The RAG as shown in a status line: ``🟢 on track``."""
    return f"{RAG_EMOJI[rag]} {RAG_WORDS[rag]}"


def overall_status(rag: Rag) -> str:
    """The full template's status line: ``Overall status: 🟢 on track``."""
    return f"Overall status: {rag_phrase(rag)}"


def brief_status(rag: Rag, reason: str) -> str:
    """The brief template's sentence: ``The project status is amber as <reason>.``

    The reason is joined with "as" unless it already starts with a joining word ("as", "because", "with",
    ...); a full stop is added unless it already ends with one (or ``!``/``?``).

    Args:
        rag: The project's status.
        reason: Why, as typed (may be empty: then the sentence is just the status).

    Returns:
        The sentence.
    """
    reason = " ".join(reason.split())
    if not reason:
        return f"The project status is {rag.value}."
    # A reason that already starts with its joining word is used as is, lower-cased mid-sentence.
    joined = reason.lower().startswith(_REASON_JOINERS)
    reason = reason[0].lower() + reason[1:] if joined else f"as {reason}"
    if not reason.endswith((".", "!", "?")):
        reason += "."
    return f"The project status is {rag.value} {reason}"


def compile_weeknote(
    *,
    organisation: Organisation,
    edition: Edition,
    people: Sequence[Person],
    projects: Sequence[Project],
    updates: Sequence[Update],
    previous_updates: Sequence[Update],
    label: str | None = None,
) -> Weeknote:
    """Builds the week's weeknote from its records (rules in the module docstring).

    Args:
        organisation: The organisation (its name heads the weeknote).
        edition: The week's edition: week id, director's note and highlights.
        people: Everyone the bot knows, to name authors, owners and the director.
        projects: Every project; inactive ones are left out.
        updates: The week's updates (updates for other weeks are ignored).
        previous_updates: Earlier weeks' updates, for week-on-week metrics and RAG changes; the latest
            submitted one before this week counts for each project.
        label: The heading label; defaults to ``week ending <Friday>``.

    Returns:
        The compiled weeknote.
    """
    by_email = {person.email.lower(): person for person in people}
    this_week = {u.project_id: u for u in updates if u.week == edition.week}
    previous = _latest_before(edition.week, previous_updates)
    director = _director(people)

    sections: list[Section] = []
    absences: list[Absence] = []
    overview: list[tuple[str, Rag | None, str]] = []
    for project in sorted((p for p in projects if p.active), key=lambda p: (p.order, p.name.casefold())):
        update = this_week.get(project.project_id)
        if update is None or update.state is UpdateState.DRAFT:
            absences.append(_absence(project, by_email, "missing"))
            continue
        if update.state is UpdateState.SKIPPED:
            absences.append(_absence(project, by_email, "skipped", update.skip_reason.strip()))
            continue
        before = previous.get(project.project_id)
        section = _section(project, update, before, by_email, edition.week)
        sections.append(section)
        if section.rag is not None:
            overview.append((section.title, section.rag, _rag_marker(section.rag, before)))

    return Weeknote(
        week=edition.week,
        label=label if label is not None else week_label(edition.week),
        organisation=organisation.name,
        director_name=director.name if director else "",
        director_title=director.title if director else "",
        director_note=edition.director_note.strip(),
        highlights=parse_items(edition.highlights),
        sections=tuple(sections),
        absences=tuple(absences),
        rag_overview=tuple(overview),
    )


def weeknote_stats(weeknote: Weeknote) -> WeeknoteStats:
    """Counts submitted (late included), late, skipped and missing projects for the digest.

    Args:
        weeknote: A compiled weeknote.

    Returns:
        The counts.
    """
    return WeeknoteStats(
        submitted=len(weeknote.sections),
        late=sum(1 for section in weeknote.sections if section.late),
        skipped=sum(1 for absence in weeknote.absences if absence.kind == "skipped"),
        missing=sum(1 for absence in weeknote.absences if absence.kind == "missing"),
    )


def section_parts(
    project: Project,
    update: Update,
    previous: Update | None,
    week: str,
) -> tuple[Part, ...]:
    """Builds the parts of one section from the update's answers, leaving empty parts out.

    Args:
        project: The project (its template and metrics).
        update: This week's update.
        previous: The project's previous submitted update, for week-on-week metrics.
        week: The edition's week (the default data period of the metrics).

    Returns:
        The parts in publishing order.
    """
    answers = update.answers
    if project.template is Template.FULL:
        parts = _full_parts(project, update, previous, week)
    elif project.template is Template.BRIEF:
        parts = [
            Part(
                "outcomes", "", "Key outcomes in last period", items=parse_items(answers.get("outcomes", ""))
            ),
            Part(
                "next_activities",
                "",
                "Key activities in next period",
                items=parse_items(answers.get("next_activities", "")),
            ),
        ]
    elif project.template is Template.SUMMARY:
        parts = [Part("summary", "", "Project summary", items=parse_items(answers.get("summary", "")))]
    else:
        parts = list(team_parts(answers.get("update", "")))
    return tuple(part for part in parts if part.paragraphs or part.items)


def team_parts(text: str) -> tuple[Part, ...]:
    """Splits a team's free update into parts at its sub-headings.

    A sub-heading is an unindented line that is not a bullet and either ends with ``:`` or starts with
    ``## ``; the colon and the ``## `` are dropped from the title. Lines before the first sub-heading form
    an untitled part. Each part's lines are parsed as items (see :func:`parse_items`).

    Args:
        text: The team's update as typed.

    Returns:
        The parts, keyed ``team-1``, ``team-2`` ... in order (empty ones included; callers drop them).
    """
    chunks: list[tuple[str, list[str]]] = [("", [])]
    for line in text.splitlines():
        title = _sub_heading(line)
        if title is None:
            chunks[-1][1].append(line)
        else:
            chunks.append((title, []))
    return tuple(
        Part(f"team-{index}", "", title, items=parse_items("\n".join(lines)))
        for index, (title, lines) in enumerate(chunks)
        if title or index == 0
    )


def section_changes(project: Project, update: Update, previous: Update | None) -> tuple[Change, ...]:
    """Lists what moved since the project's previous update: RAG (``rag``/``new_red``) and big metric moves.

    Args:
        project: The project (its metrics, in order).
        update: This week's update.
        previous: The previous submitted update, or ``None``.

    Returns:
        The changes, RAG first.
    """
    changes: list[Change] = []
    before = previous.rag if previous else None
    now = update.rag
    if now is Rag.RED and before is not Rag.RED:
        changes.append(
            Change("new_red", f"{before.value.title()} → Red" if before else "Red (new this week)")
        )
    elif now is not None and before is not None and now is not before:
        changes.append(Change("rag", f"{before.value.title()} → {now.value.title()}"))
    if previous is not None:
        for metric in project.metrics:
            note = change_summary(
                metric.name, update.metric_values.get(metric.name), previous.metric_values.get(metric.name)
            )
            if note:
                changes.append(Change("metric", note))
    return tuple(changes)


def _full_parts(project: Project, update: Update, previous: Update | None, week: str) -> list[Part]:
    answers = update.answers
    sentences = tuple(
        Item(
            metric_sentence(
                metric.name,
                metric.unit,
                update.metric_values.get(metric.name),
                previous.metric_values.get(metric.name) if previous else None,
            )
        )
        for metric in project.metrics
        if metric.name in update.metric_values
    )
    period = " ".join(answers.get("data_period", "").split()) or week_range_text(week)
    status_items: list[Item] = []
    if update.rag is not None:
        reason = paragraphs(answers.get("status_reason", ""))
        status_items.append(Item(overall_status(update.rag), tuple(Item(text) for text in reason)))
    status_items.extend(
        Item(workstream_text(name, state)) for name, state in workstreams(answers.get("workstreams", ""))
    )
    return [
        Part("overview", "📌", "Project overview", paragraphs=paragraphs(answers.get("overview", ""))),
        Part(
            "achievements",
            "✅",
            "Key achievements this week",
            items=parse_items(answers.get("achievements", "")),
        ),
        Part("in_progress", "🔄", "Work in progress", items=parse_items(answers.get("in_progress", ""))),
        Part(
            "metrics",
            "📈",
            "Metrics snapshot (week on week)",
            paragraphs=(f"Based on data from {period}",) if sentences else (),
            items=sentences,
        ),
        Part("status", "📊", "Current status", items=tuple(status_items)),
        Part("risks", "⚠️", "Risks and issues", items=parse_items(answers.get("risks", ""))),
        Part("planned", "🔜", "Planned activities", items=parse_items(answers.get("planned", ""))),
    ]


def _section(
    project: Project,
    update: Update,
    previous: Update | None,
    by_email: Mapping[str, Person],
    week: str,
) -> Section:
    if update.rag is None:
        status_line = ""
    elif project.template is Template.FULL:
        status_line = overall_status(update.rag)
    elif project.template is Template.BRIEF:
        status_line = brief_status(update.rag, update.answers.get("status_reason", ""))
    else:
        status_line = f"Status: {rag_phrase(update.rag)}"
    return Section(
        project_id=project.project_id,
        title=project.name,
        author_line=_author_line(update.author or project.owner, project.owner, by_email),
        template=project.template,
        rag=update.rag,
        status_line=status_line,
        parts=section_parts(project, update, previous, week),
        changes=section_changes(project, update, previous),
        late=update.late,
    )


def _author_line(author: str, owner: str, by_email: Mapping[str, Person]) -> str:
    person = by_email.get(author.lower()) or by_email.get(owner.lower())
    if person is None:
        return author or owner
    return f"{person.name}, {person.title}" if person.title else person.name


def _absence(project: Project, by_email: Mapping[str, Person], kind: str, reason: str = "") -> Absence:
    owner = by_email.get(project.owner.lower())
    return Absence(
        project_id=project.project_id,
        title=project.name,
        owner_name=owner.name if owner else project.owner,
        kind=kind,
        reason=reason,
    )


def _director(people: Iterable[Person]) -> Person | None:
    directors = sorted(
        (p for p in people if p.active and p.has_role(Role.DIRECTOR)), key=lambda p: p.email.lower()
    )
    return directors[0] if directors else None


def _latest_before(week: str, updates: Iterable[Update]) -> dict[str, Update]:
    latest: dict[str, Update] = {}
    # Week ids sort chronologically as strings (zero-padded), so string comparison is enough.
    for update in updates:
        if update.state is not UpdateState.SUBMITTED or update.week >= week:
            continue
        current = latest.get(update.project_id)
        if current is None or update.week > current.week:
            latest[update.project_id] = update
    return latest


def _sub_heading(line: str) -> str | None:
    """The title if ``line`` is a team sub-heading, else ``None``."""
    if indent_width(line) or strip_marker(line.strip())[1]:
        return None
    text = line.strip()
    if text.startswith("## "):
        title = text[3:].strip()
    elif text.endswith(":"):
        title = text[:-1].strip()
    else:
        return None
    return title or None


def _rag_marker(now: Rag, previous: Update | None) -> str:
    before = previous.rag if previous else None
    if before is None or before is now:
        return ""
    arrow = "▲" if _RAG_RANK[now] > _RAG_RANK[before] else "▼"
    return f"{arrow} from {before.value}"
