"""Checkov over infra/ (Bicep and ARM), offline: every failed check is fixed, or suppressed with a reason.

Checkov lives in its own virtual environment (its pinned dependencies clash with ours) and runs in a
subprocess, which the offline fixture of conftest.py cannot see. It is kept offline three ways:
``--skip-download`` and ``BC_SKIP_MAPPING`` stop it fetching policy metadata from the Prisma Cloud API,
``CKV_SKIP_PACKAGE_UPDATE_CHECK`` stops it asking PyPI for a newer version, and it runs behind a socket
guard that refuses, and reports, any connection or name lookup beyond loopback.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
SUPPRESSIONS = INFRA / "checkov-suppressions.yaml"
CHECKOV_VERSION = "3.3.30"
CHECKOV_PYTHON = ROOT / ".venv-checkov" / "bin" / "python"
INSTALL = (
    "python3 -m venv .venv-checkov && echo '*' > .venv-checkov/.gitignore && "
    f".venv-checkov/bin/pip install --disable-pip-version-check checkov=={CHECKOV_VERSION}"
)
NETWORK_ATTEMPT = "CHECKOV-NETWORK-ATTEMPT"

# Runs inside Checkov's interpreter: refuse (and report) anything beyond loopback, then run Checkov's CLI.
_GUARDED_CHECKOV = f"""
import ipaddress, socket, sys, warnings

def _local(host):
    try:
        return ipaddress.ip_address(str(host).split('%')[0]).is_loopback
    except ValueError:
        return str(host) in ('localhost', '')

def _refuse(what):
    sys.stderr.write('{NETWORK_ATTEMPT} ' + what + '\\n')
    raise OSError('checkov must stay offline: ' + what)

_connect, _getaddrinfo = socket.socket.connect, socket.getaddrinfo

def connect(self, address):
    if isinstance(address, tuple) and not _local(address[0]):
        _refuse('connect ' + repr(address))
    return _connect(self, address)

def getaddrinfo(host, *args, **kwargs):
    if host is not None and not _local(host):
        _refuse('resolve ' + repr(host))
    return _getaddrinfo(host, *args, **kwargs)

socket.socket.connect, socket.getaddrinfo = connect, getaddrinfo
from checkov.main import Checkov
sys.argv = ['checkov', *sys.argv[1:]]
with warnings.catch_warnings():
    warnings.simplefilter('ignore', category=SyntaxWarning)
    sys.exit(Checkov().run())
"""


def run_checkov(directory: Path) -> tuple[list[dict[str, Any]], str]:
    """Checkov's JSON reports (one per framework that found files) for ``directory``, and its stderr."""
    if not CHECKOV_PYTHON.exists():
        pytest.fail(f"Checkov is not installed. From {ROOT}, run:\n  {INSTALL}", pytrace=False)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BC_", "PRISMA_", "CKV_", "CHECKOV_"))
        and key not in {"HTTP_PROXY", "HTTPS_PROXY"}
    }
    env |= {"BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true", "LOG_LEVEL": "WARNING"}
    result = subprocess.run(
        [
            *(str(CHECKOV_PYTHON), "-c", _GUARDED_CHECKOV, "--directory", str(directory)),
            *("--framework", "bicep", "arm", "--skip-download", "--output", "json", "--soft-fail"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=directory,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert NETWORK_ATTEMPT not in result.stderr, result.stderr[-4000:]
    report = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    return [r for r in reports if "results" in r], result.stderr


def failures(reports: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Failed check id -> the resources (``file: resource``) it failed on."""
    found: dict[str, list[str]] = {}
    for report in reports:
        for check in report["results"]["failed_checks"]:
            found.setdefault(check["check_id"], []).append(f"{check['file_path']}: {check['resource']}")
    return found


def load_suppressions() -> dict[str, str]:
    suppressions = yaml.safe_load(SUPPRESSIONS.read_text(encoding="utf-8")) or {}
    assert isinstance(suppressions, dict), f"{SUPPRESSIONS.name} must map check ids to reasons"
    for check_id, reason in suppressions.items():
        assert re.fullmatch(r"CKV2?_[A-Z]+_\d+", str(check_id)), f"{check_id!r} is not a Checkov check id"
        assert isinstance(reason, str), f"{check_id}: give the reason as text"
        assert len(reason.split()) >= 8, f"{check_id}: say why it is acceptable, in a sentence or two"
    return {str(key): str(value) for key, value in suppressions.items()}


@pytest.fixture(scope="module")
def infra_reports() -> list[dict[str, Any]]:
    reports, _ = run_checkov(INFRA)
    return reports


@pytest.mark.slow
def test_checkov_is_the_pinned_version() -> None:
    if not CHECKOV_PYTHON.exists():
        pytest.fail(f"Checkov is not installed. From {ROOT}, run:\n  {INSTALL}", pytrace=False)
    result = subprocess.run(
        [str(CHECKOV_PYTHON), "-c", "from checkov.version import version; print(version)"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip() == CHECKOV_VERSION, f"reinstall with:\n  {INSTALL}"


@pytest.mark.slow
def test_every_bicep_file_parses_and_is_checked(infra_reports: list[dict[str, Any]]) -> None:
    (bicep,) = [r for r in infra_reports if r["check_type"] == "bicep"]

    assert bicep["results"]["parsing_errors"] == []
    assert bicep["summary"]["passed"] >= 25
    checked = {c["file_path"] for c in bicep["results"]["passed_checks"] + bicep["results"]["failed_checks"]}
    assert {
        "/main.bicep",
        "/modules/webapp.bicep",
        "/modules/storage.bicep",
        "/modules/keyvault.bicep",
    } <= checked


@pytest.mark.slow
def test_every_failed_check_is_suppressed_with_a_reason(infra_reports: list[dict[str, Any]]) -> None:
    unexplained = {
        check_id: where
        for check_id, where in failures(infra_reports).items()
        if check_id not in load_suppressions()
    }

    assert not unexplained, (
        "Checkov failed checks with no reason in infra/checkov-suppressions.yaml; fix the template, or add "
        "'<id>: <why it is acceptable>':\n" + json.dumps(unexplained, indent=2)
    )


@pytest.mark.slow
def test_no_suppression_outlives_its_finding(infra_reports: list[dict[str, Any]]) -> None:
    stale = set(load_suppressions()) - set(failures(infra_reports))

    assert not stale, f"these checks pass now: remove them from {SUPPRESSIONS.name}: {sorted(stale)}"


@pytest.mark.slow
def test_checkov_catches_an_insecure_or_unreadable_template(tmp_path: Path) -> None:
    (tmp_path / "weak.bicep").write_text(
        "resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {\n"
        "  name: 'stweak'\n  location: 'uksouth'\n  kind: 'StorageV2'\n  sku: { name: 'Standard_LRS' }\n"
        "  properties: { minimumTlsVersion: 'TLS1_0' }\n}\n",
        encoding="utf-8",
    )
    (tmp_path / "broken.bicep").write_text("resource x 'A/b@2020-01-01' = {\n  name: 'x'\n", encoding="utf-8")

    reports, _ = run_checkov(tmp_path)

    assert "CKV_AZURE_44" in failures(reports)  # minimum TLS version
    (bicep,) = reports
    assert [Path(p).name for p in bicep["results"]["parsing_errors"]] == ["broken.bicep"]
