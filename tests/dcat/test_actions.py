"""The base plugin stands without ckanext-dcat's plugin: the RDF catalogue's action
(dcat/actions.py) chains dcat's and is only registered when dcat is loaded (with it, tests/dcat/test_cache.py)."""
from __future__ import annotations

import pytest

import ckan.plugins as p
import ckan.plugins.toolkit as tk


@pytest.mark.ckan_config("ckan.plugins", "internalportal")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_base_plugin_alone_loads_and_serves_the_home_page(app):
    assert p.plugin_loaded("internalportal") and not p.plugin_loaded("dcat")
    assert app.get("/").status_code == 200
    with pytest.raises(KeyError):
        tk.get_action("dcat_catalog_show")


@pytest.mark.ckan_config("ckan.plugins", "internalportal scheming_datasets")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_base_plugin_with_scheming_but_without_dcat_serves_the_home_page(app):
    assert app.get("/").status_code == 200

