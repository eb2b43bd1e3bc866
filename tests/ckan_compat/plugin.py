"""A pytest plugin (``-p tests.ckan_compat.plugin``) that runs CKAN's own tests with the
plugins of the ini's ``ckan.plugins`` (tests/ckan_compat/ckan-tests.ini: the sharing plugin)
added to every test.

CKAN's pytest plugin unloads every plugin before the tests run (``pytest_runtestloop``) and a
test loads only the plugins it pins (``ckan_config`` mark, ``with_plugins`` fixture). Here a
test that pins plugins gets its own, then ours; any other test runs with ours (kept loaded
from one such test to the next: loading plugins costs CKAN half a second), so each of CKAN's
tests checks what it checks with the sharing plugin present. With ``ckan.plugins = activity``
in the ini the same run is plain CKAN (and activity): the baseline.

``--ckan-compat-selection`` keeps only the tests of selection.py.

The database: CKAN's first ``reset_db`` of a session drops every table and migrates CKAN's core
only, so the plugins' tables (activity's, the shares) would be missing, and the database left
unfit for the portal's own suite. At the start of the session this plugin migrates CKAN and
the plugins, empties every table, and tells CKAN the schema is in place: every reset then
deletes rows only, and the database stays migrated for whoever runs next.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

# imported now, before CKAN: `import ckan` puts ckan's own directory first on sys.path, where
# `tests` is ckan.tests
from tests.ckan_compat.selection import selected
from tests.conftest import _add_served_directory

FORCED_PLUGINS: list[str] = []


def pytest_addoption(parser):
    parser.addoption("--ckan-compat-selection", action="store_true",
                     help="run only the tests of tests/ckan_compat/selection.py")


def site_packages() -> Path:
    import ckan

    return Path(ckan.__file__).resolve().parent.parent


def relative_nodeid(item) -> str:
    """A collected test's node id from its path under site-packages (selection.py's form)."""
    path = Path(str(item.path)).resolve().relative_to(site_packages()).as_posix()
    _, _, rest = item.nodeid.partition("::")
    return f"{path}::{rest}"


def pytest_collection_modifyitems(config, items):
    if not config.getoption("ckan_compat_selection"):
        return
    kept, dropped = [], []
    for item in items:
        (kept if selected(relative_nodeid(item)) else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def _empty_every_table() -> None:
    """Rows of every table out (the portal's suite may have left harvest rows pointing at
    datasets, which CKAN's own reset would not know to delete), schema and alembic versions
    kept."""
    import sqlalchemy as sa

    import ckan.model as model

    with model.meta.engine.begin() as conn:
        names = [name for name in sa.inspect(conn).get_table_names(schema="public")
                 if not name.endswith("alembic_version")]
        if names:
            conn.execute(sa.text("TRUNCATE {} CASCADE".format(
                ", ".join(f'"{name}"' for name in names))))


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session):
    # after CKAN's own pytest_sessionstart: the ini is loaded, its plugins with it
    import ckan.model as model
    import ckan.plugins.toolkit as tk
    from ckan.cli.db import _run_migrations

    from ckanext.internalportal.lib.plugin import plugins_with_migrations

    FORCED_PLUGINS[:] = tk.aslist(tk.config.get("ckan.plugins"))
    # the suite's cheaper equivalent of CKAN's (tests/conftest.py), for each plugin load
    tk_module = sys.modules["ckan.plugins.toolkit"]
    tk_module._add_served_directory = _add_served_directory
    if session.config.option.collectonly:
        return
    model.Session.remove()
    model.repo.upgrade_db()
    for plugin in plugins_with_migrations(FORCED_PLUGINS):
        _run_migrations(plugin)
    _empty_every_table()
    model.repo.tables_created_and_initialised = True


@pytest.fixture(autouse=True)
def _with_forced_plugins(request, ckan_config, monkeypatch):
    """A test that loads plugins (``with_plugins``) gets its own, then the forced ones; any
    other test runs with the forced ones, kept loaded from one such test to the next (loading
    plugins costs CKAN a good half-second: its config declarations, assets, templates)."""
    import ckan.plugins as plugins
    import ckan.plugins.toolkit as tk

    if "with_plugins" in request.fixturenames:
        names = tk.aslist(ckan_config.get("ckan.plugins"))
        names += [name for name in FORCED_PLUGINS if name not in names]
        monkeypatch.setitem(ckan_config, "ckan.plugins", " ".join(names))
        return  # CKAN's with_plugins loads them, and unloads every plugin after the test
    if not all(plugins.plugin_loaded(name) for name in FORCED_PLUGINS):
        plugins.unload_all()
        plugins.load(*FORCED_PLUGINS)
