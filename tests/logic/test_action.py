"""dataset_quality_show: the score and what to fix, for whoever can see the dataset."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from ckanext.internalportal import settings
from ckanext.internalportal.quality import CHECKS
from tests.factories import create_dataset, ministry, poorly_filled, well_filled

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")]

READERS_OF_PRIVATE = ["member", "editor", "admin", "sysadmin"]
NOT_READERS_OF_PRIVATE = ["anonymous", "outsider"]


def quality_as(who: str, people: dict, dataset_id: str) -> dict:
    user = "" if who == "anonymous" else people[who]["name"]
    return helpers.call_action("dataset_quality_show",
                               context={"user": user, "ignore_auth": False}, id=dataset_id)


@pytest.fixture
def people(clean_db, clean_index):
    return ministry()


def test_a_well_filled_dataset_scores_100_and_passes_every_check(people):
    dataset = create_dataset(people["org"], **well_filled())
    result = helpers.call_action("dataset_quality_show", id=dataset["id"])
    assert result["score"] == 100
    assert [c["name"] for c in result["checks"]] == [c.name for c in CHECKS]
    assert all(c["passed"] for c in result["checks"])
    assert set(result["checks"][0]) == {"name", "passed", "weight", "hint"}


def test_a_poorly_filled_dataset_scores_low_and_says_what_to_fix(people):
    dataset = create_dataset(people["org"], **poorly_filled())
    result = helpers.call_action("dataset_quality_show", id=dataset["name"])
    assert result["score"] < 40
    failed = {c["name"] for c in result["checks"] if not c["passed"]}
    assert {"description_length", "keywords", "themes", "contact_point", "has_resources",
            "resources_reachable", "temporal_coverage"} <= failed
    assert {"title", "description", "publisher"}.isdisjoint(failed)


def test_a_stale_annual_dataset_loses_the_frequency_check(people):
    dataset = create_dataset(people["org"], **well_filled(modified="2020-03-01"))
    result = helpers.call_action("dataset_quality_show", id=dataset["id"])
    assert [c["name"] for c in result["checks"] if not c["passed"]] == ["frequency_respected"]
    assert result["score"] < 100


def test_missing_id_is_a_validation_error():
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("dataset_quality_show")
    assert "id" in error.value.error_dict
    with pytest.raises(tk.ValidationError):
        helpers.call_action("dataset_quality_show", id="")


def test_unknown_id_is_not_found():
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("dataset_quality_show", id="aucun-jeu-de-ce-nom")


# ------------------------------------------------------------------ who may call it
@pytest.mark.parametrize("who", READERS_OF_PRIVATE + NOT_READERS_OF_PRIVATE)
def test_everyone_gets_the_same_score_and_checks_of_a_public_dataset(people, who):
    dataset = create_dataset(people["org"], **poorly_filled())
    expected = helpers.call_action("dataset_quality_show", id=dataset["id"])
    assert 0 < expected["score"] < 100
    result = quality_as(who, people, dataset["id"])
    assert result["score"] == expected["score"]
    assert [(c["name"], c["passed"]) for c in result["checks"]] == \
        [(c["name"], c["passed"]) for c in expected["checks"]]


@pytest.mark.parametrize("who", READERS_OF_PRIVATE)
def test_the_organisation_s_people_and_sysadmins_get_the_score_of_a_private_dataset(people, who):
    dataset = create_dataset(people["org"], private=True, **well_filled())
    assert quality_as(who, people, dataset["id"])["score"] == 100


@pytest.mark.parametrize("who", NOT_READERS_OF_PRIVATE)
def test_a_private_dataset_s_score_does_not_exist_for_anonymous_and_other_ministries(people, who):
    dataset = create_dataset(people["org"], private=True, **well_filled())
    # a private dataset does not exist for them (internalportal_sharing): 404, not 403
    with pytest.raises(tk.ObjectNotFound):
        quality_as(who, people, dataset["id"])


@pytest.mark.parametrize("who", READERS_OF_PRIVATE + NOT_READERS_OF_PRIVATE)
@pytest.mark.parametrize("private", [False, True])
def test_the_rule_is_package_show_s(people, who, private):
    dataset = create_dataset(people["org"], private=private, **poorly_filled())
    user = "" if who == "anonymous" else people[who]["name"]
    def allowed(action):
        try:
            helpers.call_auth(action, {"user": user}, id=dataset["id"])
            return True
        except tk.NotAuthorized:
            return False
    assert allowed("dataset_quality_show") == allowed("package_show")


# ------------------------------------------------------------------ through the API, in French
def test_the_api_gives_french_hints(app, people):
    dataset = create_dataset(people["org"], **poorly_filled())
    result = app.get("/api/action/dataset_quality_show", query_string={"id": dataset["id"]}
                     ).json["result"]
    hints = {c["name"]: c["hint"] for c in result["checks"]}
    assert hints["has_resources"] == ("Ajoutez au moins une ressource : un fichier ou un lien "
                                      "vers les données.")


def test_the_api_refuses_a_missing_id_in_french(app):
    response = app.get("/api/action/dataset_quality_show", status=409)
    assert response.json["error"]["id"] == ["Valeur manquante"]


def test_the_api_hides_a_private_dataset_from_anonymous_and_other_ministries(app, people):
    dataset = create_dataset(people["org"], private=True, **well_filled())
    url = "/api/action/dataset_quality_show"
    app.get(url, query_string={"id": dataset["id"]}, status=404)
    app.get(url, query_string={"id": dataset["id"]}, status=404,
            headers={"Authorization": people["outsider"]["token"]})
    result = app.get(url, query_string={"id": dataset["id"]},
                     headers={"Authorization": people["member"]["token"]}).json["result"]
    assert result["score"] == 100
