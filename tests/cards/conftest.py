"""Fixtures for the card tests: one headless Chromium with the Adaptive Cards renderer for the session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.render import CardRenderer, RendererMissingError, card_renderer, check_renderer_present


@pytest.fixture(scope="session")
def renderer() -> Iterator[CardRenderer]:
    """The renderer page, launched once; a missing Chromium fails the tests (they are never skipped)."""
    try:
        check_renderer_present()
    except RendererMissingError as error:
        pytest.fail(str(error), pytrace=False)
    with card_renderer() as launched:
        yield launched
