"""The vocabulary files and their loader: pure, no CKAN."""
from __future__ import annotations

import re

import pytest

from ckanext.internalportal.schemas import vocabularies as voc

EU = "http://publications.europa.eu/resource/authority"
EU_URI_RE = re.compile(r"^http://publications\.europa\.eu/resource/authority/[a-z-]+/[A-Z0-9_]+$")
INSEE_URI_RE = re.compile(r"^http://id\.insee\.fr/geo/(region|departement)/(\d{2,3}|2[AB])$")
IANA_RE = re.compile(r"^[a-z]+/[a-z0-9][a-z0-9.+-]*$")


@pytest.mark.parametrize("name, count", [
    ("data-theme", 13), ("region", 18), ("departement", 101), ("country", 1),
    ("access-right", 3), ("planned-availability", 4), ("access-level", 4),
    ("personal-data", 3), ("spatial", 1 + 18 + 101),
])
def test_vocabularies_have_their_official_size(name, count):
    assert len(voc.vocabulary(name)) == count


def test_frequencies_cover_the_common_eu_codes():
    codes = {c.code for c in voc.vocabulary("frequency")}
    assert len(codes) >= 20
    assert {"ANNUAL", "ANNUAL_2", "QUARTERLY", "MONTHLY", "WEEKLY", "DAILY", "IRREG", "NEVER",
            "CONT", "UPDATE_CONT", "BIENNIAL", "TRIENNIAL", "ANNUAL_3", "UNKNOWN"} <= codes


def test_file_types_cover_the_formats_of_the_issue_with_iana_media_types():
    codes = {c.code for c in voc.vocabulary("file-type")}
    assert {"CSV", "XLSX", "JSON", "XML", "PDF", "ZIP", "GEOJSON", "SHP", "ODS", "PARQUET",
            "HTML", "TXT", "RDF_XML", "RDF_TURTLE", "JSON_LD"} <= codes
    for concept in voc.vocabulary("file-type"):
        assert IANA_RE.match(concept.get("mimetype")), concept.code
        assert concept.get("format"), concept.code


@pytest.mark.parametrize("name", ["data-theme", "frequency", "file-type", "access-right",
                                  "planned-availability", "language", "country"])
def test_eu_vocabularies_use_the_eu_authority_uris(name):
    for concept in voc.vocabulary(name):
        assert EU_URI_RE.match(concept.uri), concept.uri
        assert concept.uri == f"{EU}/{name}/{concept.code}"


@pytest.mark.parametrize("name", ["region", "departement"])
def test_french_territories_use_the_insee_code_uris(name):
    for concept in voc.vocabulary(name):
        assert INSEE_URI_RE.match(concept.uri), concept.uri
        assert concept.uri.endswith(f"/{name}/{concept.code}")


@pytest.mark.parametrize("name", voc.names())
def test_every_concept_has_a_french_and_an_english_label_and_a_unique_value(name):
    vocabulary = voc.vocabulary(name)
    values = [c.value for c in vocabulary]
    assert len(values) == len(set(values))
    for concept in vocabulary:
        assert concept.labels.get("fr") and concept.labels.get("en"), concept.code


def test_every_departement_belongs_to_one_of_the_18_regions():
    regions = {c.code for c in voc.vocabulary("region")}
    departements = voc.vocabulary("departement")
    assert {c.get("region") for c in departements} == regions
    assert departements.by_code("2A").label("fr") == "Corse-du-Sud"
    assert departements.by_code("976").get("region") == "06"


def test_labels_come_in_the_asked_language_with_french_as_fallback():
    theme = f"{EU}/data-theme/ECON"
    assert voc.label("data-theme", theme, "fr") == "Économie et finances"
    assert voc.label("data-theme", theme, "en") == "Economy and finance"
    assert voc.label("data-theme", theme, "pt_BR") == "Économie et finances"
    assert voc.label("data-theme", f"{EU}/data-theme/NOPE") is None


def test_choices_are_shaped_for_scheming_and_name_the_territory_kind():
    choices = voc.choices("spatial", "fr")
    assert choices[0] == {"value": f"{EU}/country/FRA", "label": "France"}
    assert {"value": "http://id.insee.fr/geo/region/53", "label": "Bretagne (région)"} in choices
    assert {"value": "http://id.insee.fr/geo/departement/33", "label": "Gironde (33)"} in choices
    assert {"value": "http://id.insee.fr/geo/region/53", "label": "Brittany (region)"} in \
        voc.choices("spatial", "en")


def test_file_format_choices_store_ckan_short_names():
    values = [c["value"] for c in voc.choices("file-type", "fr", key="format")]
    assert {"CSV", "XLSX", "JSON", "GeoJSON", "RDF"} <= set(values)


@pytest.mark.parametrize("given, short_name", [
    ("CSV", "CSV"), ("csv", "CSV"), ("text/csv", "CSV"), ("geojson", "GeoJSON"),
    ("jpg", "JPEG"), ("rdf+xml", "RDF"), ("text/turtle", "TTL"),
    (f"{EU}/file-type/PARQUET", "PARQUET"), ("  xlsx ", "XLSX"),
])
def test_file_type_recognises_formats_extensions_media_types_and_uris(given, short_name):
    assert voc.file_type(given).get("format") == short_name


def test_unknown_file_type_is_none():
    assert voc.file_type("FOO") is None
    assert voc.file_type("") is None


def test_uri_from_code_and_unknown_names():
    assert voc.uri("frequency", "ANNUAL") == f"{EU}/frequency/ANNUAL"
    with pytest.raises(KeyError):
        voc.uri("frequency", "SOMETIMES")
    with pytest.raises(voc.UnknownVocabulary):
        voc.vocabulary("colours")


def test_vocabularies_are_read_once():
    assert voc.vocabulary("data-theme") is voc.vocabulary("data-theme")
