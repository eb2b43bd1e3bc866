"""The internalportal_dcat_ap_3 profile on datasets made through the API: valid DCAT-AP 3
(0 violations, and 0 warnings when well filled), harvestable by data.gouv.fr, every field of
the schema back from the RDF, internal fields for signed-in readers only."""
from __future__ import annotations

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from ckan.tests import factories, helpers

from ckanext.internalportal import settings
from ckanext.internalportal.dcat.terms import DPV, IPNS, PROV
from tests.dcat import support
from tests.dcat.support import DCAT, DCT, EU

SPDX = "http://spdx.org/rdf/terms#"
ETALAB = URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence")
ACCESS_LEVEL = "https://w3id.org/ckanext-internalportal/access-level"

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
    pytest.mark.ckan_config(support.PROFILES_OPTION, support.PROFILE),
]


@pytest.fixture
def org():
    return factories.Organization(name="ministere-interieur", title="Ministère de l'Intérieur",
                                  extras=[{"key": "email", "value": "donnees@interieur.gouv.fr"}])


def ref(g, pkg) -> URIRef:
    return next(r for r in support.dataset_refs(g) if str(r).endswith(pkg["id"]))


def dist_of(g, pkg, name) -> URIRef:
    for dist in g.objects(ref(g, pkg), DCAT.distribution):
        if str(g.value(dist, DCT.title)) == name:
            return dist
    raise AssertionError(f"no distribution {name}")


# ------------------------------------------------------------------ SHACL
def test_well_filled_dataset_has_no_violation_and_no_warning(org):
    pkg = support.create_dataset(org, **support.well_filled())
    g = support.dataset_graph(pkg)
    assert support.violations(g) == []
    assert support.warnings(g) == []


def test_well_filled_personal_dataset_has_no_violation_and_no_warning(org):
    pkg = support.create_dataset(org, **support.well_filled(
        access_level="private", license_id="notspecified", personal_data="personal",
        legal_basis="Mission d'intérêt public (art. 6.1.e RGPD)",
        dpo_email="dpd@interieur.gouv.fr"))
    assert pkg["private"] is True
    g = support.dataset_graph(pkg)
    assert support.violations(g) == []
    assert support.warnings(g) == []


def test_bare_dataset_has_no_violation(org):
    pkg = support.create_dataset(org, title="Tableau de suivi", notes="À compléter.")
    g = support.dataset_graph(pkg)
    assert support.violations(g) == []
    warned = {r.path for r in support.warnings(g)}
    assert str(DCAT.theme) in warned and str(DCAT.contactPoint) in warned


def test_dataset_endpoint_for_anonymous_is_valid_and_without_internal_details(app, org):
    pkg = support.create_dataset(org, **support.well_filled())
    g = support.graph(app.get(f"/dataset/{pkg['name']}.ttl").body)
    assert support.violations(g) == []
    assert support.warnings(g) == []
    dataset = ref(g, pkg)
    assert not list(g.objects(dataset, PROV.wasGeneratedBy))        # source application
    assert not list(g.objects(dataset, PROV.qualifiedAttribution))  # data steward
    assert not list(g.triples((None, URIRef(SPDX + "checksum"), None)))
    assert g.value(dataset, IPNS.accessLevel) == URIRef(f"{ACCESS_LEVEL}/public")
    assert g.value(dataset, DPV.hasData) == DPV.NonPersonalData


def test_dataset_endpoint_for_a_signed_in_agent_has_internal_details(app, org):
    pkg = support.create_dataset(org, **support.well_filled())
    agent = factories.User()
    token = factories.APIToken(user=agent["name"])["token"]
    g = support.graph(app.get(f"/dataset/{pkg['name']}.ttl",
                              headers={"Authorization": token}).body)
    assert support.violations(g) == []
    parsed = support.parse(g.serialize(format="turtle"))[0]
    assert parsed["source_application"] == "BAAC"
    assert parsed["data_steward"] == "Chef du pôle statistiques"
    assert any(r.get("hash") == "ab" * 32 for r in parsed["resources"])


@pytest.mark.parametrize("fmt, content_type", [
    ("ttl", "text/turtle"), ("rdf", "application/rdf+xml"), ("jsonld", "application/ld+json"),
    ("xml", "application/rdf+xml")])
def test_dataset_and_catalogue_are_served_in_every_rdf_format(app, org, fmt, content_type):
    pkg = support.create_dataset(org, **support.well_filled())
    for path in (f"/dataset/{pkg['name']}.{fmt}", f"/catalog.{fmt}"):
        response = app.get(path, follow_redirects=False)   # data.gouv.fr: no redirect
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith(content_type)
        parse_as = {"ttl": "turtle", "jsonld": "json-ld"}.get(fmt, "xml")
        g = support.graph(response.body, parse_as)
        assert support.dataset_identifiers(g) == [pkg["id"]]
        assert support.violations(g) == []


# ------------------------------------------------------------------ data.gouv.fr
def test_identifier_is_the_dataset_id_when_empty_and_always_a_literal(org):
    first = support.create_dataset(org, **support.well_filled())
    second = support.create_dataset(org, **support.well_filled(
        identifier="https://doi.org/10.1234/accidents"))
    g = support.dataset_graph(first)
    assert g.value(ref(g, first), DCT.identifier) == Literal(first["id"])
    assert g.value(ref(g, first), DCAT.landingPage) == URIRef(
        f"http://test.internalportal.localhost/dataset/{first['name']}")
    g = support.dataset_graph(second)
    assert g.value(ref(g, second), DCT.identifier) == \
        Literal("https://doi.org/10.1234/accidents")


def test_licences_are_the_urls_data_gouv_fr_resolves(org):
    pkg = support.create_dataset(org, **support.well_filled())
    g = support.dataset_graph(pkg)
    data = dist_of(g, pkg, "Accidents par département")
    doc = dist_of(g, pkg, "Documentation")
    assert g.value(data, DCT.license) == ETALAB                       # → lov2
    assert g.value(ref(g, pkg), DCT.license) == ETALAB
    assert g.value(doc, DCT.license) == URIRef("http://www.opendefinition.org/licenses/cc-by")
    assert (ETALAB, RDF.type, DCT.LicenseDocument) in g
    assert set(g.objects(ETALAB, DCT.type)) == {
        URIRef("http://purl.org/adms/licencetype/Attribution")}
    assert not [o for o in g.objects(None, DCT.license) if "authority/licence" in str(o)]


def test_a_licence_without_url_is_a_titled_licence_document(org):
    pkg = support.create_dataset(org, **support.well_filled(
        access_level="internal", license_id="notspecified"))
    g = support.dataset_graph(pkg)
    licence = g.value(ref(g, pkg), DCT.license)
    assert isinstance(licence, BNode)
    assert str(g.value(licence, DCT.title)) == "Licence non spécifiée"
    assert g.value(licence, DCT.type) == URIRef("http://purl.org/adms/licencetype/UnknownIPR")
    assert support.parse(g.serialize(format="turtle"))[0]["license_id"] == "notspecified"


def test_frequency_format_and_media_type_are_eu_and_iana_iris(org):
    pkg = support.create_dataset(org, **support.well_filled())
    g = support.dataset_graph(pkg)
    frequency = g.value(ref(g, pkg), DCT.accrualPeriodicity)
    assert frequency == URIRef(f"{EU}/frequency/ANNUAL")
    assert (frequency, RDF.type, DCT.Frequency) in g
    data = dist_of(g, pkg, "Accidents par département")
    assert g.value(data, DCT["format"]) == URIRef(f"{EU}/file-type/CSV")
    assert g.value(data, DCAT.mediaType) == URIRef(
        "http://www.iana.org/assignments/media-types/text/csv")
    assert g.value(data, DCAT.byteSize) == Literal(1234, datatype=XSD.nonNegativeInteger)


def test_checksums_are_hexbinary_with_their_algorithm(org):
    pkg = support.create_dataset(org, **support.well_filled())
    g = support.dataset_graph(pkg)
    checksum = g.value(dist_of(g, pkg, "Accidents par département"), URIRef(SPDX + "checksum"))
    assert g.value(checksum, URIRef(SPDX + "checksumValue")) == Literal(
        "ab" * 32, datatype=XSD.hexBinary)
    assert g.value(checksum, URIRef(SPDX + "algorithm")) == URIRef(
        SPDX + "checksumAlgorithm_sha256")


def test_a_checksum_that_is_not_hexadecimal_is_left_out(org):
    resources = [{"name": "Fichier", "url": "https://example.org/f.csv", "format": "CSV",
                  "description": "x", "hash": "md5:not-hex"}]
    pkg = support.create_dataset(org, **support.well_filled(resources=resources))
    g = support.dataset_graph(pkg)
    assert not list(g.triples((None, URIRef(SPDX + "checksum"), None)))
    assert support.violations(g) == []


def test_an_unknown_format_is_a_labelled_media_type_or_extent():
    pkg = {"id": "x1", "name": "x", "title": "X", "notes": "Y",
           "resources": [{"id": "r1", "package_id": "x1", "url": "https://example.org/f.dat",
                          "format": "DAT", "mimetype": "application/x-dat"}]}
    g = support.dataset_graph(pkg)
    fmt = g.value(URIRef("http://test.internalportal.localhost/dataset/x1/resource/r1"),
                  DCT["format"])
    assert isinstance(fmt, BNode) and str(g.value(fmt, RDFS.label)) == "DAT"
    assert support.violations(g) == []
    assert support.parse(g.serialize(format="turtle"))[0]["resources"][0]["format"] == "DAT"


def test_themes_and_publisher_are_typed_and_labelled(org):
    pkg = support.create_dataset(org, **support.well_filled())
    g = support.dataset_graph(pkg)
    theme = URIRef(f"{EU}/data-theme/TRAN")
    assert (theme, RDF.type, SKOS.Concept) in g
    assert Literal("Transports", lang="fr") in set(g.objects(theme, SKOS.prefLabel))
    publisher = g.value(ref(g, pkg), DCT.publisher)
    assert (publisher, RDF.type, URIRef("http://xmlns.com/foaf/0.1/Agent")) in g
    assert g.value(publisher, DCT.type) == URIRef(
        "http://purl.org/adms/publishertype/NationalAuthority")
    assert g.value(publisher, URIRef("http://xmlns.com/foaf/0.1/mbox")) == URIRef(
        "mailto:donnees@interieur.gouv.fr")


def test_maintainer_becomes_a_contact_point_only_without_one_in_the_schema(org):
    with_contact = support.create_dataset(org, **support.well_filled(
        maintainer="Bureau X", maintainer_email="x@interieur.gouv.fr"))
    g = support.dataset_graph(with_contact)
    assert len(list(g.objects(ref(g, with_contact), DCAT.contactPoint))) == 1
    without = support.create_dataset(org, **support.well_filled(
        contact=[], maintainer="Bureau X", maintainer_email="x@interieur.gouv.fr"))
    g = support.dataset_graph(without)
    assert support.violations(g) == []
    contact = g.value(ref(g, without), DCAT.contactPoint)
    assert (contact, RDF.type, URIRef("http://www.w3.org/2006/vcard/ns#Kind")) in g


def test_an_ongoing_period_ends_at_the_last_update_and_comes_back_open(org):
    pkg = support.create_dataset(org, **support.well_filled(
        temporal_coverage=[{"start": "2020-01-01"}], modified="2024-06-20"))
    g = support.dataset_graph(pkg)
    period = g.value(ref(g, pkg), DCT.temporal)
    assert g.value(period, DCAT.endDate) == Literal("2024-06-20", datatype=XSD.date)
    assert support.warnings(g) == []
    parsed = support.parse(g.serialize(format="turtle"))[0]
    assert parsed["temporal_coverage"] == [{"start": "2020-01-01"}]


def test_spatial_coverage_has_extents(org):
    pkg = support.create_dataset(org, **support.well_filled())
    g = support.dataset_graph(pkg)
    gironde = URIRef("http://id.insee.fr/geo/departement/33")
    assert (ref(g, pkg), DCT.spatial, gironde) in g
    assert str(g.value(gironde, DCAT.bbox)).startswith("POLYGON ((-1.262 44.1938")
    assert str(g.value(gironde, DCAT.centroid)) == "POINT (-0.5832 44.839)"


# ------------------------------------------------------------------ internal fields
def test_internal_fields_use_the_documented_properties(org):
    pkg = support.create_dataset(org, **support.well_filled(
        access_level="restricted", license_id="notspecified", personal_data="pseudonymised",
        legal_basis="Obligation légale (art. 6.1.c RGPD)", dpo_email="dpd@interieur.gouv.fr"))
    g = support.dataset_graph(pkg)
    dataset = ref(g, pkg)
    assert g.value(dataset, IPNS.accessLevel) == URIRef(
        "https://w3id.org/ckanext-internalportal/access-level/restricted")
    assert g.value(dataset, DPV.hasData) == DPV.PseudonymisedData
    assert str(g.value(g.value(dataset, DPV.hasLegalBasis), RDFS.label)) == \
        "Obligation légale (art. 6.1.c RGPD)"
    dpo = g.value(dataset, DPV.hasDataProtectionOfficer)
    assert g.value(dpo, URIRef("http://www.w3.org/2006/vcard/ns#hasEmail")) == URIRef(
        "mailto:dpd@interieur.gouv.fr")
    agent = g.value(g.value(dataset, PROV.wasGeneratedBy), PROV.wasAssociatedWith)
    assert (agent, RDF.type, PROV.SoftwareAgent) in g and str(g.value(agent, RDFS.label)) == "BAAC"
    attribution = g.value(dataset, PROV.qualifiedAttribution)
    assert g.value(attribution, DCAT.hadRole) == URIRef(
        "http://inspire.ec.europa.eu/metadata-codelist/ResponsiblePartyRole/custodian")
    assert g.value(dataset, DCT.accessRights) == URIRef(f"{EU}/access-right/RESTRICTED")


@pytest.mark.parametrize("level, access_right", [
    ("public", "PUBLIC"), ("internal", "RESTRICTED"), ("restricted", "RESTRICTED"),
    ("private", "NON_PUBLIC")])
def test_access_level_is_the_concept_of_the_dataset_level(org, level, access_right):
    pkg = support.create_dataset(org, **support.well_filled(
        access_level=level, license_id="lov2" if level == "public" else "notspecified"))
    assert pkg["private"] is (level != "public")
    g = support.dataset_graph(pkg)
    concept = g.value(ref(g, pkg), IPNS.accessLevel)
    assert concept == URIRef(f"{ACCESS_LEVEL}/{level}")
    assert (concept, RDF.type, SKOS.Concept) in g
    assert g.value(concept, SKOS.notation) == Literal(level)
    assert g.value(ref(g, pkg), DCT.accessRights) == URIRef(f"{EU}/access-right/{access_right}")
    assert support.parse(g.serialize(format="turtle"))[0]["access_level"] == level


# ------------------------------------------------------------------ round trip
def test_every_field_of_a_well_filled_dataset_comes_back_from_the_rdf(org):
    for fields in (support.well_filled(),
                   support.well_filled(access_level="private", license_id="notspecified",
                                       personal_data="personal",
                                       legal_basis="Mission d'intérêt public",
                                       dpo_email="dpd@interieur.gouv.fr",
                                       identifier="MI-2024-001")):
        pkg = support.create_dataset(org, **fields)
        pkg = helpers.call_action("package_show", context=support.site_context(), id=pkg["id"])
        support.assert_round_trip(pkg)
