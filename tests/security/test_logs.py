"""No secret in any log line: a whole scenario logged at DEBUG, every record searched.

The secrets: the app password, every bearer token used (each inbound JWT minted for the scenario and the
outbound connector token) and the storage account key. Two checks, because there are two lines of defence:

1. our own code (``bot``, ``dialogs``, ``cards``) never puts a secret in a log record, even before redaction;
2. everything that reaches a log sink, from any library at DEBUG, has passed ``RedactingFilter``
   (installed on the root handler by ``bot.logs.configure_logging``, as ``weeknotes serve`` does).
"""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bot.logs import configure_logging
from tests.support.azurite import KEY
from tests.support.botserver import APP_PASSWORD, OUTBOUND_TOKEN, BotServer
from tests.support.org import FULL, OUTSIDER, PM_ONE, PM_TWO, TEAM, seed
from tests.support.teams import execute, install_personal, message

WEEK = "2026-W20"
OUR_CODE = ("bot", "dialogs", "cards")


class RawRecords(logging.Handler):
    """Keeps each record's text as logged, before any filter on a later handler rewrites it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.lines.append((record.name, text))


@pytest.fixture
def served_logging(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[BotServer], RawRecords]]:
    """Starts logging as ``weeknotes serve`` does, at DEBUG, with the raw records and caplog watching too.

    Called from the test body, so that the root handler writes to the standard error ``capsys`` captures.
    """
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level

    def start(bot: BotServer) -> RawRecords:
        raw = RawRecords()
        configure_logging(level="DEBUG", secrets=(bot.settings.app_password, bot.settings.storage))
        root.handlers.insert(0, raw)  # first: sees records before the redacting filter rewrites them
        root.addHandler(caplog.handler)  # last: sees what every sink sees
        caplog.set_level(logging.DEBUG)
        return raw

    yield start
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)


async def scenario(bot: BotServer, tokens: list[str]) -> None:
    """Install, update, submit, invalid submits, refused actions, forged tokens and a connector failure."""

    async def post(activity: dict[str, Any], **claims: Any) -> Any:
        token = bot.token(**claims)
        tokens.append(token)
        return await bot.post(activity, token=token)

    url = bot.connector.url
    await seed(bot.services.store, bot.connector)
    await post(install_personal(PM_ONE, url))
    await post(message(PM_ONE, "update", url))
    answers = {
        "project": FULL.project_id,
        "week": WEEK,
        "rag": "green",
        "status_reason": "fine",
        "metric_0": "12",
    }
    assert (await post(execute(PM_ONE, "update.submit", answers, url)))[0] == 200
    await post(execute(PM_ONE, "update.submit", {**answers, "metric_0": "lots", "rag": "purple"}, url))
    await post(execute(PM_ONE, "update.draft", {**answers, "overview": "x" * 5000}, url))
    await post(
        execute(PM_TWO, "update.submit", {"project": TEAM.project_id, "week": WEEK, "update": "forged"}, url)
    )
    await post(execute(PM_ONE, "review.publish", {"week": WEEK}, url))
    await post(execute(OUTSIDER, "update.submit", {"project": TEAM.project_id, "week": WEEK}, url))
    await post(message(PM_ONE, "publish", url))
    # Refused credentials: each token is still a secret and must not be echoed.
    expired = bot.token(lifetime=-3600, not_before=0)
    tokens.append(expired)
    assert (await bot.post(message(PM_ONE, "help", url), token=expired))[0] == 401
    assert (await bot.post(message(PM_ONE, "help", url), headers={"Authorization": f"Basic {APP_PASSWORD}"}))[
        0
    ] == 401
    # A failing connector: the turn fails, with a traceback in the log.
    bot.connector.fail(r"POST /v3/conversations/.*/activities", 500, times=20)
    await post(message(PM_ONE, "help", url))


async def test_no_secret_in_any_log_record(
    bot: BotServer,
    served_logging: Callable[[BotServer], RawRecords],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    logged = served_logging(bot)
    tokens: list[str] = []
    await scenario(bot, tokens)
    secrets = {
        "app password": APP_PASSWORD,
        "outbound token": OUTBOUND_TOKEN,
        "storage account key": KEY,
        **{f"inbound token {n}": token for n, token in enumerate(tokens)},
        **{f"inbound token {n} signature": token.rsplit(".", 1)[1] for n, token in enumerate(tokens)},
    }
    assert len(caplog.records) > 50, "the scenario should have logged plenty at DEBUG"
    assert {r.name.split(".")[0] for r in caplog.records} & {"botbuilder", "msrest", "azure", "aiohttp"}
    assert any(r.exc_info or r.exc_text for r in caplog.records), (
        "the connector failure should log a traceback"
    )

    ours = [(name, text) for name, text in logged.lines if name.split(".")[0] in OUR_CODE]
    emitted = capsys.readouterr().err
    assert emitted.count("\n") >= len(caplog.records)  # the root handler did write every record
    for what, secret in secrets.items():
        for name, text in ours:
            assert secret not in text, f"{name} logged the {what}"
        for record in caplog.records:
            assert secret not in record.getMessage(), f"{record.name} emitted the {what}"
            assert secret not in (record.exc_text or ""), f"{record.name} emitted the {what} in a traceback"
        assert secret not in caplog.text and secret not in emitted, what


async def test_the_redaction_itself_catches_a_leak(
    bot: BotServer,
    served_logging: Callable[[BotServer], RawRecords],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The check above can fail: a library that did log a secret would be masked, not printed."""
    logged = served_logging(bot)
    token = bot.token()
    leaky = logging.getLogger("some.library")
    leaky.debug("headers {'Authorization': 'Bearer %s'}", OUTBOUND_TOKEN)
    leaky.debug("token=%s", token)
    leaky.debug("connecting with %s", bot.settings.storage)
    leaky.debug("client_secret=%s&grant_type=client_credentials", APP_PASSWORD)
    try:
        raise RuntimeError(f"auth failed for {token}")
    except RuntimeError:
        leaky.exception("boom")
    emitted = capsys.readouterr().err
    assert any(token in text for _, text in logged.lines)  # it really was logged
    for secret in (OUTBOUND_TOKEN, token, KEY, APP_PASSWORD):
        assert secret not in emitted and secret not in caplog.text
    assert emitted.count("[redacted") >= 5


async def test_a_failing_log_sink_prints_no_secret_either(
    bot: BotServer, served_logging: Callable[[BotServer], RawRecords], capsys: pytest.CaptureFixture[str]
) -> None:
    """When writing a record fails, logging's default error report prints the exception being handled, in
    clear, to standard error; the served handler only says that a record was lost."""
    served_logging(bot)
    [handler] = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler) and h.stream is sys.stderr
    ]
    broken = io.StringIO()
    broken.close()
    handler.setStream(broken)
    token = bot.token()
    try:
        raise RuntimeError(f"auth failed for {token}")
    except RuntimeError:
        logging.getLogger("some.library").exception("boom")
    err = capsys.readouterr().err
    assert token not in err and "could not be written" in err
