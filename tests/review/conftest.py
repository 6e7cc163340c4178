"""Fixtures for the review scenarios: a measuring connector, the seeded organisation, the card renderer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.review.support import MeasuringConnector
from tests.support.botserver import BotServer
from tests.support.connector import FakeConnector
from tests.support.org import seed
from tests.support.render import CardRenderer, RendererMissingError, card_renderer, check_renderer_present


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    """The recording fake connector, also measuring the raw size of every request body."""
    fake = MeasuringConnector()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def org(bot: BotServer) -> BotServer:
    """The bot with the small organisation seeded (director, two PMs, four projects, a channel)."""
    await seed(bot.services.store, bot.connector)
    return bot


@pytest.fixture(scope="session")
def renderer() -> Iterator[CardRenderer]:
    """Headless Chromium with the adaptivecards renderer; a missing Chromium fails (never skips)."""
    try:
        check_renderer_present()
    except RendererMissingError as error:
        pytest.fail(str(error), pytrace=False)
    with card_renderer() as launched:
        yield launched
