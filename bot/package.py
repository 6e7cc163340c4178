"""The Teams app package: ``manifest.json`` (ids filled in), ``color.png`` and ``outline.png``, zipped.

The manifest in ``infra/teams`` is a template with three placeholders, filled in at packaging:
``${{APP_ID}}`` (the bot's Microsoft Entra app id), ``${{APP_VERSION}}`` (this package's version, so each
release can replace the last in the Teams catalogue) and ``${{BOT_DOMAIN}}`` (the web app's host name, for
``validDomains``; left out when not given). The icons are drawn by :func:`draw_icons` with the standard
library alone and committed; ``python -m bot.package icons`` redraws them.
"""

from __future__ import annotations

import json
import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from bot.errors import WeeknotesError

TEAMS_DIR = Path(__file__).resolve().parents[1] / "infra" / "teams"
ICON_SIZES = {"color.png": 192, "outline.png": 32}
PACKAGE_NAME = "weeknotes.zip"

_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_HOST = re.compile(r"^(?=.{1,253}$)(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_PLACEHOLDER = re.compile(r"\$\{\{([A-Z_]+)\}\}")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ZIP_TIME = (2024, 1, 1, 0, 0, 0)  # fixed, so the same inputs always give the same bytes


class PackageError(WeeknotesError):
    """The app package cannot be built; the message says which input is wrong."""


def build_package(app_id: str, out: Path, *, bot_domain: str | None = None) -> Path:
    """Build the zip to upload to Teams (Teams admin centre, or Apps > Manage your apps > Upload).

    Args:
        app_id: the bot's Microsoft Entra application (client) id, a GUID.
        out: the zip to write, or an existing directory to write ``weeknotes.zip`` into.
        bot_domain: the host name the bot is served from (``weeknotes.azurewebsites.net``), for
            ``validDomains``; a URL is accepted and reduced to its host.

    Returns:
        The path of the zip written.

    Raises:
        PackageError: naming the bad argument, or what is wrong with the manifest or an icon.
    """
    manifest = render_manifest(app_id, bot_domain=bot_domain)
    icons = {name: (TEAMS_DIR / name).read_bytes() for name in ICON_SIZES}
    for name, data in icons.items():
        check_icon(name, data)
    target = out / PACKAGE_NAME if out.is_dir() else out
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _add(archive, "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False).encode() + b"\n")
        for name, data in icons.items():
            _add(archive, name, data)
    return target


def render_manifest(
    app_id: str, *, bot_domain: str | None = None, version: str | None = None
) -> dict[str, Any]:
    """The manifest template with its placeholders filled in, checked for what the schema cannot see.

    Raises:
        PackageError: if the app id is not a GUID, the domain is not a host name, or a placeholder is left.
    """
    app_id = app_id.strip()
    if not _GUID.match(app_id):
        raise PackageError(
            f"The app id {app_id!r} is not a GUID; use the bot's Microsoft Entra application id."
        )
    host = _host(bot_domain) if bot_domain else None
    values = {"APP_ID": app_id.lower(), "APP_VERSION": version or _version()}
    template = TEAMS_DIR / "manifest.json"
    if not template.is_file():
        raise PackageError(
            f"The manifest template {template} is missing; package from a checkout of Weeknotes."
        )
    manifest = json.loads(template.read_text(encoding="utf-8"))
    manifest["validDomains"] = [
        entry for entry in manifest.get("validDomains", []) if entry != "${{BOT_DOMAIN}}"
    ]
    if host:
        manifest["validDomains"].insert(0, host)
    filled = _fill(manifest, values)
    left = sorted(set(_PLACEHOLDER.findall(json.dumps(filled))))
    if left:
        raise PackageError(f"The manifest template has placeholders nobody fills in: {', '.join(left)}.")
    return dict(filled)


def check_icon(name: str, data: bytes) -> None:
    """Check that ``data`` is an RGBA PNG of the size Teams wants for ``name`` (192 or 32 pixels square).

    Raises:
        PackageError: if it is not a PNG, or has the wrong size or colour type.
    """
    size = ICON_SIZES[name]
    width, height, colour_type = png_header(data, name)
    if (width, height) != (size, size):
        raise PackageError(f"{name} is {width}x{height}; Teams needs {size}x{size}.")
    if name == "outline.png" and colour_type != 6:
        raise PackageError("outline.png must have an alpha channel (white on transparent).")


def png_header(data: bytes, name: str = "image") -> tuple[int, int, int]:
    """Width, height and colour type from a PNG's IHDR chunk.

    Raises:
        PackageError: if ``data`` does not start like a PNG.
    """
    if len(data) < 26 or data[:8] != _PNG_SIGNATURE or data[12:16] != b"IHDR":
        raise PackageError(f"{name} is not a PNG image.")
    width, height, _depth, colour_type = struct.unpack(">IIBB", data[16:26])
    return width, height, colour_type


def _host(domain: str) -> str:
    host = re.sub(r"^[a-z]+://", "", domain.strip().lower()).split("/", 1)[0]
    if not _HOST.match(host):
        raise PackageError(
            f"The bot domain {domain!r} is not a host name such as weeknotes.azurewebsites.net."
        )
    return host


def _version() -> str:
    try:
        return metadata.version("weeknotes")
    except metadata.PackageNotFoundError:
        return "1.0.0"


def _fill(value: Any, values: dict[str, str]) -> Any:
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda match: values.get(match[1], match[0]), value)
    if isinstance(value, list):
        return [_fill(item, values) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, values) for key, item in value.items()}
    return value


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


# -- icons ---------------------------------------------------------------------------------------------------

Rgba = tuple[int, int, int, int]
Shape = Callable[[float, float], bool]  # does the point (x, y), both in 0..1 from the top left, belong to it?

_BLUE: Rgba = (29, 112, 184, 255)
_WHITE: Rgba = (255, 255, 255, 255)
_PALE_BLUE: Rgba = (187, 214, 238, 255)
_SUPERSAMPLE = 4


def draw_icons(directory: Path = TEAMS_DIR) -> dict[str, Path]:
    """Draw ``color.png`` (a page of notes, white on blue) and ``outline.png`` (the page, white on clear).

    Returns:
        Each icon's file name and where it was written.
    """
    written = {}
    for name, size in ICON_SIZES.items():
        layers = _colour_layers() if name == "color.png" else _outline_layers()
        path = directory / name
        path.write_bytes(encode_png(size, size, list(_render(size, layers))))
        written[name] = path
    return written


def _colour_layers() -> list[tuple[Shape, Rgba]]:
    page = _page(52, 34, 140, 158, fold=26, unit=192)
    lines = [_rect(68, top, 124 if top < 115 else 104, top + 9, unit=192) for top in (80, 99, 118)]
    return [
        (lambda x, y: True, _BLUE),
        (page, _WHITE),
        (_fold(140, 34, 26, unit=192), _PALE_BLUE),
        *[(line, _BLUE) for line in lines],
    ]


def _outline_layers() -> list[tuple[Shape, Rgba]]:
    # Whole pixels, so that the 2-pixel strokes stay crisp at 32x32.
    outer = _page(5, 2, 27, 30, fold=9, unit=32)
    inner = _page(7, 4, 25, 28, fold=8.2, unit=32)  # its cut lies 2 pixels inside the outer cut
    lines = [_rect(10, top, 22 if top < 22 else 17, top + 2, unit=32) for top in (14, 18, 22)]

    def ring(x: float, y: float) -> bool:
        return outer(x, y) and not inner(x, y)

    return [(ring, _WHITE), (_fold(27, 2, 9, unit=32), _WHITE), *[(line, _WHITE) for line in lines]]


def _rect(left: float, top: float, right: float, bottom: float, *, unit: float) -> Shape:
    left, top, right, bottom = left / unit, top / unit, right / unit, bottom / unit
    return lambda x, y: left <= x <= right and top <= y <= bottom


def _page(left: float, top: float, right: float, bottom: float, *, fold: float, unit: float) -> Shape:
    """A rectangle whose top-right corner is cut off along a diagonal ``fold`` long on each side."""
    box = _rect(left, top, right, bottom, unit=unit)
    corner_x, top_y = (right - fold) / unit, top / unit
    return lambda x, y: box(x, y) and x - corner_x <= y - top_y


def _fold(right: float, top: float, fold: float, *, unit: float) -> Shape:
    """The dog-ear: the triangle under the cut, as if the corner were folded down onto the page."""
    corner_x, top_y, bottom_y = (right - fold) / unit, top / unit, (top + fold) / unit
    return lambda x, y: x >= corner_x and y <= bottom_y and x - corner_x <= y - top_y


def _render(size: int, layers: list[tuple[Shape, Rgba]]) -> Iterator[bytes]:
    """Rows of RGBA pixels, each the average of a few samples inside it (smooth edges)."""
    step = 1 / (size * _SUPERSAMPLE)
    samples = _SUPERSAMPLE * _SUPERSAMPLE
    for row in range(size):
        pixels = bytearray()
        for column in range(size):
            totals = [0, 0, 0, 0]
            for sy in range(_SUPERSAMPLE):
                for sx in range(_SUPERSAMPLE):
                    x = (column * _SUPERSAMPLE + sx + 0.5) * step
                    y = (row * _SUPERSAMPLE + sy + 0.5) * step
                    colour = next((c for shape, c in reversed(layers) if shape(x, y)), (0, 0, 0, 0))
                    for channel in range(3):
                        totals[channel] += colour[channel] * colour[3]
                    totals[3] += colour[3]
            alpha = totals[3] / samples
            rgb = [round(total / totals[3]) if totals[3] else 0 for total in totals[:3]]
            pixels += bytes([*rgb, round(alpha)])
        yield bytes(pixels)


def encode_png(width: int, height: int, rows: list[bytes]) -> bytes:
    """An 8-bit RGBA PNG from ``rows`` of ``width * 4`` bytes each."""
    if len(rows) != height or any(len(row) != width * 4 for row in rows):
        raise ValueError(f"expected {height} rows of {width * 4} bytes")
    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 (none) on every row

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        _PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    )


def main(argv: list[str]) -> int:
    """Command line: ``python -m bot.package APP_ID OUT [DOMAIN]``, or ``python -m bot.package icons``."""
    if argv[:1] == ["icons"]:
        for path in draw_icons().values():
            print(path)
        return 0
    if len(argv) not in (2, 3):
        print(main.__doc__, file=sys.stderr)
        return 2
    try:
        print(build_package(argv[0], Path(argv[1]), bot_domain=argv[2] if len(argv) == 3 else None))
    except PackageError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
