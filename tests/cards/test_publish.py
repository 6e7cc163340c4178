"""The weeknote as channel cards: the headline card, and sections split to stay under the size limit."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.models import Template
from bot.domain.weeknote import Item, Part, Section, Weeknote
from cards.common import card_size
from cards.contract import card_problems
from cards.publish import build_headline_card, build_section_cards, build_weeknote_preview_cards
from cards.sections import split_text
from tests.support.card_samples import brief_section, full_section, huge_section, weeknote
from tests.support.card_text import texts

Card = dict[str, Any]
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_LIST_PREFIX = re.compile(r"^ *- ", re.MULTILINE)


def unescape(text: str) -> str:
    """What CommonMark shows for backslash-escaped text."""
    return _ESCAPE.sub(r"\1", text)


def shown(cards: list[Card]) -> str:
    """Every TextBlock's text as a reader sees it, list markers and repeated (continued) headings removed."""
    return "".join(
        unescape(_LIST_PREFIX.sub("", text))
        for card in cards
        for text in texts(card)
        if not text.endswith("(continued)")
    )


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def all_items(items: tuple[Item, ...]) -> list[str]:
    found: list[str] = []
    for item in items:
        found.append(item.text)
        found.extend(all_items(item.children))
    return found


def test_headline_card_shows_director_highlights_overview_and_absences() -> None:
    card = build_headline_card(weeknote())
    shown_texts = texts(card)
    assert shown_texts[:5] == [
        "Weeknote: w/c 11 May 2026",
        "Northfield Borough Council",
        "Director's weeknote",
        "Grace Holt, Director of Digital",
        "A busy week with two go-live decisions.",
    ]
    assert "- Met the housing board about the repairs portal" in shown_texts
    assert "This week's highlights" in shown_texts
    assert "- The \\*new\\* intranet search" in shown_texts
    table = next(element for element in card["body"] if element["type"] == "Table")
    rows = [[cell["items"][0]["text"] for cell in row["cells"]] for row in table["rows"]]
    assert rows == [
        ["Project", "Status", "Change"],
        ["Laptop refresh", "🟢 Green", "▲ from amber"],
        ["Housing repairs portal", "🟠 Amber", ""],
        ["Website replacement", "🔴 Red", "▼ from amber"],
    ]
    assert shown_texts[-1] == "Not reported this week: Records retention pilot (skipped), Website replacement"
    assert "Annual leave" not in str(card), "skip reasons are given to the bot, not published"


def test_headline_card_of_a_bare_weeknote_is_still_valid() -> None:
    card = build_headline_card(Weeknote("2026-W20", "w/c 11 May 2026", "Northfield"))
    assert texts(card) == ["Weeknote: w/c 11 May 2026", "Northfield"]
    assert card_problems(card) == []


def test_a_normal_section_is_one_card_that_reads_like_the_weeknote() -> None:
    cards = build_section_cards(full_section())
    assert len(cards) == 1
    shown_texts = texts(cards[0])
    assert shown_texts[:4] == [
        "Laptop refresh",
        "Priya Shah, Project Manager",
        "📌 Project overview",
        "Wave three is under way now that the delivery has arrived.",
    ]
    assert "- Wave three started\n  - 45 devices swapped in two libraries" in shown_texts
    assert "- Self-service guide published (see \\*Guides\\* \\> \\[IT\\] \\_how-to\\_)" in shown_texts


def test_a_brief_section_starts_with_its_status_sentence_and_rag_emoji() -> None:
    shown_texts = texts(build_section_cards(brief_section())[0])
    assert shown_texts[2] == "🟠 The project status is amber as the contractor's API is still not live."
    assert "Key outcomes in last period" in shown_texts
    assert "- 1\\. Confirm go-live with the board" in shown_texts


def test_a_huge_section_is_split_into_cards_under_the_limit_and_loses_nothing() -> None:
    section = huge_section()
    cards = build_section_cards(section, max_bytes=27_000)
    assert len(cards) > 3
    for card in cards:
        assert card_size(card) < 27_000
        assert card_problems(card, max_bytes=27_000) == []
    titles = [texts(card)[0] for card in cards]
    assert titles[0] == "A very long project"
    assert set(titles[1:]) == {"A very long project (continued)"}
    everything = squeeze(shown(cards))
    position = 0
    for part in section.parts:
        for text in (*part.paragraphs, *all_items(part.items)):
            found = everything.find(squeeze(text), position)
            assert found >= 0, f"lost or out of order: {text[:60]}"
            position = found


def test_a_bullet_bigger_than_a_card_is_cut_into_pieces_that_join_back_exactly() -> None:
    section = huge_section(parts=0)
    giant = section.parts[0].items[0].text
    cards = build_section_cards(section, max_bytes=27_000)
    assert len(cards) > 2
    pieces = [text for card in cards for text in texts(card)]
    assert pieces[2] == "⚠️ One giant item"
    body = [
        text
        for text in pieces[3:]
        if text not in {"A very long project (continued)", "⚠️ One giant item (continued)"}
    ]
    assert body[0].startswith("- giant-start")
    assert "".join(unescape(text) for text in [body[0].removeprefix("- "), *body[1:]]) == giant


def test_a_part_that_runs_over_repeats_its_heading_as_continued() -> None:
    cards = build_section_cards(huge_section(parts=1, items=400), max_bytes=27_000)
    assert texts(cards[1])[:2] == ["A very long project (continued)", "✅ Part 0 (continued)"]


def test_a_heading_is_never_left_alone_at_the_bottom_of_a_card() -> None:
    cards = build_section_cards(huge_section(parts=6, items=60), max_bytes=6_000)
    for card in cards:
        last = card["body"][-1]
        assert last.get("weight") != "Bolder" or last is card["body"][0], texts(card)[-1]


def test_a_limit_too_small_for_the_title_is_an_error() -> None:
    with pytest.raises(ValueError, match="too small"):
        build_section_cards(full_section(), max_bytes=500)


def test_split_text_prefers_spaces_and_keeps_every_character() -> None:
    text = "alpha beta gamma delta epsilon"
    pieces = split_text(text, lambda piece: len(piece) <= 12)
    assert "".join(pieces) == text
    assert all(len(piece) <= 12 for piece in pieces)
    assert all(piece.endswith(" ") for piece in pieces[:-1])
    no_spaces = split_text("x" * 10, lambda piece: len(piece) <= 3)
    assert "".join(no_spaces) == "x" * 10
    assert all(len(piece) <= 3 for piece in no_spaces)
    with pytest.raises(ValueError, match="too small"):
        split_text("abc", lambda piece: False)


_TEXT = st.text(
    alphabet=st.sampled_from([*"abc xyz*_[]()\\#-+>1.&;{}`~é🟢", "\n"]), min_size=1, max_size=300
).filter(lambda text: text.strip() != "")
_ITEMS = st.lists(
    st.builds(Item, _TEXT, st.lists(st.builds(Item, _TEXT), max_size=3).map(tuple)), max_size=8
).map(tuple)
_PARTS = st.lists(
    st.builds(
        Part, st.just("k"), st.sampled_from(["", "✅"]), _TEXT, st.lists(_TEXT, max_size=2).map(tuple), _ITEMS
    ),
    min_size=1,
    max_size=4,
).map(tuple)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=_PARTS, max_bytes=st.integers(min_value=2_500, max_value=8_000))
def test_any_section_splits_under_any_limit_without_losing_text(
    parts: tuple[Part, ...], max_bytes: int
) -> None:
    section = Section("p", "Project", "Someone, PM", Template.FULL, parts=parts)
    cards = build_section_cards(section, max_bytes=max_bytes)
    for card in cards:
        assert card_size(card) < max_bytes
    everything = squeeze(shown(cards))
    position = 0
    for part in parts:
        for text in (*part.paragraphs, *all_items(part.items)):
            expected = squeeze(text)
            found = everything.find(expected, position)
            assert found >= 0, text
            position = found


def test_preview_is_the_headline_then_every_sections_cards() -> None:
    note = weeknote()
    cards = build_weeknote_preview_cards(note)
    assert cards[0] == build_headline_card(note)
    assert [texts(card)[0] for card in cards[1:]] == [section.title for section in note.sections]


def test_preview_of_a_weeknote_with_a_huge_section_has_its_continued_cards() -> None:
    note = replace(weeknote(), sections=(full_section(), huge_section()))
    cards = build_weeknote_preview_cards(note)
    assert len(cards) == 2 + len(build_section_cards(huge_section()))
