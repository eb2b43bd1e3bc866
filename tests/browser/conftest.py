"""Fixtures of the browser tests (``harness.py`` says what they are made of).

- ``browser``: one headless Chromium for the whole run;
- ``portal``: the portal's test app served over HTTP on a free loopback port (threaded: a page
  loads its stylesheets, scripts and fonts in parallel), on a database holding the module's
  ``World`` (built once per module: the browser tests only read, but for the form test,
  which cleans up what it makes);
- ``axe_log``: the violations' counts, written to ``.state/browser/axe.json`` at the end.
"""
from __future__ import annotations

import threading
from typing import Any, Iterator

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.browser.harness import AxeLog, Browser, World
from tests.live import HOST, _removing_session
# the sharing tests' caching of plugins and app (loaded and made once per module)
from tests.sharing.conftest import _apps, _plugins, app, with_plugins  # noqa: F401


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    chromium = Browser()
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def axe_log() -> Iterator[AxeLog]:
    log = AxeLog()
    yield log
    log.write()


def build_world() -> World:
    """The module's world (see ``World``), made through the actions as the portal's users
    make it; the harvest source's one job ran against an unreachable CKAN, so its page shows
    a report with an error."""
    import ckan.plugins.toolkit as tk
    from ckan.tests import factories, helpers

    from tests.factories import create_dataset, ministry, well_filled
    from tests.harvesters.support import make_source, run_job

    people = ministry()
    stranger = factories.UserWithToken()
    third = factories.Organization(users=[{"name": stranger["name"], "capacity": "editor"}])
    # CKAN's factories give organisations a logo from an outside site: the portal's own
    # organisations have theirs uploaded, or none
    for org in (people["org"], people["other_org"], third):
        helpers.call_action("organization_patch", context={"user": people["sysadmin"]["name"]},
                            id=org["id"], image_url="")
    public = create_dataset(people["org"], **well_filled(name="accidents-routiers-2023"))
    restricted = create_dataset(people["org"], **well_filled(
        name="controles-routiers-restreint", title="Contrôles routiers – détail par brigade",
        access_level="restricted"))
    helpers.call_action("dataset_share_create", context={"user": people["admin"]["name"]},
                        id=restricted["id"], organization=people["other_org"]["id"],
                        reason="Pilotage commun")
    source = make_source("ckan", "http://127.0.0.1:9/", org=people["org"],
                         title="Catalogue de la préfecture")
    job = run_job(source).job
    # the public dataset's first resource has its table in the DataStore (« Utiliser l'API »)
    helpers.call_action("datastore_create", context={"user": people["editor"]["name"]},
                        resource_id=public["resources"][0]["id"], force=True,
                        fields=[{"id": "commune", "type": "text"}, {"id": "accidents", "type": "int"}],
                        records=[{"commune": "Bordeaux", "accidents": 12},
                                 {"commune": "Mérignac", "accidents": 4}])
    public = tk.get_action("package_show")({"ignore_auth": True}, {"id": public["id"]})
    add_usage(public, restricted, people)
    return World(org=people["org"], other_org=people["other_org"], editor=people["editor"],
                 admin=people["admin"], outsider=people["outsider"], stranger=stranger,
                 sysadmin=people["sysadmin"], public=public, restricted=restricted,
                 source=source, job=job)


def add_usage(public: dict, restricted: dict, people: dict) -> None:
    """Two weeks of readings, so that the statistics pages (and the home page's most used
    datasets) show charts and tables: the public dataset viewed by anonymous visitors and
    downloaded by the other ministry, the restricted one read by the ministry it is shared
    with; counted in Redis and rolled up, as real readings are."""
    import datetime

    from ckanext.internalportal.stats import events, store

    now = events.hour_of(events.utcnow())
    resource = public["resources"][0]["id"]
    other, counts = people["other_org"]["id"], {}
    for day in range(14):
        hour = now - datetime.timedelta(days=day)
        for pkg, resource_id, event, channel, consumer, n in (
                (public, "", "view", "web", events.PUBLIC, 6 + day % 5),
                (public, "", "search", "web", events.PUBLIC, 20 + day % 7),
                (public, resource, "download", "download", other, 1 + day % 3),
                (public, "", "api", "api", events.SAME, day % 2),
                (restricted, "", "view", "web", other, 2 + day % 2)):
            key = events.Counter(hour, pkg["id"], resource_id, event, channel, consumer)
            counts[key] = counts.get(key, 0) + n
    store.add(counts)
    store.flush()


@pytest.fixture(scope="module")
def _served() -> Iterator[dict[str, Any]]:
    """The module's server and world, once made; the server stopped at the module's end."""
    state: dict[str, Any] = {}
    yield state
    if "server" in state:
        state["server"].shutdown()
        state["server"].server_close()
        state["thread"].join(timeout=30)


class _QuietHandler(WSGIRequestHandler):
    """No line per request in the test's log (a page loads fifty files)."""

    def log_request(self, *args: Any) -> None:
        pass


class Portal:
    def __init__(self, url: str, world: World) -> None:
        self.url = url
        self.world = world


@pytest.fixture
def portal(request, app, ckan_config, monkeypatch, _served) -> Portal:  # noqa: F811
    """The portal served over HTTP with the module's world (made by the module's first test,
    on a clean database and index). ``ckan.site_url`` is the served URL, so that the links
    and the scripts' calls CKAN writes with it (``/api/i18n/fr``) stay on the portal."""
    if "server" not in _served:
        request.getfixturevalue("clean_datastore")
        request.getfixturevalue("clean_index")
        _served["world"] = build_world()
        server = make_server(HOST, 0, _removing_session(app.app), threaded=True,
                             request_handler=_QuietHandler)
        thread = threading.Thread(target=server.serve_forever, name="browser_portal",
                                  daemon=True)
        thread.start()
        _served.update(server=server, thread=thread,
                       url=f"http://{HOST}:{server.server_port}")
    monkeypatch.setitem(ckan_config, "ckan.site_url", _served["url"])
    # ProConnect configured: « S'identifier avec ProConnect » on the sign-in page
    monkeypatch.setitem(ckan_config, "ckanext.internalportal.proconnect.client_id",
                        "portail-navigateur")
    return Portal(_served["url"], _served["world"])
