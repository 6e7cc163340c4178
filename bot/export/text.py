"""Cleaning user text before any renderer sees it: no control characters ever reach an export raw.

Removed: C0 and C1 control characters (null bytes included), DEL, lone surrogates (which cannot be written
as UTF-8), the byte-order mark and the bidirectional embedding/override/isolate controls that can make text
read differently from how it is stored ("Trojan Source"). Line breaks and tabs become a single space where a
renderer needs one line. Joiners and variation selectors stay, so emoji such as ⚠️ and 🏳️‍🌈 survive.
"""

from __future__ import annotations

import re

# Every C0/C1 control but the line feed, DEL, lone surrogates, bidi embeddings/overrides/isolates and BOM.
_HAZARDS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\ufeff]")
_BREAKS = re.compile("\r\n|[\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_LINE_BREAKS = re.compile("[\t\n\v\f\r\x1c\x1d\x1e\x85\u2028\u2029]+")


def clean_text(text: str) -> str:
    """Removes control characters, keeping line breaks (as ``\\n``) and tabs (as a space).

    Args:
        text: Any user text.

    Returns:
        The text with ``\\r\\n`` and other line breaks as ``\\n`` and no other control characters.
    """
    text = _BREAKS.sub("\n", text).replace("\t", " ")
    return _HAZARDS.sub("", text)


def clean_line(text: str) -> str:
    """Like :func:`clean_text`, but on one line: every run of line breaks and tabs becomes one space.

    Args:
        text: Any user text.

    Returns:
        The text on a single line, without control characters, stripped.
    """
    return clean_text(_LINE_BREAKS.sub(" ", text)).strip()
