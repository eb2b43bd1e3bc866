"""The issue's end-to-end check: a member of ministry B views a dataset of ministry A seven
times and downloads it three times; after the rollup, A's agents see +7 / +3 attributed to B,
an agent of ministry C sees the totals but not who reads."""
from __future__ import annotations

import pytest

from ckanext.internalportal import settings
from tests.sharing.support import as_user, dataset, headers, world

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
              pytest.mark.usefixtures("counters")]


def test_seven_views_and_three_downloads_by_ministry_b_reach_ministry_a(app, counters):
    people = world()
    pkg = dataset(people, "public", resources=[{"url": "https://exemple.gouv.fr/data.csv",
                                                 "name": "Données", "format": "CSV"}])
    resource = pkg["resources"][0]
    for _ in range(7):
        app.get(f"/dataset/{pkg['name']}", headers=headers(people["b_member"]), status=200)
    for _ in range(3):
        response = app.get(f"/dataset/{pkg['id']}/resource/{resource['id']}/download",
                           headers=headers(people["b_member"]), follow_redirects=False)
        assert response.status_code == 302
        assert response.headers["Location"] == "https://exemple.gouv.fr/data.csv"

    before = as_user(people["admin"], "dataset_usage_show", id=pkg["id"])
    assert before["totals"]["views"] == 0  # still in Redis until the rollup

    counters.flush()

    usage = as_user(people["admin"], "dataset_usage_show", id=pkg["id"])
    assert usage["totals"]["views"] == 7
    assert usage["totals"]["downloads"] == 3
    by_b = [c for c in usage["by_consumer"] if c["name"] == people["b"]["name"]]
    assert len(by_b) == 1 and by_b[0]["views"] == 7 and by_b[0]["downloads"] == 3
    assert by_b[0]["title"] == people["b"]["title"]
    assert [r["downloads"] for r in usage["by_resource"]] == [3]

    seen_by_c = as_user(people["c_agent"], "dataset_usage_show", id=pkg["id"])
    assert seen_by_c["totals"] == usage["totals"]
    assert seen_by_c["breakdown"] is False
    assert "by_consumer" not in seen_by_c and "by_resource" not in seen_by_c
