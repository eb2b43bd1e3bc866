"""internalportal: the portal's base plugin (French defaults, templates, demo CLI).

Wiring only: the work lives in cli.py, helpers.py, logic/ (validators, actions, auth),
schemas/, quality/ (the metadata quality score), federation/ (what data.gouv.fr's
harvesters read), demo/ and templates/.
"""
from __future__ import annotations

from pathlib import Path

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.authz import get_local_functions
from ckan.common import CKANConfig

from ckanext.internalportal import guards_http
from ckanext.internalportal.dcat import actions as dcat_actions
from ckanext.internalportal.dcat import http as dcat_http
from ckanext.internalportal.federation import ckan_path
from ckanext.internalportal.logic import action
from ckanext.internalportal.lib import theme_facet
from ckanext.internalportal.lib.plugin import SuiteTranslation
from ckanext.internalportal.quality import index as quality_index
from ckanext.internalportal.theme import layout as theme_layout
from ckanext.internalportal.theme import views as theme_views

# CKAN's own default site title: replaced by the portal's unless the ini sets another one.
CKAN_DEFAULT_SITE_TITLE = "CKAN"
# CKAN's own favicon: replaced by the DSFR's Marianne unless the ini names another one.
CKAN_DEFAULT_FAVICON = "/base/images/ckan.ico"
DSFR_FAVICON = "/internalportal/vendor/dsfr/favicon/favicon.ico"
# data.gouv.fr's licence list (ids and URLs its harvesters recognise), unless the ini names one.
LICENSES_FILE = Path(__file__).parent / "schemas" / "vocabularies" / "licenses.json"


def _actions() -> dict:
    """logic/action.py's actions, and the RDF catalogue's (dcat/actions.py) when the dcat
    plugin is loaded: it chains dcat's ``dcat_catalog_show``. CKAN asks for them at the
    first ``get_action`` after the plugins are loaded, so ``plugin_loaded`` is settled."""
    actions = dict(get_local_functions(action))
    if p.plugin_loaded("dcat"):
        actions.update(get_local_functions(dcat_actions))
    return actions


@tk.blanket.cli
@tk.blanket.config_declarations
@tk.blanket.helpers
@tk.blanket.actions(_actions)
@tk.blanket.auth_functions
@tk.blanket.validators
class InternalPortalPlugin(p.SingletonPlugin, SuiteTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.ITranslation)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(p.IBlueprint)
    p.implements(p.IFacets, inherit=True)

    # IConfigurer
    def update_config(self, config: CKANConfig):
        tk.add_template_directory(config, "templates")
        # the DSFR (copied from npm by `make assets`) and the portal's stylesheets
        tk.add_public_directory(config, "public")
        tk.add_resource("assets", "internalportal")
        if config.get("ckan.favicon") in (None, "", CKAN_DEFAULT_FAVICON):
            config["ckan.favicon"] = DSFR_FAVICON
        if config.get("ckan.site_title") in (None, "", CKAN_DEFAULT_SITE_TITLE):
            config["ckan.site_title"] = config.get("ckanext.internalportal.site_title")
        if not config.get("licenses_group_url"):
            config["licenses_group_url"] = LICENSES_FILE.as_uri()

    # IConfigurable: the DSFR header and footer below every plugin's templates
    # (theme/layout.py), so that ckan_extends chains of other plugins reach them
    def configure(self, config: CKANConfig):
        theme_layout.place(config)

    # IPackageController
    def before_dataset_index(self, pkg_dict: dict) -> dict:
        # the quality score; each theme in vocab_theme (lib/theme_facet.py), for its facet
        return theme_facet.add_themes(quality_index.add_score(pkg_dict))

    def after_dataset_search(self, search_results: dict, search_params: dict) -> dict:
        return theme_facet.label_facet(search_results)

    def after_dataset_show(self, context, pkg_dict: dict) -> None:
        # the extras data.gouv.fr's CKAN harvester reads, in the API's answer only
        ckan_path.add_to_api_answer(context, pkg_dict)

    # IBlueprint
    def get_blueprint(self):
        # the footer's pages: accessibility statement, legal notice, personal data, site map
        return theme_views.get_blueprints()

    # IFacets: the themes on the search page (and the home page's themes)
    def dataset_facets(self, facets_dict, package_type):
        return theme_facet.add_facet(facets_dict)

    # IMiddleware
    def make_middleware(self, app, config: CKANConfig):
        # charset=utf-8 on every RDF answer of ckanext-dcat
        app = dcat_http.install(app)
        # hostile query strings, unknown RDF extensions: a 400/404 naming them, never a 500
        return guards_http.install(app)
