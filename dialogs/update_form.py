"""Reading an update card's submitted values: checked, never trusted, never losing what was typed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.domain.metrics import parse_metric_value
from bot.domain.models import Project, Rag, Template
from cards.common import MAX_ANSWER_CHARS
from cards.fields import FIELDS, Kind, input_ids, metric_input_id

REQUIRED: Mapping[Template, tuple[str, ...]] = {
    Template.FULL: ("rag", "status_reason"),
    Template.BRIEF: ("rag", "status_reason"),
    Template.SUMMARY: ("summary",),
    Template.TEAM: ("update",),
}
REQUIRED_MESSAGE = "Please fill this in before submitting (or save a draft)."


@dataclass(frozen=True)
class Form:
    """What a card sent, read against the project's template."""

    values: dict[str, str]
    answers: dict[str, str] = field(default_factory=dict)
    rag: Rag | None = None
    metric_values: dict[str, float | None] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\x00", "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def read_form(project: Project, data: Mapping[str, Any], *, submitting: bool) -> Form:
    """Check every input of ``project``'s card in ``data``.

    Args:
        project: The project the card is for (from storage, not from the card).
        data: The submitted data.
        submitting: True for Submit (required fields checked), False for Save draft.

    Returns:
        The form: ``values`` always holds what was typed, so a card re-shown with errors loses nothing.
    """
    ids = input_ids(project.template, len(project.metrics))
    values = {name: _text(data.get(name)) for name in ids}
    errors: dict[str, str] = {}
    for name in ids:
        raw = data.get(name)
        if raw is not None and not isinstance(raw, (str, int, float)):
            errors[name] = "This answer arrived in a form I can't read; please retype it."
        elif len(values[name]) > MAX_ANSWER_CHARS:
            errors[name] = (
                f"This answer is {len(values[name]):,} characters; the limit is {MAX_ANSWER_CHARS:,}. "
                "Please shorten it."
            )
    rag: Rag | None = None
    if values.get("rag"):
        try:
            rag = Rag(values["rag"].strip().lower())
        except ValueError:
            errors["rag"] = "Choose Green, Amber or Red."
    metric_values: dict[str, float | None] = {}
    for index, metric in enumerate(project.metrics):
        key = metric_input_id(index)
        if key in errors:
            continue
        try:
            metric_values[metric.name] = parse_metric_value(values.get(key, ""))
        except ValueError as error:
            errors[key] = str(error)
    if submitting:
        for name in REQUIRED[project.template]:
            if not values.get(name, "").strip() and name not in errors:
                errors[name] = REQUIRED_MESSAGE
    text_ids = {f.id for f in FIELDS[project.template] if f.kind is not Kind.RAG}
    answers = {name: values[name].strip("\n") for name in ids if name in text_ids and values[name].strip()}
    return Form(values=values, answers=answers, rag=rag, metric_values=metric_values, errors=errors)
