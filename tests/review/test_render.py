"""The digest and the headline as Teams would draw them: the real ``adaptivecards`` renderer in headless
Chromium, from records compiled as the bot compiles them. Screenshots: ``artifacts/cards/review_*.png``."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.domain.compile import compile_weeknote
from bot.domain.models import Edition, EditionState, Organisation, Rag, Update, UpdateState
from bot.review.digest import digest_view, fit_digest
from bot.review.engagement import EngagementSummary
from bot.review.plan import MESSAGE_LIMIT, plan_weeknote
from tests.review.support import full_update, many_projects
from tests.support.card_samples import (
    DESK_DRAFT,
    LAPTOPS_LAST_WEEK,
    LAPTOPS_THIS_WEEK,
    PEOPLE,
    PRIYA,
    PROJECTS,
    RECORDS_SKIPPED,
    REPAIRS,
    REPAIRS_LAST_WEEK,
    WEEK,
)
from tests.support.render import CardRenderer

pytestmark = pytest.mark.browser

EDITION = Edition(
    WEEK,
    state=EditionState.CLOSED,
    director_note="This week has felt like a bit of a blur!\n- Good chat on *data* and BI\n- Websites",
    highlights="- Learning about the elections back-up\n  - thanks to Rae\n- Recycled laptops for residents",
)
REPAIRS_RED = Update(
    WEEK,
    REPAIRS.project_id,
    UpdateState.SUBMITTED,
    Rag.RED,
    answers={"status_reason": "the contractor's API failed testing", "outcomes": "Test run"},
)
ENGAGEMENT = EngagementSummary(True, {"like": 7, "heart": 3, "laugh": 1}, 4, "Laptop refresh", 6)


def compiled(edition: Edition = EDITION) -> object:
    return compile_weeknote(
        organisation=Organisation(name="DDaT Luton"),
        edition=edition,
        people=PEOPLE,
        projects=PROJECTS,
        updates=[LAPTOPS_THIS_WEEK, REPAIRS_RED, RECORDS_SKIPPED, DESK_DRAFT],
        previous_updates=[LAPTOPS_LAST_WEEK, REPAIRS_LAST_WEEK],
    )


def check(renderer: CardRenderer, card: dict[str, object], name: str) -> str:
    rendered = renderer.render(card, name, wide=True)
    assert rendered.problems == [], f"{name}: the renderer reported problems"
    assert rendered.screenshot.stat().st_size > 1000
    assert renderer.blocked_requests == [], "the page tried to reach the network"
    return renderer.visible_text()


def test_the_digest_renders_with_counts_changes_chase_and_last_weeks_engagement(
    renderer: CardRenderer,
) -> None:
    weeknote = compiled()
    card = fit_digest(digest_view(weeknote, EDITION, tuple(ENGAGEMENT.lines())))  # type: ignore[arg-type]
    text = check(renderer, card, "review_digest")
    for expected in (
        "Weeknote review",
        "Service desk (Mei Lin)",  # the draft counts as missing
        "Laptop refresh: Amber → Green",
        "Housing repairs portal: Amber → Red",
        "Reactions: 7 👍 like, 3 ❤️ heart, 1 😆 laugh",
        "Most discussed: Laptop refresh (6 reactions and comments)",
        "Good chat on *data* and BI",  # the note shows literally
    ):
        assert expected in text, expected
    renderer.click("Chase")
    [chase] = renderer.executed()
    assert chase["verb"] == "review.chase" and chase["data"]["project"] == "desk"
    renderer.click("Edit my note")
    renderer.screenshot("review_digest__note")
    labels = {field["id"]: field["labelText"] for field in renderer.inputs() if field["rendered"]}
    assert labels == {"director_note": "Director's note", "highlights": "Highlights"}
    renderer.click("Save note")
    saved = renderer.executed()[-1]
    assert saved["verb"] == "review.note"
    assert saved["data"]["director_note"] == EDITION.director_note


def test_the_headline_renders_with_note_highlights_status_and_absences(renderer: CardRenderer) -> None:
    headline = plan_weeknote(compiled())[0]  # type: ignore[arg-type]
    assert headline.slot == "headline" and headline.size < MESSAGE_LIMIT
    text = check(renderer, headline.card, "review_headline")
    for expected in (
        "Weeknote: week ending 15 May 2026",
        "DDaT Luton",
        "Director's weeknote",
        "This week has felt like a bit of a blur!",
        "This week's highlights",
        "thanks to Rae",
        "Laptop refresh",
        "▲ from amber",
        "▼ from amber",
        "Records retention pilot (skipped)",
    ):
        assert expected in text, expected


def test_a_forty_project_headline_and_its_overview_replies_render(renderer: CardRenderer) -> None:
    projects = many_projects(PRIYA.email, 40)
    updates = [
        full_update(p, WEEK, PRIYA.email, n, rag=(Rag.GREEN, Rag.AMBER, Rag.RED)[n % 3])
        for n, p in enumerate(projects)
    ]
    weeknote = compile_weeknote(
        organisation=Organisation(name="DDaT Luton"),
        edition=replace(EDITION, director_note=EDITION.director_note * 8),
        people=PEOPLE,
        projects=projects,
        updates=updates,
        previous_updates=[],
    )
    plan = [p for p in plan_weeknote(weeknote) if not p.slot.startswith("section:")]
    for number, planned in enumerate(plan):
        assert planned.size < MESSAGE_LIMIT
        check(renderer, planned.card, f"review_headline_40_{number}")
