"""The digest's pure parts: last week's engagement in words, and a digest trimmed to fit a message."""

from __future__ import annotations

import json

from bot.domain.models import Edition, Engagement, PostedMessage, Project, Rag, Template
from bot.domain.weeknote import Absence, Change, Section, Weeknote
from bot.review.digest import digest_view, fit_digest
from bot.review.engagement import summarise
from bot.review.plan import MESSAGE_LIMIT, message_size

WEEK = "2026-W19"
POSTS = [
    PostedMessage(WEEK, "headline", "h", "19:c;messageid=h"),
    PostedMessage(WEEK, "section:laptops:0", "l0", "19:c;messageid=h"),
    PostedMessage(WEEK, "section:laptops:1", "l1", "19:c;messageid=h"),
    PostedMessage(WEEK, "section:desk:0", "d0", "19:c;messageid=h"),
]
PROJECTS = [Project("laptops", "Laptop refresh", "p@x.org"), Project("desk", "Service desk", "m@x.org")]


def engagement(activity: str, person: str, kind: str, comment: str = "") -> Engagement:
    return Engagement(WEEK, activity, person, kind, comment_id=comment)


def test_engagement_counts_reactions_by_type_comments_and_the_most_discussed_section() -> None:
    records = [
        engagement("h", "a", "like"),
        engagement("l0", "a", "like"),
        engagement("l1", "b", "heart"),
        engagement("l1", "c", "comment", "c1"),
        engagement("d0", "a", "laugh"),
        engagement("d0", "b", "1f440_eyes"),  # a newer Teams reaction: shown by its name
    ]
    assert summarise(POSTS, records, PROJECTS).lines() == [
        "Reactions: 2 👍 like, 1 1f440_eyes, 1 ❤️ heart, 1 😆 laugh",
        "Comments: 1",
        "Most discussed: Laptop refresh (3 reactions and comments)",
    ]


def test_a_tie_goes_to_the_first_project_by_name_and_no_engagement_says_so() -> None:
    tie = [engagement("l0", "a", "like"), engagement("d0", "a", "like")]
    assert summarise(POSTS, tie, PROJECTS).top_title == "Laptop refresh"
    assert summarise(POSTS, [], PROJECTS).lines() == ["No reactions yet", "Comments: 0"]
    assert not summarise([], [], PROJECTS).published


def big_weeknote(count: int) -> Weeknote:
    sections = tuple(
        Section(
            f"p{n}", f"Project {n} with a fairly long name", "Priya Shah", Template.FULL, Rag.GREEN,
            changes=(Change("metric", f"Users rose by {n}% week on week"),) if n % 2 else (),
        )
        for n in range(count)
    )  # fmt: skip
    absences = tuple(Absence(f"m{n}", f"Missing project {n}", f"Owner {n}", "missing") for n in range(count))
    overview = tuple(
        (s.title, Rag.GREEN if n % 3 else Rag.RED, "▲ from amber" if n % 7 == 0 else "")
        for n, s in enumerate(sections)
    )
    return Weeknote(
        "2026-W20",
        "week ending 15 May 2026",
        "DDaT",
        sections=sections,
        absences=absences,
        rag_overview=overview,
    )


def test_a_digest_for_a_very_large_organisation_is_trimmed_to_fit_and_says_what_it_left_out() -> None:
    view = digest_view(big_weeknote(200), Edition("2026-W20"), ("Comments: 3",))
    assert message_size(view.card()) > MESSAGE_LIMIT
    card = fit_digest(view)
    text = json.dumps(card, ensure_ascii=False)
    assert message_size(card) < MESSAGE_LIMIT
    assert "projects on track with no change are not listed" in text
    assert "more projects are not in yet" in text
    assert '"Missing", "value": "200"' in text, "the counts stay whole"


def test_a_small_digest_is_left_as_it_is() -> None:
    view = digest_view(big_weeknote(5), Edition("2026-W20"), ())
    assert fit_digest(view) == view.card()
