"""What a request counts (tests over the test app, real Redis and PostgreSQL): each channel,
each kind of consumer, robots left out, nothing personal kept, Redis down."""
from __future__ import annotations

import logging

import pytest

from ckanext.internalportal import settings
from ckanext.internalportal.stats import events
from tests.sharing.support import as_user, dataset, headers, world

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
              pytest.mark.usefixtures("counters")]


@pytest.fixture
def setup(counters):
    people = world()
    pkg = dataset(people, "public", resources=[{"url": "https://exemple.gouv.fr/a.csv",
                                                 "name": "A", "format": "CSV"}])
    return people, pkg, pkg["resources"][0]


def _usage(people, pkg, counters):
    counters.flush()
    return as_user(people["sysadmin"], "dataset_usage_show", id=pkg["id"])


def _consumer(usage, name):
    return {c["name"]: c for c in usage["by_consumer"]}.get(name)


@pytest.mark.parametrize("background", [True, False], ids=["sender-thread", "in-request"])
def test_each_channel_is_counted_once_per_reading(app, setup, counters, ckan_config,
                                                 monkeypatch, background):
    monkeypatch.setitem(ckan_config, "ckanext.internalportal.stats.send_in_background",
                        background)
    people, pkg, res = setup
    who = headers(people["c_agent"])
    app.get(f"/dataset/{pkg['name']}", headers=who)
    app.get(f"/dataset/{pkg['name']}/resource/{res['id']}", headers=who)
    app.get(f"/dataset/{pkg['id']}/resource/{res['id']}/download", headers=who,
            follow_redirects=False)
    app.get("/api/3/action/package_show", query_string={"id": pkg["name"]}, headers=who)
    app.post("/api/3/action/resource_show", json={"id": res["id"]}, headers=who)
    app.get("/dataset/", query_string={"q": pkg["name"]}, headers=who)
    app.get("/api/3/action/package_search", query_string={"q": pkg["name"]}, headers=who)
    usage = _usage(people, pkg, counters)
    assert usage["totals"] == {"views": 2, "downloads": 1, "api_calls": 2,
                               "search_appearances": 2}
    assert _consumer(usage, people["c"]["name"])["views"] == 2


def test_consumers_public_same_organisation_and_no_organisation(app, setup, counters):
    people, pkg, _ = setup
    app.get(f"/dataset/{pkg['name']}")
    app.get(f"/dataset/{pkg['name']}", headers=headers(people["member"]))
    app.get(f"/dataset/{pkg['name']}", headers=headers(people["editor"]))
    app.get(f"/dataset/{pkg['name']}", headers=headers(people["nobody"]))
    usage = _usage(people, pkg, counters)
    assert _consumer(usage, events.PUBLIC)["views"] == 1
    assert _consumer(usage, events.SAME)["views"] == 2
    assert _consumer(usage, events.UNAFFILIATED)["views"] == 1
    assert usage["totals"]["views"] == 4


def test_refused_and_failed_readings_are_not_counted(app, setup, counters):
    people, _, _ = setup
    private = dataset(people, "private")
    app.get(f"/dataset/{private['name']}", headers=headers(people["c_agent"]), status=404)
    app.get("/api/3/action/package_show", query_string={"id": private["id"]},
            headers=headers(people["c_agent"]), status=404)
    app.get("/dataset/does-not-exist", status=404)
    usage = _usage(people, private, counters)
    assert usage["totals"] == events.empty_totals()


def test_robots_of_the_list_are_not_counted(app, setup, counters):
    people, pkg, _ = setup
    app.get(f"/dataset/{pkg['name']}", headers={"User-Agent": "Mozilla/5.0 (compatible; "
                                                "Googlebot/2.1; +http://www.google.com/bot.html)"})
    app.get(f"/dataset/{pkg['name']}", headers={"User-Agent": "kube-probe/1.29"})
    app.get(f"/dataset/{pkg['name']}", headers={"User-Agent": "python-requests/2.32"})
    assert _usage(people, pkg, counters)["totals"]["views"] == 1  # the harvester counts


def test_nothing_personal_is_kept_in_redis_or_postgresql(app, setup, counters):
    from ckan import model
    import sqlalchemy as sa

    people, pkg, _ = setup
    reader = people["b_member"]
    app.get(f"/dataset/{pkg['name']}", headers=dict(headers(reader), **{
        "User-Agent": "Navigateur-de-test/1.0", "X-Forwarded-For": "203.0.113.7"}))
    assert counters.wait_sent()  # sent by the process's sender thread
    r = counters.client()
    stored = b" ".join(k + b" " + b" ".join(r.hkeys(k)) for k in
                       r.scan_iter(match=counters.prefix() + "*")
                       if r.type(k) == b"hash")
    assert stored
    counters.flush()
    rows = model.Session.execute(sa.text(
        "SELECT * FROM internalportal_usage_hourly UNION ALL "
        "SELECT package_id, day::timestamp, resource_id, event, channel, consumer, count "
        "FROM internalportal_usage_daily")).all()
    text = repr(rows).encode() + stored
    assert rows
    user = model.User.get(reader["name"])
    for personal in (user.id, user.name, user.email, "203.0.113.7", "Navigateur-de-test",
                     reader["token"][:20]):
        assert personal.encode() not in text


def test_redis_down_the_page_answers_lost_events_are_counted_and_logged_once(
        app, setup, counters, ckan_config, monkeypatch):
    people, pkg, _ = setup
    monkeypatch.setitem(ckan_config, "ckanext.internalportal.stats.redis_url",
                        "redis://127.0.0.1:1/0")  # nothing listens there
    monkeypatch.setattr(counters, "RETRY_AFTER", 0.0)
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    logger = logging.getLogger("ckanext.internalportal.stats.store")
    logger.addHandler(handler)
    level, logger.disabled = logger.level, False
    logger.setLevel(logging.WARNING)
    try:
        for _ in range(3):
            app.get(f"/dataset/{pkg['name']}", status=200)
        assert counters.wait_sent()  # the sender thread found Redis down
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    warnings = [r for r in records if "ne répond pas" in r.getMessage()]
    assert len(warnings) == 1
    assert counters.lost_events() == 3
    monkeypatch.setitem(ckan_config, "ckanext.internalportal.stats.redis_url", "")
    app.get(f"/dataset/{pkg['name']}", status=200)  # Redis back: the lost ones are written
    counters.flush()
    usage = as_user(people["sysadmin"], "site_usage_show")
    assert usage["lost_events"] == 3
    assert usage["totals"]["views"] == 1


@pytest.mark.usefixtures("clean_datastore")
def test_datastore_reads_are_api_calls_and_its_dump_a_download(app, setup, counters):
    """CKAN's DataStore: ``datastore_search`` and each table a ``datastore_search_sql`` query
    reads (joins included, once per table), as API calls; the table's dump, a download; a
    refused query, nothing."""
    from ckan.tests import helpers
    people, pkg, res = setup
    other = dataset(people, "public", resources=[{"url": "https://exemple.gouv.fr/b.csv",
                                                   "name": "B", "format": "CSV"}])
    for resource in (res, other["resources"][0]):
        helpers.call_action("datastore_create", context={"user": people["admin"]["name"]},
                            resource_id=resource["id"], force=True,
                            fields=[{"id": "n", "type": "int"}], records=[{"n": 1}])
    who = headers(people["c_agent"])
    app.get("/api/3/action/datastore_search", query_string={"resource_id": res["id"]},
            headers=who)
    b = other["resources"][0]["id"]
    app.get("/api/3/action/datastore_search_sql", headers=who, query_string={
        "sql": f'SELECT a.n FROM "{res["id"]}" a JOIN "{b}" b ON a.n = b.n JOIN "{b}" c ON c.n = a.n'})
    app.get(f"/datastore/dump/{res['id']}", headers=who)
    app.get("/api/3/action/datastore_search_sql", headers=who, status=409,
            query_string={"sql": f'DELETE FROM "{res["id"]}"'})
    usage = _usage(people, pkg, counters)
    assert usage["totals"]["api_calls"] == 2 and usage["totals"]["downloads"] == 1
    assert _usage(people, other, counters)["totals"]["api_calls"] == 1
