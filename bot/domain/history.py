"""A project's history week by week: its RAG and metric values, and the CSV ``weeknotes history`` prints.

Only published answers count: SUBMITTED updates (late ones included) and SKIPPED weeks (with no RAG or
values); drafts are left out. The CSV has a header row ``week,state,rag,<metric> (<unit>)...``, one row per
week in order, numbers written plainly (``1350``, ``2.5``: no thousands separators, so spreadsheets read them
as numbers) and blank cells for missing values. Text cells that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) are prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.models import Metric, Project, Rag, Update, UpdateState

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class HistoryRow:
    """One week of a project: its state, RAG and the value of each metric (in the project's metric order)."""

    week: str
    state: UpdateState
    rag: Rag | None
    values: tuple[float | None, ...]


def project_history(project: Project, updates: Sequence[Update]) -> list[HistoryRow]:
    """Lists a project's submitted and skipped weeks, oldest first.

    Args:
        project: The project; its metrics give the value columns.
        updates: Updates of any projects and weeks; only this project's are used (the last one per week wins
            if there are duplicates).

    Returns:
        One row per week.
    """
    by_week: dict[str, Update] = {}
    for update in updates:
        if update.project_id == project.project_id and update.state is not UpdateState.DRAFT:
            by_week[update.week] = update
    rows: list[HistoryRow] = []
    for week in sorted(by_week):
        update = by_week[week]
        skipped = update.state is UpdateState.SKIPPED
        values = tuple(None if skipped else update.metric_values.get(m.name) for m in project.metrics)
        rows.append(HistoryRow(week, update.state, None if skipped else update.rag, values))
    return rows


def history_csv(project: Project, rows: Sequence[HistoryRow]) -> str:
    """Writes history rows as CSV with a header row.

    Args:
        project: The project the rows belong to (its metrics name the value columns).
        rows: Rows from :func:`project_history`.

    Returns:
        The CSV text, ``\\n`` line endings.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["week", "state", "rag", *(_safe_cell(_column(m)) for m in project.metrics)])
    for row in rows:
        writer.writerow(
            [
                row.week,
                row.state.value,
                row.rag.value if row.rag else "",
                *("" if value is None else _plain_number(value) for value in row.values),
            ]
        )
    return out.getvalue()


def _column(metric: Metric) -> str:
    return f"{metric.name} ({metric.unit})" if metric.unit.strip() else metric.name


def _plain_number(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _safe_cell(text: str) -> str:
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text
