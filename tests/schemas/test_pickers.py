"""The vocabulary pickers: choices helpers in the request's language, and the dataset form as an
editor sees it."""
from __future__ import annotations

import re

import pytest

from ckan.tests import factories

from ckanext.internalportal import settings
from ckanext.internalportal import helpers as h

pytestmark = pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS)

EU = "http://publications.europa.eu/resource/authority"


def test_choices_helper_outside_a_request_is_in_french():
    choices = h.internalportal_vocabulary_choices({"vocabulary": "data-theme"})
    assert {"value": f"{EU}/data-theme/ECON", "label": "Économie et finances"} in choices
    assert len(choices) == 13


def test_choices_helper_stores_what_the_field_says():
    choices = h.internalportal_vocabulary_choices(
        {"vocabulary": "file-type", "vocabulary_value": "format"})
    assert {"value": "XLSX", "label": "Classeur Excel (XLSX)"} in choices


@pytest.mark.usefixtures("with_plugins")
def test_licence_choices_are_the_portal_s_licences():
    ids = {c["value"] for c in h.internalportal_license_choices({})}
    assert {"lov2", "odc-odbl", "notspecified"} <= ids


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize("path, lang", [("/", "fr"), ("/en/", "en")])
def test_choices_helper_follows_the_request_language(test_request_context, path, lang):
    with test_request_context(path, environ_base={"CKAN_LANG": lang}):
        labels = {c["label"] for c in h.internalportal_vocabulary_choices(
            {"vocabulary": "frequency"})}
    assert ("Annuelle" if lang == "fr" else "Annual") in labels


@pytest.fixture
def editor_token():
    editor = factories.User()
    factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])
    return factories.APIToken(user=editor["name"])["token"]


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestDatasetForm:
    def test_new_dataset_form_is_in_french_with_the_pickers(self, app, editor_token):
        html = app.get("/dataset/new", headers={"Authorization": editor_token}).body
        assert '<html lang="fr"' in html
        for label in ("Niveau d&#39;accès", "Données personnelles", "Thèmes",
                      "Fréquence de mise à jour", "Couverture géographique",
                      "Couverture temporelle", "Points de contact", "Application source"):
            assert label in html, label
        # pickers: EU and INSEE URIs as values, French labels
        assert f'value="{EU}/data-theme/ECON"' in html and "Économie et finances" in html
        assert f'value="{EU}/frequency/ANNUAL"' in html and "Annuelle" in html
        assert 'value="http://id.insee.fr/geo/departement/33"' in html
        assert "Gironde (33)" in html and "Bretagne (région)" in html
        assert "Public (données ouvertes)" in html
        assert "Restreint (métadonnées visibles des agents, données réservées)" in html
        # the access level starts at « internal », the language at French
        assert '<option value="internal" selected' in html
        assert re.search(rf'value="{EU}/language/FRA"\s+selected', html)
        # derived fields are not in the form
        assert 'name="access_rights"' not in html

    def test_new_dataset_form_in_english(self, app, editor_token):
        html = app.get("/en/dataset/new", headers={"Authorization": editor_token}).body
        assert "Access level" in html and "Economy and finance" in html
        assert "Internal (all signed-in staff)" in html

    def test_resource_form_offers_eu_file_types_with_ckan_short_names(self, app,
                                                                      editor_token):
        from ckan.tests import helpers
        org = helpers.call_action("organization_list", all_fields=True)[0]
        factories.Dataset(name="jeu-sans-ressource", owner_org=org["id"])
        html = app.get("/dataset/jeu-sans-ressource/resource/new",
                       headers={"Authorization": editor_token}).body
        assert '<option value="CSV"' in html and "CSV (valeurs séparées par des virgules)" in html
        assert '<option value="GeoJSON"' in html
        assert "Disponibilité prévue" in html and "Stable (long terme)" in html

    def test_posting_the_form_stores_the_picked_uris(self, app, editor_token):
        from ckan.tests import helpers
        org = helpers.call_action("organization_list", all_fields=True)[0]
        app.post("/dataset/new", headers={"Authorization": editor_token}, data={
            "title": "Effectifs des agents", "name": "effectifs-agents", "owner_org": org["id"],
            "access_level": "restricted", "private": "False", "personal_data": "none",
            "theme": [f"{EU}/data-theme/GOVE", f"{EU}/data-theme/SOCI"],
            "frequency": f"{EU}/frequency/ANNUAL",
            "spatial_coverage-0-uri": "http://id.insee.fr/geo/region/53",
            "spatial_coverage-0-text": "",
            "temporal_coverage-0-start": "2024-01-01", "temporal_coverage-0-end": "",
            "contact-0-name": "Bureau RH", "contact-0-email": "rh@agriculture.gouv.fr",
            "contact-0-uri": "", "language": f"{EU}/language/FRA",
            "save": "continue", "_ckan_phase": "dataset_new_1"})
        pkg = helpers.call_action("package_show", id="effectifs-agents")
        assert (pkg["access_level"], pkg["private"]) == ("restricted", True)
        assert pkg["theme"] == [f"{EU}/data-theme/GOVE", f"{EU}/data-theme/SOCI"]
        assert pkg["spatial_coverage"][0] == {"uri": "http://id.insee.fr/geo/region/53",
                                              "text": "Bretagne"}
        assert pkg["contact"][0]["email"] == "rh@agriculture.gouv.fr"

    def test_a_refused_form_shows_the_french_message_and_creates_nothing(self, app,
                                                                       editor_token):
        from ckan.tests import helpers
        org = helpers.call_action("organization_list", all_fields=True)[0]
        html = app.post("/dataset/new", headers={"Authorization": editor_token}, data={
            "title": "Téléservice", "name": "teleservice-usagers", "owner_org": org["id"],
            "access_level": "public", "personal_data": "personal",
            "legal_basis": "Art. 6.1.e RGPD", "dpo_email": "dpd@interieur.gouv.fr",
            "save": "continue", "_ckan_phase": "dataset_new_1"}).body
        assert "ne peut jamais être public" in html
        assert helpers.call_action("package_list") == []

    def test_dataset_page_shows_the_french_labels_of_the_stored_uris(self, app, editor_token):
        from ckan.tests import helpers
        org = helpers.call_action("organization_list", all_fields=True)[0]
        factories.Dataset(
            name="budget-etat-2024", owner_org=org["id"], access_level="internal",
            theme=[f"{EU}/data-theme/ECON"], frequency=f"{EU}/frequency/ANNUAL",
            spatial_coverage=[{"uri": "http://id.insee.fr/geo/departement/33"}],
            resources=[{"url": "https://example.gouv.fr/budget.csv", "name": "Budget",
                        "availability": f"{EU}/planned-availability/STABLE"}])
        html = app.get("/dataset/budget-etat-2024", headers={"Authorization": editor_token}).body
        for text in ("Économie et finances", "Annuelle", "Gironde",
                     "Interne (tous les agents connectés)", "Restreint"):
            assert text in html, text
        pkg = helpers.call_action("package_show", id="budget-etat-2024")
        html = app.get(f"/dataset/budget-etat-2024/resource/{pkg['resources'][0]['id']}",
                       headers={"Authorization": editor_token}).body
        assert "Stable (long terme)" in html and "text/csv" in html
