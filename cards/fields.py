"""The inputs of the update card, per template: ids the bot reads, and the labels people see.

Labels mirror the weeknote's headings, so a PM sees on the card the words the section will show. Metric
inputs are separate (``metric_0``, ``metric_1`` ... in the order of ``Project.metrics``): see
:func:`metric_input_id`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.models import Template

LIST_PLACEHOLDER = "One item per line; indent a line by two spaces for a sub-point."


class Kind(StrEnum):
    """How an answer is typed."""

    RAG = "rag"
    LINE = "line"
    TEXT = "text"
    LIST = "list"


@dataclass(frozen=True)
class Field:
    """One input of the update card."""

    id: str
    label: str
    kind: Kind
    placeholder: str = ""

    @property
    def multiline(self) -> bool:
        """Whether the input is a multi-line box."""
        return self.kind in {Kind.TEXT, Kind.LIST}


RAG = Field("rag", "Overall status", Kind.RAG)
STATUS_REASON = Field(
    "status_reason", "Status reason", Kind.LINE, "e.g. on track, or what is holding the project back"
)
FIELDS: Mapping[Template, tuple[Field, ...]] = {
    Template.FULL: (
        RAG,
        STATUS_REASON,
        Field("overview", "Project overview", Kind.TEXT, "A few sentences on where the project stands."),
        Field("achievements", "Key achievements this week", Kind.LIST, LIST_PLACEHOLDER),
        Field("in_progress", "Work in progress", Kind.LIST, LIST_PLACEHOLDER),
        Field("data_period", "Data period (e.g. 3 to 10 May 2026)", Kind.LINE, "The dates the metrics cover"),
        Field(
            "workstreams",
            "Workstreams (one per line, e.g. Deployment: complete)",
            Kind.LIST,
            "Name: state, one per line",
        ),
        Field("risks", "Risks and issues", Kind.LIST, LIST_PLACEHOLDER),
        Field("planned", "Planned activities", Kind.LIST, LIST_PLACEHOLDER),
    ),
    Template.BRIEF: (
        RAG,
        Field("status_reason", "Status reason", Kind.LINE, "e.g. the tender award is in progress"),
        Field("outcomes", "Key outcomes in last period", Kind.LIST, LIST_PLACEHOLDER),
        Field("next_activities", "Key activities in next period", Kind.LIST, LIST_PLACEHOLDER),
    ),
    Template.SUMMARY: (Field("summary", "Project summary", Kind.LIST, LIST_PLACEHOLDER),),
    Template.TEAM: (Field("update", "Update", Kind.LIST, LIST_PLACEHOLDER),),
}

METRICS_BEFORE = "data_period"
"""In a full card the metric inputs come just before this field (the data period they share)."""

CARRY_OVER: Mapping[Template, Mapping[str, str]] = {
    Template.FULL: {
        "rag": "rag",
        "overview": "overview",
        "workstreams": "workstreams",
        "risks": "risks",
        "planned": "achievements",
    },
    Template.BRIEF: {"rag": "rag", "next_activities": "outcomes"},
    Template.SUMMARY: {"summary": "summary"},
    Template.TEAM: {},
}
"""What last week's answers prefill this week, as last week's field id -> this week's field id.

Last week's plans become this week's achievements (outcomes, for a brief template): the PM edits or deletes
what did not happen rather than typing it all again.
"""

FROM_PLANS: Mapping[str, str] = {"achievements": "planned", "outcomes": "next_activities"}
"""The fields prefilled from last week's plans, which get a note saying so."""


def metric_input_id(index: int) -> str:
    """The input id of the ``index``-th metric of a project (``metric_0`` ...)."""
    return f"metric_{index}"


def input_ids(template: Template, metric_count: int = 0) -> tuple[str, ...]:
    """Every input id the update card for ``template`` sends on submit (the skip reason aside).

    Args:
        template: The project's template.
        metric_count: How many metrics the project has (only a full card shows them).

    Returns:
        The ids in card order.
    """
    ids: list[str] = []
    for field in FIELDS[template]:
        if field.id == METRICS_BEFORE:
            ids.extend(metric_input_id(index) for index in range(metric_count))
        ids.append(field.id)
    return tuple(ids)
