"""A project's history and its CSV."""

from __future__ import annotations

import csv
import io

from bot.domain.history import HistoryRow, history_csv, project_history
from bot.domain.models import Metric, Project, Rag, Update, UpdateState

PROJECT = Project(
    "p1", "Cloud storage", "pm@example.org", metrics=(Metric("Active users", "users"), Metric("Score"))
)


def updates() -> list[Update]:
    return [
        Update(
            "2026-W15",
            "p1",
            UpdateState.SUBMITTED,
            Rag.GREEN,
            metric_values={"Active users": 2409.0, "Score": 2.5},
        ),
        Update("2026-W13", "p1", UpdateState.SUBMITTED, Rag.RED, metric_values={"Active users": 1200.0}),
        Update(
            "2026-W14",
            "p1",
            UpdateState.SKIPPED,
            Rag.AMBER,
            skip_reason="Easter",
            metric_values={"Score": 9.0},
        ),
        Update("2026-W16", "p1", UpdateState.DRAFT, Rag.RED),
        Update("2026-W15", "p2", UpdateState.SUBMITTED, Rag.RED),
        Update(
            "2025-W52", "p1", UpdateState.SUBMITTED, None, late=True, metric_values={"Active users": -3.0}
        ),
    ]


def test_rows_are_this_projects_published_weeks_oldest_first() -> None:
    assert project_history(PROJECT, updates()) == [
        HistoryRow("2025-W52", UpdateState.SUBMITTED, None, (-3.0, None)),
        HistoryRow("2026-W13", UpdateState.SUBMITTED, Rag.RED, (1200.0, None)),
        HistoryRow("2026-W14", UpdateState.SKIPPED, None, (None, None)),
        HistoryRow("2026-W15", UpdateState.SUBMITTED, Rag.GREEN, (2409.0, 2.5)),
    ]


def test_no_updates_no_rows() -> None:
    assert project_history(PROJECT, []) == []


def test_csv() -> None:
    text = history_csv(PROJECT, project_history(PROJECT, updates()))
    assert text == (
        "week,state,rag,Active users (users),Score\n"
        "2025-W52,submitted,,-3,\n"
        "2026-W13,submitted,red,1200,\n"
        "2026-W14,skipped,,,\n"
        "2026-W15,submitted,green,2409,2.5\n"
    )
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["week", "state", "rag", "Active users (users)", "Score"]
    assert len(rows) == 5


def test_csv_quotes_and_defuses_formula_like_names() -> None:
    project = Project("p", "P", "o", metrics=(Metric('=HYPERLINK("http://x")', ""), Metric("a,b", 'c"d')))
    header = next(csv.reader(io.StringIO(history_csv(project, []))))
    assert header == ["week", "state", "rag", '\'=HYPERLINK("http://x")', 'a,b (c"d)']


def test_csv_with_no_metrics() -> None:
    project = Project("p", "P", "o")
    rows = [HistoryRow("2026-W15", UpdateState.SUBMITTED, Rag.AMBER, ())]
    assert history_csv(project, rows) == "week,state,rag\n2026-W15,submitted,amber\n"
