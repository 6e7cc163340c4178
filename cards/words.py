"""The words cards build in code (fixed words live in the templates), in UK English.

Placeholders are filled with ``str.format``; user text is escaped by the builder before it is put in.
"""

from __future__ import annotations

FALLBACK = "This message needs a newer version of Teams to show. Type help to see what Weeknotes can do."

# The update card.
UPDATE_SUBTITLE = "Update for {week_label}"
FROM_PLANS_NOTE = "Prefilled from last week's planned activities: edit or delete what didn't happen."
FROM_LAST_WEEK_NOTE = "Prefilled from last week: edit what has changed."
METRIC_PLACEHOLDER_PREVIOUS = "Last week: {value}"
METRIC_PLACEHOLDER = "A number, e.g. 1,250"
ERRORS_ONE = "One answer needs a change before this can be submitted: see below."
ERRORS_MANY = "{count} answers need a change before this can be submitted: see below."

# The read-only view of an update.
SUBMITTED = "Submitted ✅"
SUBMITTED_LATE = "Submitted ✅ (late)"
DRAFT = "Draft saved, not submitted yet 📝"
SKIPPED = "Skipped ⏭️"
SKIPPED_REASON = "Skipped ⏭️: {reason}"
HANDED_OVER = "Handed over to {name}"
METRICS_TITLE = "Metrics"
METRICS_EMOJI = "📈"

# Status and digest.
STATE_EMOJI = {"submitted": "✅", "late": "✅", "draft": "📝", "missing": "⏳", "skipped": "⏭️"}
NO_PROJECTS = "You have no projects to update this week."
MISSING_ROW = "{title} ({owner})"
NOTE_ADD = "Add my note"
NOTE_EDIT = "Edit my note"
PUBLISHED = "Published ✅"
NEEDS_REPUBLISH = "Published, but changed since: republish to update the channel."
NOTHING_MISSING = "Every project has reported. ✅"

# The weeknote in the channel.
HEADLINE_TITLE = "Weeknote: {label}"
CONTINUED = "{title} (continued)"
SECTION_FALLBACK = "Weeknote: {title}"
NOT_REPORTED = "Not reported this week: {names}"
ABSENCE_SKIPPED = "{title} (skipped: {reason})"
ABSENCE_SKIPPED_NO_REASON = "{title} (skipped)"
ABSENCE_MISSING = "{title}"
AUTHOR_LINE = "{name}, {title}"

# Setup.
PROJECT_LINE = "Owner: {owner} · Deputy: {deputy} · Template: {template}"
NO_DEPUTY = "none"
NO_ROLES = "none"
PAUSED = "{name} (paused)"
ADD_PROJECT_TITLE = "Add a project"
EDIT_PROJECT_TITLE = "Edit {name}"
ACTIVE_LABEL = "Active"
ACTIVE_TOGGLE = "Ask for this project's update each week (off pauses it)"
