"""Hypothesis strategies for what a card (or someone forging one) can send, and for answer text."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

T = TypeVar("T")

FULL_FIELDS = (
    "rag",
    "status_reason",
    "overview",
    "achievements",
    "in_progress",
    "metric_0",
    "metric_1",
    "data_period",
    "workstreams",
    "risks",
    "planned",
)
INJECTIONS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<a href='javascript:alert(1)'>x</a>",
    "[x](javascript:alert(1))",
    "![t](https://evil.example/p.png)",
    "{{ 7*7 }} ${7*7}",
    "# heading\n- list\n1. one\n---",
    "&lt;b&gt; &#60;",
    "<!-- c --><![CDATA[x]]>",
    '{"$schema": "x", "type": "AdaptiveCard", "body": [{"type": "Action.OpenUrl"}]}',
)

# Every plane: astral emoji, zero-width and bidi controls, combining marks, private use (no surrogates).
unicode_text = st.text(st.characters(codec="utf-8"), max_size=300)
emoji = st.lists(
    st.sampled_from(
        ["🟢", "⚠️", "🏳️‍🌈", "👩🏽‍💻", "🧪", "𝕏", "\U0001f9d1\u200d\U0001f91d\u200d\U0001f9d1", "🇬🇧"]
    ),
    max_size=30,
).map("".join)
control = st.text(
    st.characters(min_codepoint=0, max_codepoint=0x9F).filter(lambda c: not c.isprintable()),
    min_size=1,
    max_size=40,
)
bidi = st.text(
    st.sampled_from(["\u202e", "\u2066", "\u2069", "\u200b", "\ufeff", "\u0301", "a", " "]), max_size=40
)
huge = st.integers(min_value=4_001, max_value=100_000).flatmap(
    lambda n: st.sampled_from(["é", "a", "🟢", "<", "\n"]).map(lambda c: c * (n // len(c.encode()) or 1))
)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
nested_json_text = json_value.map(lambda v: json.dumps(v, ensure_ascii=False))
lone_surrogates = st.lists(
    st.sampled_from(["\ud800", "\udfff", "a\udc00b", "🟢"]), min_size=1, max_size=5
).map("".join)
answer_text = st.one_of(
    unicode_text,
    lone_surrogates,
    emoji,
    control,
    bidi,
    st.sampled_from(INJECTIONS),
    nested_json_text,
    st.tuples(unicode_text, st.sampled_from(INJECTIONS), emoji).map("\n".join),
)
long_text = huge
wrong_type = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.text(max_size=10), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
)
metric = st.one_of(
    st.sampled_from(
        [
            "1,350",
            "12.5",
            "−3",
            " 42 ",
            "0",
            "999999999999",
            "1000000000001",
            "1e308",
            "1e309",
            "-1e999",
            "NaN",
            "Infinity",
            "0x10",
            "1_000",
            "١٢٣",
            "12.5%",
            "1,35,0",
            "",
            "  ",
        ]
    ),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(10**15), max_value=10**15).map(lambda n: f"{n:,}"),
)
rag = st.sampled_from(["green", "amber", "red", "GREEN", " Red ", "purple", "", "🟢"])


def field_value(name: str) -> st.SearchStrategy[Any]:
    """What may arrive in one card input."""
    if name.startswith("metric_"):
        return st.one_of(metric, wrong_type)
    if name == "rag":
        return st.one_of(rag, wrong_type)
    return st.one_of(answer_text, answer_text, answer_text, wrong_type, long_text)


def card_data(project: str, week: str) -> st.SearchStrategy[dict[str, Any]]:
    """An Action.Execute's data for a full-template card: mostly well aimed, any input missing or odd."""
    return st.fixed_dictionaries(
        {
            "project": st.one_of(st.just(project), st.just(project), st.just(project), field_value("x")),
            "week": st.one_of(st.just(week), st.just(week), st.just(week), field_value("x")),
        },
        optional={name: field_value(name) for name in FULL_FIELDS}
        | {"extra": wrong_type, "verb": st.sampled_from(["update.submit", "nonsense"])},
    )


def draw(strategy: st.SearchStrategy[T], count: int) -> list[T]:
    """``count`` examples of ``strategy``, drawn by Hypothesis's engine (so its edge cases come first).

    The service under test lives on the test's event loop, where ``@given`` cannot drive it; the examples
    are drawn here and posted by the async test. A failing example is reported by value.
    """
    drawn: list[T] = []

    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(example: T) -> None:
        drawn.append(example)

    collect()
    return drawn


def first(values: list[T], keep: Callable[[T], bool]) -> T | None:
    """The first value that ``keep`` accepts."""
    return next((value for value in values if keep(value)), None)
