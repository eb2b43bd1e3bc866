"""The score in the search index: users sort, facet and filter datasets by it."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from ckan.tests import helpers

from ckanext.internalportal import settings
from ckanext.internalportal.quality.checks import dataset_score
from ckanext.internalportal.quality.index import INDEX_FIELD, add_score, index_value
from tests.factories import create_dataset, ministry, poorly_filled, well_filled

pytestmark = pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS)

NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)


# ------------------------------------------------------------------ pure
def test_index_values_sort_alphabetically_as_numbers():
    values = [index_value(s) for s in (100, 7, 45, 0, 99)]
    assert values == ["100", "007", "045", "000", "099"]
    assert sorted(values) == [index_value(s) for s in sorted((100, 7, 45, 0, 99))]


def test_add_score_reads_the_validated_dataset_dict():
    index_dict = {"id": "x", "validated_data_dict": json.dumps({"title": "Tableau"}),
                  "data_dict": json.dumps({})}
    expected = dataset_score({"title": "Tableau"}, NOW)
    assert add_score(index_dict, NOW)[INDEX_FIELD] == index_value(expected)
    assert 0 < expected < 50


def test_a_scoring_failure_never_stops_indexing(monkeypatch):
    from ckanext.internalportal.quality import index
    def broken(pkg, now):
        raise ValueError("bug")
    monkeypatch.setattr(index, "dataset_score", broken)
    index_dict = {"id": "x", "validated_data_dict": "{}"}
    assert add_score(index_dict, NOW) == {"id": "x", "validated_data_dict": "{}"}


# ------------------------------------------------------------------ through Solr
def search(**params):
    return helpers.call_action("package_search", include_private=True, **params)


@pytest.fixture
def three_datasets(clean_db, clean_index):
    people = ministry()
    org = people["org"]
    medium = well_filled(tags=[], theme=[], contact=[], spatial_coverage=[],
                         temporal_coverage=[])
    return {
        "people": people,
        "poor": create_dataset(org, name="tableau-de-suivi", **poorly_filled()),
        "good": create_dataset(org, name="accidents-2023", **well_filled()),
        "medium": create_dataset(org, name="accidents-2022", **medium),
    }


@pytest.mark.usefixtures("with_plugins")
def test_search_sorts_datasets_by_quality_score(three_datasets):
    names = [d["name"] for d in search(sort=f"{INDEX_FIELD} desc")["results"]]
    assert names == ["accidents-2023", "accidents-2022", "tableau-de-suivi"]
    names = [d["name"] for d in search(sort=f"{INDEX_FIELD} asc")["results"]]
    assert names == ["tableau-de-suivi", "accidents-2022", "accidents-2023"]


@pytest.mark.usefixtures("with_plugins")
def test_the_score_is_a_facet_and_a_filter(three_datasets):
    scores = {name: helpers.call_action("dataset_quality_show", id=d["id"])["score"]
              for name, d in three_datasets.items() if name != "people"}
    assert scores["good"] == 100 and scores["poor"] < 50 <= scores["medium"] < 100

    facets = search(**{"facet.field": json.dumps([INDEX_FIELD])})["facets"][INDEX_FIELD]
    assert facets == {index_value(s): 1 for s in scores.values()}

    found = search(fq=f"{INDEX_FIELD}:[050 TO 100]")["results"]
    assert {d["name"] for d in found} == {"accidents-2023", "accidents-2022"}
    found = search(fq=f"{INDEX_FIELD}:100")["results"]
    assert [d["name"] for d in found] == ["accidents-2023"]


@pytest.mark.usefixtures("with_plugins")
def test_the_indexed_score_follows_each_update(three_datasets):
    poor = three_datasets["poor"]
    before = search(fq=f"name:{poor['name']}", **{"facet.field": json.dumps([INDEX_FIELD])})
    editor = three_datasets["people"]["editor"]["name"]
    helpers.call_action("package_patch", context={"user": editor},
                        id=poor["id"], notes=well_filled()["notes"],
                        tag_string="suivi,tableau de bord")
    after = search(fq=f"name:{poor['name']}", **{"facet.field": json.dumps([INDEX_FIELD])})
    score_before = int(next(iter(before["facets"][INDEX_FIELD])))
    score_after = int(next(iter(after["facets"][INDEX_FIELD])))
    expected = helpers.call_action("dataset_quality_show", id=poor["id"])["score"]
    assert score_after == expected > score_before


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_private_datasets_stay_out_of_other_people_s_facets():
    people = ministry()
    create_dataset(people["org"], private=True, **well_filled())
    result = helpers.call_action(
        "package_search", context={"user": people["outsider"]["name"], "ignore_auth": False},
        include_private=True, **{"facet.field": json.dumps([INDEX_FIELD])})
    assert result["count"] == 0 and result["facets"][INDEX_FIELD] == {}


@pytest.mark.usefixtures("with_plugins")
def test_the_search_page_offers_the_quality_sort_in_french_and_applies_it(three_datasets, app):
    sort = f"{INDEX_FIELD} desc, metadata_modified desc"
    page = app.get("/dataset/", query_string={"sort": sort}).body
    assert "Qualité des métadonnées (meilleures d&#39;abord)" in page \
        or "Qualité des métadonnées (meilleures d'abord)" in page
    positions = [page.index(f'/dataset/{name}"')
                 for name in ("accidents-2023", "accidents-2022", "tableau-de-suivi")]
    assert positions == sorted(positions)
    page = app.get("/dataset/", query_string={"sort": f"{INDEX_FIELD} asc"}).body
    positions = [page.index(f'/dataset/{name}"')
                 for name in ("tableau-de-suivi", "accidents-2022", "accidents-2023")]
    assert positions == sorted(positions)
