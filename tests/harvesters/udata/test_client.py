"""The udata API client against a local udata over real HTTP (``server.py``): paging through
``next_page``, filters, backoff on 429/503 honouring ``Retry-After``, bounded retries,
timeouts, 404. No CKAN needed."""
from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from ckanext.internalportal.harvesters.udata import client as udata

ONISR = "5a0a2f2588ee3807dfbd80b8"
ONISR_SLUG = "observatoire-national-interministeriel-de-la-securite-routiere"


def make(site, **options) -> tuple[udata.UdataClient, list[float]]:
    """A client of the local site whose waits are recorded (and not slept)."""
    waits: list[float] = []
    options.setdefault("backoff", 0.5)
    return udata.UdataClient(site.url, sleep=waits.append, **options), waits


def test_base_url_accepts_what_an_administrator_types():
    assert udata.base_url("https://www.data.gouv.fr/") == "https://www.data.gouv.fr"
    assert udata.base_url(" https://www.data.gouv.fr/api/1/ ") == "https://www.data.gouv.fr"
    assert udata.base_url("https://demo.udata.fr/portail/api") == "https://demo.udata.fr/portail"
    for wrong in ("", "www.data.gouv.fr", "ftp://data.gouv.fr", "https://"):
        with pytest.raises(ValueError):
            udata.base_url(wrong)


def test_retry_after_in_seconds_or_as_an_http_date():
    now = datetime(2026, 9, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert udata.retry_after("7") == 7.0
    assert udata.retry_after("Tue, 01 Sep 2026 12:00:30 GMT", now=now) == 30.0
    assert udata.retry_after("Tue, 01 Sep 2026 11:00:00 GMT", now=now) == 0.0
    assert udata.retry_after("soon") is None and udata.retry_after(None) is None


def test_every_page_is_read_by_following_next_page(udata_site):
    client, _ = make(udata_site, page_size=2)
    ids = [d["id"] for d in client.datasets()]
    assert ids == [d["id"] for d in udata_site.datasets]  # 5 datasets, 3 pages
    assert [q["page"] for q in udata_site.dataset_requests()] == [["1"], ["2"], ["3"]]
    assert all(q["page_size"] == ["2"] for q in udata_site.dataset_requests())


def test_filters_are_sent_to_the_api(udata_site):
    client, _ = make(udata_site)
    onisr = client.organization(ONISR_SLUG)["id"]
    assert onisr == ONISR
    assert len(list(client.datasets(organization=onisr))) == 3
    assert [d["slug"] for d in client.datasets(q="radars")] == ["radars-automatiques"]
    daily = list(client.datasets(tags=["meteo", "quotidien"]))
    assert [d["slug"] for d in daily] == ["donnees-climatologiques-de-base-quotidiennes"]
    last = udata_site.dataset_requests()[-1]
    assert last["tag"] == ["meteo", "quotidien"]


def test_a_page_url_announced_on_another_host_is_read_from_the_source(udata_site):
    """A udata behind a proxy announces its internal name in next_page: the client stays on
    the address the source gives."""
    client, _ = make(udata_site, page_size=2)
    original = udata_site._page

    def elsewhere(*args):
        status, headers, body = original(*args)
        if body.get("next_page"):
            body["next_page"] = body["next_page"].replace(
                udata_site.url, "http://udata.internal:7000")
        return status, headers, body

    udata_site._page = elsewhere
    try:
        assert len(list(client.datasets())) == 5
    finally:
        udata_site._page = original


def test_429_then_success_waits_what_retry_after_asks(udata_site):
    udata_site.fail(429, times=2, retry_after="3")
    client, waits = make(udata_site)
    assert len(list(client.datasets())) == 5
    assert waits == [3.0, 3.0]


def test_503_without_retry_after_backs_off_exponentially_up_to_max_wait(udata_site):
    udata_site.fail(503, times=4)
    client, waits = make(udata_site, backoff=1, max_wait=5)
    assert len(list(client.datasets())) == 5
    assert waits == [1, 2, 4, 5]


def test_retries_are_bounded(udata_site):
    udata_site.fail(503, times=10, retry_after="120")
    client, waits = make(udata_site, retries=3, max_wait=2)
    with pytest.raises(udata.Unavailable) as caught:
        list(client.datasets())
    assert caught.value.status == 503 and caught.value.attempts == 4
    assert waits == [2, 2, 2]


def test_a_dataset_gone_is_not_found(udata_site):
    client, _ = make(udata_site)
    assert client.dataset("radars-automatiques")["id"] == "5e4c0f1ba3a7296e8b9c2f31"
    udata_site.remove("radars-automatiques")
    with pytest.raises(udata.NotFound):
        client.dataset("5e4c0f1ba3a7296e8b9c2f31")
    with pytest.raises(udata.NotFound):
        client.organization("no-such-organisation")


def test_a_deleted_dataset_answered_410_is_not_found(udata_site):
    """udata answers 410 Gone for a dataset deleted by its producer."""
    udata_site.fail(410, path="/api/1/datasets/radars-automatiques/")
    client, waits = make(udata_site)
    with pytest.raises(udata.NotFound) as caught:
        client.dataset("radars-automatiques")
    assert caught.value.status == 410 and waits == []


def test_a_site_that_is_not_udata(udata_site):
    client, _ = make(udata_site)
    other = udata.UdataClient(udata_site.url + "/not-udata", sleep=lambda s: None)
    with pytest.raises(udata.NotUdata):
        list(other.datasets())
    assert len(list(client.datasets())) == 5


def test_a_site_that_does_not_answer_times_out(udata_site):
    udata_site.slow(1.0)
    client, waits = make(udata_site, timeout=0.2, retries=1)
    started = time.monotonic()
    with pytest.raises(udata.Unavailable) as caught:
        client.dataset("radars-automatiques")
    assert caught.value.status is None and "timeout" in caught.value.detail
    assert time.monotonic() - started < 1.0 and len(waits) == 1


def test_nobody_listening_is_unavailable():
    client = udata.UdataClient("http://127.0.0.1:9", retries=1, sleep=lambda s: None,
                               connect_timeout=0.5)
    with pytest.raises(udata.Unavailable) as caught:
        client.dataset("x")
    assert caught.value.status is None and caught.value.attempts == 2
