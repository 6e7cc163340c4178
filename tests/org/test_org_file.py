"""The organisation file: a valid file, every kind of mistake (with its line and field), and round trips."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
import time
import urllib.request
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.models import Metric, Organisation, Person, Project, Role, Schedule, Template
from bot.errors import OrgFileError
from bot.org_file import OrgPlan, export_org_file, parse_org_file, project_slug

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "org.yaml"

VALID = """\
organisation: DDaT
timezone: Europe/London
schedule: {prompt: "thu 10:00", remind: "fri 10:00", close: "mon 09:00"}
holidays: {country: GB, subdivision: ENG}
people:
  - {email: A.Director@Example.org, name: A Director, title: DDaT Director, roles: [director]}
  - {email: pm.one@example.org, name: PM One, title: Project Manager, roles: [pm]}
  - {email: pm.two@example.org, name: PM Two, roles: [pm]}
  - {email: ed@example.org, name: Ed Itor, roles: [editor]}
projects:
  - name: OneDrive user adoption
    owner: pm.one@example.org
    deputy: PM.Two@example.org
    template: full
    metrics: [{name: Active file viewing and editing, unit: users}]
  - name: Intranet refresh
    owner: a.director@example.org
    template: brief
"""


def problems_of(text: str) -> list[str]:
    """The problems parse_org_file reports for ``text`` (it must refuse the file)."""
    with pytest.raises(OrgFileError) as caught:
        parse_org_file(text)
    assert str(caught.value) == "\n".join(caught.value.problems)
    return caught.value.problems


def edited(old: str, new: str) -> str:
    """VALID with ``old`` replaced by ``new`` (exactly once)."""
    assert VALID.count(old) == 1, old
    return VALID.replace(old, new)


# -- valid files ---------------------------------------------------------------------------------------------


def test_a_valid_file_gives_the_whole_plan() -> None:
    plan = parse_org_file(VALID)

    assert plan.organisation == Organisation(name="DDaT", timezone="Europe/London")
    assert [person.email for person in plan.people] == [
        "a.director@example.org",
        "pm.one@example.org",
        "pm.two@example.org",
        "ed@example.org",
    ]
    assert plan.people[0] == Person(
        email="a.director@example.org",
        name="A Director",
        title="DDaT Director",
        roles=frozenset({Role.DIRECTOR}),
    )
    assert plan.projects == (
        Project(
            project_id="onedrive-user-adoption",
            name="OneDrive user adoption",
            owner="pm.one@example.org",
            deputy="pm.two@example.org",
            template=Template.FULL,
            metrics=(Metric(name="Active file viewing and editing", unit="users"),),
            order=0,
        ),
        Project(
            project_id="intranet-refresh",
            name="Intranet refresh",
            owner="a.director@example.org",
            template=Template.BRIEF,
            order=1,
        ),
    )


def test_optional_settings_take_their_defaults() -> None:
    plan = parse_org_file(
        "organisation: Small\n"
        "people: [{email: p@example.org, name: P, roles: [pm]}]\n"
        "projects: [{name: Only one, owner: p@example.org}]\n"
    )

    assert plan.organisation == Organisation(name="Small")
    assert plan.organisation.schedule == Schedule()
    assert plan.projects[0].template is Template.FULL
    assert plan.people[0].title == ""


def test_scalars_are_read_as_written_not_as_yaml_guesses() -> None:
    # YAML 1.1 reads NO as false and 9:30 as a number of minutes; the file means Norway and half past nine.
    plan = parse_org_file(
        edited("holidays: {country: GB, subdivision: ENG}", "holidays: {country: NO}").replace(
            'remind: "fri 10:00"', "remind: Fri 9:30"
        )
    )

    assert (plan.organisation.holidays_country, plan.organisation.holidays_subdivision) == ("NO", "")
    assert plan.organisation.schedule.remind == "fri 09:30"


def test_retention_is_the_organisation_s_own_period() -> None:
    assert parse_org_file(VALID).organisation.retention_weeks == 0
    assert (
        parse_org_file(edited("people:", "retention_weeks: 104\npeople:")).organisation.retention_weeks == 104
    )


def test_holidays_null_means_no_public_holidays() -> None:
    plan = parse_org_file(edited("holidays: {country: GB, subdivision: ENG}", "holidays: null"))

    assert (plan.organisation.holidays_country, plan.organisation.holidays_subdivision) == ("", "")


def test_an_explicit_id_keeps_a_renamed_project_s_history() -> None:
    plan = parse_org_file(
        edited("  - name: Intranet refresh\n", "  - name: Intranet relaunch\n    id: intranet-refresh\n")
    )

    assert plan.projects[1].project_id == "intranet-refresh"


def test_inactive_people_and_projects_are_kept() -> None:
    text = edited(
        "{email: ed@example.org, name: Ed Itor, roles: [editor]}",
        "{email: ed@example.org, name: Ed, roles: [editor], active: false}",
    )
    plan = parse_org_file(text.replace("    template: brief\n", "    template: brief\n    active: no\n"))

    assert plan.people[3].active is False
    assert plan.projects[1].active is False


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("OneDrive user adoption", "onedrive-user-adoption"),
        ("  Café -- Réouverture (phase 2)! ", "cafe-reouverture-phase-2"),
        ("Product: Drupal", "product-drupal"),
        ("🚀", ""),
    ],
)
def test_project_slug(name: str, slug: str) -> None:
    assert project_slug(name) == slug


def test_the_example_organisation_parses() -> None:
    plan = parse_org_file(EXAMPLE.read_text(encoding="utf-8"))

    roles = [person.roles for person in plan.people]
    assert sum(Role.DIRECTOR in r for r in roles) == 1
    assert sum(Role.EDITOR in r for r in roles) == 1
    assert sum(Role.PM in r for r in roles) == 4
    assert {project.template for project in plan.projects} == set(Template)
    assert len(plan.projects) == 7
    assert all(p.metrics for p in plan.projects if p.template is Template.FULL)
    assert all(person.email.endswith("@example.org") for person in plan.people)


# -- every kind of mistake ---------------------------------------------------------------------------------

# (edit to VALID, the line the problem is on, the field it names, words the reason must contain)
MISTAKES = [
    pytest.param(
        "timezone: Europe/London", "timezone: Europe/Lundun", 2, "timezone", "IANA", id="bad-timezone"
    ),
    pytest.param(
        'prompt: "thu 10:00"', 'prompt: "thursday 10:00"', 3, "schedule.prompt", "24-hour", id="day-name"
    ),
    pytest.param('prompt: "thu 10:00"', 'prompt: "thu 24:00"', 3, "schedule.prompt", "24-hour", id="hour"),
    pytest.param('prompt: "thu 10:00"', 'prompt: "thu 10:60"', 3, "schedule.prompt", "24-hour", id="minute"),
    pytest.param('prompt: "thu 10:00"', "prompt: 10:00", 3, "schedule.prompt", "24-hour", id="no-day"),
    pytest.param(
        'close: "mon 09:00"',
        'closes: "mon 09:00"',
        3,
        "schedule.closes",
        "did you mean 'close'",
        id="sched-key",
    ),
    pytest.param("country: GB,", "country: XX,", 4, "holidays.country", "country code", id="country"),
    pytest.param(
        "subdivision: ENG", "subdivision: YORKS", 4, "holidays.subdivision", "ENG, NIR", id="subdivision"
    ),
    pytest.param("holidays:", "colour: blue\nholidays:", 4, "colour", "unknown key", id="unknown-top-key"),
    pytest.param(
        "people:", "retention_weeks: -1\npeople:", 5, "retention_weeks", "whole number", id="retention"
    ),
    pytest.param(
        "people:", "retention_weeks: 2.5\npeople:", 5, "retention_weeks", "whole number", id="retention-frac"
    ),
    pytest.param("organisation: DDaT\n", "organisation: ''\n", 1, "organisation", "empty", id="empty-name"),
    pytest.param("organisation: DDaT\n", "", 1, "organisation", "missing", id="no-organisation"),
    pytest.param(
        "A.Director@Example.org", "a.director.example.org", 6, "people[1].email", "not an email", id="email"
    ),
    pytest.param(
        "pm.one@example.org, name",
        "pm.one@exa#mple.org, name",
        7,
        "people[2].email",
        "not an email",
        id="email-chars",
    ),
    pytest.param(
        "{email: pm.two@example.org, ",
        "{email: PM.ONE@example.org, ",
        8,
        "people[3].email",
        "already on line 7",
        id="dup-email",
    ),
    pytest.param(
        "{email: ed@example.org, name: Ed Itor, ",
        "{email: ed@example.org, ",
        9,
        "people[4].name",
        "missing",
        id="no-person-name",
    ),
    pytest.param(
        "roles: [editor]", "roles: [editor, chief]", 9, "people[4].roles", "not a role", id="unknown-role"
    ),
    pytest.param("roles: [editor]", "roles: []", 9, "people[4].roles", "at least one", id="no-roles"),
    pytest.param(
        "roles: [editor]", "roles: [editor], phone: 123", 9, "people[4].phone", "unknown key", id="person-key"
    ),
    pytest.param(
        "roles: [editor]", "roles: [editor], active: maybe", 9, "people[4].active", "true or false", id="flag"
    ),
    pytest.param("name: PM Two,", 'name: "PM\\nTwo",', 8, "people[3].name", "line break", id="newline"),
    pytest.param(
        "name: PM Two,", 'name: "' + "x" * 201 + '",', 8, "people[3].name", "201 characters", id="long-name"
    ),
    pytest.param(
        "title: Project Manager,",
        'title: "' + "t" * 201 + '",',
        7,
        "people[2].title",
        "at most 200",
        id="long-title",
    ),
    pytest.param(
        "  - name: OneDrive", "  - nmae: OneDrive", 11, "projects[1].nmae", "did you mean 'name'", id="typo"
    ),
    pytest.param(
        "  - name: OneDrive user adoption\n",
        "  - template: full\n",
        11,
        "projects[1].name",
        "missing",
        id="no-project-name",
    ),
    pytest.param(
        "owner: pm.one@example.org",
        "owner: nobody@example.org",
        12,
        "projects[1].owner",
        "not listed",
        id="owner-unknown",
    ),
    pytest.param(
        "owner: pm.one@example.org",
        "deputy: pm.one@example.org",
        13,
        "projects[1].deputy",
        "appears twice",
        id="dup-key",
    ),
    pytest.param(
        "deputy: PM.Two@example.org",
        "deputy: PM.One@example.org",
        13,
        "projects[1].deputy",
        "is the owner",
        id="deputy-owner",
    ),
    pytest.param(
        "deputy: PM.Two@example.org",
        "deputy: ed@example.org",
        13,
        "projects[1].deputy",
        "role pm or director",
        id="deputy-role",
    ),
    pytest.param(
        "owner: a.director@example.org",
        "owner: ed@example.org",
        17,
        "projects[2].owner",
        "role pm or director",
        id="owner-role",
    ),
    pytest.param(
        "template: full", "template: fancy", 14, "projects[1].template", "not a template", id="template"
    ),
    pytest.param(
        "  - name: Intranet refresh",
        "  - name: onedrive USER adoption",
        16,
        "projects[2].name",
        "already a project on line 11",
        id="dup-name",
    ),
    pytest.param(
        "  - name: Intranet refresh",
        "  - name: OneDrive-user adoption!",
        16,
        "projects[2].name",
        "already used",
        id="dup-slug",
    ),
    pytest.param(
        "  - name: Intranet refresh",
        "  - name: '***'",
        16,
        "projects[2].name",
        "no letters or digits",
        id="no-slug",
    ),
    pytest.param(
        "  - name: Intranet refresh\n",
        "  - name: Intranet refresh\n    id: Intranet_2\n",
        17,
        "projects[2].id",
        "lower-case",
        id="bad-id",
    ),
    pytest.param(
        "template: brief",
        "template: brief\n    metrics: [{name: Visits}]",
        19,
        "projects[2].metrics",
        "only the full",
        id="metrics-brief",
    ),
    pytest.param(
        "metrics: [{name: Active",
        "metrics: [{unit: users, label: Active",
        15,
        "projects[1].metrics[1].name",
        "missing",
        id="metric-name",
    ),
    pytest.param(
        "metrics: [{name: Active",
        "metrics: [{nom: Active",
        15,
        "projects[1].metrics[1].nom",
        "unknown key",
        id="metric-key",
    ),
    pytest.param(
        "metrics: [",
        "metrics: [Visits, ",
        15,
        "projects[1].metrics[1]",
        "must be a mapping",
        id="metric-text",
    ),
    pytest.param(
        "unit: users}]",
        "unit: users}, {name: active FILE viewing and editing}]",
        15,
        "projects[1].metrics[2].name",
        "already a metric",
        id="metric-dup",
    ),
    pytest.param(
        "metrics: [{name: Active file viewing and editing, unit: users}]",
        "metrics: {name: Visits}",
        15,
        "projects[1].metrics",
        "must be a list",
        id="metrics-map",
    ),
]


@pytest.mark.parametrize(("old", "new", "line", "field", "why"), MISTAKES)
def test_each_mistake_names_its_line_and_field(old: str, new: str, line: int, field: str, why: str) -> None:
    found = problems_of(edited(old, new))

    assert any(p.startswith(f"line {line}, {field}: ") and why in p for p in found), found


def test_yaml_syntax_errors_give_their_line() -> None:
    found = problems_of(edited("  - name: Intranet refresh\n", "  - name: [Intranet refresh\n"))

    assert found == [
        "line 17: this is not valid YAML (expected ',' or ']', but got ':', "
        "while parsing a flow sequence that starts on line 16)."
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "line 1: the file is empty"),
        ("- just\n- a list\n", "line 1, : must be a mapping"),
        ("organisation: X\npeople: {a: 1}\nprojects: []\n", "line 2, people: must be a list"),
        ("organisation: X\npeople: []\nprojects: []\n", "line 2, people: is empty"),
        ("organisation: X\npeople:\nprojects: []\n", "line 2, people: is empty"),
        ("organisation: [X]\npeople: []\nprojects: []\n", "line 1, organisation: must be text"),
    ],
)
def test_malformed_shapes_are_reported(text: str, expected: str) -> None:
    assert any(p.startswith(expected) for p in problems_of(text)), problems_of(text)


def test_every_problem_is_reported_at_once_in_line_order() -> None:
    text = (
        edited("timezone: Europe/London", "timezone: Mars/Olympus")
        .replace("roles: [editor]", "roles: [boss]")
        .replace("template: brief", "template: tiny")
        .replace("owner: pm.one@example.org", "owner: ghost@example.org")
    )

    found = problems_of(text)

    assert [p.split(",")[0] for p in found] == ["line 2", "line 9", "line 12", "line 18"]


def test_an_inactive_owner_is_refused() -> None:
    text = edited(
        "title: Project Manager, roles: [pm]}", "title: Project Manager, roles: [pm], active: false}"
    )

    assert any("projects[1].owner: pm.one@example.org is marked inactive" in p for p in problems_of(text))


def test_a_broken_person_is_not_blamed_again_on_their_projects() -> None:
    found = problems_of(
        edited("title: Project Manager, roles: [pm]}", "title: Project Manager, roles: [pmm]}")
    )

    assert len(found) == 1
    assert found[0].startswith("line 7, people[2].roles")


def test_an_oversized_file_is_refused_before_parsing() -> None:
    assert problems_of("#" * 1_000_001)[0].startswith("line 1: the file is 1,000,001 characters")


# -- round trips ---------------------------------------------------------------------------------------------


def test_valid_and_example_files_round_trip() -> None:
    for text in (VALID, EXAMPLE.read_text(encoding="utf-8")):
        plan = parse_org_file(text)
        assert parse_org_file(export_org_file(plan.organisation, plan.people, plan.projects)) == plan


_text = (
    st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40)
    .map(str.strip)
    .filter(bool)
)
_email = st.from_regex(r"[a-z0-9]([a-z0-9._+-]{0,15}[a-z0-9])?@[a-z]{1,10}\.(org|uk)", fullmatch=True)
_when = st.builds(
    lambda d, h, m: f"{d} {h:02d}:{m:02d}",
    st.sampled_from(["mon", "wed", "sun"]),
    st.integers(0, 23),
    st.integers(0, 59),
)


@st.composite
def plans(draw: st.DrawFn) -> OrgPlan:
    """Valid plans with awkward text: quotes, colons, accents, emoji, YAML keywords."""
    emails = draw(st.lists(_email, min_size=1, max_size=4, unique=True))
    people = tuple(
        Person(
            email=email,
            name=draw(_text | st.sampled_from(["yes", "null", "- x", "a: b", "'q'", "#1", "10:00"])),
            title=draw(st.just("") | _text),
            roles=frozenset(draw(st.lists(st.sampled_from(list(Role)), min_size=1))) | {Role.PM},
            active=draw(st.booleans()),
        )
        for email in emails
    )
    if not any(person.active for person in people):
        people = (replace(people[0], active=True), *people[1:])
    owners = [person.email for person in people if person.active]
    names = draw(
        st.lists(_text, max_size=4, unique_by=project_slug).filter(lambda ns: all(map(project_slug, ns)))
    )
    projects = []
    for order, name in enumerate(names):
        template = draw(st.sampled_from(list(Template)))
        metrics = draw(st.lists(_text, max_size=3, unique_by=str.lower)) if template is Template.FULL else []
        projects.append(
            Project(
                project_id=draw(st.just(project_slug(name)) | st.just(f"p{order}-{project_slug(name)}")),
                name=name,
                owner=draw(st.sampled_from(owners)),
                template=template,
                metrics=tuple(
                    Metric(name=m, unit=draw(st.sampled_from(["", "%", "users", "£"]))) for m in metrics
                ),
                order=order,
                active=draw(st.booleans()),
            )
        )
    country, subdivision = draw(
        st.sampled_from([("GB", "SCT"), ("GB", ""), ("", ""), ("NO", ""), ("FR", "")])
    )
    organisation = Organisation(
        name=draw(_text),
        timezone=draw(st.sampled_from(["Europe/London", "UTC", "America/Argentina/Buenos_Aires"])),
        schedule=Schedule(prompt=draw(_when), remind=draw(_when), close=draw(_when)),
        holidays_country=country,
        holidays_subdivision=subdivision,
        retention_weeks=draw(st.sampled_from([0, 0, 1, 52, 10_000])),
    )
    return OrgPlan(organisation=organisation, people=people, projects=tuple(projects))


@settings(max_examples=60, deadline=None)
@given(plans())
def test_any_valid_plan_round_trips(plan: OrgPlan) -> None:
    text = export_org_file(plan.organisation, plan.people, reversed(plan.projects))

    assert parse_org_file(text) == plan


# -- the Agents Playground's people are the example organisation's ------------------------------------------

ROOT = EXAMPLE.parents[1]
PLAYGROUND_CONFIG = ROOT / ".m365agentsplayground.yml"
PLAYGROUND = ROOT / "node_modules" / ".bin" / "agentsplayground"


def test_the_playground_people_are_the_example_organisation_s() -> None:
    config = yaml.safe_load(PLAYGROUND_CONFIG.read_text(encoding="utf-8"))
    people = {person.email: person for person in parse_org_file(EXAMPLE.read_text(encoding="utf-8")).people}

    users = [config["currentUser"], *config["users"]]
    assert len(config["users"]) == 5
    assert len(config["team"]["channels"]) <= 1
    assert {user["email"] for user in users} == set(people)
    for user in users:
        person = people[user["email"]]
        assert user["userPrincipleName"] == user["email"]
        assert user["name"] == person.name == f"{user['givenName']} {user['surname']}"
    assert Role.PM in people[config["currentUser"]["email"]].roles


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _QuietBot(BaseHTTPRequestHandler):
    """A bot endpoint that accepts everything and says nothing."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_POST(self) -> None:
        self.do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _run_playground(config: Path, workdir: Path) -> tuple[int | None, dict[str, Any] | None, str]:
    """Run the playground on ``config``: exit code (None if still running), the config it loaded, its log."""
    assert PLAYGROUND.exists(), "the Agents Playground is missing: run scripts/bootstrap (npm ci)"
    port = _free_port()
    # It waits for the bot's endpoint to answer before it reads its config: give it one that does.
    bot = ThreadingHTTPServer(("127.0.0.1", 0), _QuietBot)
    threading.Thread(target=bot.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{bot.server_address[1]}/api/messages"
    command = [str(PLAYGROUND), "-e", endpoint, "-c", "msteams"]
    command += ["-p", str(port), "--disable-telemetry"]
    env = {**os.environ, "M365_AGENTS_PLAYGROUND_CONFIG_PATH": str(config)}
    process = subprocess.Popen(
        command, cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    loaded: dict[str, Any] | None = None
    try:
        deadline = time.monotonic() + 30
        # It prints "Listening on" before it reads the config, then exits 1 if the file is bad: wait until it
        # serves the config it loaded, or exits.
        while loaded is None and process.poll() is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/_internal/v1/config", timeout=2
                ) as answer:
                    loaded = json.load(answer)["config"]
            except (OSError, ValueError, KeyError):
                time.sleep(0.3)
        code = process.poll()
    finally:
        process.kill()
        process.wait(timeout=10)
        bot.shutdown()
        bot.server_close()
    log = workdir / "devTools" / "m365agentsplayground.log"
    return code, loaded, log.read_text(encoding="utf-8") if log.exists() else ""


@pytest.mark.slow
def test_the_playground_starts_with_the_config(tmp_path: Path) -> None:
    code, loaded, log = _run_playground(PLAYGROUND_CONFIG, tmp_path)

    assert code is None, log
    assert loaded is not None, log
    assert loaded["currentUser"]["id"] == "29:demo-sam-whitfield"
    assert [user["email"] for user in loaded["users"]] == [
        user["email"] for user in yaml.safe_load(PLAYGROUND_CONFIG.read_text(encoding="utf-8"))["users"]
    ]


@pytest.mark.slow
def test_the_playground_refuses_a_config_without_five_users(tmp_path: Path) -> None:
    config = yaml.safe_load(PLAYGROUND_CONFIG.read_text(encoding="utf-8"))
    config["users"] = config["users"][:4]
    bad = tmp_path / "bad.yml"
    bad.write_text(yaml.safe_dump(config), encoding="utf-8")

    code, _, log = _run_playground(bad, tmp_path)

    assert code == 1
    assert '"/users": must NOT have fewer than 5 items' in log
