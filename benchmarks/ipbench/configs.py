"""Registry of the configurations compared by `make bench`.

A configuration is a name, a description and the ini settings it puts over the common base
(common.base_settings()). run.py writes .state/bench/<name>.ini, runs `ckan db upgrade` under
it (core and enabled plugins' migrations), and measures it in its own Python process
(plugins cannot be unloaded cleanly), on the same database, Solr core and data.

To compare a new configuration, add it with `register(...)` below; `--configs` picks and
orders the ones run (default: all of them, in registration order). Ratios are taken against
BASELINE ("plain", or the first configuration run when it is not among them). The synthetic
data are always created under "plain", so that they do not depend on the portal's plugins.
"""
from __future__ import annotations

from dataclasses import dataclass

from ckanext.internalportal.settings import portal_settings


@dataclass(frozen=True)
class Config:
    name: str
    description: str
    overrides: dict[str, str]
    default: bool = True      # run without --configs
    # False: no search index is built for it (no rebuild, no search scenario, no visible
    # counts); for a configuration measured on package_show and pages only
    index: bool = True

    @property
    def plugins(self) -> list[str]:
        return self.overrides.get("ckan.plugins", "").split()


CONFIGS: dict[str, Config] = {}

# ratios are <other configuration> / BASELINE
BASELINE = "plain"


def register(name: str, description: str, overrides: dict[str, str],
             default: bool = True, index: bool = True) -> Config:
    if name in CONFIGS:
        raise ValueError(f"configuration déjà enregistrée : {name}")
    CONFIGS[name] = Config(name, description, dict(overrides), default, index)
    return CONFIGS[name]


# (b) CKAN 2.12 as shipped: core plugins only, CKAN's default locale.
register(
    "plain",
    "CKAN 2.12 seul (plugins du cœur uniquement)",
    {
        "ckan.plugins": "activity",
    },
)

# (a) the portal: its settings from their one source (ckanext/internalportal/settings.py, as
# test.ini, ckan.ini and Docker), French by default.
register(
    "portal",
    "Portail interne (internalportal + partage + statistiques + scheming + dcat + harvest "
    "et moissonneurs)",
    portal_settings(),
)

# DCAT-AP 3 (opt-in, not in the default run): the portal's schema and RDF profile against
# ckanext-dcat's own DCAT-AP 3 scheming schema and profile, on the same data; run them alone
# so that the ratios are portal_dcat / dcat_ap_full (the first configuration run):
#   make bench BENCH_ARGS="--configs dcat_ap_full,portal_dcat
#     --scenarios package_show,dataset_page,dataset_ttl,catalog_ttl --name dcat-ap"
DCAT_COMMON = {
    "ckan.locale_default": "fr",
    "ckan.locales_offered": "fr en",
    "ckanext.dcat.datasets_per_page": "100",
}
register(
    "dcat_ap_full",
    "ckanext-dcat seul : schéma DCAT-AP 3 dcat_ap_full.yaml, profil euro_dcat_ap_3",
    {
        **DCAT_COMMON,
        "ckan.plugins": "scheming_datasets dcat activity",
        "scheming.dataset_schemas": "ckanext.dcat.schemas:dcat_ap_full.yaml",
        "scheming.presets": "ckanext.scheming:presets.json ckanext.dcat.schemas:presets.yaml",
        "ckanext.dcat.rdf.profiles": "euro_dcat_ap_3",
    },
    default=False,
)
register(
    "portal_dcat",
    "Portail : schéma DCAT-AP 3 du portail et profil internalportal_dcat_ap_3",
    {
        **DCAT_COMMON,
        **portal_settings(),
    },
    default=False,
)

# Sharing (opt-in): the portal without internalportal_sharing, same settings otherwise, the
# baseline of the shared dataset's package_show and page (run.py --shares, README « Partage »).
# Measured on those two only (they do not ask Solr): no search index, which saves rebuilding
# 10,000 datasets under the portal's plugins a second time.
register(
    "portal_nosharing",
    "Portail sans le plugin de partage (mêmes réglages moins internalportal_sharing)",
    portal_settings(" ".join(p for p in portal_settings()["ckan.plugins"].split()
                             if p != "internalportal_sharing")),
    default=False,
    index=False,
)

# Usage statistics (opt-in, run.py --stats): the portal without internalportal_stats, same
# settings otherwise, the baseline of the request-overhead scenarios (README « Statistiques
# d'usage »). Indexed (package_search is one of the scenarios): the plugin changes nothing in
# what is indexed, but each configuration keeps its own documents as elsewhere.
register(
    "portal_nostats",
    "Portail sans le plugin de statistiques d'usage (mêmes réglages moins "
    "internalportal_stats)",
    portal_settings(" ".join(p for p in portal_settings()["ckan.plugins"].split()
                             if p != "internalportal_stats")),
    default=False,
)

# The same portal, its usage events sent by the request itself rather than by the process's
# sender thread (opt-in): the thread's effect on the request-overhead scenarios, in one run —
#   make bench BENCH_ARGS="--stats --configs portal_nostats,portal,portal_stats_inline
#     --scenarios search_anon,package_show --name stats-inline"
register(
    "portal_stats_inline",
    "Portail, événements d'usage envoyés par la requête elle-même (send_in_background = false)",
    {**portal_settings(), "ckanext.internalportal.stats.send_in_background": "false"},
    default=False,
)
