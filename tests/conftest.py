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


def _add_served_directory(config_, relative_path: str, config_var: str) -> str:
    """CKAN 2.12's ``toolkit._add_served_directory`` (behind ``tk.add_template_directory`` and
    ``tk.add_public_directory``), the caller's file read from its frame: CKAN asks
    ``inspect.stack()``, which reads the source lines of every frame of the stack (a hundred
    under pytest) at each plugin's ``update_config``, twice per plugin load: a tenth of a
    second per test. Same directory, same config."""
    import os
    import sys

    assert config_var in ("plugin_template_paths", "plugin_public_paths")
    # 0: this function, 1: add_template_directory / add_public_directory, 2: the plugin
    absolute_path = os.path.join(os.path.dirname(sys._getframe(2).f_code.co_filename),
                                 relative_path)
    if absolute_path not in config_.get(config_var, []):
        if config_var in config_:
            config_[config_var] = [absolute_path] + config_[config_var]
        else:
            config_[config_var] = [absolute_path]
    return absolute_path


def _add_resource(path: str, name: str) -> None:
    """CKAN 2.12's ``toolkit.add_resource`` (a plugin's webassets folder), the caller's file
    read from its frame, not from ``inspect.stack()`` (as ``_add_served_directory``): five
    calls per plugin load, a twentieth of a second each."""
    import os
    import sys

    from ckan.lib.webassets_tools import create_library

    create_library(name, os.path.join(os.path.dirname(sys._getframe(1).f_code.co_filename),
                                      path))


def _cached_entry_points(entry_points):
    """``importlib.metadata.entry_points`` as CKAN's plugin loader asks it (a group and a
    plugin's name, for each plugin at each load: it reads every installed package's metadata,
    a thirtieth of a second a call), answered once per run: no package is installed during
    the run."""
    import functools

    @functools.lru_cache(maxsize=None)
    def cached(**selection):
        return entry_points(**selection)

    def lookup(**selection):
        return cached(**selection)
    return lookup


def _with_compiled_templates(get_options):
    """CKAN's Jinja options, with one bytecode cache for the whole run: every web app a test
    makes has a Jinja environment of its own, which compiles again each template its first
    page renders (the DSFR pages: sixty templates, a second per app). Jinja keys the cache by
    the template's file and checks it against the source, so an edited template is compiled
    again."""
    import jinja2

    class Cache(jinja2.BytecodeCache):
        compiled: dict[str, bytes] = {}

        def load_bytecode(self, bucket) -> None:
            if bucket.key in self.compiled:
                bucket.bytecode_from_string(self.compiled[bucket.key])

        def dump_bytecode(self, bucket) -> None:
            self.compiled[bucket.key] = bucket.bytecode_to_string()

    cache = Cache()

    def get_jinja_env_options():
        return dict(get_options(), bytecode_cache=cache)
    return get_jinja_env_options


def pytest_sessionstart(session):
    try:
        import ckan.plugins.toolkit as toolkit
        from ckan.lib import jinja_extensions
    except ImportError:  # the static tests may run without CKAN
        return
    toolkit._add_served_directory = _add_served_directory
    toolkit.add_resource = _add_resource
    from ckan.plugins import core as plugins_core
    plugins_core.entry_points = _cached_entry_points(plugins_core.entry_points)
    jinja_extensions.get_jinja_env_options = _with_compiled_templates(
        jinja_extensions.get_jinja_env_options)


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


@pytest.fixture
def clean_datastore(clean_db):
    """``clean_db``, and the DataStore emptied (its tables and functions dropped, as CKAN's own
    datastore tests do: ``ckanext.datastore.tests.helpers.clear_db``)."""
    from sqlalchemy import orm

    from ckanext.datastore.backend.postgres import get_write_engine
    from ckanext.datastore.tests.helpers import clear_db

    clear_db(orm.scoped_session(orm.sessionmaker(bind=get_write_engine())))
