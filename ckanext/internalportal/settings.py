"""The portal's ini settings, written once.

Every copy of these settings is generated from, or tested against, this module:
`scripts/ckan_ini.py` (the dev portal's ckan.ini) and `benchmarks/ipbench/configs.py` (the
`portal` and `portal_dcat` configurations) use it; `tests/tooling/test_settings.py` checks
test.ini, the Docker files (`docker/.env.example`, `docker-compose.yml`, `Dockerfile`) and
README.md's ini block against it and fails when one of them drifts. Adding a plugin or a setting
means editing this module, then the files that test names.

Pure data: no CKAN import, so that scripts, benchmarks and static tests can read it without a
configured CKAN.

Plugin sets are space-separated strings, the form `ckan.plugins` takes everywhere (ini file,
`CKAN__PLUGINS`, `pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS)`);
`.split()` gives the names.
"""
from __future__ import annotations

# The portal, in load order: internalportal first (its templates and schema win over
# scheming's and dcat's), harvest's CKAN harvester and the suite's three harvesters
# (harvesters/: SQL databases, file shares, udata) after harvest, CKAN's DataStore (tables of
# tabular resources, read through datastore_search and datastore_search_sql), activity last as
# in CKAN's default list. A plugin of the suite joins this string when it is delivered (see README.md,
# « Développement »).
PORTAL_PLUGINS = ("internalportal internalportal_sharing internalportal_stats "
                  "internalportal_proconnect scheming_datasets "
                  "dcat harvest "
                  "ckan_harvester sql_harvester files_harvester udata_harvester datastore activity")

# The suite's three harvesters (harvesters/), in the portal's set: each a plugin an
# administrator may enable on its own, after ckanext-harvest's ``harvest``.
HARVESTER_PLUGINS = "sql_harvester files_harvester udata_harvester"
HARVEST_PLUGINS = PORTAL_PLUGINS  # what the harvesters' tests pin: the portal, harvesters included

# Not needed by the portal, enabled by the dev portal (scripts/ckan_ini.py): CKAN's resource
# previews for the demo's text and image files.
OPTIONAL_PLUGINS = "text_view image_view"

# The plugins of the suite still to come (their tickets), for the documentation of the Docker
# and README copies; not registered, never enabled before they exist.
COMING_PLUGINS = ""

LOCALE_DEFAULT = "fr"
LOCALES_OFFERED = "fr en"

DATASET_SCHEMAS = "ckanext.internalportal.schemas:dataset.yaml"
PRESETS = ("ckanext.scheming:presets.json ckanext.dcat.schemas:presets.yaml "
           "ckanext.internalportal.schemas:presets.yaml")
# alone: the profile subclasses ckanext-dcat's euro_dcat_ap_3 (README, « DCAT-AP 3 »)
RDF_PROFILES = "internalportal_dcat_ap_3"

# ckanext-harvest's queues: in Redis, which CKAN already needs (hostname, port and database
# depend on the deployment and stay in each ini).
HARVEST_MQ_TYPE = "redis"

# CKAN's DataStore: SQL queries on, for agents too (datastore_search_sql through the read-only
# user; CKAN checks resource_show on every table a query names, joins and sub-queries
# included: the sharing rules); no table listable without auth (CKAN lets anyone search
# _table_metadata, the list of every table, private datasets' included): the list is empty.
# write_url and read_url depend on the deployment and stay in each ini.
DATASTORE_SQL_SEARCH = "true"
DATASTORE_PUBLIC_TABLES = ""


def portal_settings(plugins: str = PORTAL_PLUGINS) -> dict[str, str]:
    """The portal's [app:main] settings, option name -> ini value (a new dict each call).

    Licences need no setting: without `licenses_group_url` the plugin installs data.gouv.fr's
    list itself.
    """
    return {
        "ckan.plugins": plugins,
        "ckan.locale_default": LOCALE_DEFAULT,
        "ckan.locales_offered": LOCALES_OFFERED,
        "scheming.dataset_schemas": DATASET_SCHEMAS,
        "scheming.presets": PRESETS,
        "ckanext.dcat.rdf.profiles": RDF_PROFILES,
        "ckan.harvest.mq.type": HARVEST_MQ_TYPE,
        "ckan.datastore.sqlsearch.enabled": DATASTORE_SQL_SEARCH,
        "ckan.datastore.public_table_search": DATASTORE_PUBLIC_TABLES,
    }


def ini_options(plugins: str = PORTAL_PLUGINS) -> list[str]:
    """The same settings as `name = value` option strings, the form `ckan config-tool` and
    `ckan.lib.config_tool.config_edit_using_option_strings` take."""
    return [f"{name} = {value}" for name, value in portal_settings(plugins).items()]


def env_variable(option: str) -> str:
    """The environment variable that sets `option` through ckanext-envvars (Docker):
    `ckan.x.y` -> `CKAN__X__Y`, `ckanext.x.y` -> `CKANEXT__X__Y`, any other `x.y` ->
    `CKAN___X__Y` (a dot becomes a double underscore)."""
    name = option.upper().replace(".", "__")
    if option.startswith(("ckan.", "ckanext.")):
        return name
    return f"CKAN___{name}"
