"""udata dataset -> the portal's fields and resources (``mapping.py``): pure, no CKAN, on
fixtures of data.gouv.fr's real shape (``data/datasets.json``)."""
from __future__ import annotations

import copy
import json

import pytest

from ckanext.internalportal.harvesters.udata import mapping
from ckanext.internalportal.schemas import vocabularies

from .server import load

EU_FREQ = "http://publications.europa.eu/resource/authority/frequency"
FRA = "http://publications.europa.eu/resource/authority/country/FRA"
INSEE = "http://id.insee.fr/geo"
PORTAL_LICENCES = [x["id"] for x in json.loads(
    (vocabularies.VOCABULARIES_DIR / "licenses.json").read_text(encoding="utf-8"))]


@pytest.fixture
def datasets():
    return {d["slug"]: d for d in load("datasets.json")}


def accidents(datasets):
    return datasets["bases-de-donnees-annuelles-des-accidents-corporels-de-la-circulation-"
                    "routiere-annees-de-2005-a-2023"]


def test_a_data_gouv_fr_dataset_becomes_the_portal_s_fields(datasets):
    result = mapping.mapped(accidents(datasets), PORTAL_LICENCES)
    d = result.dataset
    assert d["title"].startswith("Bases de données annuelles des accidents corporels")
    assert "## Fichiers" in d["notes"]  # Markdown kept as it is
    # "x" is too short for a CKAN tag
    assert d["tag_string"] == "accident,accidentologie,route,securite-routiere,victimes"
    assert d["license_id"] == "lov2"
    assert d["frequency"] == f"{EU_FREQ}/ANNUAL"
    assert d["temporal_coverage"] == [{"start": "2005-01-01", "end": "2023-12-31"}]
    assert d["spatial_coverage"] == [{"uri": FRA, "text": "France"}]
    assert d["contact"] == [{"name": "Observatoire national interministériel de la sécurité "
                                     "routière", "email": "onisr-dsr@interieur.gouv.fr"}]
    assert (d["issued"], d["modified"]) == ("2014-05-07", "2024-10-28")
    assert result.remote_url == ("https://www.data.gouv.fr/fr/datasets/bases-de-donnees-annuelles"
                                 "-des-accidents-corporels-de-la-circulation-routiere-annees-de-"
                                 "2005-a-2023/")
    for key in ("id", "name", "owner_org", "resources"):
        assert key not in d


def test_every_value_is_one_the_portal_s_vocabularies_accept(datasets):
    """What the schema's validators would refuse never leaves the mapping."""
    file_formats = {c.get("format") for c in vocabularies.vocabulary("file-type")}
    for udata in datasets.values():
        result = mapping.mapped(udata, PORTAL_LICENCES)
        d = result.dataset
        assert d["license_id"] in PORTAL_LICENCES
        assert vocabularies.vocabulary("frequency").get(d["frequency"]) is not None
        for area in d.get("spatial_coverage", []):
            assert vocabularies.vocabulary("spatial").get(area["uri"]) is not None
        for res in result.resources:
            assert res.format == "" or res.format in file_formats
            assert res.url.startswith("https://")


def test_resources_are_links_with_a_format_even_when_udata_has_none(datasets):
    resources = {r.name: r for r in mapping.mapped(accidents(datasets)).resources}
    csv = resources["Caractéristiques 2023"]
    assert (csv.key, csv.format, csv.mimetype) == (
        "104dbb32-704f-4e99-a71e-43563cb604f2", "CSV", "text/csv")
    assert csv.url.endswith("/caract-2023.csv")
    assert csv.hash == "8b5a2f0f6f3c6f1e0e3e5a0c1d2b3a4f5e6d7c8b"
    assert csv.extras == {"size": 5924357, "last_modified": "2024-10-07T12:11:02",
                          "hash_algorithm": "http://spdx.org/rdf/terms#checksumAlgorithm_sha1"}
    # no format: from the MIME type
    assert resources["Usagers 2023"].format == "CSV"
    assert resources["Véhicules 2023 (classeur)"].format == "XLSX"
    assert resources["Description des bases de données annuelles"].format == "PDF"
    radars = {r.name: r for r in mapping.mapped(datasets["radars-automatiques"]).resources}
    # no format, no MIME type: from the extension
    assert radars["Radars (GeoJSON)"].format == "GeoJSON"
    assert radars["Radars (GeoJSON)"].mimetype == "application/geo+json"
    # nothing to go by: no format rather than a wrong one
    assert (radars["API des radars"].format, radars["API des radars"].mimetype) == ("", None)


@pytest.mark.parametrize("fmt, mime, url, expected", [
    ("csv", "", "https://x.fr/a", "CSV"),
    ("", "application/json; charset=utf-8", "https://x.fr/a", "JSON"),
    ("", "", "https://x.fr/export/donnees.XLSX", "XLSX"),
    ("", "", "https://x.fr/dl?file=a.csv", None),  # the extension of the path only
    ("ogc:wms", "", "https://x.fr/wms", None),
    ("", "application/octet-stream", "https://x.fr/archive.zip", "ZIP"),
    ("csv.gz", "application/gzip", "https://x.fr/a.csv.gz", None),
])
def test_resource_format_inferred_from_format_mime_or_extension(fmt, mime, url, expected):
    assert mapping.resource_format(fmt, mime, url) == expected


@pytest.mark.parametrize("udata, ours", [
    ("lov2", "lov2"), ("fr-lo", "fr-lo"), ("odc-odbl", "odc-odbl"), ("cc-by", "cc-by"),
    ("notspecified", "notspecified"), ("etalab-2.0", "lov2"), ("ODbL", "odc-odbl"),
    ("cc-by-4.0", "cc-by"), ("mit", "other-open"), ("proprietary-something", "notspecified"),
    (None, "notspecified"), ("", "notspecified"),
])
def test_licences(udata, ours):
    assert mapping.licence(udata, PORTAL_LICENCES) == ours


def test_a_licence_the_portal_register_lacks_is_not_specified():
    """An ini may install another licence list (licenses_group_url)."""
    assert mapping.licence("fr-lo", ["lov2", "notspecified"]) == "notspecified"
    assert mapping.licence("lov2", ["lov2", "notspecified"]) == "lov2"


@pytest.mark.parametrize("udata, code", [
    ("daily", "DAILY"), ("weekly", "WEEKLY"), ("monthly", "MONTHLY"), ("annual", "ANNUAL"),
    ("update_cont", "UPDATE_CONT"), ("irreg", "IRREG"), ("unknown", "UNKNOWN"),
    ("hourly", "HOURLY"), ("annual_2", "ANNUAL_2"), ("quinquennial", "QUINQUENNIAL"),
    # legacy udata / Dublin Core ids, as udata maps them
    ("punctual", "AS_NEEDED"), ("irregular", "IRREG"), ("continuous", "UPDATE_CONT"),
    ("semiannual", "ANNUAL_2"), ("biannual", "ANNUAL_2"), ("threeTimesAYear", "ANNUAL_3"),
    ("fortnighly", "BIWEEKLY"), ("weekly_5", "OTHER"),
])
def test_frequencies_become_eu_frequencies(udata, code):
    assert mapping.frequency(udata) == f"{EU_FREQ}/{code}"


def test_no_frequency_or_an_unheard_of_one_is_left_empty():
    assert mapping.frequency(None) is None
    assert mapping.frequency("every-blue-moon") is None


def test_spatial_zones_become_portal_territories():
    areas, unmapped = mapping.spatial_coverage([
        "fr:departement:75", "fr:departement:2a@1976-01-01", "fr:region:53", "country:fr",
        "fr:departement:75", "fr:commune:75056", "country:de", "country-group:world",
        "fr:departement:99",
    ])
    assert areas == [
        {"uri": f"{INSEE}/departement/75", "text": "Paris"},
        {"uri": f"{INSEE}/departement/2A", "text": "Corse-du-Sud"},
        {"uri": f"{INSEE}/region/53", "text": "Bretagne"},
        {"uri": FRA, "text": "France"},
    ]
    # finer or foreign zones are not widened to a territory the data may not cover
    assert unmapped == ["fr:commune:75056", "country:de", "country-group:world",
                        "fr:departement:99"]


def test_metropolitan_and_overseas_france():
    metro, _ = mapping.spatial_coverage(["country-subset:fr:metro"])
    assert metro == [{"uri": FRA, "text": "France"}]
    drom, _ = mapping.spatial_coverage(["country-subset:fr:drom"])
    assert [a["text"] for a in drom] == ["Guadeloupe", "Martinique", "Guyane", "La Réunion",
                                         "Mayotte"]


def test_temporal_coverage_with_an_open_end_and_date_times():
    assert mapping.temporal_coverage({"start": "1950-01-01", "end": None}) == [
        {"start": "1950-01-01"}]
    assert mapping.temporal_coverage({"start": "2020-01-01T00:00:00+00:00",
                                      "end": "2020-12-31T00:00:00+00:00"}) == [
        {"start": "2020-01-01", "end": "2020-12-31"}]
    assert mapping.temporal_coverage(None) == []


def test_contact_points_or_the_organisation():
    points = [{"name": "Bureau des statistiques", "email": "mailto:stats@agri.gouv.fr",
               "contact_form": None, "role": "contact"},
              {"name": "Formulaire", "email": "not an address",
               "contact_form": "https://agri.gouv.fr/contact", "role": "publisher"}]
    assert mapping.contacts(points) == [
        {"name": "Bureau des statistiques", "email": "stats@agri.gouv.fr"},
        {"name": "Formulaire", "uri": "https://agri.gouv.fr/contact"}]
    org = {"name": "Météo-France",
           "page": "https://www.data.gouv.fr/fr/organizations/meteo-france/"}
    assert mapping.contacts([], org) == [{"name": "Météo-France", "uri": org["page"]}]


def test_a_sparse_dataset_maps_to_what_it_says(datasets):
    """Many udata datasets carry little: no tags, no licence, no zone, no resources."""
    udata = {"id": "65a0", "slug": "vide", "title": "  Jeu presque vide ", "description": None,
             "tags": None, "license": None, "frequency": None, "temporal_coverage": None,
             "spatial": None, "resources": [{"id": "r1", "title": "", "url": "ftp://x/y"},
                                           {"id": "r2", "title": "", "url": "https://x.fr/a/b.csv",
                                            "checksum": {"type": "crc", "value": "1234"},
                                            "filesize": None}],
             "organization": None, "contact_points": None, "page": None}
    result = mapping.mapped(udata, PORTAL_LICENCES)
    assert result.dataset == {"title": "Jeu presque vide", "license_id": "notspecified"}
    assert result.remote_url is None
    [res] = result.resources  # the ftp link is no web link
    assert (res.name, res.format, res.hash, res.extras) == ("b.csv", "CSV", None, {})


def test_the_mapping_does_not_change_its_input(datasets):
    udata = accidents(datasets)
    before = copy.deepcopy(udata)
    mapping.mapped(udata)
    assert udata == before
