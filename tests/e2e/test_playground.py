"""End to end, as a person would: the README's "run locally" stack, driven through the Playground's web UI.

``scripts/dev`` itself is started (Azurite, ``weeknotes org import examples/org.yaml``, ``weeknotes serve``,
the Microsoft 365 Agents Playground), on free ports and with its own data folder so that a developer's
``.local/`` and running stack are left alone. Headless Chromium (Debian's, never a downloaded one) opens the
Playground as Sam Whitfield, a project manager in the demo organisation, who types ``update``, fills in a
card, submits it and sees the summary; then opens the team's General channel, which installs the bot in the
team, and sees its hello. Screenshots are kept under ``artifacts/e2e/``.

How Sam is linked: the Playground's ``currentUser`` (``.m365agentsplayground.yml``) has the same email as
Sam in ``examples/org.yaml``; the bot asks the Playground's connector for the member
(``GET /v3/conversations/{id}/members/{userId}``), which answers with that email, and links the account.

Nothing leaves the machine: the Playground runs with ``--disable-telemetry``, and every request the page
makes to anything but the Playground itself (it asks a CDN for fonts) is refused and recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, Route, sync_playwright

from bot.domain.models import Organisation, UpdateState
from bot.storage.tables import TableStore
from tests.support.azurite import ACCOUNT, KEY, free_port

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "e2e"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TEAM_ID = "19:demo-digital-services-general@thread.tacv2"  # .m365agentsplayground.yml
PROJECT = "Library room booking replacement"  # Sam's brief project in examples/org.yaml
PROJECT_ID = "library-room-booking-replacement"
START_SECONDS = 90
WAIT_MS = 20_000

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@dataclass
class Stack:
    """The running ``scripts/dev``: its ports, its output so far, and how to reach its storage."""

    process: subprocess.Popen[str]
    azurite_port: int
    bot_port: int
    playground_port: int
    data: Path
    lines: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://localhost:{self.playground_port}"

    @property
    def storage(self) -> str:
        return (
            f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};"
            f"TableEndpoint=http://127.0.0.1:{self.azurite_port}/{ACCOUNT};"
        )

    def logs(self) -> str:
        """What scripts/dev printed, and the tail of the bot's log (for failure messages)."""
        bot_log = self.data / "logs" / "bot.log"
        tail = bot_log.read_text(errors="replace").splitlines()[-40:] if bot_log.exists() else []
        return "\n".join(["--- scripts/dev:", *self.lines, "--- bot.log (tail):", *tail])


def _environment(stack_ports: tuple[int, int, int], data: Path) -> dict[str, str]:
    azurite, bot, playground = stack_ports
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("WEEKNOTES_", "Microsoft", "TO_BOT_", "TO_CHANNEL_", "M365_AGENTS_"))
    }
    env.update(
        {
            "AZURITE_PORT": str(azurite),
            "WEEKNOTES_PORT": str(bot),
            "PLAYGROUND_PORT": str(playground),
            "WEEKNOTES_DEV_DIR": str(data),
            # The test run has installed everything already; bootstrapping again could reach the network.
            "WEEKNOTES_DEV_BOOTSTRAP": "0",
            # A developer's .env must not change the local stack: empty values here win over it.
            "MicrosoftAppId": "",
            "MicrosoftAppPassword": "",
            "MicrosoftAppTenantId": "",
            "WEEKNOTES_ALLOWED_TENANTS": "",
            "WEEKNOTES_TABLE_PREFIX": "weeknotes",
            "WEEKNOTES_GRAPH_URL": "",
            # The cadence ticks once at start-up (before anyone has a chat); no later tick during the test.
            "WEEKNOTES_TICK_SECONDS": "3600",
        }
    )
    return env


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """``bash scripts/dev`` on free ports, until its Playground says ``Listening on``."""
    for needed in (ROOT / "node_modules" / ".bin" / "agentsplayground", ROOT / ".venv" / "bin" / "weeknotes"):
        if not needed.exists():
            raise RuntimeError(f"{needed} is missing: run `bash scripts/bootstrap` (or scripts/test).")
    ports = (free_port(), free_port(), free_port())
    data = tmp_path_factory.mktemp("dev")
    process = subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "dev")],
        cwd=ROOT,
        env=_environment(ports, data),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: stopped as a whole, and only it
    )
    stack = Stack(process, *ports, data=data)
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + START_SECONDS
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"scripts/dev did not start within {START_SECONDS} s\n{stack.logs()}")
            try:
                line = lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError(f"scripts/dev exited with {process.wait()}\n{stack.logs()}")
            stack.lines.append(line)
            # The Playground takes another port if ours was taken meanwhile: believe what it says.
            if listening := re.search(r"Listening on (\d+)", line):
                stack.playground_port = int(listening.group(1))
                break
        assert any(f"listening on http://127.0.0.1:{stack.bot_port}/" in x for x in stack.lines), stack.logs()
        assert any(x.startswith("Imported Northbridge Digital Services") for x in stack.lines), stack.logs()
        threading.Thread(
            target=lambda: [stack.lines.append(x) for x in iter(lines.get, None)], daemon=True
        ).start()
        yield stack
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


@dataclass
class Browser:
    """One page on the Playground, and what it tried to fetch from elsewhere (refused)."""

    page: Page
    refused: list[str]

    def shot(self, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=False)
        return path


@pytest.fixture
def browser(stack: Stack) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        raise RuntimeError(
            f"{CHROMIUM} is missing: run `bash scripts/bootstrap` (it installs Debian's chromium)."
        )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    refused: list[str] = []
    local = (f"http://localhost:{stack.playground_port}", f"http://127.0.0.1:{stack.playground_port}")

    def only_local(route: Route) -> None:
        url = route.request.url
        if url.startswith(local) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = chromium.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(WAIT_MS)
            page.route("**/*", only_local)
            page.goto(stack.url, wait_until="domcontentloaded")
            yield Browser(page, refused)
            page.screenshot(path=str(ARTIFACTS / "last.png"))  # how the page was left, pass or fail
        finally:
            chromium.close()


def _messages(page: Page, text: str) -> Locator:
    """Messages in the open chat containing ``text`` (not the chat list's preview or the log panel)."""
    return page.locator("div:has(> [aria-label='Message header'])").filter(has_text=text)


def _posts(page: Page, text: str) -> Locator:
    """Posts in the open channel containing ``text`` (the Playground shows each post as a group)."""
    return page.get_by_role("group").filter(has_text=text)


def _type(page: Page, text: str) -> None:
    box = page.get_by_role("textbox").last
    box.click()
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def _stored(stack: Stack) -> tuple[Organisation | None, list[object]]:
    async def read() -> tuple[Organisation | None, list[object]]:
        store = await TableStore.open(connection_string=stack.storage, table_prefix="weeknotes")
        try:
            org = await store.organisation.get(partition="organisation", key="organisation")
            updates: list[object] = list(await store.updates.list_by_key(key=PROJECT_ID))
            return org, updates
        finally:
            await store.close()

    # Playwright's sync API keeps an event loop on this thread: read storage on another one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(read())).result(timeout=30)


def test_a_pm_types_update_fills_the_card_submits_and_sees_the_summary(
    stack: Stack, browser: Browser
) -> None:
    page = browser.page
    # Opening the Playground installs the bot in Sam's personal chat: one greeting, by name.
    greeting = _messages(page, "Hello Sam Whitfield, I'm Weeknotes")
    greeting.first.wait_for()
    page.wait_for_timeout(1500)  # both install events have been answered by now
    assert greeting.count() == 1, stack.logs()
    browser.shot("01-greeting")

    _type(page, "update")
    card = page.locator(".ac-adaptiveCard").filter(has_text=PROJECT).last
    card.wait_for()
    assert card.get_by_role("button", name="Submit update").is_visible()
    card.scroll_into_view_if_needed()
    browser.shot("02-update-cards")

    card.get_by_text("Green").click()
    card.get_by_label("Status reason").fill("bookings open on the new system")
    card.get_by_label("Key outcomes in last period").fill(
        "Rooms migrated\n  - Central library\nStaff trained"
    )
    card.get_by_label("Key activities in next period").fill("Switch off the old system")
    card.scroll_into_view_if_needed()
    browser.shot("03-card-filled")
    card.get_by_role("button", name="Submit update").click()

    # The card is replaced in place by the summary of what was submitted.
    summary = page.locator(".ac-adaptiveCard").filter(has_text="Submitted ✅").filter(has_text=PROJECT)
    summary.first.wait_for()
    text = summary.first.inner_text()
    assert "bookings open on the new system" in text
    assert "Central library" in text and "Switch off the old system" in text
    assert summary.first.get_by_role("button", name="Edit").is_visible()
    summary.first.scroll_into_view_if_needed()
    browser.shot("04-summary")

    _, updates = _stored(stack)
    [update] = updates
    assert getattr(update, "state", None) is UpdateState.SUBMITTED
    assert getattr(update, "author", "") == "sam.whitfield@example.org"
    assert getattr(update, "answers", {}).get("status_reason") == "bookings open on the new system"
    assert all("localhost" not in url and "127.0.0.1" not in url for url in browser.refused)


def test_opening_the_team_installs_the_bot_which_says_hello_once(stack: Stack, browser: Browser) -> None:
    page = browser.page
    page.get_by_role("treeitem", name=re.compile(r"General")).click()
    hello = _posts(page, "I'm Weeknotes. Each week I'll ask every project manager")
    hello.first.wait_for()
    page.wait_for_timeout(
        1500
    )  # Teams-like double delivery (conversationUpdate + installationUpdate) is over
    assert hello.count() == 1, stack.logs()
    text = hello.first.inner_text()
    assert "Sam Whitfield (3 projects)" in text and "Ruth Okonkwo (director, admin, 1 project)" in text
    assert "not found in this team" not in text  # the Playground's roster has everyone in the file
    browser.shot("05-team-hello")

    org, _ = _stored(stack)
    assert org is not None
    assert (org.team_id, org.channel_id) == (TEAM_ID, TEAM_ID)
    assert org.service_url.rstrip("/") == f"http://localhost:{stack.playground_port}/_connector"
    assert (org.tenant_id, org.bot_id) == ("5e1f0c2a-7d3b-4c8e-9a6f-0b1d2e3f4a5b", "28:weeknotes-demo-bot")


def test_the_stack_keeps_its_data_and_logs_in_its_own_folder(stack: Stack) -> None:
    assert (stack.data / "azurite").is_dir()
    assert (stack.data / "logs" / "bot.log").stat().st_size > 0
    assert (stack.data / "playground" / "devTools").is_dir()  # the Playground's log, not in the repository
