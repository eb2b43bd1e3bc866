"""The access-level rules: which levels are open data, what CKAN's ``private`` follows.
Pure (the levels are data: ``schemas/vocabularies/access-level.yaml``)."""
from __future__ import annotations

from typing import Any, Optional

from ckanext.internalportal.schemas import vocabularies

VOCABULARY = "access-level"
# the level of a bare CKAN ``private`` flag (a caller who only speaks CKAN)
LEVEL_OF_PRIVATE_FLAG = {False: "public", True: "private"}


def level_concept(level: Any) -> Optional[vocabularies.Concept]:
    if not isinstance(level, str):
        return None
    return vocabularies.vocabulary(VOCABULARY).get(level.strip())


def is_private_level(level: Any) -> bool:
    """CKAN's ``private`` for an access level: true unless the vocabulary says the level is
    open (an unknown level is private: never publish by mistake)."""
    concept = level_concept(level)
    return bool(concept.data.get("private", True)) if concept else True


def is_public_level(level: Any) -> bool:
    """Whether the level is open data (published to everyone, harvested by data.gouv.fr)."""
    return not is_private_level(level)


def is_open_data(pkg: dict) -> bool:
    """A dataset dict published as open data: its access level when it has one, else CKAN's
    ``private`` flag (a dataset from a CKAN without the portal's schema)."""
    level = pkg.get("access_level")
    if isinstance(level, str) and level.strip():
        return is_public_level(level)
    return str(pkg.get("private", False)).strip().lower() not in ("true", "1")
