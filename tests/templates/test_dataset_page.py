"""What a reader sees on a dataset's pages: the form's one choice of who sees the dataset
(the access level, CKAN's `private` follows it), the internal fields for signed-in readers
only — on the page as in the RDF (one rule, lib/audience.py) —, no empty rows, and repeating
fields numbered only when there are several."""
from __future__ import annotations

import re
from html import unescape

import pytest
from rdflib import Graph, URIRef

from ckan.tests import helpers

from ckanext.internalportal import settings
from ckanext.internalportal.dcat.terms import PROV
from tests.factories import EU, create_dataset, ministry, well_filled

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")]

# distinctive values (the builders' notes already speak of BAAC)
SOURCE_APPLICATION = "SIRHEN-Statistiques"
DATA_STEWARD = "Cheffe du bureau des études routières"
LEGAL_BASIS = "Mission d'intérêt public (art. 6.1.e RGPD)"
DPO_EMAIL = "dpd-routes@interieur.gouv.fr"
INTERNAL_LABELS = ("Application source", "Responsable des données")


@pytest.fixture
def people():
    return ministry()


def internal(**overrides):
    return well_filled(source_application=SOURCE_APPLICATION, data_steward=DATA_STEWARD,
                       **overrides)


def page(app, path, user=None, status=200) -> str:
    headers = {"Authorization": user["token"]} if user else {}
    response = app.get(path, headers=headers, status=status)
    return unescape(response.body)


def row_labels(html: str) -> list[str]:
    """The labels of the « Additional info » table rows, as a reader reads them."""
    return [re.sub(r"\s+", " ", label).strip()
            for label in re.findall(r'<th scope="row" class="dataset-label">(.*?)</th>', html,
                                    re.S)]


def entry_headings(html: str) -> list[str]:
    """The headings of the entries of repeating fields (« Point de contact 2 »)."""
    return [re.sub(r"\s+", " ", h).strip()
            for h in re.findall(r'<header class="panel-heading">(.*?)</header>', html, re.S)]


def subfield_labels(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", d).strip()
            for d in re.findall(r'<dt class="dataset-label">(.*?)</dt>', html, re.S)]


def rdf(app, path, user=None) -> Graph:
    return Graph().parse(data=page(app, path, user), format="turtle")


# ------------------------------------------------------------------ the form
def test_dataset_form_offers_the_access_level_and_no_visibility_select(app, people):
    html = page(app, "/dataset/new", people["editor"])
    assert 'name="access_level"' in html
    assert 'name="private"' not in html
    assert "Visibilité" not in html


def form_fields(org, name, access_level, **extra):
    return {"title": "Effectifs des agents par corps", "name": name, "owner_org": org["id"],
            "notes": "Effectifs au 31 décembre, par corps et par grade.",
            "access_level": access_level, "personal_data": "none", "license_id": "lov2",
            "save": "", **extra}


def test_creating_and_editing_through_the_form_sets_private_from_the_access_level(app, people):
    editor, org = people["editor"], people["org"]
    headers = {"Authorization": editor["token"]}
    app.post("/dataset/new", headers=headers, data={
        **form_fields(org, "effectifs-agents", "public"), "_ckan_phase": "dataset_new_1",
        "save": "continue"})
    pkg = helpers.call_action("package_show", id="effectifs-agents")
    assert (pkg["access_level"], pkg["private"]) == ("public", False)

    app.post("/dataset/edit/effectifs-agents", headers=headers,
             data=form_fields(org, "effectifs-agents", "internal"))
    pkg = helpers.call_action("package_show", id="effectifs-agents")
    assert (pkg["access_level"], pkg["private"]) == ("internal", True)

    app.post("/dataset/edit/effectifs-agents", headers=headers,
             data=form_fields(org, "effectifs-agents", "public"))
    pkg = helpers.call_action("package_show", id="effectifs-agents")
    assert (pkg["access_level"], pkg["private"]) == ("public", False)


def test_the_edit_form_has_no_visibility_select_either(app, people):
    pkg = create_dataset(people["org"], **internal())
    html = page(app, f"/dataset/edit/{pkg['name']}", people["editor"])
    assert 'name="access_level"' in html and 'name="private"' not in html


# ------------------------------------------------------------------ internal fields
def test_anonymous_reader_of_a_public_dataset_sees_no_internal_field(app, people):
    pkg = create_dataset(people["org"], **internal())
    html = page(app, f"/dataset/{pkg['name']}")
    labels = row_labels(html)
    assert "Niveau d'accès" in labels and "Données personnelles" in labels
    for label in INTERNAL_LABELS:
        assert label not in labels, " | ".join(labels)
    assert SOURCE_APPLICATION not in html and DATA_STEWARD not in html


def test_signed_in_agent_of_another_ministry_sees_the_internal_fields(app, people):
    pkg = create_dataset(people["org"], **internal())
    html = page(app, f"/dataset/{pkg['name']}", people["outsider"])
    labels = row_labels(html)
    for label in INTERNAL_LABELS:
        assert label in labels
    assert SOURCE_APPLICATION in html and DATA_STEWARD in html


@pytest.mark.parametrize("reader, sees", [(None, False), ("outsider", True)])
def test_page_and_rdf_follow_the_same_rule(app, people, reader, sees):
    pkg = create_dataset(people["org"], **internal())
    user = people[reader] if reader else None
    html = page(app, f"/dataset/{pkg['name']}", user)
    g = rdf(app, f"/dataset/{pkg['name']}.ttl", user)
    dataset = next(g.subjects(URIRef("http://purl.org/dc/terms/identifier"), None))
    on_page = {SOURCE_APPLICATION in html, DATA_STEWARD in html}
    in_rdf = {bool(list(g.objects(dataset, PROV.wasGeneratedBy))),
              bool(list(g.objects(dataset, PROV.qualifiedAttribution)))}
    assert on_page == in_rdf == {sees}


@pytest.mark.parametrize("reader, sees", [(None, False), ("outsider", True)])
def test_the_catalogue_follows_the_same_rule(app, people, reader, sees):
    create_dataset(people["org"], **internal())
    g = rdf(app, "/catalog.ttl", people[reader] if reader else None)
    assert bool(list(g.subjects(PROV.wasGeneratedBy, None))) is sees
    assert bool(list(g.subjects(PROV.qualifiedAttribution, None))) is sees


def test_resource_page_shows_no_internal_field_to_an_anonymous_reader(app, people):
    pkg = create_dataset(people["org"], **internal())
    html = page(app, f"/dataset/{pkg['name']}/resource/{pkg['resources'][0]['id']}")
    assert pkg["resources"][0]["name"] in html
    assert SOURCE_APPLICATION not in html and DATA_STEWARD not in html


def test_resource_page_shows_no_row_for_an_empty_resource_field(app, people):
    pkg = create_dataset(people["org"], **internal(resources=[
        {"name": "Effectifs 2023", "url": "https://example.org/effectifs.csv", "format": "CSV",
         "size": 2048}]))
    html = page(app, f"/dataset/{pkg['name']}/resource/{pkg['resources'][0]['id']}")
    labels = [re.sub(r"\s+", " ", label).strip()
              for label in re.findall(r'<th scope="row">(.*?)</th>', html, re.S)]
    assert "Taille (octets)" in labels
    assert "Empreinte (somme de contrôle)" not in labels
    assert "Algorithme de l'empreinte" not in labels


def test_search_results_print_no_internal_field(app, people):
    pkg = create_dataset(people["org"], **internal())
    html = page(app, "/dataset/")
    assert pkg["title"] in html
    assert SOURCE_APPLICATION not in html and DATA_STEWARD not in html


def test_activity_details_are_for_editors_only(app, people):
    pkg = create_dataset(people["org"], **internal())
    helpers.call_action("package_patch", context={"user": people["editor"]["name"]},
                        id=pkg["id"], source_application="SIRHEN-2")
    activities = helpers.call_action("package_activity_list", id=pkg["id"])
    stream = page(app, f"/dataset/activity/{pkg['name']}")
    assert "SIRHEN-2" not in stream and DATA_STEWARD not in stream
    for reader in (None, people["outsider"]):
        page(app, f"/dataset/changes/{activities[0]['id']}", reader, status=403)
    changes = page(app, f"/dataset/changes/{activities[0]['id']}", people["editor"])
    assert "SIRHEN-2" in changes


# ------------------------------------------------------------------ empty rows
def test_optional_fields_left_empty_are_no_rows(app, people):
    pkg = create_dataset(people["org"], **internal(version="", conforms_to=[],
                                                   identifier=""))  # no personal data
    labels = row_labels(page(app, f"/dataset/{pkg['name']}", people["outsider"]))
    assert "Données personnelles" in labels
    for label in ("Base légale du traitement (RGPD)",
                  "Adresse du délégué à la protection des données (DPD)",
                  "Version", "Conforme à", "Identifiant"):
        assert label not in labels, " | ".join(labels)


def test_legal_basis_and_dpo_are_shown_to_signed_in_readers_when_filled(app, people):
    pkg = create_dataset(people["org"], private=True, **internal(
        access_level="private", license_id="notspecified", personal_data="personal",
        legal_basis=LEGAL_BASIS, dpo_email=DPO_EMAIL))
    html = page(app, f"/dataset/{pkg['name']}", people["member"])
    labels = row_labels(html)
    assert "Base légale du traitement (RGPD)" in labels
    assert "Adresse du délégué à la protection des données (DPD)" in labels
    assert LEGAL_BASIS in html and DPO_EMAIL in html


# ------------------------------------------------------------------ repeating fields
GIRONDE = "http://id.insee.fr/geo/departement/33"
NOUVELLE_AQUITAINE = "http://id.insee.fr/geo/region/75"


def test_one_contact_point_and_one_area_are_not_numbered(app, people):
    pkg = create_dataset(people["org"], **internal(
        contact=[{"name": "ONISR", "email": "onisr@interieur.gouv.fr"}],
        spatial_coverage=[{"uri": f"{EU}/country/FRA"}],
        temporal_coverage=[{"start": "2023-01-01", "end": "2023-12-31"}]))
    html = page(app, f"/dataset/{pkg['name']}")
    assert "Points de contact" in row_labels(html)
    assert entry_headings(html) == []      # no « Point de contact 1 », no « Territoire 1 »
    assert "onisr@interieur.gouv.fr" in html
    assert "URI" not in subfield_labels(html)   # the contact's empty subfield


def test_several_contact_points_are_numbered(app, people):
    pkg = create_dataset(people["org"], **internal(contact=[
        {"name": "ONISR", "email": "onisr@interieur.gouv.fr"},
        {"name": "Bureau des statistiques", "email": "stats@interieur.gouv.fr"}],
        spatial_coverage=[{"uri": GIRONDE}, {"uri": NOUVELLE_AQUITAINE}],
        temporal_coverage=[{"start": "2023-01-01", "end": "2023-12-31"}]))
    headings = entry_headings(page(app, f"/dataset/{pkg['name']}"))
    assert headings == ["Point de contact 1", "Point de contact 2",
                        "Territoire 1", "Territoire 2"]     # one period: not numbered
