"""``weeknotes package``: the upload-ready Teams app zip, from the command line."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from bot.cli import main as weeknotes

APP_ID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"


def test_package_writes_the_zip_with_the_app_id_filled_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "weeknotes.zip"
    code = weeknotes(["package", "--app-id", APP_ID, "--out", str(out), "--domain", "wn.azurewebsites.net"])
    assert code == 0
    assert str(out) in capsys.readouterr().out
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["id"] == APP_ID and manifest["bots"][0]["botId"] == APP_ID
    assert "wn.azurewebsites.net" in manifest["validDomains"]


def test_package_into_a_folder_names_the_zip(tmp_path: Path) -> None:
    assert weeknotes(["package", "--app-id", APP_ID, "--out", str(tmp_path)]) == 0
    assert (tmp_path / "weeknotes.zip").is_file()


def test_a_bad_app_id_is_a_plain_error_and_no_zip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "weeknotes.zip"
    assert weeknotes(["package", "--app-id", "not-a-guid", "--out", str(out)]) == 1
    assert "is not a GUID" in capsys.readouterr().err
    assert not out.exists()


def test_the_app_id_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        weeknotes(["package"])
    assert stopped.value.code == 2
    assert "--app-id" in capsys.readouterr().err
