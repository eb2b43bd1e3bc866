"""internalportal_sharing: private and restricted datasets shared between organisations.

Wiring only: the rules are pure functions in rules.py, read from the database by access.py
(CKAN's ``IPermissionLabels``); shares, requests and audit in model.py and shares.py; actions,
auth and input schemas in logic/; e-mails in mail.py; pages in views.py and templates/.
"""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.authz import get_local_functions

from ckanext.internalportal.lib.plugin import SuiteTranslation
from ckanext.internalportal.sharing import access, helpers, indexing
from ckanext.internalportal.sharing.logic import action, auth, datastore, harvest


def _actions() -> dict:
    """logic/action.py's actions; the chained ``dataset_quality_show`` only when the base
    plugin, which defines it, is loaded, ckanext-harvest's chained actions
    (logic/harvest.py) and the DataStore's (logic/datastore.py) when they are (CKAN asks after
    every plugin is loaded)."""
    actions = dict(get_local_functions(action))
    if not p.plugin_loaded("internalportal"):
        actions.pop("dataset_quality_show")
    if p.plugin_loaded("harvest"):
        actions.update(get_local_functions(harvest))
    if p.plugin_loaded("datastore"):
        actions.update(datastore.ACTIONS)
    return actions


def _auth_functions() -> dict:
    """logic/auth.py's auth functions, and CKAN's DataStore ones chained (logic/datastore.py)
    when the ``datastore`` plugin is loaded."""
    functions = dict(get_local_functions(auth))
    if p.plugin_loaded("datastore"):
        functions.update(datastore.AUTH_FUNCTIONS)
    return functions


@tk.blanket.actions(_actions)
@tk.blanket.auth_functions(_auth_functions)
@tk.blanket.blueprints
@tk.blanket.cli
@tk.blanket.config_declarations
@tk.blanket.helpers
class SharingPlugin(p.SingletonPlugin, SuiteTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IPermissionLabels, inherit=True)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)

    _labels = access.PermissionLabels()

    # IConfigurer
    def update_config(self, config):
        tk.add_template_directory(config, "templates")

    # IPermissionLabels
    def get_dataset_labels(self, dataset_obj):
        return self._labels.get_dataset_labels(dataset_obj)

    def get_user_dataset_labels(self, user_obj):
        return self._labels.get_user_dataset_labels(user_obj)

    # IPackageController
    def after_dataset_show(self, context, pkg_dict):
        access.hide_reserved_data(context, [pkg_dict])

    def before_dataset_index(self, pkg_dict):
        return indexing.before_index(pkg_dict)

    def after_dataset_update(self, context, pkg_dict):
        pkg = context.get("package")
        if pkg is not None:
            access.relabel_activities(pkg)

    def after_dataset_search(self, search_results, search_params):
        return helpers.label_access_level_facet(search_results)

    # IFacets: the access level on the search, organisation and group pages
    def dataset_facets(self, facets_dict, package_type):
        return helpers.access_level_facet(facets_dict)

    def organization_facets(self, facets_dict, organization_type, package_type):
        return helpers.access_level_facet(facets_dict)

    def group_facets(self, facets_dict, group_type, package_type):
        return helpers.access_level_facet(facets_dict)
