"""Benchmark: compile and render a weeknote of 200 full sections, against the floor of reading it.

Starts its own Azurite (in memory, loopback only), stores an organisation of ``--sections`` full-template
projects with long, realistic answers for this week and last, then measures, taking the best of
``--repeat`` runs:

- **floor**: reading the week's Update entities (one partition query), the least any compile must do;
- **load**: every read compiling needs (organisation, edition, people, projects, this week, earlier weeks);
- **compile**: records to the :class:`Weeknote` (pure);
- **cards**: the channel messages, planned as publishing plans them (headline, overview, section cards
  split and measured under 28 KB as sent);
- **markdown** and **html**: the exports;

then the peak Python memory of one compile + render (``tracemalloc``), the process's peak RSS, and the ratio
of compile + render to the floor. Run from the repository root::

    .venv/bin/python bench/compile.py [--sections 200] [--repeat 5]

It gives up after ``--timeout`` seconds (default 300) rather than hang.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import time
import tracemalloc
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")


def best_of(repeat: int, work: Callable[[], T]) -> tuple[float, T]:
    """The fastest of ``repeat`` runs of ``work`` (seconds) and its last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return best, result


async def best_of_async(repeat: int, work: Callable[[], Awaitable[T]]) -> tuple[float, T]:
    """:func:`best_of` for coroutines."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = await work()
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return best, result


async def run(sections: int, repeat: int) -> int:
    sys.path.insert(0, str(ROOT))
    from bot.domain.models import Edition, Organisation, Person, Role
    from bot.export import render_html, render_markdown
    from bot.review.load import load_week
    from bot.review.plan import MESSAGE_LIMIT, plan_weeknote
    from bot.storage.tables import TableStore
    from tests.review.support import LAST_WEEK, WEEK, full_update, many_projects
    from tests.support.azurite import Azurite

    azurite = Azurite()
    azurite.start()
    store = await TableStore.open(
        connection_string=azurite.connection_string, table_prefix="bench" + uuid.uuid4().hex[:8]
    )
    try:
        pm = "pm@example.org"
        await store.organisation.upsert(record=Organisation(name="DDaT"))
        await store.people.upsert(record=Person(pm, "Priya Shah", "Project Manager", frozenset({Role.PM})))
        await store.people.upsert(
            record=Person("director@example.org", "Dana Director", "Director", frozenset({Role.DIRECTOR}))
        )
        await store.editions.upsert(
            record=Edition(WEEK, director_note="A busy week.\n- Key activity one", highlights="- Highlight")
        )
        projects = many_projects(pm, sections)
        for project in projects:
            await store.projects.upsert(record=project)
        for week in (LAST_WEEK, WEEK):
            updates = [full_update(p, week, pm, n) for n, p in enumerate(projects)]
            for start in range(0, len(updates), 100):
                await store.updates.save_batch(records=updates[start : start + 100])

        floor, updates_read = await best_of_async(repeat, lambda: store.updates.list(partition=WEEK))
        assert len(updates_read) == sections
        load, records = await best_of_async(repeat, lambda: load_week(store, WEEK))

        compile_time, weeknote = best_of(repeat, records.compile)
        cards_time, plan = best_of(repeat, lambda: plan_weeknote(weeknote))
        markdown_time, markdown = best_of(repeat, lambda: render_markdown(weeknote))
        html_time, page = best_of(repeat, lambda: render_html(weeknote))
        assert all(p.size < MESSAGE_LIMIT for p in plan)

        tracemalloc.start()
        plan_weeknote(records.compile())
        render_markdown(records.compile())
        render_html(records.compile())
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        await store.close()
        azurite.close()

    work = compile_time + cards_time + markdown_time + html_time
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    rows: list[tuple[str, Any]] = [
        ("sections", f"{sections} full (long answers), best of {repeat}"),
        ("floor: read the week's updates", f"{floor * 1000:8.1f} ms  ({sections} entities, one query)"),
        ("load: every read compiling needs", f"{load * 1000:8.1f} ms"),
        ("compile", f"{compile_time * 1000:8.1f} ms"),
        ("cards (planned, split, measured)", f"{cards_time * 1000:8.1f} ms  ({len(plan)} messages)"),
        ("markdown", f"{markdown_time * 1000:8.1f} ms  ({len(markdown.encode()) // 1024} KiB)"),
        ("html", f"{html_time * 1000:8.1f} ms  ({len(page.encode()) // 1024} KiB)"),
        ("compile + render", f"{work * 1000:8.1f} ms"),
        ("ratio to the floor", f"{work / floor:8.1f} x"),
        ("peak Python memory (compile + render)", f"{peak / 2**20:8.1f} MiB"),
        ("peak RSS of this process", f"{rss_mib:8.1f} MiB"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sections", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()

    async def bounded() -> int:
        return await asyncio.wait_for(run(args.sections, args.repeat), args.timeout)

    return asyncio.run(bounded())


if __name__ == "__main__":
    sys.exit(main())
