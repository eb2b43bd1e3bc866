"""The sharing tests' world, built once per module and given back to each test as it was built.

A test of the folder starts, as before, from a clean database holding only its module's world
(``support.world()``: three ministries, eight people with API tokens) and an empty index. What
changed is the cost: the world is built once per module, on a database cleaned by the suite's
``clean_db``; its rows are then copied into a schema of their own (``world_snapshot``), and every
later test of the module gets the database put back to exactly those rows (every table emptied,
the copied rows inserted again, in one transaction), instead of cleaning the database and
creating the eight users and three organisations again. The people a test gets are a copy of the
dicts the builder returned, so a test may change them.

Use ``built_world(builder)`` (fixture) in a module's ``people`` fixture to cache another builder
(``test_requests.py`` adds a second admin): its return value must describe rows of the database
only (no state kept elsewhere).
"""
from __future__ import annotations

import copy
from typing import Any, Callable

import pytest

from tests.sharing.support import world

SCHEMA = "world_snapshot"


def _tables(conn) -> list[str]:
    """The tables of the ``public`` schema (alembic versions kept out: neither emptied nor
    copied), parents before children (foreign keys), so that rows can be inserted in order."""
    import sqlalchemy as sa

    names = [row[0] for row in conn.execute(sa.text(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
        "AND tablename NOT LIKE '%alembic_version' ORDER BY tablename"))]
    parents: dict[str, set[str]] = {name: set() for name in names}
    for child, parent in conn.execute(sa.text(
            "SELECT c.relname, p.relname FROM pg_constraint k "
            "JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid "
            "WHERE k.contype = 'f' AND k.connamespace = 'public'::regnamespace")):
        if child in parents and parent in parents and child != parent:
            parents[child].add(parent)
    ordered: list[str] = []
    while parents:
        ready = sorted(name for name, needs in parents.items() if not needs - set(ordered))
        assert ready, f"foreign keys in a cycle: {sorted(parents)}"
        ordered += ready
        for name in ready:
            del parents[name]
    return ordered


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Snapshot:
    """The rows of every table at one moment, and how to put them back."""

    def __init__(self) -> None:
        import sqlalchemy as sa
        from ckan import model

        model.Session.remove()
        with model.meta.engine.begin() as conn:
            self.tables = _tables(conn)
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            conn.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
            self.filled = []
            for name in self.tables:
                conn.execute(sa.text(f"CREATE TABLE {SCHEMA}.{_quoted(name)} AS "
                                     f"SELECT * FROM public.{_quoted(name)}"))
                if conn.execute(sa.text(
                        f"SELECT EXISTS (SELECT 1 FROM {SCHEMA}.{_quoted(name)})")).scalar():
                    self.filled.append(name)
        # DELETE, children first, as CKAN's reset_db (a TRUNCATE would wait for any open
        # transaction that read a table)
        self.restore_sql = "; ".join(
            [f"DELETE FROM public.{_quoted(name)}" for name in reversed(self.tables)] +
            [f"INSERT INTO public.{_quoted(name)} SELECT * FROM {SCHEMA}.{_quoted(name)}"
             for name in self.filled])

    def restore(self) -> None:
        import sqlalchemy as sa
        from sqlalchemy.orm import close_all_sessions
        from ckan import model

        # as CKAN's reset_db: no session of a previous test holds a connection or a lock
        close_all_sessions()
        with model.meta.engine.begin() as conn:
            conn.execute(sa.text(self.restore_sql))

    @staticmethod
    def drop() -> None:
        import sqlalchemy as sa
        from ckan import model

        model.Session.remove()
        with model.meta.engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))


@pytest.fixture(scope="module")
def _worlds():
    """builder -> (snapshot, value) for the module's tests; the copy dropped at its end."""
    built: dict[Callable, tuple[Snapshot, Any]] = {}
    yield built
    if built:
        Snapshot.drop()


@pytest.fixture
def built_world(request, with_plugins, clean_index, _worlds):
    """``built_world(builder)``: the value of ``builder()`` on a clean database, the database
    holding exactly what ``builder`` made (built by the module's first test, put back for the
    next ones). One builder per module: another one starts from a clean database again."""

    def get(builder: Callable[[], Any]) -> Any:
        if builder in _worlds:
            snapshot, value = _worlds[builder]
            snapshot.restore()
        else:
            if _worlds:  # another builder's rows are in the database: start clean
                _worlds.clear()
            request.getfixturevalue("clean_db")
            value = builder()
            _worlds[builder] = (Snapshot(), value)
        return copy.deepcopy(value)

    return get


@pytest.fixture
def people(built_world):
    """``support.world()``, on a clean database and an empty index."""
    return built_world(world)


@pytest.fixture(scope="module")
def _plugins():
    """The configuration the module's plugins were loaded with and the one their loading
    made; at the module's end, the plugins unloaded and the configuration left as CKAN's
    ``with_plugins`` leaves it."""
    loaded: dict[str, Any] = {}
    yield loaded
    if loaded:
        import ckan.plugins
        from ckan.common import config

        kept = dict(config)
        ckan.plugins.unload_all()
        config.clear()
        config.update(kept)


@pytest.fixture
def with_plugins(ckan_config, monkeypatch, request, _plugins):
    """CKAN's ``with_plugins`` (the plugins of the test's ``ckan.plugins`` loaded, and only
    them), loading them once per module and configuration: loading unloads every plugin and
    reads every plugin's config declarations, schemas and assets again, a third of a test's
    cost. When the test's configuration is the one the loaded plugins were loaded with, the
    configuration their loading made is put back and they stay loaded; a test whose
    ``ckan_config`` differs loads them again, as CKAN's fixture does for every test."""
    import ckan.plugins
    from ckan.plugins import core

    assert not any(request.node.iter_markers("with_plugins")), \
        "the with_plugins mark is CKAN's fixture's: not cached here"
    names = ckan_config["ckan.plugins"]
    monkeypatch.setitem(ckan_config, "ckan.plugins",
                        names.split() if isinstance(names, str) else list(names))
    key = copy.deepcopy(dict(ckan_config))
    if (_plugins.get("key") == key and
            core._PLUGINS == ckan.plugins.toolkit.aslist(ckan_config["ckan.plugins"])):
        ckan_config.clear()
        ckan_config.update(copy.deepcopy(_plugins["made"]))
    else:
        _plugins.clear()
        ckan.plugins.load_all()
        _plugins.update(key=key, made=copy.deepcopy(dict(ckan_config)))
    yield


@pytest.fixture(scope="module")
def _apps():
    """The module's web app, and the configuration it was made with."""
    return {}


@pytest.fixture
def app(with_plugins, make_app, ckan_config, _apps):
    """CKAN's ``app`` (a test client of the portal's web app, cookies of its own), its Flask
    app made once per module and configuration: making it loads every plugin a second time
    (``load_environment``) and registers every blueprint again, the half of a test's cost. A
    test whose ``ckan_config`` differs gets a web app of its own, as with CKAN's fixture; the
    next test with the module's usual configuration makes it again."""
    import ckan.config.middleware as middleware
    from ckan.lib import app_globals
    from ckan.tests.helpers import CKANTestApp

    key = copy.deepcopy(dict(ckan_config))
    made = _apps.get("made")
    if made is None or made[0] != key:
        test_app = make_app()
        _apps["made"] = (key, test_app.app)
        return test_app
    # what making it does besides loading the plugins (done by with_plugins, with this same
    # configuration) and building the Flask app: CKAN's _get_test_app and load_environment
    ckan_config["testing"] = True
    ckan_config["ckan.base_public_folder"] = ckan_config.get("ckan.base_public_folder",
                                                             "public")
    app_globals.reset()
    flask_app = made[1]
    middleware._internal_test_request_context = flask_app._wsgi_app.test_request_context()
    return CKANTestApp(flask_app)
