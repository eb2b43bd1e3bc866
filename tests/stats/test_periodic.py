"""The periodic rollup: the first reading after ``flush_interval`` minutes queues one CKAN
background job (the ``flush-due`` key's expiry is the clock); run by a worker, it rolls up."""
from __future__ import annotations

import pytest

from ckan.lib import jobs
from ckanext.internalportal import settings
from tests.sharing.support import as_user, dataset, world

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
              pytest.mark.usefixtures("counters")]


@pytest.mark.ckan_config("ckanext.internalportal.stats.flush_interval", "5")
def test_readings_queue_one_rollup_per_interval_and_the_worker_runs_it(app, counters):
    people = world()
    pkg = dataset(people, "public")
    queue = jobs.get_queue()
    queue.empty()
    for _ in range(3):
        app.get(f"/dataset/{pkg['name']}", status=200)
    queued = [j for j in queue.jobs if j.func_name.endswith("flush_job")]
    assert len(queued) == 1
    assert 0 < counters.client().ttl(counters.key("flush-due")) <= 5 * 60
    worker = jobs.Worker()
    worker.work(burst=True)
    assert as_user(people["admin"], "dataset_usage_show", id=pkg["id"])["totals"]["views"] == 3
