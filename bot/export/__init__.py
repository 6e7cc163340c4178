"""Exports of a compiled weeknote: Markdown, HTML and JSON, and writing them to files.

Renderers are pure (``Weeknote -> str``); :func:`write_export` is the only function here that touches the
file system.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from bot.domain.weeknote import Weeknote
from bot.export.html import render_html
from bot.export.jsonout import render_json
from bot.export.markdown import render_markdown

Renderer = Callable[[Weeknote], str]

FORMATS: dict[str, tuple[Renderer, str]] = {
    "markdown": (render_markdown, "md"),
    "html": (render_html, "html"),
    "json": (render_json, "json"),
}
"""Each export format: its renderer and file extension."""

__all__ = [
    "FORMATS",
    "export_filename",
    "render",
    "render_html",
    "render_json",
    "render_markdown",
    "write_export",
]


def render(weeknote: Weeknote, fmt: str) -> str:
    """Renders a weeknote in a named format.

    Args:
        weeknote: The compiled weeknote.
        fmt: ``markdown``, ``html`` or ``json``.

    Returns:
        The document.

    Raises:
        ValueError: ``fmt`` is not one of :data:`FORMATS`.
    """
    return _renderer(fmt)[0](weeknote)


def export_filename(weeknote: Weeknote, fmt: str) -> str:
    """The file name an export is written as: ``weeknote-2026-W15.md``.

    Raises:
        ValueError: ``fmt`` is not one of :data:`FORMATS`.
    """
    week = "".join(ch for ch in weeknote.week if ch.isascii() and (ch.isalnum() or ch == "-")) or "unknown"
    return f"weeknote-{week}.{_renderer(fmt)[1]}"


def write_export(weeknote: Weeknote, destination: Path, fmt: str) -> Path:
    """Writes a weeknote export as UTF-8, atomically (a reader never sees half a file).

    Args:
        weeknote: The compiled weeknote.
        destination: A directory (the file is named by :func:`export_filename`) or a file path.
        fmt: ``markdown``, ``html`` or ``json``.

    Returns:
        The path written.

    Raises:
        ValueError: ``fmt`` is not one of :data:`FORMATS`.
        OSError: The file could not be written.
    """
    content = render(weeknote, fmt)
    path = destination / export_filename(weeknote, fmt) if destination.is_dir() else destination
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file private (0600); an export is a document meant to be read and shared.
        os.chmod(temporary, 0o644)
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _renderer(fmt: str) -> tuple[Renderer, str]:
    try:
        return FORMATS[fmt.lower()]
    except KeyError:
        raise ValueError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}") from None
