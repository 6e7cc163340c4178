"""``skip`` typed in chat by someone with several projects: which project, then why, then skip it.

A botbuilder-dialogs waterfall; its state lives in conversation state on Table Storage, so the question
survives a restart or another instance answering the next message.

```mermaid
stateDiagram-v2
    [*] --> WhichProject: skip (several projects)
    WhichProject --> Reason: a project chosen
    Reason --> [*]: reason typed (or "none") -> skipped, card shown
    WhichProject --> [*]: cancel
    Reason --> [*]: cancel
```
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import MessageFactory
from botbuilder.dialogs import (
    ComponentDialog,
    DialogTurnResult,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.dialogs.choices import Choice, ListStyle
from botbuilder.dialogs.prompts import ChoicePrompt, PromptOptions, TextPrompt

from dialogs.turn import CardReply, Turn

SKIP_DIALOG = "skip"
TURN_KEY = "weeknotes.turn"
NO_REASON = {"none", "no", "-", "n/a", "skip"}


def _turn(step: WaterfallStepContext) -> Turn:
    turn: Turn = step.context.turn_state[TURN_KEY]
    return turn


class SkipDialog(ComponentDialog):  # type: ignore[misc]
    """Which project to skip, and why."""

    def __init__(self) -> None:
        super().__init__(SKIP_DIALOG)
        which = ChoicePrompt("which")
        which.style = ListStyle.hero_card
        self.add_dialog(which)
        self.add_dialog(TextPrompt("reason"))
        self.add_dialog(WaterfallDialog("steps", [self._which, self._reason, self._skip]))
        self.initial_dialog_id = "steps"

    async def _which(self, step: WaterfallStepContext) -> DialogTurnResult:
        options: dict[str, Any] = step.options
        step.values["week"] = options["week"]
        step.values["projects"] = options["projects"]
        choices = [Choice(value=name) for _, name in options["projects"]]
        prompt = PromptOptions(
            prompt=MessageFactory.text("Which project do you want to skip this week? (or type **cancel**)"),
            retry_prompt=MessageFactory.text("Please pick one of your projects, or type **cancel**."),
            choices=choices,
        )
        return await step.prompt("which", prompt)

    async def _reason(self, step: WaterfallStepContext) -> DialogTurnResult:
        chosen = step.result.value
        step.values["project"] = next(pid for pid, name in step.values["projects"] if name == chosen)
        prompt = PromptOptions(
            prompt=MessageFactory.text(
                f"Skipping {chosen}. Any reason to note, such as annual leave? Type **none** if not."
            )
        )
        return await step.prompt("reason", prompt)

    async def _skip(self, step: WaterfallStepContext) -> DialogTurnResult:
        from dialogs import update

        reason = str(step.result or "").strip()
        turn = _turn(step)
        data = {
            "project": step.values["project"],
            "week": step.values["week"],
            "skip_reason": "" if reason.lower() in NO_REASON else reason,
        }
        reply = await update.skip(turn, data)
        if isinstance(reply, CardReply):
            await turn.send_card(reply.card)
        else:
            await turn.send_text(getattr(reply, "message", "") or getattr(reply, "text", ""))
        return await step.end_dialog()
