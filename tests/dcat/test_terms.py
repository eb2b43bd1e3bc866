"""The profile's tables and extents: pure, no CKAN."""
from __future__ import annotations

import json

import pytest

from ckanext.internalportal.dcat import spatial, terms
from ckanext.internalportal.schemas import vocabularies as voc
from ckanext.internalportal.schemas.vocabularies import VOCABULARIES_DIR

EU = "http://publications.europa.eu/resource/authority"


def test_every_territory_of_the_spatial_vocabulary_has_an_extent():
    assert {c.uri for c in voc.vocabulary("spatial")} <= spatial.known_uris()


@pytest.mark.parametrize("uri, lon, lat", [
    (f"{EU}/country/FRA", 2.5, 46.6),                        # centre of metropolitan France
    ("http://id.insee.fr/geo/departement/33", -0.58, 44.84),  # Gironde
    ("http://id.insee.fr/geo/region/11", 2.5, 48.7),         # Île-de-France
    ("http://id.insee.fr/geo/departement/974", 55.5, -21.1),  # La Réunion
])
def test_extents_are_where_the_territories_are(uri, lon, lat):
    extent = spatial.extent(uri)
    assert extent.west < extent.longitude < extent.east
    assert extent.south < extent.latitude < extent.north
    assert abs(extent.longitude - lon) < 0.3 and abs(extent.latitude - lat) < 0.3


def test_extents_are_written_as_wkt():
    extent = spatial.Extent(-1.262, 44.1938, 0.3151, 45.5747, -0.5832, 44.839)
    assert extent.bbox_wkt == ("POLYGON ((-1.262 44.1938, 0.3151 44.1938, 0.3151 45.5747, "
                               "-1.262 45.5747, -1.262 44.1938))")
    assert extent.centroid_wkt == "POINT (-0.5832 44.839)"
    assert spatial.extent("http://example.org/elsewhere") is None


def test_every_licence_of_the_portal_has_licence_types():
    licences = json.loads((VOCABULARIES_DIR / "licenses.json").read_text(encoding="utf-8"))
    for licence in licences:
        kinds = terms.licence_types(licence["id"])
        assert kinds and all(k in terms.LICENCE_TYPE_LABELS for k in kinds), licence["id"]
    assert terms.licence_types("lov2") == ("Attribution",)
    assert terms.licence_types("notspecified") == ("UnknownIPR",)
    assert "ShareAlike" in terms.licence_types("odc-odbl")


@pytest.mark.parametrize("fmt, iri", [
    ("CSV", f"{EU}/file-type/CSV"), ("csv", f"{EU}/file-type/CSV"),
    ("GeoJSON", f"{EU}/file-type/GEOJSON"), ("XLSX", f"{EU}/file-type/XLSX"),
    ("exotic", None), ("", None), (None, None),
])
def test_formats_become_eu_file_types(fmt, iri):
    assert terms.file_type_iri(fmt) == iri
    if iri:
        assert terms.format_from_iri(iri) == voc.file_type(fmt).get("format")


@pytest.mark.parametrize("mimetype, iri", [
    ("text/csv", "http://www.iana.org/assignments/media-types/text/csv"),
    ("Text/CSV; charset=utf-8", "http://www.iana.org/assignments/media-types/text/csv"),
    ("https://www.iana.org/assignments/media-types/text/csv",
     "https://www.iana.org/assignments/media-types/text/csv"),
    ("not a media type", None), ("", None), (None, None),
])
def test_media_types_become_iana_iris(mimetype, iri):
    assert terms.media_type_iri(mimetype) == iri


def test_media_type_iris_come_back_as_media_types():
    assert terms.media_type_from_iri(terms.media_type_iri("application/json")) == \
        "application/json"


@pytest.mark.parametrize("value, algorithm, expected", [
    ("AB" * 32, None, ("ab" * 32, terms.SPDX_ALGORITHM + "sha256")),
    ("ab" * 20, None, ("ab" * 20, terms.SPDX_ALGORITHM + "sha1")),
    ("ab" * 16, "md5", ("ab" * 16, terms.SPDX_ALGORITHM + "md5")),
    ("ab" * 32, "SHA-256", ("ab" * 32, terms.SPDX_ALGORITHM + "sha256")),
    ("ab" * 32, terms.SPDX_ALGORITHM + "sha256", ("ab" * 32, terms.SPDX_ALGORITHM + "sha256")),
    ("ab" * 7, None, None),                  # hexadecimal, but no algorithm has that length
    ("not-hex", "sha256", None),             # not xsd:hexBinary
    ("abc", "sha256", None),                 # odd length: not xsd:hexBinary either
    ("", None, None), (None, None, None),
])
def test_checksums_are_published_only_in_dcat_ap_form(value, algorithm, expected):
    assert terms.checksum(value, algorithm) == expected


def test_access_levels_have_iris_of_the_portal_and_come_back():
    for concept in voc.vocabulary("access-level"):
        iri = terms.access_level_iri(concept.code)
        assert str(iri).startswith(terms.ACCESS_LEVEL_SCHEME + "/")
        assert terms.access_level_code(str(iri)) == concept.code
    assert terms.access_level_code("http://example.org/public") is None


def test_personal_data_categories_are_dpv_concepts():
    assert set(terms.PERSONAL_DATA) == {c.code for c in voc.vocabulary("personal-data")}
    assert all(str(iri).startswith("https://w3id.org/dpv#")
               for iri in terms.PERSONAL_DATA.values())


@pytest.mark.parametrize("locale, iri", [
    ("fr", f"{EU}/language/FRA"), ("fr_FR", f"{EU}/language/FRA"),
    ("en", f"{EU}/language/ENG"), (None, f"{EU}/language/FRA"),
])
def test_catalogue_language_is_an_eu_language(locale, iri):
    assert terms.language_iri(locale) == iri
