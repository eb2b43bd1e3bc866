"""The stack is real: PostgreSQL, Solr 9 and Redis answer, and CKAN goes through each of them."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import requests

import ckan.lib.jobs as jobs
import ckan.lib.search as search
import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories, helpers

from ckanext.internalportal import settings

from ..conftest import ROOT

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins")]


def test_the_search_backend_is_a_real_solr_9_with_ckan_s_schema():
    url = tk.config["solr_url"]
    assert url.startswith("http://127.0.0.1:8983/solr/")
    info = requests.get(url.rsplit("/", 1)[0] + "/admin/info/system?wt=json", timeout=10).json()
    assert info["lucene"]["solr-spec-version"].startswith("9.")
    schema = requests.get(url + "/schema?wt=json", timeout=10).json()["schema"]
    assert schema["name"] == "ckan-2.12"
    search.check_solr_schema_version()


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_a_dataset_created_through_the_api_is_found_by_package_search():
    org = factories.Organization(title="Ministère de la Santé")
    factories.Dataset(owner_org=org["id"], title="Vaccination antigrippale par département",
                      notes="Couverture vaccinale des plus de 65 ans.")
    factories.Dataset(owner_org=org["id"], title="Effectifs des hôpitaux")

    result = helpers.call_action("package_search", q="vaccinale")
    assert result["count"] == 1
    assert result["results"][0]["title"] == "Vaccination antigrippale par département"
    # the same query straight at Solr: the document is in the real index
    docs = requests.get(tk.config["solr_url"] + "/select",
                        params={"q": "title:Vaccination", "wt": "json"}, timeout=10).json()
    assert docs["response"]["numFound"] == 1


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_a_private_dataset_is_hidden_from_anonymous_search():
    org = factories.Organization()
    factories.Dataset(owner_org=org["id"], private=True, title="Fichier des agents")
    factories.Dataset(owner_org=org["id"], title="Annuaire des services")
    anon = helpers.call_action("package_search", context={"user": ""}, q="*:*")
    assert [d["title"] for d in anon["results"]] == ["Annuaire des services"]


def record_job_result(key: str, value: str) -> None:
    """A background job: leaves its trace in Redis, where the test reads it back."""
    connect_to_redis().set(key, value)


@pytest.mark.usefixtures("clean_queues", "with_test_worker")
def test_a_background_job_goes_through_redis():
    key = f"internalportal-test-{uuid.uuid4()}"
    job = jobs.enqueue(record_job_result, [key, "fait"], title="essai")
    redis = connect_to_redis()
    # the job waits in Redis' queue until a worker takes it
    assert job.id.encode() in redis.lrange(jobs.get_queue().key, 0, -1)
    assert redis.get(key) is None
    jobs.Worker().work(burst=True)
    assert redis.get(key) == b"fait"
    redis.delete(key)


def redis_started_by_make_up() -> int:
    """The process id of the Redis server `make up` started (scripts/services.sh's pidfile)."""
    pidfile = ROOT / ".state" / "redis" / "redis.pid"
    if not pidfile.exists():
        pytest.fail(f"{pidfile} absent: Redis was not started by `make up`")
    return int(pidfile.read_text().strip())


@pytest.mark.usefixtures("clean_queues")
def test_a_job_enqueued_through_ckan_waits_in_the_redis_server_make_up_started():
    job = jobs.enqueue(record_job_result, [f"internalportal-test-{uuid.uuid4()}", "fait"],
                       title="essai")
    try:
        redis = connect_to_redis()
        # the server holding the job is the process `make up` started, with its data directory
        assert redis.exists(job.key)
        assert redis.info("server")["process_id"] == redis_started_by_make_up()
        data_dir = Path(redis.config_get("dir")["dir"]).resolve()
        assert data_dir == (ROOT / ".state" / "redis").resolve()
    finally:
        job.delete()


def test_harvest_queues_use_the_same_redis_server():
    from ckanext.harvest.queue import get_connection
    harvest = get_connection()
    assert harvest.info("server")["process_id"] == redis_started_by_make_up()
    assert harvest.info("server")["run_id"] == connect_to_redis().info("server")["run_id"]
