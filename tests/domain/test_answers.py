"""Parsing multi-line answers into items, and writing them back."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.answers import (
    MAX_DEPTH,
    format_items,
    format_workstreams,
    indent_width,
    paragraphs,
    parse_items,
    strip_marker,
    workstreams,
)
from bot.domain.weeknote import Item


def test_one_item_per_line_blank_lines_ignored() -> None:
    assert parse_items("First\n\n  \nSecond\r\nThird\n") == (Item("First"), Item("Second"), Item("Third"))


def test_empty_text_has_no_items() -> None:
    assert parse_items("") == ()
    assert parse_items(" \n\t\n") == ()
    assert parse_items("- \n•\n*  ") == ()


def test_indented_bullets_are_sub_points_of_the_line_above() -> None:
    text = "Adoption activity sustained\n  - Ongoing support provided\n  - Continued reinforcement"
    assert parse_items(text) == (
        Item(
            "Adoption activity sustained", (Item("Ongoing support provided"), Item("Continued reinforcement"))
        ),
    )


def test_tab_indent_makes_a_sub_point() -> None:
    assert parse_items("Heading\n\tdetail") == (Item("Heading", (Item("detail"),)),)


def test_one_space_is_not_an_indent() -> None:
    assert parse_items("- a\n - b") == (Item("a"), Item("b"))
    assert indent_width(" x") == 0
    assert indent_width("  x") == 2
    assert indent_width("\tx") == 4


def test_bullets_under_a_plain_line_are_its_sub_points() -> None:
    text = "Technical\n- Monitoring\n- Redirects\nGovernance and BAU transition\n- Handover document"
    assert parse_items(text) == (
        Item("Technical", (Item("Monitoring"), Item("Redirects"))),
        Item("Governance and BAU transition", (Item("Handover document"),)),
    )


def test_a_list_of_bullets_stays_flat() -> None:
    assert parse_items("- a\n* b\n• c\n1. d\n2) e\n+ f\n– g") == tuple(Item(x) for x in "abcdefg")


def test_a_list_of_plain_lines_stays_flat() -> None:
    assert parse_items("a\nb\nc") == (Item("a"), Item("b"), Item("c"))


def test_plain_line_after_bullets_starts_a_new_top_level_item() -> None:
    assert parse_items("- a\n- b\nc\n- d") == (Item("a"), Item("b"), Item("c", (Item("d"),)))


def test_deeper_nesting_follows_indentation() -> None:
    text = "Heading\n- point\n  - detail\n    - finer\n  - detail 2\n- point 2\nNext"
    assert parse_items(text) == (
        Item(
            "Heading",
            (Item("point", (Item("detail", (Item("finer"),)), Item("detail 2"))), Item("point 2")),
        ),
        Item("Next"),
    )


def test_indented_first_line_is_top_level() -> None:
    assert parse_items("    - a\n- b") == (Item("a"), Item("b"))


def test_nesting_is_capped() -> None:
    text = "\n".join(" " * (2 * level) + f"- level {level}" for level in range(20))
    depth, items = 0, parse_items(text)
    while items:
        depth += 1
        items = items[-1].children
    assert depth == MAX_DEPTH


def test_only_one_marker_is_stripped_and_numbers_are_not_markers() -> None:
    assert parse_items("- - x\n-3 degrees\n*bold*\n2026. A year\n1.5 days") == (
        Item("- x"),
        Item("-3 degrees"),
        Item("*bold*"),
        Item("2026. A year"),
        Item("1.5 days"),
    )
    assert strip_marker("•tight") == ("tight", True)
    assert strip_marker("plain") == ("plain", False)


def test_text_is_kept_verbatim() -> None:
    text = "- <b>not bold</b>  &amp; [link](javascript:alert(1))   spaced"
    assert parse_items(text) == (Item("<b>not bold</b>  &amp; [link](javascript:alert(1))   spaced"),)


def test_format_items_writes_the_editable_form() -> None:
    items = (Item("A", (Item("a1"), Item("a2", (Item("deep"),)))), Item("B"))
    assert format_items(items) == "- A\n  - a1\n  - a2\n    - deep\n- B"
    assert format_items(()) == ""


_TEXT = (
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\x1c\x1d\x1e\x85"
        ),
        min_size=1,
        max_size=20,
    )
    .map(str.strip)
    .filter(bool)
)


def _items(depth: int) -> st.SearchStrategy[tuple[Item, ...]]:
    if depth == 0:
        return st.lists(_TEXT.map(Item), max_size=3).map(tuple)
    children = _items(depth - 1)
    return st.lists(st.builds(Item, _TEXT, children), max_size=3).map(tuple)


@given(_items(3))
def test_format_then_parse_round_trips(items: tuple[Item, ...]) -> None:
    assert parse_items(format_items(items)) == items


@given(st.text(max_size=200))
def test_parse_never_fails_and_is_idempotent_through_format(text: str) -> None:
    items = parse_items(text)
    assert parse_items(format_items(items)) == items


def test_paragraphs_one_per_line() -> None:
    assert paragraphs("  First paragraph.  \n\nSecond one.\n") == ("First paragraph.", "Second one.")


def test_workstreams() -> None:
    text = (
        "- Deployment: complete\nUser adoption:in progress\n\n"
        "Bau transition: in progress (adoption handover pending)\nGovernance\n: orphan\nTime: 10:30"
    )
    assert workstreams(text) == (
        ("Deployment", "complete"),
        ("User adoption", "in progress"),
        ("Bau transition", "in progress (adoption handover pending)"),
        ("Governance", ""),
        (": orphan", ""),
        ("Time", "10:30"),
    )


def test_workstreams_round_trip() -> None:
    pairs = (("Deployment", "complete"), ("Governance", ""), ("Time", "10:30"))
    assert workstreams(format_workstreams(pairs)) == pairs
