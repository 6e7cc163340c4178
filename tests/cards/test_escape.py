"""User text in a TextBlock is shown literally: escaping, and the small helpers around it."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cards.common import escape_card_text, format_number

_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def commonmark_unescape(text: str) -> str:
    """What CommonMark shows for backslash escapes (a backslash before ASCII punctuation is dropped)."""
    return _ESCAPE.sub(r"\1", text)


@pytest.mark.parametrize(
    ("typed", "escaped"),
    [
        ("plain words, stay plain.", "plain words, stay plain."),
        ("*bold* and _italic_", "\\*bold\\* and \\_italic\\_"),
        ("[link](https://example.org)", "\\[link\\](https://example.org)"),
        ("C:\\shared\\drive", "C:\\\\shared\\\\drive"),
        ("`code` ~~gone~~ <b>", "\\`code\\` \\~\\~gone\\~\\~ \\<b\\>"),
        ("- not a bullet\n+ nor this\n  * nor this", "\\- not a bullet\n\\+ nor this\n  \\* nor this"),
        ("1. not a list\n2) either", "1\\. not a list\n2\\) either"),
        ("# not a heading\n> not a quote\n===", "\\# not a heading\n\\> not a quote\n\\==="),
        ("fish & chips &amp; &#38;", "fish & chips \\&amp; \\&#38;"),
        ("{{DATE(2026-05-11T09:00:00Z, SHORT)}}", "{\\{DATE(2026-05-11T09:00:00Z, SHORT)}}"),
        ("in-progress 3-4 e.g. 10.5", "in-progress 3-4 e.g. 10.5"),
        ("🟢 emoji – dashes ‘quotes’", "🟢 emoji – dashes ‘quotes’"),
    ],
)
def test_escape_examples(typed: str, escaped: str) -> None:
    assert escape_card_text(typed) == escaped


@given(st.text())
def test_unescaping_gives_back_exactly_what_was_typed(typed: str) -> None:
    assert commonmark_unescape(escape_card_text(typed)) == typed


@given(st.text(alphabet=st.sampled_from(list("ab *_[]`~<>\\-+=#>1.)&;{}\n "))))
def test_nothing_markdown_significant_is_left_unescaped(typed: str) -> None:
    escaped = escape_card_text(typed)
    # Blank out escaped pairs: what is left must hold no markers, and no line may start with a block marker.
    bare = re.sub(r"\\.", "\x00", escaped, flags=re.DOTALL)
    assert not set(bare) & set("*_[]`~<>\\")
    for line in escaped.split("\n"):
        assert not re.match(r"^[ \t]*([-+=#>]|\d+[.)])", line), line
    assert "{{" not in bare
    assert not re.search(r"&#?\w+;", bare)


@pytest.mark.parametrize(
    ("value", "grouped", "plain"),
    [(2562.0, "2,562", "2562"), (12.5, "12.5", "12.5"), (0.0, "0", "0"), (-1234.25, "-1,234.25", "-1234.25")],
)
def test_format_number(value: float, grouped: str, plain: str) -> None:
    assert format_number(value) == grouped
    assert format_number(value, grouped=False) == plain
