"""The visibility matrix: who learns that a dataset exists, for every role × surface × access
level. Every new surface (action, page, export, report, e-mail) joins ``SURFACES``.

The rule today (the sharing plugin will widen it, and this matrix with it): a public dataset is
seen by everyone; an internal, restricted or private one (CKAN's ``private``) only by the
members of its organisation and sysadmins — never by anonymous readers nor by agents of another
ministry, on any surface. The RDF catalogue is the open-data catalogue: public datasets only,
for every reader, sysadmins included.

Each surface is asked as a client would, over the test app with the reader's API token, and
answers « seen » or « not seen »; a test per surface lists every mismatch at once.
"""
from __future__ import annotations

import html
from typing import Any, Callable

import pytest

from ckanext.internalportal import settings
from tests.factories import create_dataset, ministry, well_filled

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")]

LEVELS = ("public", "internal", "restricted", "private")
ROLES = ("anonymous", "outsider", "member", "editor", "admin", "sysadmin")
ORGANISATION_READERS = {"member", "editor", "admin", "sysadmin"}


def sees_in_general(role: str, level: str) -> bool:
    return level == "public" or role in ORGANISATION_READERS


def sees_in_catalogue(role: str, level: str) -> bool:
    return level == "public"


def _headers(user: dict | None) -> dict[str, str]:
    return {"Authorization": user["token"]} if user else {}


def _api(app, action: str, user, **params) -> Any:
    response = app.get(f"/api/3/action/{action}", params=params, headers=_headers(user),
                       expect_errors=True)
    return response.status_code, (response.json if response.status_code < 500 else None)


def package_show(app, user, pkg) -> bool:
    status, body = _api(app, "package_show", user, id=pkg["name"])
    assert status in (200, 403, 404), status
    return status == 200 and body["result"]["id"] == pkg["id"]


def package_search(app, user, pkg) -> bool:
    status, body = _api(app, "package_search", user, q=f'name:"{pkg["name"]}"',
                        include_private="true", include_drafts="true")
    assert status == 200, status
    return pkg["id"] in {r["id"] for r in body["result"]["results"]}


def dataset_quality_show(app, user, pkg) -> bool:
    status, _ = _api(app, "dataset_quality_show", user, id=pkg["name"])
    assert status in (200, 403, 404), status
    return status == 200


def dataset_page(app, user, pkg) -> bool:
    response = app.get(f"/dataset/{pkg['name']}", headers=_headers(user), expect_errors=True)
    assert response.status_code in (200, 403, 404), response.status_code
    return response.status_code == 200 and pkg["title"] in html.unescape(response.body)


def search_page(app, user, pkg) -> bool:
    response = app.get("/dataset/", params={"q": f'name:"{pkg["name"]}"'},
                       headers=_headers(user))
    return f'/dataset/{pkg["name"]}"' in response.body


def dataset_rdf(app, user, pkg) -> bool:
    response = app.get(f"/dataset/{pkg['name']}.ttl", headers=_headers(user),
                       expect_errors=True)
    assert response.status_code in (200, 403, 404), response.status_code
    return response.status_code == 200 and pkg["id"] in response.body


def catalogue_rdf(app, user, pkg) -> bool:
    response = app.get("/catalog.ttl", headers=_headers(user))
    return pkg["id"] in response.body or f'/dataset/{pkg["id"]}' in response.body


# surface -> (how a reader asks it, the rule it follows)
SURFACES: dict[str, tuple[Callable, Callable[[str, str], bool]]] = {
    "api package_show": (package_show, sees_in_general),
    "api package_search": (package_search, sees_in_general),
    "api dataset_quality_show": (dataset_quality_show, sees_in_general),
    "dataset page": (dataset_page, sees_in_general),
    "search page": (search_page, sees_in_general),
    "dataset RDF": (dataset_rdf, sees_in_general),
    "RDF catalogue": (catalogue_rdf, sees_in_catalogue),
}


@pytest.mark.parametrize("surface", SURFACES)
def test_each_surface_shows_each_dataset_to_exactly_those_allowed(app, surface):
    ask, rule = SURFACES[surface]
    people = ministry()
    people["anonymous"] = None
    datasets = {level: create_dataset(people["org"], **well_filled(
        access_level=level, title=f"Jeu {level} de la matrice",
        license_id="lov2" if level == "public" else "notspecified")) for level in LEVELS}
    mismatches = []
    for role in ROLES:
        for level, pkg in datasets.items():
            seen, allowed = ask(app, people[role], pkg), rule(role, level)
            if seen != allowed:
                mismatches.append(f"{role} × {level}: {'seen' if seen else 'not seen'}, "
                                  f"expected {'seen' if allowed else 'not seen'}")
    assert not mismatches, f"{surface}: " + "; ".join(mismatches)
