"""The test builders of the whole suite: datasets that pass the portal's schema, and the people
of a ministry. Every test folder builds its data here (CKAN's own ``ckan.tests.factories``
gives users, organisations and tokens).

- ``well_filled()``: every field of the schema filled as a careful producer would (score 100
  on the day of the call: ``modified`` is today);
- ``poorly_filled()``: a title and two words;
- ``create_dataset(org, …)``: through ``package_create``, so the schema's validators run;
- ``ministry()``: an organisation with a member, an editor and an admin, another organisation
  with its own editor, and a sysadmin, each with an API token.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from ckan.tests import factories, helpers

from ckanext.internalportal.lib.context import site_context

EU = "http://publications.europa.eu/resource/authority"
INSEE = "http://id.insee.fr/geo"
NOTES = ("Accidents corporels et victimes par département, issus des bulletins d'analyse des "
         "accidents corporels (BAAC) consolidés par l'ONISR.")


def today() -> str:
    return datetime.now(timezone.utc).date().isoformat()


def well_filled(**overrides: Any) -> dict[str, Any]:
    """A dataset with every field of the schema filled (public, no personal data)."""
    data: dict[str, Any] = {
        "title": "Accidents corporels de la circulation routière – 2023",
        "notes": NOTES,
        "tags": [{"name": "sécurité routière"}, {"name": "accidents"}],
        "theme": [f"{EU}/data-theme/TRAN", f"{EU}/data-theme/JUST"],
        "access_level": "public",
        "license_id": "lov2",
        "contact": [{"name": "ONISR", "email": "onisr@interieur.gouv.fr"}],
        "personal_data": "none",
        "source_application": "BAAC",
        "data_steward": "Chef du pôle statistiques",
        "frequency": f"{EU}/frequency/ANNUAL",
        "spatial_coverage": [{"uri": f"{INSEE}/departement/33"},
                             {"uri": f"{INSEE}/region/53"}],
        "temporal_coverage": [{"start": "2023-01-01", "end": "2023-12-31"}],
        "issued": "2024-06-15",
        "modified": today(),
        "version": "2024.1",
        "language": [f"{EU}/language/FRA", f"{EU}/language/ENG"],
        "conforms_to": ["https://schema.data.gouv.fr/etalab/schema-irve-statique/",
                        "Nomenclature BAAC 2019"],
        "resources": [
            {"name": "Accidents par département", "url": "https://example.org/accidents.csv",
             "format": "CSV", "description": "Une ligne par département.", "size": 1234,
             "hash": "ab" * 32, "availability": f"{EU}/planned-availability/STABLE"},
            {"name": "Documentation", "url": "https://example.org/doc.pdf", "format": "PDF",
             "description": "Méthodologie.", "license": "cc-by"},
        ],
    }
    data.update(overrides)
    return data


def poorly_filled(**overrides: Any) -> dict[str, Any]:
    """A title, two words of description, nothing else."""
    return {"title": "Tableau de suivi", "notes": "À compléter.", **overrides}


def create_dataset(org: dict[str, Any], user: Optional[dict[str, Any]] = None,
                   private: Optional[bool] = None, **fields: Any) -> dict[str, Any]:
    """A dataset of ``org`` made through ``package_create`` by ``user`` (else the site user).

    ``private=True`` sets the access level ``private`` (seen by the organisation only),
    ``private=False`` the level ``public``, over the level in ``fields``; without it, the
    level in ``fields`` (or the schema's default)."""
    if private is not None:
        fields["access_level"] = "private" if private else "public"
    fields.setdefault("name", factories.Dataset.stub().name)
    context = {"user": user["name"]} if user else site_context()
    return helpers.call_action("package_create", context=context, owner_org=org["id"],
                               **fields)


def ministry() -> dict[str, Any]:
    """An organisation with a member, an editor and an admin; another organisation with its
    own editor (``outsider``); a sysadmin. Users carry an API token (``user["token"]``)."""
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
