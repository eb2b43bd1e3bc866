"""internalportal: the portal's base plugin (French defaults, templates, demo CLI).

Wiring only: the work lives in cli.py, helpers.py, logic/ (validators, actions, auth),
schemas/, quality/ (the metadata quality score), demo/ and templates/.
"""
from __future__ import annotations

from pathlib import Path

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.common import CKANConfig
from ckan.lib.plugins import DefaultTranslation

from ckanext.internalportal.quality import index as quality_index

# CKAN's own default site title: replaced by the portal's unless the ini sets another one.
CKAN_DEFAULT_SITE_TITLE = "CKAN"
# data.gouv.fr's licence list (ids and URLs its harvesters recognise), unless the ini names one.
LICENSES_FILE = Path(__file__).parent / "schemas" / "vocabularies" / "licenses.json"


@tk.blanket.cli
@tk.blanket.config_declarations
@tk.blanket.helpers
@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.validators
class InternalPortalPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IPackageController, inherit=True)

    # IConfigurer
    def update_config(self, config: CKANConfig):
        tk.add_template_directory(config, "templates")
        if config.get("ckan.site_title") in (None, "", CKAN_DEFAULT_SITE_TITLE):
            config["ckan.site_title"] = config.get("ckanext.internalportal.site_title")
        if not config.get("licenses_group_url"):
            config["licenses_group_url"] = LICENSES_FILE.as_uri()

    # IPackageController
    def before_dataset_index(self, pkg_dict: dict) -> dict:
        return quality_index.add_score(pkg_dict)
