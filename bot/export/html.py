"""The weeknote as one self-contained HTML5 page, styled like a blog post.

Safety, by construction rather than by filtering:

- every piece of weeknote text is user text here: control characters are removed (:mod:`bot.export.text`)
  and the rest goes through ``html.escape(..., quote=True)``;
- user text only ever lands in element content, never in an attribute name, an ``href``/``src`` or a URL:
  the page has no links, images or scripts at all, and the only attribute values are this module's
  constants;
- a strict Content-Security-Policy (``default-src 'none'; style-src 'unsafe-inline'``) is the page's first
  ``<meta>`` after the charset, so even a mistake here could not load or run anything; the inline
  stylesheet is the only thing it allows.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from bot.domain.models import Template
from bot.domain.weeknote import Absence, Item, Part, Section, Weeknote
from bot.export.text import clean_line, clean_text
from bot.export.words import (
    ABSENCES_TITLE,
    DIRECTOR_TITLE,
    GLANCE_TITLE,
    HIGHLIGHTS_TITLE,
    absence_text,
    glance_text,
    weeknote_title,
)

CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'"

_STYLE = """
:root { color-scheme: light; }
body { margin: 0; background: #f4f4f2; color: #1f2328;
  font: 17px/1.6 "Segoe UI", system-ui, -apple-system, "Helvetica Neue", Arial, sans-serif,
    "Segoe UI Emoji", "Apple Color Emoji", "Noto Color Emoji"; }
main { max-width: 46rem; margin: 2rem auto; padding: 2.5rem 3rem; background: #fff;
  border-radius: 6px; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.08); }
header { border-bottom: 3px solid #5b5fc7; margin-bottom: 2rem; }
header p.organisation { margin: 0; color: #5b5fc7; font-weight: 600; letter-spacing: 0.02em; }
h1 { font-size: 2rem; line-height: 1.25; margin: 0.25rem 0 1rem; }
h2 { font-size: 1.45rem; margin: 2.5rem 0 0.25rem; }
h3 { font-size: 1.1rem; margin: 1.5rem 0 0.5rem; }
p.byline { margin: 0 0 1rem; color: #57606a; font-style: italic; }
p.status { font-weight: 600; }
ul { padding-left: 1.4rem; }
li { margin: 0.2rem 0; }
li > ul { margin: 0.2rem 0; }
section { overflow-wrap: anywhere; }
section.absences { color: #57606a; }
footer { margin-top: 3rem; color: #57606a; font-size: 0.85rem; border-top: 1px solid #d0d7de;
  padding-top: 1rem; }
@media (max-width: 40rem) { main { margin: 0; padding: 1.25rem; border-radius: 0; } }
"""


def text(value: str) -> str:
    """Escapes user text for element content, on one line (control characters removed).

    Args:
        value: Any user text.

    Returns:
        HTML-escaped text, quotes included.
    """
    return html.escape(clean_line(value), quote=True)


def render_html(weeknote: Weeknote) -> str:
    """Renders a weeknote as a complete HTML5 page with inline CSS and no external resources.

    Args:
        weeknote: The compiled weeknote.

    Returns:
        The page, ending with one newline.
    """
    title = text(weeknote_title(weeknote))
    body: list[str] = ["<header>"]
    if weeknote.organisation.strip():
        body.append(f'<p class="organisation">{text(weeknote.organisation)}</p>')
    heading = weeknote.label.strip() or "Weeknote"
    body.append(f"<h1>{text(heading[:1].upper() + heading[1:])}</h1>")
    body.append("</header>")
    body.extend(_director(weeknote))
    if weeknote.rag_overview:
        body.append('<section class="glance">')
        body.append(f"<h2>{text(GLANCE_TITLE)}</h2>")
        body.append(_list(Item(glance_text(t, rag, marker)) for t, rag, marker in weeknote.rag_overview))
        body.append("</section>")
    for section in weeknote.sections:
        body.extend(_section(section))
    if weeknote.absences:
        body.extend(_absences(weeknote.absences))
    body.append(f"<footer>{text('Compiled by Weeknotes for ' + weeknote.week)}</footer>")
    content = "\n".join(body)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en-GB">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n"
        f"<style>{_STYLE}</style>\n"
        "</head>\n"
        "<body>\n"
        "<main>\n"
        f"{content}\n"
        "</main>\n"
        "</body>\n"
        "</html>\n"
    )


def _director(weeknote: Weeknote) -> list[str]:
    if not (weeknote.director_name or weeknote.director_note or weeknote.highlights):
        return []
    out = ['<section class="director">', f"<h2>{text(DIRECTOR_TITLE)}</h2>"]
    byline = ", ".join(part for part in (weeknote.director_name, weeknote.director_title) if part.strip())
    if byline:
        out.append(f'<p class="byline">{text(byline)}</p>')
    out.extend(
        f"<p>{text(line)}</p>" for line in clean_text(weeknote.director_note).split("\n") if line.strip()
    )
    if weeknote.highlights:
        out.append(f"<h3>{text(HIGHLIGHTS_TITLE)}</h3>")
        out.append(_list(weeknote.highlights))
    out.append("</section>")
    return out


def _section(section: Section) -> list[str]:
    out = [f'<section class="project {section.template.value}">', f"<h2>{text(section.title)}</h2>"]
    if section.author_line.strip():
        out.append(f'<p class="byline">{text(section.author_line)}</p>')
    if section.status_line and section.template is not Template.FULL:
        # The full template shows its overall status inside "Current status", as the reference does.
        out.append(f'<p class="status">{text(section.status_line)}</p>')
    for part in section.parts:
        out.extend(_part(part))
    out.append("</section>")
    return out


def _part(part: Part) -> list[str]:
    out: list[str] = []
    heading = " ".join(value for value in (part.emoji, part.title) if value)
    if heading:
        out.append(f"<h3>{text(heading)}</h3>")
    out.extend(f"<p>{text(paragraph)}</p>" for paragraph in part.paragraphs if paragraph.strip())
    if part.items:
        out.append(_list(part.items))
    return out


def _list(items: Iterable[Item]) -> str:
    entries: list[str] = []
    for item in items:
        children = _list(item.children) if item.children else ""
        entries.append(f"<li>{text(item.text)}{children}</li>")
    return "<ul>" + "".join(entries) + "</ul>"


def _absences(absences: Sequence[Absence]) -> list[str]:
    return [
        '<section class="absences">',
        f"<h2>{text(ABSENCES_TITLE)}</h2>",
        _list(Item(absence_text(absence)) for absence in absences),
        "</section>",
    ]
