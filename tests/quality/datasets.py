"""Datasets of known quality, shaped for the active dataset schema.

A field the active scheming schema declares is sent as a field; any other as an extra (JSON
for lists), as the demo loader does. So these datasets are the same before and after the
DCAT-AP 3 schema moves ``frequency``, ``theme``, ``contact``… from extras to fields.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from ckan.tests import factories

EU = "http://publications.europa.eu/resource/authority"
LONG_NOTES = (
    "Nombre d'accidents corporels de la circulation routière et de victimes (personnes tuées, "
    "blessées hospitalisées et blessées légères) survenus en 2023, par département. Données "
    "issues des bulletins d'analyse des accidents corporels (BAAC).")


def well_filled(**overrides: Any) -> dict[str, Any]:
    """Every field the checks look at, filled (score 100 at the time of the call)."""
    today = datetime.now(timezone.utc).date().isoformat()
    fields: dict[str, Any] = {
        "title": "Accidents corporels de la circulation routière – 2023",
        "notes": LONG_NOTES,
        "tags": [{"name": "sécurité routière"}, {"name": "accidents"}],
        "license_id": "lov2",
        "contact": [{"name": "ONISR", "email": "onisr@interieur.gouv.fr"}],
        "theme": [f"{EU}/data-theme/TRAN"],
        "frequency": f"{EU}/frequency/ANNUAL",
        "access_rights": f"{EU}/access-right/PUBLIC",
        "personal_data": "none",
        "spatial_coverage": [{"uri": f"{EU}/country/FRA", "text": "France"}],
        "temporal_coverage": [{"start": "2023-01-01", "end": "2023-12-31"}],
        "issued": "2024-06-15",
        "modified": today,
        "resources": [
            {"name": "Accidents par département – 2023",
             "url": "https://www.data.gouv.fr/fr/datasets/r/accidents-2023.csv",
             "format": "CSV", "description": "Une ligne par département."},
        ],
    }
    fields.update(overrides)
    return fields


def poorly_filled(**overrides: Any) -> dict[str, Any]:
    """A title, two words of description, nothing else."""
    return {"title": "Tableau de suivi", "notes": "À compléter.", **overrides}


def schema_fields() -> set[str]:
    from ckanext.scheming.helpers import scheming_get_dataset_schema
    schema = scheming_get_dataset_schema("dataset") or {}
    return {f["field_name"] for f in schema.get("dataset_fields", [])}


CORE = {"name", "title", "notes", "tags", "license_id", "owner_org", "private", "resources",
        "extras", "state", "type"}


def shaped(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` as the active schema takes them: known fields as such, others as extras."""
    known = CORE | schema_fields()
    data = {k: v for k, v in fields.items() if k in known}
    extras = [{"key": k, "value": v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)}
              for k, v in fields.items() if k not in known]
    if extras:
        data["extras"] = extras
    return data


def create_dataset(org: dict[str, Any], user: dict[str, Any] | None = None,
                   private: bool = False, **fields: Any) -> dict[str, Any]:
    """A dataset of ``org`` created through the API (by ``user``, or the site user).

    Private: seen by the organisation only (access level ``private``); else public."""
    fields = {"private": private, "access_level": "private" if private else "public", **fields}
    kwargs: dict[str, Any] = {"owner_org": org["id"], **shaped(fields)}
    if user is not None:
        kwargs["user"] = user
    return factories.Dataset(**kwargs)


def ministry() -> dict[str, Any]:
    """An organisation with a member, an editor and an admin; another organisation with its
    own user; a sysadmin. Users carry an API token (``user["token"]``)."""
    member, editor, admin = (factories.UserWithToken() for _ in range(3))
    outsider, sysadmin = factories.UserWithToken(), factories.SysadminWithToken()
    org = factories.Organization(users=[
        {"name": member["name"], "capacity": "member"},
        {"name": editor["name"], "capacity": "editor"},
        {"name": admin["name"], "capacity": "admin"},
    ])
    other_org = factories.Organization(users=[{"name": outsider["name"],
                                               "capacity": "editor"}])
    return {"org": org, "other_org": other_org, "member": member, "editor": editor,
            "admin": admin, "outsider": outsider, "sysadmin": sysadmin}
