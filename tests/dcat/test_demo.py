"""The RDF of the whole French demo portal (44 datasets, loaded once for this module):
valid DCAT-AP 3, warnings only where the quality score also fails, every field back from the
RDF, the public catalogue exactly the public datasets for every role, paged with Hydra, and
package_show as data.gouv.fr's CKAN harvester reads it."""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from rdflib import URIRef

import ckan.plugins as plugins
from ckan.tests import factories, helpers

from ckanext.internalportal import settings
from ckanext.internalportal import quality
from ckanext.internalportal.demo import loader
from ckanext.internalportal.dcat.terms import DPV, PROV
from tests.dcat import support
from tests.dcat.support import DCAT, DCT, HYDRA

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
    pytest.mark.usefixtures("with_plugins"),
    pytest.mark.ckan_config(support.PROFILES_OPTION, support.PROFILE),
]

DCATAP = "http://data.europa.eu/r5r/"
# Each recommended property of shapes_recommended.ttl that a dataset's RDF can miss, and the
# check of the quality score (ckanext/internalportal/quality/checks.py) that fails with it.
# The profile itself always writes the others (dct:type of agents and licences, availability,
# bbox and centroid of the portal's territories, end of an ongoing period).
RECOMMENDED_PATH_CHECKS = {
    str(DCAT.contactPoint): "contact_point",             # Dataset
    str(DCAT.distribution): "has_resources",             # Dataset
    str(DCAT.keyword): "keywords",                       # Dataset
    str(DCT.publisher): "publisher",                     # Dataset
    str(DCT.spatial): "spatial_coverage",                # Dataset
    str(DCT.temporal): "temporal_coverage",              # Dataset
    str(DCAT.theme): "themes",                           # Dataset
    str(DCT.description): "resources_description",       # Distribution
    str(DCT["format"]): "resources_url_format",          # Distribution
    str(DCT.license): "license",                         # Distribution
    DCATAP + "availability": None,                       # Distribution: profile default
    str(DCT.type): None,                                 # Agent, LicenseDocument: profile
    str(DCAT.bbox): "spatial_coverage",                  # Location (unknown territory)
    str(DCAT.centroid): "spatial_coverage",              # Location (unknown territory)
    str(DCAT.startDate): "temporal_coverage",            # PeriodOfTime without a start
    str(DCAT.endDate): "temporal_coverage",              # PeriodOfTime (never: ongoing)
}


@pytest.fixture(scope="module")
def demo(reset_db, reset_index, migrate_db_for):
    """The demo portal, loaded once for the module (a clean database first)."""
    plugins.load_all()
    try:
        reset_db()
        migrate_db_for("activity")
        migrate_db_for("harvest")
        reset_index()
        data = loader.read_demo_data()
        loader.load(data, support.site_context)
        yield data
    finally:
        plugins.unload_all()


def show_all(demo) -> dict[str, dict[str, Any]]:
    """package_show (as the site) of every demo dataset, by name."""
    return {entry["name"]: helpers.call_action("package_show", context=support.site_context(),
                                               id=entry["name"]) for entry in demo.datasets}


def poor_names(demo) -> set[str]:
    return {e["name"] for e in demo.datasets if e.get("demo_quality") == "poor"}


def public_ids() -> set[str]:
    result = helpers.call_action("package_search", context={"user": ""}, q="*:*", rows=1000)
    assert result["count"] == len(result["results"])
    return support.ids(result["results"])


def token_headers(user: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": factories.APIToken(user=user["name"])["token"]}


def catalogue_ids(app, headers=None) -> list[str]:
    g = support.graph(app.get("/catalog.ttl", headers=headers or {}).body)
    return support.dataset_identifiers(g)


# ------------------------------------------------------------------ SHACL
def test_whole_demo_catalogue_has_no_violation(app, demo):
    everything = list(show_all(demo).values())
    assert len(everything) == 44
    s = support.serializer()
    s.serialize_catalog({}, everything, _format="ttl")           # all 44, as a trusted reader
    assert support.violations(s.g) == []
    anonymous = support.graph(app.get("/catalog.ttl").body)      # the public catalogue
    assert len(support.dataset_refs(anonymous)) == len(public_ids())
    assert support.violations(anonymous) == []


def test_demo_catalogue_warns_only_on_the_poor_datasets(app, demo):
    datasets = show_all(demo)
    s = support.serializer()
    s.serialize_catalog({}, list(datasets.values()), _format="ttl")
    poor_nodes = set()
    for name in poor_names(demo):
        pkg = datasets[name]
        node = URIRef(f"http://test.internalportal.localhost/dataset/{pkg['id']}")
        poor_nodes.add(str(node))
        poor_nodes.update(str(d) for d in s.g.objects(node, DCAT.distribution))
    assert {r.focus for r in support.warnings(s.g)} <= poor_nodes


def test_every_well_filled_demo_dataset_has_no_warning(demo):
    poor = poor_names(demo)
    checked = 0
    for name, pkg in show_all(demo).items():
        if name in poor:
            continue
        g = support.dataset_graph(pkg)
        assert support.violations(g) == [], name
        assert support.warnings(g) == [], name
        checked += 1
    assert checked == 41


def test_every_warning_on_a_poor_demo_dataset_is_a_failed_quality_check(demo):
    datasets = show_all(demo)
    assert len(poor_names(demo)) == 3
    for name in poor_names(demo):
        pkg = datasets[name]
        failed = {r.name for r in quality.evaluate(pkg) if not r.passed}
        warned = {r.path for r in support.warnings(support.dataset_graph(pkg))}
        assert warned, f"{name} is poor: the recommended shapes should warn"
        for path in warned:
            assert path in RECOMMENDED_PATH_CHECKS, f"{name}: no quality check for {path}"
            check = RECOMMENDED_PATH_CHECKS[path]
            assert check is not None, f"{name}: {path} should always be written"
            assert check in failed, f"{name}: {path} is warned but {check} passes"


def test_mapped_checks_exist_in_the_quality_score():
    names = {check.name for check in quality.CHECKS}
    assert {c for c in RECOMMENDED_PATH_CHECKS.values() if c} <= names


# ------------------------------------------------------------------ round trip
def test_every_schema_field_of_every_demo_dataset_comes_back_from_the_rdf(demo):
    problems = []
    for pkg in show_all(demo).values():
        problems += support.round_trip_problems(pkg)
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------ who sees what
def test_anonymous_catalogue_is_exactly_the_public_datasets(app, demo):
    identifiers = catalogue_ids(app)
    assert len(identifiers) == len(set(identifiers))              # unique dct:identifier
    assert set(identifiers) == public_ids()
    datasets = show_all(demo)
    assert len(identifiers) == sum(1 for p in datasets.values() if not p["private"]) == 27


def test_anonymous_catalogue_keeps_internal_details_and_checksums_out(app, demo):
    g = support.graph(app.get("/catalog.ttl").body)
    for predicate in (PROV.wasGeneratedBy, PROV.qualifiedAttribution, DPV.hasLegalBasis,
                      DPV.hasDataProtectionOfficer,
                      URIRef("http://spdx.org/rdf/terms#checksum")):
        assert not list(g.triples((None, predicate, None))), predicate


def test_catalogue_is_the_public_datasets_for_every_role(app, demo):
    """The RDF catalogue is the open-data catalogue: the same for everyone; private datasets
    are served one by one to those allowed (below)."""
    interieur = helpers.call_action("organization_show", id="ministere-interieur")
    member = factories.User()
    helpers.call_action("organization_member_create", context=support.site_context(),
                        id=interieur["id"], username=member["name"], role="member")
    outsider = factories.User()
    economie = helpers.call_action("organization_show", id="ministere-economie")
    helpers.call_action("organization_member_create", context=support.site_context(),
                        id=economie["id"], username=outsider["name"], role="editor")
    sysadmin = factories.Sysadmin()
    expected = public_ids()
    for headers in (None, token_headers(outsider), token_headers(member),
                    token_headers(sysadmin)):
        identifiers = catalogue_ids(app, headers)
        assert sorted(identifiers) == sorted(expected)


def test_private_dataset_rdf_only_for_those_who_may_see_it(app, demo):
    # a private dataset (an internal one is for every agent: tests/test_visibility.py)
    private = helpers.call_action("package_show", context=support.site_context(),
                                  id="signalements-harcelement-scolaire")
    assert private["access_level"] == "private"
    assert private["organization"]["name"] == "ministere-education-nationale"
    path = "/dataset/signalements-harcelement-scolaire.ttl"
    assert app.get(path).status_code == 404                              # anonymous
    outsider = factories.User()
    economie = helpers.call_action("organization_show", id="ministere-economie")
    helpers.call_action("organization_member_create", context=support.site_context(),
                        id=economie["id"], username=outsider["name"], role="admin")
    assert app.get(path, headers=token_headers(outsider)).status_code == 404
    member = factories.User()
    helpers.call_action("organization_member_create", context=support.site_context(),
                        id=private["owner_org"], username=member["name"], role="member")
    g = support.graph(app.get(path, headers=token_headers(member)).body)
    assert support.dataset_identifiers(g) == [private["id"]]
    assert support.violations(g) == []


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", 5)
def test_hydra_pages_hold_every_public_dataset_once(app, demo):
    seen: list[str] = []
    url, pages = "/catalog.ttl", 0
    while url:
        g = support.graph(app.get(url).body)
        seen += support.dataset_identifiers(g)
        assert len(support.dataset_refs(g)) <= 5
        assert support.violations(g) == []
        pages += 1
        following = [str(o) for o in g.objects(None, HYDRA.next)]
        parts = urlsplit(following[0]) if following else None
        url = f"{parts.path}?{parts.query}" if parts else None
    assert pages == -(-len(public_ids()) // 5)
    assert len(seen) == len(set(seen))
    assert set(seen) == public_ids()


# ------------------------------------------------------------------ data.gouv.fr's CKAN harvester
HARVESTED_DATASET_KEYS = {
    "id", "name", "title", "notes", "license_id", "license_title", "tags",
    "metadata_created", "metadata_modified", "organization", "resources", "private", "type",
    "author", "author_email", "maintainer", "maintainer_email", "state"}
HARVESTED_RESOURCE_KEYS = {
    "id", "position", "name", "description", "format", "mimetype", "size", "hash", "created",
    "last_modified", "url", "resource_type"}


def test_package_show_keeps_every_key_data_gouv_fr_s_ckan_harvester_reads(app, demo):
    for name in public_ids():
        body = app.get("/api/3/action/package_show", params={"id": name}).json
        assert body["success"] is True
        pkg = body["result"]
        assert HARVESTED_DATASET_KEYS <= set(pkg), HARVESTED_DATASET_KEYS - set(pkg)
        assert pkg["type"] == "dataset" and pkg["state"] == "active"
        assert all({"id", "name"} <= set(tag) for tag in pkg["tags"])
        for key in ("author_email", "maintainer_email"):
            assert not pkg[key] or "@" in pkg[key]
        assert pkg["resources"]
        for res in pkg["resources"]:
            assert HARVESTED_RESOURCE_KEYS <= set(res), HARVESTED_RESOURCE_KEYS - set(res)
            assert isinstance(res["format"], str) and res["format"]
            assert urlsplit(res["url"]).scheme in ("http", "https")
            assert urlsplit(res["url"]).netloc
            assert res["resource_type"] in (None, "file", "file.upload", "api", "metadata")
        extras = {e["key"]: e["value"] for e in pkg.get("extras") or []}
        if "spatial" in extras:  # data.gouv.fr takes a GeoJSON (Multi)Polygon, nothing else
            assert json.loads(extras["spatial"])["type"] in ("Polygon", "MultiPolygon")
        if pkg.get("frequency"):  # the CKAN path's frequency (an extra, as it reads it)
            assert extras["frequency"] == pkg["frequency"]
