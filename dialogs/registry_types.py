"""The shapes of action and command handlers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from dialogs.turn import Reply, Turn

ActionHandler = Callable[[Turn, Mapping[str, Any]], Awaitable[Reply]]
CommandHandler = Callable[[Turn, str], Awaitable[Reply]]
