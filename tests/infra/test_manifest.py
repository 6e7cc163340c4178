"""The Teams app package: a manifest valid against Microsoft's schema (checked offline), icons, the zip."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.package import (
    ICON_SIZES,
    TEAMS_DIR,
    PackageError,
    build_package,
    check_icon,
    draw_icons,
    png_header,
    render_manifest,
)

ROOT = Path(__file__).resolve().parents[2]
VALIDATOR = TEAMS_DIR / "validate-manifest.js"
APP_ID = "6c1e0b5a-1d2e-4f30-8a4b-5c6d7e8f9a0b"


def validate_all(manifests: dict[str, dict[str, Any]], workdir: Path) -> dict[str, list[str]]:
    """Errors from Microsoft's bundled JSON schema for each manifest's version (empty when valid).

    One Node process checks them all: it takes a second or two to start.
    """
    node = shutil.which("node")
    assert node, "Node.js is needed to validate the manifest: install nodejs, then run scripts/bootstrap"
    assert (ROOT / "node_modules" / "@microsoft" / "app-manifest").is_dir(), "run scripts/bootstrap (npm ci)"
    files = {}
    for name, manifest in manifests.items():
        files[name] = workdir / f"{name}.json"
        files[name].write_text(json.dumps(manifest), encoding="utf-8")
    result = subprocess.run(
        [node, str(VALIDATOR), *map(str, files.values())], capture_output=True, text=True, timeout=120
    )
    assert result.returncode in (0, 1), result.stderr + result.stdout
    report: dict[str, list[str]] = json.loads(result.stdout)
    return {name: report[str(path)] for name, path in files.items()}


def _broken(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    manifest = render_manifest(APP_ID)
    change(manifest)
    return manifest


# A wrong field in the manifest, and words the validator's complaint must contain.
BROKEN = {
    "unknown-field": (
        _broken(lambda m: m.update(botName="Weeknotes")),
        "must NOT have additional properties",
    ),
    "bad-scope": (_broken(lambda m: m["bots"][0].update(scopes=["everywhere"])), "/bots/0/scopes/0"),
    "long-name": (_broken(lambda m: m["name"].update(short="W" * 31)), "/name/short"),
    "no-colour": (_broken(lambda m: m.pop("accentColor")), "must have required property 'accentColor'"),
    "not-https": (
        _broken(lambda m: m["developer"].update(privacyUrl="ftp://example.org")),
        "/developer/privacyUrl",
    ),
    "rsc-type": (
        _broken(lambda m: m["authorization"]["permissions"]["resourceSpecific"][0].update(type="Always")),
        "/authorization/permissions/resourceSpecific/0/type",
    ),
    "bad-guid": (_broken(lambda m: m.update(id="weeknotes")), "/id must match pattern"),
}


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """What the schema says of the template, the filled manifest, the one in a built zip, and broken ones."""
    workdir = tmp_path_factory.mktemp("manifests")
    with zipfile.ZipFile(
        build_package(APP_ID, workdir, bot_domain="weeknotes-prod.azurewebsites.net")
    ) as archive:
        zipped = json.loads(archive.read("manifest.json"))
    manifests = {
        "template": json.loads((TEAMS_DIR / "manifest.json").read_text(encoding="utf-8")),
        "filled": render_manifest(APP_ID, bot_domain="weeknotes-prod.azurewebsites.net"),
        "zipped": zipped,
        **{name: manifest for name, (manifest, _) in BROKEN.items()},
    }
    return validate_all(manifests, workdir)


def read_png(data: bytes) -> list[list[tuple[int, int, int, int]]]:
    """The pixels of an 8-bit RGBA PNG with unfiltered rows (as draw_icons writes them)."""
    width, height, colour_type = png_header(data)
    assert colour_type == 6
    position, idat = 8, b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        if kind == b"IDAT":
            idat += data[position + 8 : position + 8 + length]
        position += 12 + length
    raw = zlib.decompress(idat)
    stride = width * 4 + 1
    rows = []
    for row in range(height):
        line = raw[row * stride : (row + 1) * stride]
        assert line[0] == 0, "only unfiltered rows are expected"
        rows.append([(line[i], line[i + 1], line[i + 2], line[i + 3]) for i in range(1, stride, 4)])
    return rows


# -- the manifest -------------------------------------------------------------------------------------------


def test_the_filled_manifest_is_valid(verdicts: dict[str, list[str]]) -> None:
    assert verdicts["filled"] == []


def test_the_manifest_inside_the_zip_is_valid(verdicts: dict[str, list[str]]) -> None:
    assert verdicts["zipped"] == []


def test_the_template_is_only_invalid_where_its_placeholders_are(verdicts: dict[str, list[str]]) -> None:
    paths = sorted(error.split(" ")[0] for error in verdicts["template"])

    assert paths == ["/bots/0/botId", "/id", "/webApplicationInfo/id"]


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_wrong_field_fails_validation(verdicts: dict[str, list[str]], case: str) -> None:
    _, complaint = BROKEN[case]

    assert any(complaint in error for error in verdicts[case]), verdicts[case]


def test_the_validator_refuses_a_version_it_has_no_schema_for() -> None:
    result = subprocess.run(
        ["node", str(VALIDATOR), "-"], input='{"manifestVersion": "0.9"}', capture_output=True, text=True
    )

    assert result.returncode == 2
    assert "no bundled schema" in result.stdout


def test_the_manifest_says_what_the_bot_needs() -> None:
    manifest = render_manifest(APP_ID, bot_domain="https://Weeknotes-Prod.azurewebsites.net/api/messages")

    (bot,) = manifest["bots"]
    assert manifest["id"] == bot["botId"] == manifest["webApplicationInfo"]["id"] == APP_ID
    assert set(bot["scopes"]) == {"personal", "team"}
    (commands,) = bot["commandLists"]
    assert commands["scopes"] == ["personal"]
    assert [c["title"] for c in commands["commands"]] == ["update", "status", "skip", "help", "projects"]
    assert manifest["authorization"]["permissions"]["resourceSpecific"] == [
        {"name": "ChannelMessage.Read.Group", "type": "Application"}
    ]
    assert manifest["validDomains"] == ["weeknotes-prod.azurewebsites.net"]
    assert int(manifest["manifestVersion"].split(".")[1]) >= 19


def test_without_a_domain_valid_domains_is_empty() -> None:
    assert render_manifest(APP_ID)["validDomains"] == []


@pytest.mark.parametrize("app_id", ["", "not-a-guid", APP_ID + "0", "${{APP_ID}}"])
def test_a_bad_app_id_is_refused(app_id: str) -> None:
    with pytest.raises(PackageError, match="not a GUID"):
        render_manifest(app_id)


@pytest.mark.parametrize("domain", ["localhost", "bad domain.net", "-x.azurewebsites.net", "a.b/../c d"])
def test_a_bad_domain_is_refused(domain: str) -> None:
    with pytest.raises(PackageError, match="not a host name"):
        render_manifest(APP_ID, bot_domain=domain)


# -- icons --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "size"), sorted(ICON_SIZES.items()))
def test_icons_have_the_sizes_teams_wants(name: str, size: int) -> None:
    data = (TEAMS_DIR / name).read_bytes()

    assert png_header(data)[:2] == (size, size)
    check_icon(name, data)


def test_the_outline_icon_is_white_on_transparent() -> None:
    pixels = [p for row in read_png((TEAMS_DIR / "outline.png").read_bytes()) for p in row]

    assert all(p[:3] == (255, 255, 255) for p in pixels if p[3])
    assert 0.2 < sum(1 for p in pixels if p[3] == 255) / len(pixels) < 0.6


def test_the_colour_icon_is_opaque() -> None:
    assert all(p[3] == 255 for row in read_png((TEAMS_DIR / "color.png").read_bytes()) for p in row)


def test_the_committed_icons_are_what_the_generator_draws(tmp_path: Path) -> None:
    for name, path in draw_icons(tmp_path).items():
        assert read_png(path.read_bytes()) == read_png((TEAMS_DIR / name).read_bytes()), name


def test_check_icon_refuses_wrong_sizes_and_non_pngs() -> None:
    with pytest.raises(PackageError, match="is 192x192; Teams needs 32x32"):
        check_icon("outline.png", (TEAMS_DIR / "color.png").read_bytes())
    with pytest.raises(PackageError, match="not a PNG"):
        check_icon("color.png", b"GIF89a" + bytes(40))


# -- the zip ------------------------------------------------------------------------------------------------


def test_the_package_is_ready_to_upload(tmp_path: Path) -> None:
    path = build_package(APP_ID, tmp_path, bot_domain="weeknotes-prod.azurewebsites.net")

    assert path == tmp_path / "weeknotes.zip"
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        icons = {name: archive.read(name) for name in ICON_SIZES}
    assert manifest == render_manifest(APP_ID, bot_domain="weeknotes-prod.azurewebsites.net")
    for name, size in ICON_SIZES.items():
        assert png_header(icons[name])[:2] == (size, size)
        assert manifest["icons"][name.removesuffix(".png")] == name


def test_the_same_inputs_give_the_same_bytes(tmp_path: Path) -> None:
    first = build_package(APP_ID, tmp_path / "a.zip").read_bytes()
    second = build_package(APP_ID.upper(), tmp_path / "b" / "b.zip").read_bytes()

    assert first == second
