"""Harvesting a udata site (data.gouv.fr's shape, served locally over real HTTP by
``server.py``): sources saved through harvest_source_create, jobs run through ckanext-harvest's
stages (and once through the Redis queues), the datasets read back with package_show."""
from __future__ import annotations

import json

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.internalportal import settings
from tests.harvesters.support import make_source, run_job, run_job_through_queues

PLUGINS = settings.HARVEST_PLUGINS  # the portal with the three harvesters
OPTION = "ckanext.internalportal.udata_harvester."

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PLUGINS),
              # fast waits, small pages: the organisation's 3 datasets come in 2 pages
              pytest.mark.ckan_config(OPTION + "backoff", "0"),
              pytest.mark.ckan_config(OPTION + "retries", "2"),
              pytest.mark.ckan_config(OPTION + "page_size", "2"),
              pytest.mark.usefixtures("with_plugins", "clean_db")]

ONISR = "5a0a2f2588ee3807dfbd80b8"
ONISR_SLUG = "observatoire-national-interministeriel-de-la-securite-routiere"
ACCIDENTS = "53698f4ca3a729239d2036df"
RADARS = "5e4c0f1ba3a7296e8b9c2f31"
INDICATEURS = "5d8b1f5e8b4c41470f5f0e1a"
EU = "http://publications.europa.eu/resource/authority"


def by_remote_id(result) -> dict[str, dict]:
    return {d["harvest_remote_id"]: d for d in result.datasets}


def validation_errors(call) -> dict:
    with pytest.raises(tk.ValidationError) as caught:
        call()
    return caught.value.error_dict


# ---------------------------------------------------------------------- the harvester
def test_udata_is_listed_among_the_harvesters():
    info = {h["name"]: h for h in helpers.call_action("harvesters_info_show")}
    assert info["udata"]["title"]


def test_an_organisation_admin_may_create_a_udata_source(udata_site):
    """udata sources read a public site: ckanext-harvest's usual rules, not sysadmins only."""
    admin = factories.User()
    org = factories.Organization(users=[{"name": admin["name"], "capacity": "admin"}])
    source = make_source("udata", udata_site.url, {"organization": ONISR_SLUG}, org=org,
                         context={"user": admin["name"], "ignore_auth": False})
    assert source["source_type"] == "udata"


# ---------------------------------------------------------------------- saving a source
def test_a_source_must_say_which_datasets(udata_site):
    errors = validation_errors(lambda: make_source("udata", udata_site.url, {}))
    assert "organization" in errors["config"][0]
    errors = validation_errors(lambda: make_source("udata", udata_site.url, {"tags": "meteo",
                                                                              "q": 3}))
    assert len(errors["config"]) == 1 and "q" in errors["config"][0]


def test_an_unknown_organisation_is_refused(udata_site):
    errors = validation_errors(lambda: make_source("udata", udata_site.url,
                                                   {"organization": "ministere-inexistant"}))
    assert "ministere-inexistant" in errors["config"][0]


@pytest.mark.ckan_config(OPTION + "check_timeout", "0.5")
def test_an_address_that_is_no_udata_site_is_refused(udata_site):
    errors = validation_errors(lambda: make_source("udata", udata_site.url + "/not-udata",
                                                   {"q": "accidents"}))
    assert "/not-udata" in errors["url"][0]
    errors = validation_errors(lambda: make_source("udata", "www.data.gouv.fr", {"q": "x"}))
    assert errors["url"]
    errors = validation_errors(lambda: make_source("udata", "http://127.0.0.1:9", {"q": "x"}))
    assert "127.0.0.1:9" in errors["url"][0]
    udata_site.slow(2.0)
    errors = validation_errors(lambda: make_source("udata", udata_site.url, {"q": "x"}))
    assert errors["url"]


def test_the_config_is_stored_normalised(udata_site):
    source = make_source("udata", udata_site.url + "/api/1/", {"tags": "meteo"})
    assert json.loads(source["config"]) == {"tags": ["meteo"]}


# ---------------------------------------------------------------------- harvesting
def test_an_organisation_is_harvested_page_after_page(udata_site):
    org = factories.Organization()
    source = make_source("udata", udata_site.url, {"organization": ONISR_SLUG}, org=org)
    result = run_job(source)

    assert result.errors == []
    assert result.job["status"] == "Finished"
    datasets = by_remote_id(result)
    assert set(datasets) == {ACCIDENTS, INDICATEURS, RADARS}
    # the organisation's id filters the list, two pages followed
    lists = udata_site.dataset_requests()
    assert [q.get("page") for q in lists if q.get("organization") == [ONISR]] == [["1"], ["2"]]

    accidents = datasets[ACCIDENTS]
    assert accidents["owner_org"] == org["id"]
    assert accidents["title"].startswith("Bases de données annuelles des accidents")
    # open data: public unless the source says otherwise
    assert accidents["access_level"] == "public" and accidents["private"] is False
    assert accidents["license_id"] == "lov2"
    assert accidents["frequency"] == f"{EU}/frequency/ANNUAL"
    assert accidents["temporal_coverage"] == [{"start": "2005-01-01", "end": "2023-12-31"}]
    assert [a["uri"] for a in accidents["spatial_coverage"]] == [f"{EU}/country/FRA"]
    assert accidents["contact"][0]["email"] == "onisr-dsr@interieur.gouv.fr"
    assert {t["name"] for t in accidents["tags"]} == {
        "accident", "accidentologie", "route", "securite-routiere", "victimes"}
    assert accidents["harvest_remote_url"].startswith("https://www.data.gouv.fr/fr/datasets/")

    resources = {r["harvest_key"]: r for r in accidents["resources"]}
    csv = resources["104dbb32-704f-4e99-a71e-43563cb604f2"]
    assert csv["url"].startswith("https://static.data.gouv.fr/resources/")
    assert csv["url_type"] in ("", None)  # a link, not an upload
    assert (csv["format"], csv["mimetype"], csv["size"]) == ("CSV", "text/csv", 5924357)
    assert csv["hash"] == "8b5a2f0f6f3c6f1e0e3e5a0c1d2b3a4f5e6d7c8b"
    # udata gave no format: from the MIME type
    assert resources["2a4b6c8d-0e1f-4a3b-8c5d-6e7f8a9b0c1d"]["format"] == "XLSX"

    departements = datasets[INDICATEURS]
    assert [a["text"] for a in departements["spatial_coverage"]] == ["Paris", "Corse-du-Sud"]
    assert departements["license_id"] == "fr-lo"
    radars = datasets[RADARS]
    assert radars["frequency"] == f"{EU}/frequency/AS_NEEDED"  # udata's legacy "punctual"
    assert {r["format"] for r in radars["resources"]} == {"GeoJSON", ""}


def test_a_second_run_with_checksummed_files_changes_nothing(udata_site):
    """Resources with a checksum: same checksum, same metadata -> "unchanged", no new
    activity."""
    for dataset in udata_site.datasets:
        for res in dataset["resources"]:
            res["checksum"] = res["checksum"] or {"type": "sha1", "value": "ab" * 20}
    source = make_source("udata", udata_site.url, {"organization": ONISR})
    first = run_job(source)
    assert first.errors == []
    second = run_job(source)
    assert second.errors == []
    assert {o["report_status"] for o in second.objects} == {"not modified"}


def test_a_second_run_with_links_without_checksum_changes_nothing(udata_site):
    source = make_source("udata", udata_site.url, {"q": "radars"})
    assert run_job(source).errors == []
    second = run_job(source)
    assert {o["report_status"] for o in second.objects} == {"not modified"}


def test_a_remote_change_updates_the_dataset(udata_site):
    source = make_source("udata", udata_site.url, {"q": "radars"})
    run_job(source)
    udata_site.dataset(RADARS)["title"] = "Radars automatiques (mise à jour)"
    udata_site.dataset(RADARS)["tags"].append("vitesse")
    [radars] = run_job(source).datasets
    assert radars["title"] == "Radars automatiques (mise à jour)"
    assert "vitesse" in {t["name"] for t in radars["tags"]}


def test_a_file_moved_at_the_source_with_the_same_checksum_gets_its_new_url(udata_site):
    """data.gouv.fr stores each upload under a dated path: the same file uploaded again has
    the same checksum and a new URL, and the old URL may go away."""
    source = make_source("udata", udata_site.url, {"q": "accidents"})
    run_job(source)
    csv = udata_site.dataset(ACCIDENTS)["resources"][0]
    csv["url"] = csv["url"].replace("20241028-103125", "20250110-090000")
    accidents = by_remote_id(run_job(source))[ACCIDENTS]
    stored = {r["harvest_key"]: r for r in accidents["resources"]}[csv["id"]]
    assert stored["url"] == csv["url"]


def test_datasets_of_the_same_title_and_a_dataset_listed_twice(udata_site):
    """Two udata datasets may share a title (not a name); a dataset created while the pages
    are read shifts them and one may come twice: neither is a fault."""
    for slug in ("donnees-climatologiques-de-base-quotidiennes",
                 "donnees-climatologiques-de-base-horaires"):
        udata_site.dataset(slug)["title"] = "Données climatologiques"
    original = udata_site._page

    def shifted(path, query, host, found):
        return original(path, query, host, found[:2] + found[1:])  # the second one twice

    udata_site._page = shifted
    try:
        result = run_job(make_source("udata", udata_site.url, {"tags": ["meteo"]}))
    finally:
        udata_site._page = original
    assert result.errors == []
    names = {d["name"] for d in result.datasets}
    assert len(names) == 2 and {d["title"] for d in result.datasets} == {
        "Données climatologiques"}


def test_search_and_tags_filters(udata_site):
    by_q = run_job(make_source("udata", udata_site.url, {"q": "radars"}))
    assert set(by_remote_id(by_q)) == {RADARS}
    by_tags = run_job(make_source("udata", udata_site.url, {"tags": ["meteo", "quotidien"]}))
    assert [d["title"] for d in by_tags.datasets] == [
        "Données climatologiques de base - quotidiennes"]
    assert udata_site.dataset_requests()[-1]["tag"] == ["meteo", "quotidien"]


def test_the_source_settings_apply(udata_site):
    source = make_source("udata", udata_site.url, {
        "tags": ["meteo"], "access_level": "internal", "keywords": ["climat-interne"],
        "theme": ["ENVI"], "frequency": "MONTHLY", "license_id": "odc-odbl"})
    hourly = udata_site.dataset("donnees-climatologiques-de-base-horaires")
    hourly.update(frequency="unknown", license="notspecified")
    datasets = {d["title"]: d for d in run_job(source).datasets}
    hourly = datasets["Données climatologiques de base - horaires"]
    assert hourly["access_level"] == "internal" and hourly["private"] is True
    assert "climat-interne" in {t["name"] for t in hourly["tags"]}
    assert hourly["theme"] == [f"{EU}/data-theme/ENVI"]
    # what udata leaves out, the source's settings fill in; what it says, it keeps
    assert (hourly["frequency"], hourly["license_id"]) == (f"{EU}/frequency/MONTHLY", "odc-odbl")
    daily = datasets["Données climatologiques de base - quotidiennes"]
    assert (daily["frequency"], daily["license_id"]) == (f"{EU}/frequency/DAILY", "lov2")
    # udata gives a contact for the daily data, none for the hourly: the organisation's page
    assert hourly["contact"][0]["name"] == "Météo-France"


def test_429_then_success(udata_site):
    source = make_source("udata", udata_site.url, {"organization": ONISR})
    udata_site.fail(429, times=2, retry_after="0")
    result = run_job(source)
    assert result.errors == []
    assert len(result.datasets) == 3


def test_503_until_the_retries_are_spent_leaves_every_dataset_as_it_was(udata_site):
    source = make_source("udata", udata_site.url, {"organization": ONISR})
    before = by_remote_id(run_job(source))
    udata_site.fail(503, times=3, path="/api/1/datasets/", retry_after="0")
    failed = run_job(source)
    assert len(failed.gather_errors) == 1 and "3" in failed.gather_errors[0]
    assert udata_site.url in failed.gather_errors[0]
    assert failed.job["status"] == "Finished" and failed.objects == []
    for remote_id, dataset in before.items():
        now = helpers.call_action("package_show", id=dataset["id"])
        assert not now.get("withdrawn_at_source")
        assert now["metadata_modified"] == dataset["metadata_modified"]
        assert len(now["resources"]) == len(dataset["resources"])


@pytest.mark.ckan_config(OPTION + "timeout", "0.3")
def test_a_source_that_times_out_leaves_every_dataset_as_it_was(udata_site):
    source = make_source("udata", udata_site.url, {"q": "radars"})
    [radars] = run_job(source).datasets
    udata_site.slow(1.0)
    failed = run_job(source)
    assert len(failed.gather_errors) == 1 and failed.objects == []
    assert failed.job["status"] == "Finished"
    now = helpers.call_action("package_show", id=radars["id"])
    assert not now.get("withdrawn_at_source")
    assert now["metadata_modified"] == radars["metadata_modified"]


def test_a_dataset_removed_at_the_source_is_withdrawn_not_deleted(udata_site):
    source = make_source("udata", udata_site.url, {"organization": ONISR})
    radars = by_remote_id(run_job(source))[RADARS]
    udata_site.remove(RADARS)
    result = run_job(source)
    assert result.errors == []
    after = helpers.call_action("package_show", id=radars["id"])
    assert after["state"] == "active" and after["withdrawn_at_source"]
    assert [r["url"] for r in after["resources"]] == [r["url"] for r in radars["resources"]]


def test_a_dataset_gone_when_fetched_is_an_object_error_and_the_others_are_imported(udata_site):
    source = make_source("udata", udata_site.url, {"organization": ONISR})
    radars = by_remote_id(run_job(source))[RADARS]
    # still in the list, but 404 when read: deleted between the two
    udata_site.fail(404, times=1, path=f"/api/1/datasets/{RADARS}/")
    udata_site.dataset(ACCIDENTS)["title"] = "Accidents corporels (nouveau titre)"
    result = run_job(source)
    assert list(result.object_errors) == [RADARS]
    [message] = result.object_errors[RADARS]
    assert "radars-automatiques" in message and "404" in message
    assert helpers.call_action("package_show", id=radars["id"])["title"] == "Radars automatiques"
    accidents = [d for d in result.datasets if d["harvest_remote_id"] == ACCIDENTS]
    assert accidents[0]["title"] == "Accidents corporels (nouveau titre)"


def test_a_harvest_through_the_redis_queues(udata_site):
    result = run_job_through_queues(make_source("udata", udata_site.url, {"q": "climatologiques"}))
    assert result.errors == []
    assert result.job["status"] == "Finished"
    assert len(result.datasets) == 2
