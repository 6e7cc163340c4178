"""The director's review: digest, chase, note, preview, publish (filled in by the review feature)."""

from __future__ import annotations

from collections.abc import Mapping

from dialogs.registry_types import ActionHandler, CommandHandler

REVIEW_ACTIONS: Mapping[str, ActionHandler] = {}
REVIEW_COMMANDS: Mapping[str, CommandHandler] = {}
