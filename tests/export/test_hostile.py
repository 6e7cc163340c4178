"""Hostile text in every field: the exports show it literally and never let it become markup."""

from __future__ import annotations

import json
import re
import unicodedata
from html.parser import HTMLParser

import jsonschema  # type: ignore[import-untyped]
import pytest

from bot.domain.compile import compile_weeknote
from bot.domain.models import Edition, Organisation, Person, Project, Rag, Role, Template, Update, UpdateState
from bot.domain.weeknote import Absence, Change, Item, Part, Section, Weeknote
from bot.export.html import CONTENT_SECURITY_POLICY, render_html
from bot.export.jsonout import JSON_SCHEMA, render_json
from bot.export.markdown import escape_markdown, render_markdown
from bot.export.text import clean_line, clean_text

PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "attribute breakout": '"><img src=x onerror=alert(1)>',
    "single-quote breakout": "'><svg onload=alert(1)>",
    "markdown js link": "[x](javascript:alert(1))",
    "markdown image": "![tracker](https://evil.example/pixel.png)",
    "reference link": "[ref]: javascript:alert(1)",
    "autolink": "<https://evil.example>",
    "raw anchor": "<a href='javascript:alert(1)'>click</a>",
    "iframe": "<iframe src=javascript:alert(1)></iframe>",
    "heading": "# Not a heading",
    "multi-line headings": "## one\n# two\n---\n===\n> quote",
    "list starters": "- dash\n+ plus\n1. one\n2) two",
    "entities": "&lt;script&gt; &#60;b&#62; &amp;",
    "template": "{{ config.SECRET }} {% include '/etc/passwd' %} ${7*7}",
    "emphasis and code": "`code` ~~strike~~ **bold** __b__ _em_ *em* \\ trailing\\",
    "table": "| a | b |\n|---|---|\n| c | d |",
    "html comment": "<!-- hidden --> <![CDATA[x]]>",
    "control characters": "a\x00b\x07c\x1bd\x7fe\x85f\u202eg\u2066h\ufeffi\x0bj\x0ck",
    "lone surrogate": "before\ud800after",
    "emoji": "⚠️ 🏳️‍🌈 👩🏽‍💻 🟢",
    "huge": "A" * 100_000 + "<script>alert(1)</script>",
}


def hostile_weeknote(payload: str) -> Weeknote:
    """A weeknote with the payload in every text field."""
    item = Item(payload, (Item(payload, (Item(payload),)),))
    part = Part(payload, payload, payload, paragraphs=(payload, payload), items=(item, item))
    return Weeknote(
        week="2026-W15",
        label=payload,
        organisation=payload,
        director_name=payload,
        director_title=payload,
        director_note=payload,
        highlights=(item,),
        sections=tuple(
            Section(
                payload,
                payload,
                payload,
                template,
                rag=Rag.RED,
                status_line=payload,
                parts=(part, Part("x", "", payload, items=(item,))),
                changes=(Change("metric", payload),),
                late=True,
            )
            for template in Template
        ),
        absences=(
            Absence(payload, payload, payload, "skipped", payload),
            Absence(payload, payload, payload, "missing"),
        ),
        rag_overview=((payload, Rag.AMBER, payload), (payload, None, "")),
    )


# --- HTML ---------------------------------------------------------------------------------------------

ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "main", "header", "footer", "section"}
ALLOWED_TAGS |= {"h1", "h2", "h3", "p", "ul", "li"}
ALLOWED_ATTRIBUTES = {"lang", "charset", "http-equiv", "content", "name", "class"}
EXPECTED_META = [
    [("charset", "utf-8")],
    [("http-equiv", "Content-Security-Policy"), ("content", CONTENT_SECURITY_POLICY)],
    [("name", "referrer"), ("content", "no-referrer")],
    [("name", "viewport"), ("content", "width=device-width, initial-scale=1")],
]


class Recorder(HTMLParser):
    """Records every element, attribute and text node the browser-like parser sees."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []
        self.comments: list[str] = []
        self.other: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def handle_decl(self, decl: str) -> None:
        self.other.append(decl)

    def unknown_decl(self, data: str) -> None:
        self.other.append(data)

    def handle_pi(self, data: str) -> None:
        self.other.append(data)


def parse(page: str) -> Recorder:
    recorder = Recorder()
    recorder.feed(page)
    recorder.close()
    return recorder


RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\ufeff]")


def assert_no_raw_controls(text: str) -> None:
    found = RAW_CONTROL.search(text)
    assert found is None, f"raw control character {found.group(0)!r} in output" if found else ""
    text.encode("utf-8")  # no lone surrogates either


def test_raw_control_pattern_covers_every_control_character() -> None:
    controls = [chr(i) for i in range(0x110000) if unicodedata.category(chr(i)) in {"Cc", "Cs"}]
    assert [ch for ch in controls if ch != "\n" and not RAW_CONTROL.match(ch)] == []


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_html_keeps_hostile_text_as_text(name: str) -> None:
    payload = PAYLOADS[name]
    page = render_html(hostile_weeknote(payload))
    assert_no_raw_controls(page)
    recorder = parse(page)

    assert {tag for tag, _ in recorder.tags} <= ALLOWED_TAGS
    assert recorder.comments == []
    assert recorder.other == ["DOCTYPE html"]
    for tag, attrs in recorder.tags:
        for attribute, value in attrs:
            assert attribute in ALLOWED_ATTRIBUTES, (tag, attribute)
            assert not attribute.startswith("on")
            assert "javascript:" not in (value or "").lower()
    assert [attrs for tag, attrs in recorder.tags if tag == "meta"] == EXPECTED_META
    assert [tag for tag, _ in recorder.tags].count("style") == 1
    classes = {value for _, attrs in recorder.tags for attribute, value in attrs if attribute == "class"}
    assert classes <= {"organisation", "byline", "status", "director", "glance", "absences"} | {
        f"project {t.value}" for t in Template
    }

    # The text a reader sees is exactly the payload (cleaned of control characters, on one line).
    shown = "".join(recorder.text)
    assert clean_line(payload) in shown
    assert shown.count(clean_line(payload)) >= 20


def test_html_escapes_quotes_and_angle_brackets() -> None:
    page = render_html(hostile_weeknote(PAYLOADS["attribute breakout"]))
    assert "<img" not in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&#x27;" in render_html(hostile_weeknote("it's"))


def test_html_csp_comes_first() -> None:
    page = render_html(hostile_weeknote("x"))
    head = page[: page.index("</head>")]
    assert head.index("Content-Security-Policy") < head.index("<title>") < head.index("<style>")
    assert "default-src 'none'; style-src 'unsafe-inline'" in head
    for resource in ("src=", "href=", "url(", "@import", "<link", "<script"):
        assert resource not in page


# --- Markdown -----------------------------------------------------------------------------------------

SPECIAL = re.compile(r"[\\`*_\[\]<>|~{}#]")
ESCAPED = re.compile(r"\\[!-/:-@\[-`{-~]")
STRUCTURE = re.compile(r"^(#{1,3} |(?:  )*- |\*(?=.*\*$))?")


def unescape(text: str) -> str:
    return ESCAPED.sub(lambda match: match.group(0)[1], text)


def assert_fully_escaped(content: str) -> None:
    """Every Markdown-special character in user text is backslash-escaped; nothing starts a block."""
    bare = ESCAPED.sub(" ", content)
    assert "\\" not in bare, f"dangling backslash in {content[:80]!r}"
    assert not SPECIAL.search(bare), f"unescaped {SPECIAL.search(bare)} in {content[:80]!r}"
    assert not re.search(r"&#?\w+;", bare), f"entity in {content[:80]!r}"
    assert not re.match(r"^(?:[-+=]|\d+[.)])", content), f"block starter in {content[:80]!r}"


def skeleton(markdown: str) -> list[str]:
    return [STRUCTURE.match(line).group(0) if line else "" for line in markdown.split("\n")]  # type: ignore[union-attr]


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_markdown_keeps_hostile_text_as_text(name: str) -> None:
    payload = PAYLOADS[name]
    markdown = render_markdown(hostile_weeknote(payload))
    assert_no_raw_controls(markdown)

    # Same shape as a harmless weeknote: user text never adds a heading or a list item. (The director's
    # note keeps its line breaks as paragraphs, so the harmless text has the same line breaks.)
    lines = clean_text(payload).split("\n")
    harmless = render_markdown(hostile_weeknote("\n".join("plain words" if x.strip() else "" for x in lines)))
    assert skeleton(markdown) == skeleton(harmless)

    # Each line shows the whole payload, or one line of it (the director's note), or the exports' own words.
    expected = {clean_line(payload)} | {line.strip() for line in lines if line.strip()}
    for line in markdown.split("\n"):
        prefix = STRUCTURE.match(line).group(0)  # type: ignore[union-attr]
        content = line[len(prefix) :]
        if prefix == "*":
            content = content[:-1]
        if not content:
            continue
        assert_fully_escaped(content)
        shown = unescape(content)
        assert any(text in shown for text in expected) or shown.startswith(
            ("Not in", "At a glance", "Director", "This week")
        )


def test_escape_markdown_examples() -> None:
    assert escape_markdown("[x](javascript:alert(1))") == "\\[x\\](javascript:alert(1))"
    assert escape_markdown("![img](x.png)") == "!\\[img\\](x.png)"
    assert escape_markdown("# Heading") == "\\# Heading"
    assert escape_markdown("- item") == "\\- item"
    assert escape_markdown("2026. A year") == "2026\\. A year"
    assert escape_markdown("follow-up at 10:00 (from 1,200 to 1,350 users)") == (
        "follow-up at 10:00 (from 1,200 to 1,350 users)"
    )
    assert escape_markdown("R&D &amp; more") == "R&D \\&amp; more"
    assert escape_markdown("{{ x }}") == "\\{\\{ x \\}\\}"
    assert escape_markdown("⚠️ Risks") == "⚠️ Risks"
    assert escape_markdown("line one\nline two") == "line one line two"


# --- JSON ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_json_keeps_hostile_text_as_data(name: str) -> None:
    payload = PAYLOADS[name]
    text = render_json(hostile_weeknote(payload))
    assert_no_raw_controls(text)
    document = json.loads(text)
    jsonschema.validate(document, JSON_SCHEMA)
    assert document["organisation"] == clean_line(payload)
    assert document["director"]["note"] == clean_text(payload).strip()
    assert document["sections"][0]["parts"][0]["items"][0]["children"][0]["text"] == clean_line(payload)


# --- through compile ----------------------------------------------------------------------------------


def test_hostile_answers_through_compile_and_every_export() -> None:
    pm = Person(
        "pm@example.org", PAYLOADS["script"], PAYLOADS["attribute breakout"], frozenset({Role.DIRECTOR})
    )
    projects = [
        Project(f"p-{t.value}", PAYLOADS["markdown js link"], pm.email, t, order=i)
        for i, t in enumerate(Template)
    ]
    text = "\n".join(
        PAYLOADS[name] for name in ("script", "markdown image", "heading", "template", "control characters")
    )
    answers = {
        field: text
        for field in ("status_reason", "overview", "achievements", "outcomes", "summary", "update")
    }
    updates = [
        Update("2026-W15", p.project_id, UpdateState.SUBMITTED, Rag.RED, answers=answers) for p in projects
    ]
    weeknote = compile_weeknote(
        organisation=Organisation(name=PAYLOADS["iframe"]),
        edition=Edition("2026-W15", director_note=text, highlights=text),
        people=[pm],
        projects=projects,
        updates=updates,
        previous_updates=[],
    )
    page = render_html(weeknote)
    recorder = parse(page)
    assert {tag for tag, _ in recorder.tags} <= ALLOWED_TAGS
    assert_no_raw_controls(page)
    markdown = render_markdown(weeknote)
    assert_no_raw_controls(markdown)
    assert re.search(r"(?<!\\)\]\(javascript", markdown) is None
    assert "\\[x\\](javascript:alert(1))" in markdown
    assert "\n# " not in markdown.split("\n", 1)[1]
    json.loads(render_json(weeknote))
