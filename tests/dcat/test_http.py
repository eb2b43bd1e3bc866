"""ckanext-dcat's RDF answers over real HTTP, read as data.gouv.fr's DCAT harvester reads them:
``requests.get(url).text`` then rdflib. Every one says ``charset=utf-8``, so French titles,
descriptions and keywords come back exactly (without it, ``requests`` decodes ``text/turtle``
as ISO-8859-1: « Effectifs d'Ã©lÃ¨ves »)."""
from __future__ import annotations

from typing import Any

import pytest
from rdflib import Graph, Literal

from ckan.tests import factories

from ckanext.internalportal import settings
from ckanext.internalportal.dcat import http as dcat_http
from tests import factories as builders
from tests.dcat import support
from tests.dcat.support import DCAT, DCT
from tests.live import live_session

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
    pytest.mark.ckan_config(support.PROFILES_OPTION, support.PROFILE),
]

# the extensions of dcat's routes -> (media type of the answer, rdflib's parser)
FORMATS = {
    "ttl": ("text/turtle", "turtle"),
    "rdf": ("application/rdf+xml", "xml"),
    "xml": ("application/rdf+xml", "xml"),
    "jsonld": ("application/ld+json", "json-ld"),
    "n3": ("text/n3", "n3"),
}

FRENCH = [
    {"title": "Effectifs d'élèves du second degré – rentrée 2024",
     "notes": "Élèves inscrits dans les collèges et lycées publics et privés, par académie : "
              "effectifs à la rentrée, répartition filles / garçons, « sections européennes ».",
     "tags": ["élèves", "collèges", "académie"]},
    {"title": "Qualité de l'eau distribuée – contrôles sanitaires",
     "notes": "Résultats des prélèvements réalisés par les agences régionales de santé ; "
              "paramètres microbiologiques et physico-chimiques (nitrates, pH, dureté).",
     "tags": ["qualité eau", "santé", "prélèvements"]},
    {"title": "Aides à la rénovation énergétique – MaPrimeRénov'",
     "notes": "Dossiers déposés, engagés et payés, par département et type de travaux "
              "(pompe à chaleur, isolation, chaudière à granulés).",
     "tags": ["rénovation énergétique", "logement", "aides financières"]},
]


def french_dataset(org: dict[str, Any], text: dict[str, Any]) -> dict[str, Any]:
    return builders.create_dataset(org, **builders.well_filled(
        title=text["title"], notes=text["notes"], tags=[{"name": t} for t in text["tags"]]))


def read(url: str, media_type: str, parser: str) -> Graph:
    """The graph at ``url`` as data.gouv.fr reads it, once the answer's headers are checked."""
    answer = live_session().get(url, timeout=60)
    assert answer.status_code == 200, (url, answer.status_code, answer.text[:500])
    assert answer.headers["Content-Type"] == f"{media_type}; charset=utf-8", url
    assert answer.encoding == "utf-8"
    return Graph().parse(data=answer.text, format=parser)


def assert_french_comes_back(g: Graph, texts: list[dict[str, Any]]) -> None:
    titles = {str(o) for o in g.objects(None, DCT.title)}
    descriptions = {str(o) for o in g.objects(None, DCT.description)}
    keywords = {str(o) for o in g.objects(None, DCAT.keyword)}
    for text in texts:
        assert text["title"] in titles, (text["title"], titles)
        assert text["notes"] in descriptions
        assert set(text["tags"]) <= keywords, (text["tags"], keywords)
    assert not any("Ã" in t for t in titles | descriptions | keywords)


@pytest.fixture
def french_datasets() -> list[dict[str, Any]]:
    org = factories.Organization(title="Ministère de l'Éducation nationale")
    return [french_dataset(org, text) for text in FRENCH]


@pytest.mark.parametrize("ext", sorted(FORMATS))
def test_catalogue_gives_back_french_text_exactly(live_portal, french_datasets, ext):
    media_type, parser = FORMATS[ext]
    g = read(f"{live_portal}/catalog.{ext}", media_type, parser)
    assert len(support.dataset_refs(g)) == len(FRENCH)
    assert_french_comes_back(g, FRENCH)
    assert Literal("Ministère de l'Éducation nationale") in set(g.objects())  # publisher


@pytest.mark.parametrize("ext", sorted(FORMATS))
def test_single_dataset_gives_back_french_text_exactly(live_portal, french_datasets, ext):
    media_type, parser = FORMATS[ext]
    pkg = french_datasets[0]
    for ref in (pkg["name"], pkg["id"]):
        g = read(f"{live_portal}/dataset/{ref}.{ext}", media_type, parser)
        assert support.dataset_identifiers(g) == [pkg["id"]]
        assert_french_comes_back(g, FRENCH[:1])


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", 2)
@pytest.mark.parametrize("ext", ["ttl", "jsonld"])
def test_every_catalogue_page_says_utf_8(live_portal, french_datasets, ext):
    media_type, parser = FORMATS[ext]
    pages = [read(f"{live_portal}/catalog.{ext}?page={n}", media_type, parser) for n in (1, 2)]
    assert [len(support.dataset_refs(g)) for g in pages] == [2, 1]
    merged = Graph()
    for g in pages:
        merged += g
    assert_french_comes_back(merged, FRENCH)


def test_without_the_charset_requests_would_mangle_the_accents(live_portal, french_datasets):
    # the failure the charset fixes, shown on the same bytes: decoded as requests decodes a
    # text/* body without charset (ISO-8859-1), the title is no longer the title
    answer = live_session().get(f"{live_portal}/catalog.ttl", timeout=60)
    mangled = answer.content.decode("iso-8859-1")
    assert FRENCH[0]["title"] not in mangled
    assert "Effectifs d'Ã©lÃ¨ves" in mangled
    assert FRENCH[0]["title"] in answer.text


def test_other_answers_keep_their_own_content_type(live_portal, french_datasets):
    session = live_session()
    page = session.get(f"{live_portal}/dataset/{french_datasets[0]['name']}", timeout=60)
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    api = session.get(f"{live_portal}/api/3/action/package_show",
                      params={"id": french_datasets[0]["id"]}, timeout=60)
    assert api.headers["Content-Type"] == "application/json;charset=utf-8"


def test_only_dcat_s_rdf_answers_are_marked():
    assert dcat_http.is_rdf_answer("dcat", "text/turtle")
    assert dcat_http.is_rdf_answer("dcat", "application/ld+json")
    assert not dcat_http.is_rdf_answer("dcat", "text/html")
    # a resource file with an RDF media type is the producer's file, in its own encoding
    assert not dcat_http.is_rdf_answer("resource", "application/rdf+xml")
    assert not dcat_http.is_rdf_answer(None, "text/turtle")
