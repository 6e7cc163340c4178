"""Golden files: every sample card, built from the fixtures, is exactly what is stored under ``golden/``.

Run with ``UPDATE_GOLDEN=1`` to rewrite the files after a deliberate change, then review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.support.card_samples import SAMPLE_NAMES, sample_builders

GOLDEN = Path(__file__).with_name("golden")


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_card_matches_golden_file(name: str) -> None:
    built = sample_builders()[name]()
    path = GOLDEN / f"{name}.json"
    text = json.dumps(built, ensure_ascii=False, indent=2) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path.name} is missing: run with UPDATE_GOLDEN=1 and review the new file"
    assert json.loads(path.read_text(encoding="utf-8")) == built, (
        f"{name} differs from {path.name}: if that is meant, run with UPDATE_GOLDEN=1 and review the diff"
    )


def test_no_stale_golden_files() -> None:
    stored = {path.stem for path in GOLDEN.glob("*.json")}
    assert stored == set(SAMPLE_NAMES)
