"""The score on the dataset page (hints for editors only) and the average on the
organisation page, in French."""
from __future__ import annotations

import html
import math

import pytest

from ckan.tests import helpers

from ckanext.internalportal import settings

from tests.factories import create_dataset, ministry, poorly_filled, well_filled

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins")]

RESOURCE_HINT = "Ajoutez au moins une ressource : un fichier ou un lien vers les données."
DESCRIPTION_HINT = ("Rédigez une description d'au moins 100 caractères : contenu, source, "
                    "méthode, limites.")


@pytest.fixture
def people(clean_db, clean_index):
    return ministry()


def page(app, url, user=None) -> str:
    headers = {"Authorization": user["token"]} if user else {}
    return html.unescape(app.get(url, headers=headers).body)


def mean_rounded_up(scores: list[int]) -> int:
    return math.floor(sum(scores) / len(scores) + 0.5)


def score_of(dataset) -> int:
    return helpers.call_action("dataset_quality_show", id=dataset["id"])["score"]


@pytest.mark.parametrize("who", ["editor", "admin", "sysadmin"])
def test_whoever_can_edit_the_dataset_sees_its_score_and_what_to_fix(app, people, who):
    dataset = create_dataset(people["org"], **poorly_filled())
    body = page(app, f"/dataset/{dataset['name']}", people[who])
    assert "Qualité des métadonnées" in body
    assert f"Score : {score_of(dataset)}/100" in body
    assert "Pour améliorer les métadonnées" in body
    assert RESOURCE_HINT in body and DESCRIPTION_HINT in body


@pytest.mark.parametrize("who", ["anonymous", "member", "outsider"])
def test_readers_see_the_score_but_not_the_hints(app, people, who):
    dataset = create_dataset(people["org"], **poorly_filled())
    body = page(app, f"/dataset/{dataset['name']}", people.get(who))
    assert f"Score : {score_of(dataset)}/100" in body
    assert "Pour améliorer les métadonnées" not in body
    assert RESOURCE_HINT not in body


def test_a_dataset_scoring_100_has_nothing_to_fix(app, people):
    dataset = create_dataset(people["org"], **well_filled())
    body = page(app, f"/dataset/{dataset['name']}", people["editor"])
    assert "Score : 100/100" in body
    assert "Pour améliorer les métadonnées" not in body


def test_the_page_is_in_english_under_en(app, people):
    dataset = create_dataset(people["org"], **poorly_filled())
    body = page(app, f"/en/dataset/{dataset['name']}", people["editor"])
    assert "Metadata quality" in body
    assert "Add at least one resource: a file or a link to the data." in body


def test_the_organisation_page_shows_the_average_of_the_datasets_each_user_can_see(app, people):
    org = people["org"]
    good = create_dataset(org, **well_filled())
    poor = create_dataset(org, **poorly_filled())
    hidden = create_dataset(org, private=True, **poorly_filled(title="Suivi interne"))
    public_average = mean_rounded_up([score_of(good), score_of(poor)])
    all_average = mean_rounded_up([score_of(good), score_of(poor), score_of(hidden)])
    assert public_average != all_average

    body = page(app, f"/organization/{org['name']}")
    assert "Qualité des métadonnées" in body
    assert f"Score moyen : {public_average}/100" in body
    assert "sur 2 jeux de données" in body

    body = page(app, f"/organization/{org['name']}", people["member"])
    assert f"Score moyen : {all_average}/100" in body
    assert "sur 3 jeux de données" in body


def test_an_organisation_without_datasets_says_so(app, people):
    body = page(app, f"/organization/{people['other_org']['name']}")
    assert "Aucun jeu de données à évaluer pour l'instant." in body
