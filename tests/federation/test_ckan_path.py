"""The CKAN path to data.gouv.fr: the extras its CKAN harvester reads.

Pure tests of ``federation/ckan_path.py`` first (no CKAN), then through a real HTTP round trip
to the portal as udata's CKAN backend reads it (``requests.get(…/package_show?id=…).json()``)
and as a CKAN client writes back (``package_show`` → edit → ``package_update``/``package_patch``).
"""
from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from ckan.tests import factories, helpers

from ckanext.internalportal import settings
from ckanext.internalportal.federation import ckan_path
from ckanext.internalportal.logic import boundary
from ckanext.internalportal.schemas import vocabularies
from tests import factories as builders
from tests.live import live_session

pytestmark = pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS)

EU = builders.EU
INSEE = builders.INSEE
FRA = f"{EU}/country/FRA"
GIRONDE = f"{INSEE}/departement/33"
NOUVELLE_AQUITAINE = f"{INSEE}/region/75"
BRETAGNE = f"{INSEE}/region/53"
ILLE_ET_VILAINE = f"{INSEE}/departement/35"
LA_REUNION = f"{INSEE}/region/04"

# udata/core/dataset/rdf.py, EUFREQ_TERM_TO_UDATA (udata 17.18): the EU frequency codes its
# `frequency_from_rdf` maps to an UpdateFrequency; any other value is kept as an extra only
UDATA_EU_FREQUENCIES = {
    "UNKNOWN", "UPDATE_CONT", "1MIN", "5MIN", "10MIN", "15MIN", "30MIN", "HOURLY", "BIHOURLY",
    "TRIHOURLY", "12HRS", "CONT", "DAILY_3", "DAILY_2", "DAILY", "WEEKLY_5", "WEEKLY_3",
    "WEEKLY_2", "WEEKLY", "BIWEEKLY", "MONTHLY_3", "MONTHLY_2", "MONTHLY", "BIMONTHLY",
    "QUARTERLY", "ANNUAL_3", "ANNUAL_2", "ANNUAL", "BIENNIAL", "TRIENNIAL", "QUADRENNIAL",
    "QUINQUENNIAL", "DECENNIAL", "BIDECENNIAL", "TRIDECENNIAL", "AS_NEEDED", "IRREG", "NEVER",
    "NOT_PLANNED", "OTHER",
}
EU_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"


def as_dict(extras: list[dict[str, str]]) -> dict[str, str]:
    return {e["key"]: e["value"] for e in extras}


def udata_geometry(value: str) -> dict[str, Any]:
    """What udata's CKAN backend does with ``spatial``: JSON, a Polygon or MultiPolygon (it
    raises on any other type), stored as a MultiPolygon."""
    geom = json.loads(value)
    assert geom["type"] in ("Polygon", "MultiPolygon"), geom
    coordinates = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
    return {"type": "MultiPolygon", "coordinates": coordinates}


# ------------------------------------------------------------------ pure: the mapping
def test_every_frequency_of_the_portal_is_one_udata_maps():
    values = [c.value for c in vocabularies.vocabulary("frequency")]
    assert values
    for value in values:
        extra = as_dict(ckan_path.derived_extras({"frequency": value}))
        assert extra == {"frequency": value}
        assert value.startswith(EU_FREQUENCY)
        assert value[len(EU_FREQUENCY):] in UDATA_EU_FREQUENCIES, value


def test_one_period_gives_its_start_and_end():
    extras = ckan_path.derived_extras(
        {"temporal_coverage": [{"start": "2023-01-01", "end": "2023-12-31"}]})
    assert extras == [{"key": "temporal_start", "value": "2023-01-01"},
                      {"key": "temporal_end", "value": "2023-12-31"}]


def test_several_periods_give_the_period_spanning_them_all():
    periods = [{"start": "2021-03-01", "end": "2021-06-30"},
               {"start": "2019", "end": "2020-06"},
               {"start": "2022-01-01", "end": "2022"}]
    assert ckan_path.temporal(periods) == {"temporal_start": "2019", "temporal_end": "2022"}


def test_a_year_ends_after_a_date_of_that_year():
    periods = [{"start": "2020-01-01", "end": "2023-06-30"}, {"start": "2020-01-01", "end": "2023"}]
    assert ckan_path.temporal(periods)["temporal_end"] == "2023"


def test_a_period_still_running_sends_no_end():
    periods = [{"start": "2020-01-01", "end": "2020-12-31"}, {"start": "2021-01-01"}]
    assert ckan_path.temporal(periods) == {"temporal_start": "2020-01-01"}


def test_one_territory_sends_its_name_and_uri_and_no_geometry():
    # udata fails a dataset whose spatial-text names one of its territories when a geometry
    # is also sent (SpatialCoverage.clean): the name wins, data.gouv.fr links its territory
    extras = as_dict(ckan_path.derived_extras(
        {"spatial_coverage": [{"uri": GIRONDE, "text": "Gironde"}]}))
    assert extras == {"spatial-text": "Gironde", "spatial-uri": GIRONDE}


def test_a_territory_without_its_text_is_named_from_the_vocabulary():
    assert ckan_path.spatial([{"uri": GIRONDE}])["spatial-text"] == "Gironde"


def test_distant_territories_give_a_multipolygon_of_their_boxes():
    extras = as_dict(ckan_path.derived_extras({"spatial_coverage": [
        {"uri": GIRONDE, "text": "Gironde"}, {"uri": BRETAGNE, "text": "Bretagne"}]}))
    assert extras["spatial-text"] == "Gironde, Bretagne"
    assert extras["spatial-uri"] == f"{GIRONDE} {BRETAGNE}"
    geom = json.loads(extras["spatial"])
    assert geom == {"type": "MultiPolygon", "coordinates": [
        [[[-5.1403, 47.2784], [-1.0158, 47.2784], [-1.0158, 48.9006], [-5.1403, 48.9006],
          [-5.1403, 47.2784]]],
        [[[-1.262, 44.1938], [0.3151, 44.1938], [0.3151, 45.5747], [-1.262, 45.5747],
          [-1.262, 44.1938]]],
    ]}
    assert udata_geometry(extras["spatial"])["coordinates"] == geom["coordinates"]


def test_a_departement_inside_its_region_adds_no_polygon():
    geom = json.loads(ckan_path.spatial([{"uri": GIRONDE}, {"uri": NOUVELLE_AQUITAINE}])["spatial"])
    assert geom == {"type": "Polygon", "coordinates": [
        [[-1.7924, 42.7775], [2.6116, 42.7775], [2.6116, 47.1758], [-1.7924, 47.1758],
         [-1.7924, 42.7775]]]}


def test_overlapping_boxes_merge_and_distant_ones_stay_apart():
    # Bretagne and Nouvelle-Aquitaine do not meet, Pays de la Loire meets both: one box for
    # the three (merging again once a merged box meets another); La Réunion stays its own
    merged = ckan_path.merge_boxes([(-5.1403, 47.2784, -1.0158, 48.9006),
                                    (55.2165, -21.3894, 55.8367, -20.8717),
                                    (-1.7924, 42.7775, 2.6116, 47.1758),
                                    (-2.6234, 46.2665, 0.9166, 48.568)])
    assert merged == [(-5.1403, 42.7775, 2.6116, 48.9006), (55.2165, -21.3894, 55.8367, -20.8717)]
    geom = ckan_path.bbox_geometry(merged)
    assert geom["type"] == "MultiPolygon" and len(geom["coordinates"]) == 2


def test_merging_does_not_depend_on_the_order_of_the_territories():
    uris = [BRETAGNE, LA_REUNION, GIRONDE, ILLE_ET_VILAINE]
    first = ckan_path.spatial([{"uri": u} for u in uris])["spatial"]
    again = ckan_path.spatial([{"uri": u} for u in reversed(uris)])["spatial"]
    assert json.loads(first) == json.loads(again)


def test_rings_are_closed_and_counterclockwise():
    ring = json.loads(ckan_path.spatial([{"uri": GIRONDE}, {"uri": BRETAGNE}])["spatial"])[
        "coordinates"][0][0]
    assert ring[0] == ring[-1]
    area2 = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:]))
    assert area2 > 0  # positive shoelace: counterclockwise (RFC 7946)


def test_territories_without_extent_send_no_geometry():
    extras = ckan_path.spatial([{"uri": "https://example.org/lieu/1", "text": "Ici"},
                                {"uri": "https://example.org/lieu/2", "text": "Là"}])
    assert extras == {"spatial-text": "Ici, Là",
                      "spatial-uri": "https://example.org/lieu/1 https://example.org/lieu/2"}


def test_a_dataset_without_those_fields_gets_no_extra():
    assert ckan_path.derived_extras({"title": "Tableau", "frequency": "",
                                     "temporal_coverage": [], "spatial_coverage": None}) == []
    assert ckan_path.derived_extras({"temporal_coverage": [{"start": "", "end": None}]}) == []


def test_repeating_fields_as_json_strings_are_read_too():
    # the default schema (use_default_schema) shows repeating fields as JSON strings
    extras = as_dict(ckan_path.derived_extras({
        "temporal_coverage": json.dumps([{"start": "2020", "end": "2021"}]),
        "spatial_coverage": json.dumps([{"uri": FRA, "text": "France"}])}))
    assert extras == {"temporal_start": "2020", "temporal_end": "2021",
                      "spatial-text": "France", "spatial-uri": FRA}


# ------------------------------------------------------------------ pure: in and out
def test_the_api_answer_gets_the_extras_and_other_callers_do_not():
    pkg = {"type": "dataset", "frequency": f"{EU_FREQUENCY}ANNUAL",
           "extras": [{"key": "origine", "value": "BAAC"}]}
    for context in ({}, {"ignore_auth": True, "use_cache": False, "validate": False},
                    {"for_view": False, "ignore_auth": True}):
        other = copy.deepcopy(pkg)
        ckan_path.add_to_api_answer(context, other)
        assert other == pkg
    ckan_path.add_to_api_answer({"api_version": 3}, pkg)
    assert pkg["extras"] == [{"key": "origine", "value": "BAAC"},
                             {"key": "frequency", "value": f"{EU_FREQUENCY}ANNUAL"}]


def test_adding_twice_adds_once_and_replaces_stale_values():
    pkg = {"type": "dataset", "frequency": f"{EU_FREQUENCY}MONTHLY",
           "extras": [{"key": "frequency", "value": "stale"}]}
    ckan_path.add_to_api_answer({"api_version": 3}, pkg)
    ckan_path.add_to_api_answer({"api_version": 3}, pkg)
    assert pkg["extras"] == [{"key": "frequency", "value": f"{EU_FREQUENCY}MONTHLY"}]


def test_a_harvest_source_keeps_its_own_frequency_to_itself():
    pkg = {"type": "harvest", "frequency": "MANUAL", "extras": []}
    ckan_path.add_to_api_answer({"api_version": 3}, pkg)
    assert pkg["extras"] == []


def test_writes_drop_the_derived_extras_and_keep_the_others():
    data = {"title": "T", "extras": [{"key": "spatial", "value": "{}"},
                                     {"key": "origine", "value": "BAAC"},
                                     {"key": "temporal_start", "value": "2020"}]}
    once = ckan_path.without_derived_extras(data)
    assert once["extras"] == [{"key": "origine", "value": "BAAC"}]
    assert data["extras"][0]["key"] == "spatial"  # the caller's dict is left alone
    assert ckan_path.without_derived_extras(once) is once  # idempotent (patch → update)


def test_odd_extras_are_left_for_ckan_to_refuse():
    for extras in ("spatial", None, [["spatial", "x"]], [{"value": "x"}]):
        data = {"extras": extras}
        assert ckan_path.without_derived_extras(data) is data


def test_the_boundary_runs_the_step():
    assert ckan_path.boundary_step in boundary.STEPS
    out = boundary.clean_input("package_update", {}, {"extras": [{"key": "spatial-uri",
                                                                 "value": FRA}]})
    assert out["extras"] == []


# ------------------------------------------------------------------ over HTTP
over_http = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def api(session, base: str, action: str, **data: Any) -> dict[str, Any]:
    """An action as udata's CKAN backend calls it: GET for reads, POST JSON for writes."""
    url = f"{base}/api/3/action/{action}"
    answer = session.get(url, params=data, timeout=60) if action.endswith(("_show", "_search")) \
        else session.post(url, json=data, timeout=60)
    body = answer.json()
    assert answer.status_code == 200 and body["success"], (answer.status_code, body)
    return body["result"]


def public_dataset(org: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return builders.create_dataset(org, **builders.well_filled(**fields))


@over_http
def test_package_show_over_http_carries_what_udata_reads(live_portal):
    org = factories.Organization()
    pkg = public_dataset(org, spatial_coverage=[{"uri": GIRONDE}, {"uri": BRETAGNE}],
                         temporal_coverage=[{"start": "2019-01-01", "end": "2019-12-31"},
                                            {"start": "2023-01-01", "end": "2023-12-31"}])
    shown = api(live_session(), live_portal, "package_show", id=pkg["name"])
    extras = as_dict(shown["extras"])
    assert extras["frequency"] == f"{EU_FREQUENCY}ANNUAL"
    assert extras["temporal_start"] == "2019-01-01"
    assert extras["temporal_end"] == "2023-12-31"
    assert extras["spatial-text"] == "Gironde, Bretagne"
    assert extras["spatial-uri"] == f"{GIRONDE} {BRETAGNE}"
    geom = udata_geometry(extras["spatial"])
    assert len(geom["coordinates"]) == 2
    assert json.loads(extras["spatial"])["type"] == "MultiPolygon"
    # the fields themselves are still there, unchanged
    assert shown["frequency"] == pkg["frequency"]
    assert shown["temporal_coverage"] == pkg["temporal_coverage"]
    assert shown["spatial_coverage"] == pkg["spatial_coverage"]


@over_http
def test_package_show_over_http_one_territory_gives_its_name(live_portal):
    org = factories.Organization()
    pkg = public_dataset(org, spatial_coverage=[{"uri": FRA}])
    extras = as_dict(api(live_session(), live_portal, "package_show", id=pkg["id"])["extras"])
    assert extras["spatial-text"] == "France" and extras["spatial-uri"] == FRA
    assert "spatial" not in extras


@over_http
def test_package_show_over_http_a_polygon_when_the_boxes_merge(live_portal):
    org = factories.Organization()
    pkg = public_dataset(org, spatial_coverage=[{"uri": GIRONDE}, {"uri": NOUVELLE_AQUITAINE}])
    extras = as_dict(api(live_session(), live_portal, "package_show", id=pkg["id"])["extras"])
    assert json.loads(extras["spatial"])["type"] == "Polygon"


@over_http
def test_a_dataset_without_those_fields_gets_none_of_the_extras(live_portal):
    org = factories.Organization()
    pkg = builders.create_dataset(org, access_level="public", **builders.poorly_filled())
    shown = api(live_session(), live_portal, "package_show", id=pkg["id"])
    assert not set(as_dict(shown.get("extras") or [])) & set(ckan_path.DERIVED_KEYS)


@over_http
def test_python_callers_and_search_results_do_not_get_the_extras(live_portal):
    org = factories.Organization()
    pkg = public_dataset(org)
    assert not as_dict(pkg.get("extras") or [])  # package_create's answer (Python caller)
    inside = helpers.call_action("package_show", id=pkg["id"])
    assert not set(as_dict(inside.get("extras") or [])) & set(ckan_path.DERIVED_KEYS)
    found = api(live_session(), live_portal, "package_search", q=f"id:{pkg['id']}")
    assert found["count"] == 1
    assert not set(as_dict(found["results"][0].get("extras") or [])) & set(
        ckan_path.DERIVED_KEYS)


def _without_volatile(pkg: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(pkg)
    out.pop("metadata_modified", None)
    out.pop("title", None)
    return out


@over_http
@pytest.mark.parametrize("write", ["package_update", "package_patch"])
def test_show_edit_write_round_trip_changes_only_the_title(live_portal, write):
    ministry = builders.ministry()
    pkg = public_dataset(ministry["org"])
    editor = live_session(ministry["editor"]["token"])
    before = api(editor, live_portal, "package_show", id=pkg["id"])
    assert set(ckan_path.DERIVED_KEYS) <= set(as_dict(before["extras"]))

    edited = copy.deepcopy(before)
    edited["title"] = "Accidents corporels de la circulation routière – 2023 (révisé)"
    written = api(editor, live_portal, write, **edited)
    assert written["title"] == edited["title"]

    after = api(editor, live_portal, "package_show", id=pkg["id"])
    assert after["title"] == edited["title"]
    assert after["metadata_modified"] > before["metadata_modified"]
    assert _without_volatile(after) == _without_volatile(before)

    # nothing was stored as a real extra: CKAN's own show, outside the API, has none of them
    stored = helpers.call_action("package_show", id=pkg["id"])
    assert not set(as_dict(stored.get("extras") or [])) & set(ckan_path.DERIVED_KEYS)
    # in the database, scheming keeps its fields as extras: `frequency` is the field's own
    from ckan import model
    in_db = model.Package.get(pkg["id"]).extras
    assert not set(in_db) & (set(ckan_path.DERIVED_KEYS) - {"frequency"})
    assert in_db["frequency"] == pkg["frequency"]
    # nor in the version the activity stream recorded
    latest = helpers.call_action("package_activity_list", id=pkg["id"])[0]
    assert latest["activity_type"] == "changed package"
    recorded = helpers.call_action("activity_data_show", id=latest["id"])["package"]
    assert recorded["title"] == edited["title"]
    assert not set(as_dict(recorded.get("extras") or [])) & set(ckan_path.DERIVED_KEYS)


@over_http
def test_search_results_and_facets_are_the_same_after_the_round_trip(live_portal):
    ministry = builders.ministry()
    pkg = public_dataset(ministry["org"])
    session = live_session(ministry["editor"]["token"])
    params = {"q": "*:*", "facet.field": json.dumps(["tags", "res_format", "organization",
                                                     "license_id"]), "rows": 10}
    search_before = api(session, live_portal, "package_search", **params)
    shown = api(session, live_portal, "package_show", id=pkg["id"])
    api(session, live_portal, "package_update", **shown)
    search_after = api(session, live_portal, "package_search", **params)

    assert search_after["facets"] == search_before["facets"]
    assert search_after["search_facets"] == search_before["search_facets"]
    [result_before], [result_after] = search_before["results"], search_after["results"]
    assert _without_volatile(result_after) == _without_volatile(result_before)
    # a search on a derived key finds nothing: they are not in the index
    for key in ("temporal_start", "spatial"):
        found = api(session, live_portal, "package_search", fq=f"extras_{key}:*")
        assert found["count"] == 0, key
