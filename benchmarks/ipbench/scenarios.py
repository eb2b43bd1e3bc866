"""Registry of the measured scenarios.

A scenario is a function(client, ctx) that makes ONE request and returns the response;
worker.py times it (request + reading the body), checks the status, and repeats it.

    @scenario("name", "description en français")
    def name(client, ctx):
        return client.get("/api/3/action/...", params={...}, headers=ctx.member_headers)

client: BenchClient (below), a Flask/Werkzeug test client on the whole CKAN WSGI stack (no
HTTP server). ctx: Ctx (below): a seeded random generator (the same request sequence for
every configuration in a round), the public datasets, the organisations, the member's
API token, the search words. Scenarios run in registration order; `--scenarios` picks some.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from werkzeug.test import Client


class BenchClient:
    """Werkzeug's test client (the base of Flask's) on the full CKAN WSGI stack, including
    the plugins' IMiddleware wrappers; no cookies kept between requests."""

    def __init__(self, app: Any, base_url: str):
        self.client = Client(app, use_cookies=False)
        self.base_url = base_url

    def get(self, path: str, params: dict | None = None, headers: dict | None = None):
        return self.client.get(path, query_string=params, headers=headers,
                               base_url=self.base_url, follow_redirects=False)

    def post(self, path: str, json_body: Any = None, headers: dict | None = None):
        return self.client.post(path, json=json_body, headers=headers,
                                base_url=self.base_url, follow_redirects=False)


@dataclass
class Ctx:
    rng: random.Random
    config: str
    public_datasets: list[str]            # names of the public datasets
    organisations: list[str]              # organisation names
    member_org: str                       # the organisation the member belongs to
    member_token: str                     # API token of the member (created by the worker)
    words: list[str]                      # search words found in the catalogue
    extra: dict[str, Any] = field(default_factory=dict)   # for later scenarios

    @property
    def member_headers(self) -> dict[str, str]:
        return {"Authorization": self.member_token}


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    fn: Callable[[BenchClient, Ctx], Any]
    expect_status: int = 200
    default: bool = True      # run without --scenarios (False: needs a plugin not everywhere)
    items: int = 0            # datasets one request returns (>0: run.py prints datasets/s)
    prepare: Optional[Callable[[BenchClient, Ctx], None]] = None   # untimed, before each request
    search: bool = False      # asks Solr: skipped for a configuration without index
    baseline: Optional[str] = None   # ratios against this configuration when it is run
    plugin: Optional[str] = None     # needs this plugin: skipped for the configurations without


SCENARIOS: dict[str, Scenario] = {}


def scenario(name: str, description: str, expect_status: int = 200, default: bool = True,
             items: int = 0, prepare: Optional[Callable[[BenchClient, Ctx], None]] = None,
             search: bool = False, baseline: Optional[str] = None,
             plugin: Optional[str] = None):
    def register(fn: Callable[[BenchClient, Ctx], Any]):
        if name in SCENARIOS:
            raise ValueError(f"scénario déjà enregistré : {name}")
        SCENARIOS[name] = Scenario(name, description, fn, expect_status, default, items,
                                  prepare, search, baseline, plugin)
        return fn
    return register


# ------------------------------------------------------------------ helpers
FACETS = json.dumps(["organization", "tags", "res_format", "license_id"])


def _search_params(ctx: Ctx) -> dict[str, Any]:
    """A varied package_search: a word or two, sometimes an organisation filter or a sort."""
    rng = ctx.rng
    params: dict[str, Any] = {"q": rng.choice(ctx.words), "rows": 20}
    draw = rng.random()
    if draw < 0.25:
        params["fq"] = f'organization:"{rng.choice(ctx.organisations)}"'
    elif draw < 0.40:
        params["sort"] = "metadata_modified desc"
    elif draw < 0.50:
        params["q"] = f"{params['q']} {rng.choice(ctx.words)}"
    return params


# ------------------------------------------------------------------ scenarios
@scenario("search_anon", "package_search anonyme, requêtes variées", search=True)
def search_anon(client: BenchClient, ctx: Ctx):
    return client.get("/api/3/action/package_search", params=_search_params(ctx))


@scenario("search_anon_facets", "package_search anonyme avec facettes (organisation, "
                                "mots-clés, formats, licences)", search=True)
def search_anon_facets(client: BenchClient, ctx: Ctx):
    q = ctx.rng.choice(ctx.words + ["*:*"] * 4)
    return client.get("/api/3/action/package_search", params={
        "q": q, "rows": 20, "facet.field": FACETS, "facet.limit": 50,
    })


@scenario("search_member", "package_search d'un membre d'organisation (jeton d'API, "
                           "include_private=true)", search=True)
def search_member(client: BenchClient, ctx: Ctx):
    params = _search_params(ctx)
    params["include_private"] = "true"
    if "fq" not in params and ctx.rng.random() < 0.2:
        params["fq"] = f'organization:"{ctx.member_org}"'
    return client.get("/api/3/action/package_search", params=params,
                      headers=ctx.member_headers)


@scenario("package_show", "package_show anonyme d'un jeu de données public")
def package_show(client: BenchClient, ctx: Ctx):
    return client.get("/api/3/action/package_show",
                      params={"id": ctx.rng.choice(ctx.public_datasets)})


@scenario("dataset_page", "page HTML /dataset/<nom> d'un jeu public (anonyme)")
def dataset_page(client: BenchClient, ctx: Ctx):
    return client.get(f"/dataset/{ctx.rng.choice(ctx.public_datasets)}")


# ------------------------------------------------------------------ DCAT (opt-in)
# Only for the configurations with ckanext-dcat (dcat_ap_full, portal_dcat): not in the
# default run. make bench BENCH_ARGS="--configs dcat_ap_full,portal_dcat
#   --scenarios package_show,dataset_page,dataset_ttl,catalog_ttl --name dcat-ap"
CATALOG_PAGE_SIZE = 100   # ckanext.dcat.datasets_per_page, the same in both configurations


@scenario("catalog_ttl", "page du catalogue DCAT /catalog.ttl (100 jeux publics, anonyme)",
          default=False, items=CATALOG_PAGE_SIZE, search=True)
def catalog_ttl(client: BenchClient, ctx: Ctx):
    full_pages = max(1, len(ctx.public_datasets) // CATALOG_PAGE_SIZE)
    return client.get("/catalog.ttl", params={"page": ctx.rng.randint(1, full_pages)})


@scenario("dataset_ttl", "RDF Turtle /dataset/<nom>.ttl d'un jeu public (anonyme)",
          default=False, items=1)
def dataset_ttl(client: BenchClient, ctx: Ctx):
    return client.get(f"/dataset/{ctx.rng.choice(ctx.public_datasets)}.ttl")


# The portal keeps each public dataset's RDF in Redis (ckanext/internalportal/dcat/cache.py).
# A harvester's first pass over the catalogue finds it empty (cold), the next nights find the
# unchanged datasets there (warm): both are measured, in both configurations alike (dcat alone
# has nothing to flush nor to warm: it builds every page from scratch). `ckan internalportal
# dcat warm-cache` (before a nightly harvest) makes every page a warm one.
FRAGMENT_KEYS = "ckanext-internalportal:dcat:fragment:*"


def _full_pages(ctx: Ctx) -> int:
    return max(1, len(ctx.public_datasets) // CATALOG_PAGE_SIZE)


def _flush_fragments(client: BenchClient, ctx: Ctx) -> None:
    """Empty the RDF fragment cache (untimed), then draw the page."""
    import redis
    from .common import REDIS_DB, REDIS_PORT
    store = redis.Redis(host="127.0.0.1", port=REDIS_PORT, db=REDIS_DB)
    keys = list(store.scan_iter(FRAGMENT_KEYS, count=1000))
    for k in range(0, len(keys), 500):
        store.delete(*keys[k:k + 500])
    ctx.extra["page"] = ctx.rng.randint(1, _full_pages(ctx))


def _warm_page(client: BenchClient, ctx: Ctx) -> None:
    """Draw a page; ask it once untimed the first time (a harvester's previous pass)."""
    page = ctx.rng.randint(1, _full_pages(ctx))
    warmed = ctx.extra.setdefault("warmed_pages", set())
    if page not in warmed:
        client.get("/catalog.ttl", params={"page": page}).get_data()
        warmed.add(page)
    ctx.extra["page"] = page


@scenario("catalog_ttl_cold", "page de /catalog.ttl (100 jeux), cache RDF du portail vidé "
                              "avant chaque requête (premier passage d'un moissonneur)",
          default=False, items=CATALOG_PAGE_SIZE, prepare=_flush_fragments, search=True)
def catalog_ttl_cold(client: BenchClient, ctx: Ctx):
    return client.get("/catalog.ttl", params={"page": ctx.extra["page"]})


@scenario("catalog_ttl_warm", "page de /catalog.ttl (100 jeux) déjà lue une fois (passages "
                              "suivants d'un moissonneur, cache RDF du portail plein)",
          default=False, items=CATALOG_PAGE_SIZE, prepare=_warm_page, search=True)
def catalog_ttl_warm(client: BenchClient, ctx: Ctx):
    return client.get("/catalog.ttl", params={"page": ctx.extra["page"]})


# ------------------------------------------------------------------ sharing (opt-in)
# The sharing profile's data (run.py --shares N): datasets of READER_ORG shared with the
# member's organisation. With internalportal_sharing, the member (bench-membre) reads them
# through the share; in the configurations without it (portal_nosharing, plain), nobody
# outside the owner organisation may, so the same datasets are read by bench-lecteur, a
# member of their owner organisation: the same dataset, the same answer, a reader of the
# same role — what the share costs over reading one's own organisation's dataset.
#   .venv/bin/python benchmarks/run.py --name sharing --datasets 10000 --orgs 100
#     --shares 2000 --configs plain,portal_nosharing,portal
#     --scenarios search_member,shared_package_show,shared_dataset_page
#     --share-steps 100,1000,5000
SHARING_BASELINE = "portal_nosharing"


@scenario("shared_package_show", "package_show d'un jeu privé ou restreint partagé avec "
                                 "l'organisation du membre (lecteur : voir README)",
          default=False, baseline=SHARING_BASELINE)
def shared_package_show(client: BenchClient, ctx: Ctx):
    return client.get("/api/3/action/package_show",
                      params={"id": ctx.rng.choice(ctx.extra["shared_datasets"])},
                      headers=ctx.extra["reader_headers"])


@scenario("shared_dataset_page", "page HTML /dataset/<nom> d'un jeu partagé avec "
                                 "l'organisation du membre (lecteur : voir README)",
          default=False, baseline=SHARING_BASELINE)
def shared_dataset_page(client: BenchClient, ctx: Ctx):
    return client.get(f"/dataset/{ctx.rng.choice(ctx.extra['shared_datasets'])}",
                      headers=ctx.extra["reader_headers"])


# ------------------------------------------------------------------ usage statistics (opt-in)
# The statistics profile (run.py --stats, README « Statistiques d'usage »): the portal with
# internalportal_stats against the same portal without it (portal_nostats), over the usage
# history of ipbench/usagedata.py (10 M rolled-up events). Besides these, the profile runs the
# default scenarios dataset_page, package_show and search_anon. The producer is
# bench-admin-org (administrator of the organisation of the most used dataset): ctx.extra
# holds its token, the most used dataset, and the public datasets' resources (worker.py).
#   make bench BENCH_ARGS="--stats"
STATS_PLUGIN = "internalportal_stats"


@scenario("resource_download", "téléchargement d'une ressource d'un jeu public (lien externe : "
                               "redirection 302), anonyme", default=False, expect_status=302)
def resource_download(client: BenchClient, ctx: Ctx):
    name, resource_id = ctx.rng.choice(ctx.extra["downloads"])
    return client.get(f"/dataset/{name}/resource/{resource_id}/download")


def _new_dataset(client: BenchClient, ctx: Ctx) -> None:
    """The next dataset to create (untimed): a catalogue-like dict, a new name, in the
    producer's organisation, public, no personal data."""
    from . import datagen
    n = ctx.extra["created_count"] = ctx.extra.get("created_count", 0) + 1
    d = datagen.dataset(ctx.rng.randrange(100000), len(ctx.organisations), 42,
                        ctx.organisations)
    d.update(name=f"{ctx.extra['new_prefix']}{n:05d}", owner_org=ctx.extra["producer_org"],
             private=False, access_level="public", personal_data="none")
    ctx.extra["new_dataset"] = d


@scenario("package_create", "package_create d'un jeu de données (1 à 3 ressources) par "
                            "l'administrateur de son organisation (jeton d'API)",
          default=False, prepare=_new_dataset)
def package_create(client: BenchClient, ctx: Ctx):
    return client.post("/api/3/action/package_create", json_body=ctx.extra["new_dataset"],
                       headers=ctx.extra["producer_headers"])


@scenario("top_dataset_page", "page HTML /dataset/<nom> du jeu le plus consulté, vue par un "
                              "producteur (administrateur de son organisation)", default=False)
def top_dataset_page(client: BenchClient, ctx: Ctx):
    return client.get(f"/dataset/{ctx.extra['top_dataset']}",
                      headers=ctx.extra["producer_headers"])


@scenario("home_page", "page d'accueil / (anonyme ; avec le plugin : « jeux les plus "
                       "utilisés » sur 30 jours, indicatif)", default=False)
def home_page(client: BenchClient, ctx: Ctx):
    return client.get("/")


@scenario("stats_page", "page /dataset/<nom>/statistiques du jeu le plus consulté, vue par un "
                        "producteur (30 derniers jours, répartitions calculées)",
          default=False, plugin=STATS_PLUGIN)
def stats_page(client: BenchClient, ctx: Ctx):
    return client.get(f"/dataset/{ctx.extra['top_dataset']}/statistiques",
                      headers=ctx.extra["producer_headers"])


@scenario("usage_show", "API dataset_usage_show du jeu le plus consulté par un producteur "
                        "(30 derniers jours par jour, répartitions calculées)",
          default=False, plugin=STATS_PLUGIN)
def usage_show(client: BenchClient, ctx: Ctx):
    return client.get("/api/3/action/dataset_usage_show", params={"id": ctx.extra["top_dataset"]},
                      headers=ctx.extra["producer_headers"])


@scenario("usage_show_year", "API dataset_usage_show du jeu le plus consulté par un producteur, "
                             "une année par mois (indicatif)", default=False, plugin=STATS_PLUGIN)
def usage_show_year(client: BenchClient, ctx: Ctx):
    return client.get("/api/3/action/dataset_usage_show", params={
        "id": ctx.extra["top_dataset"], "granularity": "month",
        "start": ctx.extra["year_start"]}, headers=ctx.extra["producer_headers"])


@scenario("org_usage_show", "API organization_usage_show de l'organisation du producteur "
                            "(30 derniers jours, indicatif)", default=False, plugin=STATS_PLUGIN)
def org_usage_show(client: BenchClient, ctx: Ctx):
    return client.get("/api/3/action/organization_usage_show",
                      params={"id": ctx.extra["producer_org"]},
                      headers=ctx.extra["producer_headers"])


@scenario("site_usage_show", "API site_usage_show par un administrateur du portail (30 derniers "
                             "jours, indicatif)", default=False, plugin=STATS_PLUGIN)
def site_usage_show(client: BenchClient, ctx: Ctx):
    return client.get("/api/3/action/site_usage_show", headers=ctx.extra["sysadmin_headers"])
