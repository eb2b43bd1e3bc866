"""internalportal: the portal's base plugin (French defaults, templates, demo CLI).

Wiring only: the work lives in cli.py, demo/ and templates/.
"""
from __future__ import annotations

from pathlib import Path

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.common import CKANConfig
from ckan.lib.plugins import DefaultTranslation

# CKAN's own default site title: replaced by the portal's unless the ini sets another one.
CKAN_DEFAULT_SITE_TITLE = "CKAN"
# data.gouv.fr's licence list (ids and URLs its harvesters recognise), unless the ini names one.
LICENSES_FILE = Path(__file__).parent / "schemas" / "vocabularies" / "licenses.json"


@tk.blanket.cli
@tk.blanket.config_declarations
@tk.blanket.helpers
class InternalPortalPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)

    # IConfigurer
    def update_config(self, config: CKANConfig):
        tk.add_template_directory(config, "templates")
        if config.get("ckan.site_title") in (None, "", CKAN_DEFAULT_SITE_TITLE):
            config["ckan.site_title"] = config.get("ckanext.internalportal.site_title")
        if not config.get("licenses_group_url"):
            config["licenses_group_url"] = LICENSES_FILE.as_uri()
