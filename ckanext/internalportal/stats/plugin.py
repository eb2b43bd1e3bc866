"""internalportal_stats: how each dataset is used (views, downloads, API calls, search
appearances), by which organisation, for its producers.

Wiring only: what an event is, pure, in events.py; capture.py turns requests into events
(``IMiddleware``'s ``after_request`` hook and ``after_dataset_search``); store.py counts them
in Redis and rolls them up into PostgreSQL (model.py, ``ckan db upgrade -p
internalportal_stats``); actions and auth in logic/; pages in views.py and templates/; the
rollup and the demo's history in cli.py (``ckan internalportal stats …``).
"""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckan.authz import get_local_functions

from ckanext.internalportal.lib.plugin import SuiteTranslation
from ckanext.internalportal.stats import capture, cli
from ckanext.internalportal.stats.logic import auth


def _auth_functions() -> dict:
    """logic/auth.py's; CKAN's ``datastore_search_sql`` chained only when the DataStore is
    loaded (CKAN asks after every plugin is loaded)."""
    functions = dict(get_local_functions(auth))
    if not p.plugin_loaded("datastore"):
        functions.pop("datastore_search_sql")
    return functions


@tk.blanket.actions
@tk.blanket.auth_functions(_auth_functions)
@tk.blanket.blueprints
@tk.blanket.config_declarations
@tk.blanket.helpers
class StatsPlugin(p.SingletonPlugin, SuiteTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IClick)

    # IConfigurer
    def update_config(self, config):
        tk.add_template_directory(config, "templates")

    # IMiddleware: every request's events, after its response
    def make_middleware(self, app, config):
        return capture.install(app)

    # IPackageController: the dataset an API call shows, the datasets of a page of results
    def after_dataset_show(self, context, pkg_dict):
        capture.after_dataset_show(pkg_dict)

    def after_dataset_search(self, search_results, search_params):
        capture.after_dataset_search(search_results)
        return search_results

    # IClick: ``ckan internalportal stats …``, in the base plugin's group when it is loaded
    def get_commands(self):
        if p.plugin_loaded("internalportal"):
            from ckanext.internalportal.cli import internalportal
            internalportal.add_command(cli.stats)
            return []
        return [cli.standalone_group()]
