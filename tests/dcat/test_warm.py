"""`ckan internalportal dcat warm-cache` fills the RDF fragment cache as an anonymous harvester
would read the catalogue: afterwards a catalogue page is served without building any dataset,
and a second run builds nothing. Real Redis (the sandbox's database), real Solr."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.cli.cli import ckan as ckan_cli
from ckan.tests import factories

from ckanext.internalportal import settings
from ckanext.internalportal.dcat import cache
from ckanext.internalportal.dcat.composition import ComposedRDFSerializer

from tests.dcat import support

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_redis"),
    pytest.mark.ckan_config(support.PROFILES_OPTION, support.PROFILE),
]

WARM = ["internalportal", "dcat", "warm-cache"]


@pytest.fixture
def catalogue():
    org = factories.Organization()
    public = [support.create_dataset(org, **support.well_filled()),
              support.create_dataset(org, **support.well_filled(title="Effectifs d'élèves",
                                                                license_id="cc-by")),
              support.create_dataset(org, **support.well_filled(title="Sans licence",
                                                                license_id="notspecified"))]
    internal = support.create_dataset(org, **support.well_filled(title="Notes internes",
                                                                 access_level="internal"))
    assert internal["private"]
    return public, internal


def _page(app, fmt: str = "ttl", **params) -> bytes:
    resp = app.get(f"/catalog.{fmt}", query_string=params)
    assert resp.status_code == 200, resp.body[:500]
    return resp.data


def _built_while(fn):
    before = ComposedRDFSerializer.built
    result = fn()
    return result, ComposedRDFSerializer.built - before


def test_after_warm_cache_a_catalogue_page_builds_no_dataset(app, cli, catalogue):
    public, internal = catalogue
    result = cli.invoke(ckan_cli, WARM)
    assert result.exit_code == 0, result.output
    assert "ttl : page 1/1, 3 jeu(x), 3 préparé(s), 0 déjà en cache" in result.output
    assert "3 jeu(x) public(s) sur 1 page(s), 3 préparé(s), 0 déjà en cache" in result.output
    page, built = _built_while(lambda: _page(app))
    assert built == 0
    g = support.graph(page)
    assert sorted(support.dataset_identifiers(g)) == sorted(support.ids(public))
    assert internal["id"] not in page.decode()


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
def test_second_warm_cache_finds_everything_already_warm(app, cli, catalogue):
    first = cli.invoke(ckan_cli, WARM)
    assert "ttl : page 2/2, 1 jeu(x), 1 préparé(s), 0 déjà en cache" in first.output
    again = cli.invoke(ckan_cli, WARM)
    assert again.exit_code == 0, again.output
    assert "3 jeu(x) public(s) sur 2 page(s), 0 préparé(s), 3 déjà en cache" in again.output
    assert _built_while(lambda: (_page(app), _page(app, page=2)))[1] == 0


def test_warm_cache_stores_what_the_anonymous_page_reads_not_the_agent_s(app, cli, catalogue):
    cli.invoke(ckan_cli, WARM + ["--format", "ttl", "--format", "jsonld"])
    assert len(list(cache.client().scan_iter(f"{cache.KEY_PREFIX}:*"))) == 6
    assert _built_while(lambda: _page(app, "jsonld"))[1] == 0
    token = factories.APIToken(user=factories.Sysadmin()["name"])["token"]
    _, built = _built_while(lambda: app.get("/catalog.ttl", headers={"Authorization": token}))
    assert built == 3                         # a signed-in agent's RDF is not the public one


def test_warm_cache_refuses_when_the_cache_is_off(cli, catalogue):
    tk.config[cache.ENABLED_OPTION] = False
    try:
        result = cli.invoke(ckan_cli, WARM)
    finally:
        tk.config[cache.ENABLED_OPTION] = True
    assert result.exit_code != 0
    assert "le cache RDF est désactivé" in result.output


def test_warmed_fragments_outlive_a_nightly_harvest_cycle(cli, catalogue):
    cli.invoke(ckan_cli, WARM)
    store = cache.client()
    ttls = [store.ttl(k) for k in store.scan_iter(f"{cache.KEY_PREFIX}:*")]
    assert len(ttls) == 3
    assert min(ttls) > 6 * 86400
