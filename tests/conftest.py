"""Shared fixtures.

Each test module pins the plugins it runs with, as CKAN's own extensions do:

    pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
                  pytest.mark.usefixtures("with_plugins")]

(`ckanext.internalportal.settings` holds the plugin sets; test.ini's `ckan.plugins` is the
portal's set, the default of a module that pins none).
"""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# the portal served over real HTTP (fixture ``live_portal``), for every test module
pytest_plugins = ["tests.live", "tests.mail"]


@pytest.fixture
def clean_db(with_plugins, reset_db, migrate_db_for):
    """CKAN's clean_db, plus the tables of every enabled plugin that has migrations (activity,
    harvest, the suite's own): the plugins of the test's `ckan.plugins`, their migration
    folders found as `ckan db upgrade` finds them. No list to keep up to date."""
    # imported here: the static tests (tests/tooling/test_docker.py) run without CKAN's plugin
    import ckan.plugins.toolkit as tk
    from ckanext.internalportal.lib.plugin import plugins_with_migrations

    reset_db()
    for plugin in plugins_with_migrations(tk.aslist(tk.config["ckan.plugins"])):
        migrate_db_for(plugin)
