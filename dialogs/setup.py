"""Setup from chat for the director/admin: projects, schedule, channel, roles (filled in by onboarding)."""

from __future__ import annotations

from collections.abc import Mapping

from dialogs.registry_types import ActionHandler, CommandHandler

SETUP_ACTIONS: Mapping[str, ActionHandler] = {}
SETUP_COMMANDS: Mapping[str, CommandHandler] = {}
