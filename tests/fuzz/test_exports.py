"""Whatever people type, the compiled weeknote's exports stay well-formed and show it as text.

Answers drawn by Hypothesis (every Unicode plane, control and bidi characters, injection payloads, nested
JSON, 100 KB strings) go through the real path: ``Update`` records, ``compile_weeknote``, then the HTML,
Markdown and JSON renderers.

- HTML parses with ``html.parser``; its elements and attributes are exactly those of the page template
  (so no ``script``, no ``img``, no event handler, no link can come from an answer);
- Markdown has no unescaped ``<``, ``[`` or backtick, so no raw HTML, link, image or code span can form;
- JSON parses, and answers that are always shown are in it.
"""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.answers import TEMPLATE_FIELDS
from bot.domain.compile import compile_weeknote
from bot.domain.models import Edition, Organisation, Person, Project, Rag, Role, Template, Update, UpdateState
from bot.export.html import render_html
from bot.export.jsonout import render_json
from bot.export.markdown import render_markdown
from tests.fuzz.strategies import INJECTIONS, answer_text, long_text

WEEK = "2026-W20"
PM = Person("pm@example.org", "Pat Manager", "Project Manager", frozenset({Role.PM}))
DIRECTOR = Person("director@example.org", "Dee Rector", "Director", frozenset({Role.DIRECTOR}))
PROJECTS = (
    Project("full", "Full project", PM.email, Template.FULL, order=1),
    Project("brief", "Brief project", PM.email, Template.BRIEF, order=2),
    Project("summary", "Summary project", PM.email, Template.SUMMARY, order=3),
    Project("team", "Team", PM.email, Template.TEAM, order=4),
)
text = st.one_of(answer_text, answer_text, answer_text, long_text)
ALWAYS_SHOWN = {"overview", "summary", "update"}  # shown whenever not blank (others depend on the RAG etc.)


class Elements(HTMLParser):
    """Every element and attribute in a document (``html.parser`` never raises: it records what it saw)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[tuple[str, str]] = set()
        self.data: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update((tag, name) for name, _ in attrs)

    def handle_data(self, data: str) -> None:
        self.data.append(data)


def parse(document: str) -> Elements:
    parser = Elements()
    parser.feed(document)
    parser.close()
    return parser


def weeknote_of(
    answers: dict[str, dict[str, str]], note: str, rags: dict[str, Rag | None]
) -> tuple[str, ...]:
    updates = [
        Update(
            WEEK,
            project.project_id,
            UpdateState.SUBMITTED,
            rags.get(project.project_id),
            answers=answers.get(project.project_id, {}),
            author=PM.email,
        )
        for project in PROJECTS
    ]
    compiled = compile_weeknote(
        organisation=Organisation(name="Northfield"),
        edition=Edition(week=WEEK, director_note=note, highlights=note),
        people=[PM, DIRECTOR],
        projects=list(PROJECTS),
        updates=updates,
        previous_updates=[],
    )
    return render_html(compiled), render_markdown(compiled), render_json(compiled)


TEMPLATE_PAGE = parse(
    weeknote_of(
        {p.project_id: {f: "Plain words" for f in TEMPLATE_FIELDS[p.template]} for p in PROJECTS},
        "A note\n- one highlight",
        {p.project_id: Rag.AMBER for p in PROJECTS},
    )[0]
)

answers_strategy = st.fixed_dictionaries(
    {
        p.project_id: st.fixed_dictionaries({}, optional=dict.fromkeys(TEMPLATE_FIELDS[p.template], text))
        for p in PROJECTS
    }
)


@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    answers=answers_strategy,
    note=text,
    rags=st.dictionaries(st.sampled_from([p.project_id for p in PROJECTS]), st.sampled_from([*Rag, None])),
)
def test_exports_stay_well_formed_and_escaped(
    answers: dict[str, dict[str, str]], note: str, rags: dict[str, Rag | None]
) -> None:
    html, markdown, document = weeknote_of(answers, note, rags)

    page = parse(html)
    assert page.tags <= TEMPLATE_PAGE.tags, page.tags - TEMPLATE_PAGE.tags
    assert page.attributes <= TEMPLATE_PAGE.attributes, page.attributes - TEMPLATE_PAGE.attributes
    assert not any(name.startswith("on") for _, name in page.attributes)
    assert html.count("<script") == 0 and html.lower().count("<style") == 1
    for payload in INJECTIONS:
        assert payload not in html or "<" not in payload

    assert re.search(r"(?<!\\)[<\[`]", markdown) is None, markdown[:500]

    exported = json.loads(document)
    assert exported["week"] == WEEK
    shown = json.dumps(exported, ensure_ascii=False)
    for project_answers in answers.values():
        for field, answer in project_answers.items():
            if field not in ALWAYS_SHOWN:
                continue
            # A run of ASCII letters and digits is never cleaned, escaped or split: it must be shown.
            token = re.search(r"[A-Za-z0-9]{3,}", answer)
            if token and len(answer) <= 4000:
                assert token.group() in shown, token.group()
