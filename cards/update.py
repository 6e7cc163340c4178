"""The project manager's cards: the weekly update form, and the read-only view of what was stored."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.domain.models import Project, Template, Update, UpdateState
from bot.domain.weeknote import Item, Part, Section
from cards import words
from cards.actions import Verb
from cards.common import (
    MAX_ANSWER_CHARS,
    Card,
    error_block,
    escape_card_text,
    execute,
    format_number,
    heading,
    rag_choices,
    rag_label,
    text_block,
)
from cards.fields import CARRY_OVER, FIELDS, FROM_PLANS, METRICS_BEFORE, Field, Kind, metric_input_id
from cards.loader import fill_template
from cards.sections import free_text_blocks, part_units, section_units, title_blocks


def build_update_card(
    *,
    project: Project,
    week: str,
    week_label: str,
    update: Update | None,
    previous: Update | None,
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, str] | None = None,
    notice: str = "",
    viewer_is_owner: bool = True,
) -> Card:
    """The card a PM fills in for one project and week.

    Each input is prefilled from, in order: ``values`` (what the PM just sent, when the card comes back with
    errors: nothing typed is lost), ``update`` (this week's draft or submission, to edit it), then
    ``previous`` (last week's status, overview, workstreams and risks carry over, and last week's plans are
    offered as this week's achievements, with a note saying so).

    Args:
        project: The project; its template decides the inputs, its metrics add one input each.
        week: The ISO week (``2026-W20``), sent back with every action.
        week_label: The week as people read it (``w/c 11 May 2026``).
        update: This week's stored answers, if any.
        previous: Last week's answers, if any.
        errors: Input id -> what is wrong, shown in red under that input (and counted at the top).
        values: Input id -> text the PM sent with the action that failed.
        notice: A line for the top of the card, e.g. ``Draft saved at 10:42``.
        viewer_is_owner: Whether the person who will see the card owns the project (only the owner can hand
            over to the deputy).

    Returns:
        The card.
    """
    errors = errors or {}
    prefill = _prefill(project.template, update, previous, values)
    fields: list[Card] = []
    for field in FIELDS[project.template]:
        if field.id == METRICS_BEFORE:
            fields.extend(_metric_inputs(project, update, previous, values, errors))
        fields.extend(_field_inputs(field, prefill, errors))
    handover = []
    if project.deputy and viewer_is_owner:
        handover.append(
            execute("Hand over to deputy", Verb.UPDATE_HANDOVER, week=week, project=project.project_id)
        )
    return fill_template(
        "update",
        {
            "fallback": words.FALLBACK,
            "title": escape_card_text(project.name),
            "subtitle": escape_card_text(words.UPDATE_SUBTITLE.format(week_label=week_label)),
            "notices": _notices(notice, errors, project),
            "fields": fields,
            "week": week,
            "project": project.project_id,
            "max_chars": MAX_ANSWER_CHARS,
            "handover": handover,
        },
    )


class _Prefill:
    """The starting value of each input, and which inputs were filled from last week."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.carried: set[str] = set()


def _prefill(
    template: Template, update: Update | None, previous: Update | None, values: Mapping[str, str] | None
) -> _Prefill:
    prefill = _Prefill()
    for field in FIELDS[template]:
        if values is not None and field.id in values:
            prefill.values[field.id] = values[field.id]
        elif update is not None:
            prefill.values[field.id] = _answer(update, field.id)
    if update is None and previous is not None:
        for last_week, this_week in CARRY_OVER[template].items():
            if this_week in prefill.values:
                continue
            carried = _answer(previous, last_week)
            if carried:
                prefill.values[this_week] = carried
                prefill.carried.add(this_week)
    return prefill


def _answer(update: Update, field_id: str) -> str:
    if field_id == "rag":
        return update.rag.value if update.rag else ""
    return update.answers.get(field_id, "")


def _notices(notice: str, errors: Mapping[str, str], project: Project) -> list[Card]:
    blocks: list[Card] = []
    if notice:
        blocks.append(text_block(escape_card_text(notice), color="Good", spacing="Small"))
    if errors:
        summary = words.ERRORS_ONE if len(errors) == 1 else words.ERRORS_MANY.format(count=len(errors))
        blocks.append(text_block(summary, color="Attention", weight="Bolder", spacing="Small"))
        known = {field.id for field in FIELDS[project.template]}
        known.update(metric_input_id(index) for index in range(len(project.metrics)))
        # An error about something that is not an input (e.g. the week closed) is shown here, in full.
        blocks.extend(error_block(message) for key, message in errors.items() if key not in known)
    return blocks


def _field_inputs(field: Field, prefill: _Prefill, errors: Mapping[str, str]) -> list[Card]:
    value = prefill.values.get(field.id, "")
    element: Card
    if field.kind is Kind.RAG:
        element = {
            "type": "Input.ChoiceSet",
            "id": field.id,
            "label": field.label,
            "style": "expanded",
            "choices": rag_choices(),
        }
    else:
        element = {
            "type": "Input.Text",
            "id": field.id,
            "label": field.label,
            "isMultiline": field.multiline,
            "maxLength": MAX_ANSWER_CHARS,
        }
        if field.placeholder:
            element["placeholder"] = field.placeholder
    if value:
        element["value"] = value
    blocks = [element]
    if field.id in errors:
        blocks.append(error_block(errors[field.id]))
    if field.id in prefill.carried and field.id in FROM_PLANS:
        blocks.append(text_block(words.FROM_PLANS_NOTE, isSubtle=True, size="Small", spacing="None"))
    return blocks


def _metric_inputs(
    project: Project,
    update: Update | None,
    previous: Update | None,
    values: Mapping[str, str] | None,
    errors: Mapping[str, str],
) -> list[Card]:
    blocks: list[Card] = []
    for index, metric in enumerate(project.metrics):
        input_id = metric_input_id(index)
        value = ""
        if values is not None and input_id in values:
            value = values[input_id]
        elif update is not None and update.metric_values.get(metric.name) is not None:
            value = format_number(float(update.metric_values[metric.name] or 0), grouped=False)
        last = previous.metric_values.get(metric.name) if previous is not None else None
        placeholder = (
            words.METRIC_PLACEHOLDER_PREVIOUS.format(value=format_number(last))
            if last is not None
            else words.METRIC_PLACEHOLDER
        )
        element: Card = {
            "type": "Input.Text",
            "id": input_id,
            "label": f"{metric.name} ({metric.unit})" if metric.unit else metric.name,
            "placeholder": placeholder,
            "maxLength": 50,
        }
        if value:
            element["value"] = value
        blocks.append(element)
        if input_id in errors:
            blocks.append(error_block(errors[input_id]))
    return blocks


def build_update_summary_card(
    *,
    project: Project,
    week_label: str,
    section: Section | None,
    update: Update,
    can_edit: bool,
    metric_lines: Sequence[str] = (),
) -> Card:
    """A read-only view of a project's update for a week, shaped like its weeknote section.

    Args:
        project: The project.
        week_label: The week as people read it.
        section: The update compiled as its weeknote section, or ``None`` to show the answers as typed.
        update: The stored update (its state, lateness and skip reason make the header).
        can_edit: Whether to offer an ``Edit`` button (the week is still open and the viewer may answer).
        metric_lines: Metric sentences (``... increased by 0.2% (from 1,260 to 1,263 users)``), shown as a
            metrics part unless ``section`` already has one.

    Returns:
        The card.
    """
    content: list[Card] = []
    if update.state is not UpdateState.SKIPPED:
        if section is not None:
            content.extend(unit.block() for unit in section_units(section))
        else:
            content.extend(_raw_answers(project, update))
        has_metrics = section is not None and any(part.key == "metrics" for part in section.parts)
        if metric_lines and not has_metrics:
            part = Part(
                "metrics", words.METRICS_EMOJI, words.METRICS_TITLE, items=tuple(map(Item, metric_lines))
            )
            content.extend(unit.block() for unit in part_units(part, 0))
    actions: list[Card] = []
    if can_edit:
        actions.append(execute("Edit", Verb.UPDATE_EDIT, week=update.week, project=project.project_id))
    card = fill_template(
        "update_summary",
        {
            "fallback": words.FALLBACK,
            "title": title_blocks(project.name, words.UPDATE_SUBTITLE.format(week_label=week_label)),
            "status": [_status_block(update)],
            "content": content,
        },
    )
    if actions:
        card["actions"] = actions
    return card


def _status_block(update: Update) -> Card:
    if update.state is UpdateState.SKIPPED:
        text = words.SKIPPED_REASON.format(reason=update.skip_reason) if update.skip_reason else words.SKIPPED
    elif update.state is UpdateState.DRAFT:
        text = words.DRAFT
    else:
        text = words.SUBMITTED_LATE if update.late else words.SUBMITTED
    color = "Warning" if update.state is UpdateState.DRAFT else "Good"
    return text_block(escape_card_text(text), weight="Bolder", color=color, spacing="Medium")


def _raw_answers(project: Project, update: Update) -> list[Card]:
    """The answers as typed, under their labels, for when there is no compiled section to show."""
    blocks: list[Card] = []
    if update.rag is not None:
        blocks.append(text_block(f"Overall status: {rag_label(update.rag)}", spacing="Medium"))
    for field in FIELDS[project.template]:
        if field.kind is Kind.RAG:
            continue
        answer = update.answers.get(field.id, "").strip()
        if not answer:
            continue
        blocks.append(heading(escape_card_text(field.label)))
        blocks.extend(free_text_blocks(answer))
    return blocks
