"""The words the exports add around a weeknote (UK English), shared by the Markdown and HTML exports."""

from __future__ import annotations

from bot.domain.compile import RAG_EMOJI, RAG_WORDS
from bot.domain.models import Rag
from bot.domain.weeknote import Absence, Weeknote

DIRECTOR_TITLE = "Director\u2019s weeknote"
HIGHLIGHTS_TITLE = "This week\u2019s highlights"
GLANCE_TITLE = "At a glance"
ABSENCES_TITLE = "Not in this week\u2019s weeknote"


def weeknote_title(weeknote: Weeknote) -> str:
    """The document title: ``DDaT weeknote, week ending 17 April 2026``."""
    organisation = weeknote.organisation.strip()
    name = f"{organisation} weeknote" if organisation else "Weeknote"
    return f"{name}, {weeknote.label}" if weeknote.label.strip() else name


def glance_text(title: str, rag: Rag | None, marker: str) -> str:
    """One line of the RAG overview: ``OneDrive user adoption: 🟢 on track (▲ from amber)``."""
    status = f"{RAG_EMOJI[rag]} {RAG_WORDS[rag]}" if rag else "no status given"
    return f"{title}: {status} ({marker})" if marker else f"{title}: {status}"


def absence_text(absence: Absence) -> str:
    """One line for a project with no section: ``Website: skipped this week (go-live freeze)``."""
    if absence.kind == "skipped":
        reason = " ".join(absence.reason.split())
        return (
            f"{absence.title}: skipped this week ({reason})"
            if reason
            else f"{absence.title}: skipped this week"
        )
    return f"{absence.title}: no update this week"
