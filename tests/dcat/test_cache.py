"""The RDF catalogue keeps each public dataset's RDF in Redis: the pages stay what they would be
without it, byte for byte, and never show a dataset as it was before a change of visibility or
content. Real Redis (the sandbox's database), real Solr, the real app."""
from __future__ import annotations

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.dcat import logic as dcat_logic
from ckanext.dcat.profiles import SPDX
from ckanext.internalportal import settings
from ckanext.internalportal.dcat import cache
from ckanext.internalportal.dcat.terms import PROV

from tests.dcat import support

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_redis"),
    pytest.mark.ckan_config(support.PROFILES_OPTION, support.PROFILE),
]

# address extension -> rdflib parser name
FORMATS = {"ttl": "turtle", "n3": "n3", "rdf": "xml", "xml": "xml", "jsonld": "json-ld"}


def _cached_keys() -> list[bytes]:
    return list(cache.client().scan_iter(f"{cache.KEY_PREFIX}:*"))


def _page(app, fmt: str = "ttl", headers: dict | None = None, **params) -> bytes:
    resp = app.get(f"/catalog.{fmt}", headers=headers or {}, query_string=params)
    assert resp.status_code == 200, resp.body[:500]
    return resp.data


@pytest.fixture
def without_cache():
    """Turn the cache off for the block (the option is read at every page)."""
    class Off:
        def __enter__(self):
            tk.config[cache.ENABLED_OPTION] = False

        def __exit__(self, *exc):
            tk.config[cache.ENABLED_OPTION] = True
    return Off()


@pytest.fixture
def catalogue():
    org = factories.Organization()
    return org, [
        support.create_dataset(org, **support.well_filled()),
        support.create_dataset(org, **support.well_filled(title="Effectifs d'élèves",
                                                          license_id="cc-by")),
        support.create_dataset(org, **support.well_filled(title="Sans licence",
                                                          license_id="notspecified")),
    ]


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_page_is_the_same_bytes_cold_warm_and_without_cache(app, catalogue, without_cache, fmt):
    assert _cached_keys() == []
    cold = _page(app, fmt)
    assert len(_cached_keys()) == 3
    warm = _page(app, fmt)
    with without_cache:
        uncached = _page(app, fmt)
    assert cold == warm == uncached
    g = support.graph(warm, FORMATS[fmt])
    assert sorted(support.dataset_identifiers(g)) == sorted(support.ids(catalogue[1]))
    assert support.violations(g) == []


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_composed_page_has_the_triples_of_the_page_built_in_one_go(app, catalogue, fmt):
    org, _ = catalogue
    # a third licence with an address instead of the blank « Licence non spécifiée », which
    # a page built in one go shares between its datasets (one blank node per dataset here)
    helpers.call_action("package_patch", context=support.site_context(),
                        id=catalogue[1][2]["id"], license_id="odc-odbl")
    _page(app, fmt)                              # cold: fills the cache
    composed = support.graph(_page(app, fmt), FORMATS[fmt])
    with app.flask_app.test_request_context(f"/catalog.{fmt}"):   # anonymous, as the page
        one_go = dcat_logic.dcat_catalog_show({}, {"format": fmt})
    assert isomorphic(composed, Graph().parse(data=one_go, format=FORMATS[fmt]))


def test_dataset_without_licence_address_keeps_its_licence_in_the_composed_page(app, catalogue):
    g = support.graph(_page(app))
    no_licence = catalogue[1][2]
    ref = next(r for r in support.dataset_refs(g)
               if str(g.value(r, support.DCT.identifier)) == no_licence["id"])
    licence = g.value(ref, support.DCT.license)
    assert licence is not None and g.value(licence, support.DCT.title) is not None
    assert support.violations(g) == []


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
def test_catalogue_still_pages_with_hydra_when_cached(app, catalogue):
    first, second = support.graph(_page(app)), support.graph(_page(app, page=2))
    nexts = list(first.objects(None, support.HYDRA.next))
    assert [str(n).rsplit("?", 1)[-1] for n in nexts] == ["page=2"]
    assert not list(second.objects(None, support.HYDRA.next))
    seen = support.dataset_identifiers(first) + support.dataset_identifiers(second)
    assert sorted(seen) == sorted(support.ids(catalogue[1]))
    assert _page(app, page=2) == _page(app, page=2)


def test_dataset_made_private_is_out_of_the_next_page(app, catalogue):
    _, pkgs = catalogue
    _page(app)
    _page(app)
    helpers.call_action("package_patch", context=support.site_context(), id=pkgs[0]["id"],
                        access_level="internal")
    assert helpers.call_action("package_show", id=pkgs[0]["id"])["private"]
    g = support.graph(_page(app))
    assert sorted(support.dataset_identifiers(g)) == sorted(support.ids(pkgs[1:]))


def test_deleted_dataset_is_out_of_the_next_page(app, catalogue):
    _, pkgs = catalogue
    _page(app)
    helpers.call_action("package_delete", context=support.site_context(), id=pkgs[1]["id"])
    g = support.graph(_page(app))
    assert sorted(support.dataset_identifiers(g)) == sorted(support.ids([pkgs[0], pkgs[2]]))


def test_edited_dataset_is_updated_in_the_next_page(app, catalogue, without_cache):
    _, pkgs = catalogue
    assert "Effectifs d'élèves".encode() in _page(app)
    helpers.call_action("package_patch", context=support.site_context(), id=pkgs[1]["id"],
                        title="Effectifs des écoles")
    page = _page(app)
    assert "Effectifs des écoles".encode() in page
    assert "Effectifs d'élèves".encode() not in page
    with without_cache:
        assert _page(app) == page


def test_anonymous_reader_never_gets_the_signed_in_agent_fragments(app, catalogue):
    token = factories.APIToken(user=factories.Sysadmin()["name"])["token"]
    agent = support.graph(_page(app, headers={"Authorization": token}))      # cached first
    anonymous = support.graph(_page(app))
    assert list(agent.subjects(RDF.type, SPDX.Checksum))
    assert not list(anonymous.subjects(RDF.type, SPDX.Checksum))
    assert not list(anonymous.objects(None, PROV.wasGeneratedBy))
    assert len(_cached_keys()) == 6


def test_page_is_served_without_redis(app, catalogue, without_cache):
    with without_cache:
        expected = _page(app)
    url = tk.config["ckan.redis.url"]
    tk.config["ckan.redis.url"] = "redis://127.0.0.1:1/0"     # nothing listens there
    try:
        assert _page(app) == expected
    finally:
        tk.config["ckan.redis.url"] = url
