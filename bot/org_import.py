"""Applying an organisation file to storage: idempotent, keeping what Teams taught us about people."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.domain.models import Organisation, Person, Project
from bot.org_file import OrgPlan
from bot.storage.protocol import Store


@dataclass(frozen=True)
class ImportSummary:
    """What an import changed."""

    people_added: int
    people_updated: int
    people_retired: int
    projects_added: int
    projects_updated: int
    projects_retired: int

    def __str__(self) -> str:
        return (
            f"people: {self.people_added} added, {self.people_updated} updated, "
            f"{self.people_retired} retired; "
            f"projects: {self.projects_added} added, {self.projects_updated} updated, "
            f"{self.projects_retired} retired"
        )


async def apply_plan(store: Store, plan: OrgPlan) -> ImportSummary:
    """Write ``plan`` (already validated whole) to ``store``.

    Teams links (AAD ids, blocked flags, leave) and the installed team/channel survive a re-import; people and
    projects missing from the file are retired (kept for history, no longer prompted), never deleted.
    """
    existing_org = await store.organisation.get(
        partition=Organisation.partition_key, key=Organisation.row_key
    )
    org = plan.organisation
    if existing_org is not None:
        org = replace(
            org,
            team_id=existing_org.team_id,
            channel_id=existing_org.channel_id,
            service_url=existing_org.service_url,
            tenant_id=existing_org.tenant_id,
            bot_id=existing_org.bot_id,
            retention_weeks=existing_org.retention_weeks or org.retention_weeks,
        )
    await store.organisation.upsert(record=org)

    people = {p.email: p for p in await store.people.list(partition=Person.partition_key)}
    added = updated = 0
    for person in plan.people:
        old = people.pop(person.email, None)
        if old is None:
            added += 1
            await store.people.upsert(record=person)
            continue
        merged = replace(
            person,
            aad_object_id=old.aad_object_id,
            teams_user_id=old.teams_user_id,
            blocked=old.blocked,
            leave_weeks=old.leave_weeks | person.leave_weeks,
        )
        if merged != old:
            updated += 1
            await store.people.upsert(record=merged)
    retired = 0
    for old in people.values():
        if old.active:
            retired += 1
            await store.people.upsert(record=replace(old, active=False))

    projects = {p.project_id: p for p in await store.projects.list(partition=Project.partition_key)}
    p_added = p_updated = 0
    for project in plan.projects:
        old_project = projects.pop(project.project_id, None)
        if old_project is None:
            p_added += 1
        elif old_project == project:
            continue
        else:
            p_updated += 1
        await store.projects.upsert(record=project)
    p_retired = 0
    for old_project in projects.values():
        if old_project.active:
            p_retired += 1
            await store.projects.upsert(record=replace(old_project, active=False))
    return ImportSummary(added, updated, retired, p_added, p_updated, p_retired)
