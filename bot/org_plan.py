"""What an organisation file declares (:class:`OrgPlan`), and the rules its reader and writer share.

The file itself, read and written, is :mod:`bot.org_file`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.domain.models import Organisation, Person, Project, Role

MAX_NAME = 200
OWNER_ROLES = frozenset({Role.PM, Role.DIRECTOR})


@dataclass(frozen=True)
class OrgPlan:
    """Everything an organisation file declares, ready to be saved."""

    organisation: Organisation
    people: tuple[Person, ...]
    projects: tuple[Project, ...]


def project_slug(name: str) -> str:
    """The stable id of a project: ``"OneDrive user adoption"`` -> ``"onedrive-user-adoption"``.

    Accents are folded to plain letters; anything else that is not a letter or digit becomes a hyphen.
    """
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
