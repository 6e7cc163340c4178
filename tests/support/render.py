"""Rendering cards with the real ``adaptivecards`` JavaScript renderer in headless Chromium.

One browser serves the whole test session, driven from a thread of its own (see ``_on_browser_thread``).
The page (``render_page.html``) and the renderer's dist bundle are loaded from local files: nothing is
fetched, and any request the page tries to make is refused and recorded. Chromium must be at
``/usr/bin/chromium`` (Debian's package); if it is missing, the tests fail and say so.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from playwright.sync_api import Locator, Page, Route, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
PAGE = Path(__file__).with_name("render_page.html")
BUNDLE = ROOT / "node_modules" / "adaptivecards" / "dist" / "adaptivecards.min.js"
STYLES = ROOT / "node_modules" / "adaptivecards" / "dist" / "adaptivecards.css"
ARTIFACTS = ROOT / "artifacts" / "cards"
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


class RendererMissingError(RuntimeError):
    """Chromium or the adaptivecards bundle is not where the tests expect it."""


@dataclass
class Rendered:
    """What rendering one card produced."""

    name: str
    events: list[dict[str, str]]
    """Parse and validation events from the renderer (``phase``, ``event``, ``message``)."""
    html: str
    screenshot: Path

    @property
    def problems(self) -> list[str]:
        """Every event, as ``phase/event: message`` lines."""
        return [f"{event['phase']}/{event['event']}: {event['message']}" for event in self.events]


P = ParamSpec("P")
R = TypeVar("R")


def _on_browser_thread(
    method: Callable[Concatenate[CardRenderer, P], R],
) -> Callable[Concatenate[CardRenderer, P], R]:
    """Runs ``method`` on the renderer's own thread, where Playwright's objects live.

    Playwright's synchronous API runs an event loop on the thread that starts it; kept on the main thread for
    the whole session, that loop would stop every later ``async`` test from starting its own.
    """

    def wrapper(self: CardRenderer, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.executor.submit(method, self, *args, **kwargs).result()

    wrapper.__name__ = method.__name__
    wrapper.__doc__ = method.__doc__
    return wrapper


@dataclass
class CardRenderer:
    """A page in headless Chromium that renders cards and records the actions they execute.

    Every method runs on :attr:`executor`'s single thread, which owns the browser.
    """

    executor: ThreadPoolExecutor
    artifacts: Path = ARTIFACTS
    blocked_requests: list[str] = field(default_factory=list)
    _page: Page | None = None

    @property
    def page(self) -> Page:
        assert self._page is not None, "the renderer has not been started"
        return self._page

    @_on_browser_thread
    def render(self, card: dict[str, Any], name: str, *, wide: bool = False) -> Rendered:
        """Renders ``card``, saves a screenshot as ``artifacts/cards/<name>.png`` and reports problems."""
        result = self.page.evaluate("([card, wide]) => window.weeknotes.render(card, wide)", [card, wide])
        return Rendered(name, list(result["events"]), str(result["html"]), self._screenshot(name))

    @_on_browser_thread
    def screenshot(self, name: str) -> Path:
        """Saves a picture of the card as it looks now (after typing or opening a ShowCard, say)."""
        return self._screenshot(name)

    def _screenshot(self, name: str) -> Path:
        self.artifacts.mkdir(parents=True, exist_ok=True)
        path = self.artifacts / f"{_safe(name)}.png"
        self.page.locator("#card").screenshot(path=str(path), animations="disabled")
        return path

    @_on_browser_thread
    def inputs(self) -> list[dict[str, Any]]:
        """Each input of the card, as ``id``, ``type``, ``rendered``, ``labelText``, ``visible`` and
        ``labelBeforeControl``. Inputs inside a ShowCard are rendered only once it has been opened.
        """
        found: list[dict[str, Any]] = self.page.evaluate("() => window.weeknotes.inputs()")
        return found

    def _tag_controls(self) -> None:
        # Ties each rendered control to its input id, since the renderer gives controls generated ids.
        self.page.evaluate(
            """() => {
                for (const input of window.weeknotes.card.getAllInputs(true)) {
                    const control = input.renderedInputControlElement;
                    if (control) control.setAttribute('data-weeknotes-id', input.id);
                }
            }"""
        )

    def _control(self, input_id: str) -> Locator:
        self._tag_controls()
        return self.page.locator(f"#card [data-weeknotes-id='{input_id}']")

    @_on_browser_thread
    def fill(self, input_id: str, value: str) -> None:
        """Types ``value`` into text input ``input_id`` (replacing what was there)."""
        self._control(input_id).fill(value)

    @_on_browser_thread
    def choose(self, input_id: str, value: str) -> None:
        """Picks the choice with value ``value`` in choice set ``input_id`` (radio buttons or a drop-down)."""
        control = self._control(input_id)
        if control.evaluate("element => element.tagName") == "SELECT":
            control.select_option(value=value)
        else:
            control.locator(f"input[value='{value}']").check()

    @_on_browser_thread
    def value_of(self, input_id: str) -> str:
        """What input ``input_id`` holds now, as the page shows it."""
        return str(self._control(input_id).input_value())

    @_on_browser_thread
    def click(self, title: str) -> None:
        """Clicks the visible button titled ``title``."""
        self.page.locator("#card").get_by_role("button", name=title, exact=True).click()

    @_on_browser_thread
    def executed(self) -> list[dict[str, Any]]:
        """The actions executed since the card was rendered: ``type``, ``title``, ``verb``, ``data``."""
        found: list[dict[str, Any]] = self.page.evaluate("() => window.weeknotes.actions")
        return found

    @_on_browser_thread
    def visible_text(self) -> str:
        """The card's text as a person sees it."""
        return str(self.page.locator("#card").inner_text())

    @_on_browser_thread
    def text_of(self, selector: str) -> list[str]:
        """The visible text of each element matching ``selector`` inside the card."""
        return [str(text) for text in self.page.locator(f"#card {selector}").all_inner_texts()]

    @_on_browser_thread
    def count(self, selector: str) -> int:
        """How many elements inside the card match ``selector``."""
        return int(self.page.locator(f"#card {selector}").count())

    def _start(self) -> Callable[[], None]:
        """Launches Chromium and loads the page; returns what closes it all (both on the browser thread)."""
        executable = CHROMIUM if CHROMIUM.exists() else Path(str(shutil.which("chromium")))
        playwright = sync_playwright().start()
        try:
            browser = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        except Exception:
            playwright.stop()
            raise

        def close() -> None:
            try:
                browser.close()
            finally:
                playwright.stop()

        try:
            page = browser.new_page(viewport={"width": 900, "height": 1200}, device_scale_factor=1)

            def refuse(route: Route) -> None:
                self.blocked_requests.append(route.request.url)
                route.abort()

            page.route(re.compile(r"^(?!data:|about:).*"), refuse)
            page.set_content(PAGE.read_text(encoding="utf-8"))
            page.add_style_tag(path=str(STYLES))
            page.add_script_tag(path=str(BUNDLE))
            if page.evaluate("typeof AdaptiveCards") != "object":  # pragma: no cover - a broken bundle
                raise RendererMissingError(f"{BUNDLE} did not define AdaptiveCards")
        except Exception:
            close()
            raise
        self._page = page
        return close


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def check_renderer_present() -> None:
    """Raises :class:`RendererMissingError` naming what is missing and how to get it."""
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        raise RendererMissingError(
            f"Chromium is required for the card rendering tests but {CHROMIUM} does not exist: "
            "install Debian's chromium package (apt-get install chromium)."
        )
    if not BUNDLE.exists():
        raise RendererMissingError(
            f"The adaptivecards renderer is missing ({BUNDLE}): run `npm ci` (scripts/bootstrap does)."
        )


@contextmanager
def card_renderer() -> Iterator[CardRenderer]:
    """Launches headless Chromium on a thread of its own, with the renderer page loaded; closes it on exit."""
    check_renderer_present()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium") as executor:
        renderer = CardRenderer(executor)
        close = executor.submit(renderer._start).result()
        try:
            yield renderer
        finally:
            executor.submit(close).result()


def dumps(card: dict[str, Any]) -> str:
    """A card as pretty JSON, for assertion messages."""
    return json.dumps(card, ensure_ascii=False, indent=2)
