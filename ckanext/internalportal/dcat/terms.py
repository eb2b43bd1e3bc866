"""The RDF terms the portal adds to ckanext-dcat's DCAT-AP 3 output, as data.

Pure (rdflib and the portal's vocabularies, no CKAN): namespaces, the IRIs of the internal
vocabularies, and the tables that turn a stored value (licence id, media type, personal data
category…) into a node and back. README.md (« DCAT-AP 3 et data.gouv.fr ») lists the choices.
"""
from __future__ import annotations

import re
from typing import Optional

from rdflib import Namespace, URIRef

from ckanext.internalportal.lib import values
from ckanext.internalportal.schemas import vocabularies

# ------------------------------------------------------------------ namespaces
# The portal's own terms, for what no standard vocabulary says: the access level (finer than
# the EU access rights it is mapped to), the name (slug) of a dataset, an open-ended period.
IPNS = Namespace("https://w3id.org/ckanext-internalportal/ns#")
ACCESS_LEVEL_SCHEME = "https://w3id.org/ckanext-internalportal/access-level"
# W3C Data Privacy Vocabulary (personal data, legal basis, data protection officer)
DPV = Namespace("https://w3id.org/dpv#")
PROV = Namespace("http://www.w3.org/ns/prov#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
ADMS_LICENCE_TYPE = Namespace("http://purl.org/adms/licencetype/")
ADMS_PUBLISHER_TYPE = Namespace("http://purl.org/adms/publishertype/")
# ISO 19115 / INSPIRE responsible party role « custodian » : the data steward
CUSTODIAN_ROLE = URIRef(
    "http://inspire.ec.europa.eu/metadata-codelist/ResponsiblePartyRole/custodian")
IANA_MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"
SPDX_ALGORITHM = "http://spdx.org/rdf/terms#checksumAlgorithm_"
EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
NAMESPACES = {"ipns": IPNS, "dpv": DPV, "prov": PROV, "gsp": GSP}

# ------------------------------------------------------------------ labels (fr, en)
Labels = dict[str, str]

PUBLISHER_TYPE = ADMS_PUBLISHER_TYPE.NationalAuthority   # the ministries and their services
PUBLISHER_TYPE_LABELS: Labels = {"fr": "Autorité nationale", "en": "National authority"}
CUSTODIAN_LABELS: Labels = {"fr": "Responsable des données (gestionnaire)",
                            "en": "Custodian"}

LICENCE_TYPE_LABELS: dict[str, Labels] = {
    "Attribution": {"fr": "Attribution", "en": "Attribution"},
    "ShareAlike": {"fr": "Partage dans les mêmes conditions", "en": "Share alike"},
    "PublicDomain": {"fr": "Domaine public", "en": "Public domain"},
    "UnknownIPR": {"fr": "Droits de propriété intellectuelle inconnus",
                   "en": "Unknown IPR"},
}
# ADMS licence types of the licences of schemas/vocabularies/licenses.json (data.gouv.fr's)
LICENCE_TYPES: dict[str, tuple[str, ...]] = {
    "lov2": ("Attribution",),
    "fr-lo": ("Attribution",),
    "odc-odbl": ("Attribution", "ShareAlike"),
    "odc-by": ("Attribution",),
    "odc-pddl": ("PublicDomain",),
    "cc-by": ("Attribution",),
    "cc-by-sa": ("Attribution", "ShareAlike"),
    "cc-zero": ("PublicDomain",),
    "other-at": ("Attribution",),
    "other-pd": ("PublicDomain",),
}
UNKNOWN_LICENCE_TYPES = ("UnknownIPR",)

# personal_data (schemas/vocabularies/personal-data.yaml) <-> DPV data categories
PERSONAL_DATA = {
    "none": DPV.NonPersonalData,
    "pseudonymised": DPV.PseudonymisedData,
    "personal": DPV.PersonalData,
}
PERSONAL_DATA_BY_IRI = {iri: code for code, iri in PERSONAL_DATA.items()}

# locale of the site (ckan.locale_default) -> EU language of the catalogue
LOCALE_LANGUAGES = {"fr": "FRA", "en": "ENG", "de": "DEU", "es": "SPA", "it": "ITA"}

# Distributions without a planned availability: the portal keeps its files for years.
DEFAULT_AVAILABILITY = "AVAILABLE"

HEX = re.compile(r"^(?:[0-9a-fA-F]{2})+$")
# checksum length (hex digits) -> SPDX algorithm, when the algorithm is not given
ALGORITHM_BY_LENGTH = {32: "md5", 40: "sha1", 64: "sha256", 128: "sha512"}


# ------------------------------------------------------------------ lookups
def labels(vocabulary: str, value: Optional[str]) -> Labels:
    """French and English labels of a stored value of a portal vocabulary ({} if unknown)."""
    concept = vocabularies.vocabulary(vocabulary).get(value) if value else None
    if concept is None:
        return {}
    return {lang: concept.labels[lang] for lang in ("fr", "en") if concept.labels.get(lang)}


def last_segment(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def access_level_iri(level: str) -> URIRef:
    return URIRef(f"{ACCESS_LEVEL_SCHEME}/{level}")


def access_level_code(iri: str) -> Optional[str]:
    prefix = ACCESS_LEVEL_SCHEME + "/"
    return iri[len(prefix):] if iri.startswith(prefix) else None


def licence_types(licence_id: Optional[str]) -> tuple[str, ...]:
    return LICENCE_TYPES.get(licence_id or "", UNKNOWN_LICENCE_TYPES)


def file_type_iri(fmt: Optional[str]) -> Optional[str]:
    """The EU file-type IRI of a resource format (« CSV », an extension, an IRI…)."""
    concept = vocabularies.file_type(fmt)
    return concept.uri if concept else None


def format_from_iri(iri: str) -> str:
    """The resource format the schema stores (CKAN's short name) for an EU file-type IRI."""
    concept = vocabularies.file_type(iri)
    return concept.get("format") if concept else iri


def media_type_iri(mimetype: Optional[str]) -> Optional[str]:
    """The IANA IRI of a media type (``text/csv``, or an IRI kept as is); None if unusable."""
    if not mimetype or not isinstance(mimetype, str):
        return None
    value = mimetype.strip()
    if value.startswith(("http://", "https://")):
        return value
    bare = values.media_type(value)
    return IANA_MEDIA_TYPES + bare if bare else None


def media_type_from_iri(iri: str) -> str:
    return iri[len(IANA_MEDIA_TYPES):] if iri.startswith(IANA_MEDIA_TYPES) else iri


def checksum(value: Optional[str], algorithm: Optional[str]) -> Optional[tuple[str, str]]:
    """``(hex value, SPDX algorithm IRI)`` for a resource's hash, or None when it cannot be
    published as DCAT-AP wants it (xsd:hexBinary value, known algorithm)."""
    if not value or not isinstance(value, str) or not HEX.match(value.strip()):
        return None
    value = value.strip().lower()
    if algorithm and isinstance(algorithm, str) and algorithm.strip():
        algorithm = algorithm.strip()
        if not algorithm.startswith("http"):
            algorithm = SPDX_ALGORITHM + algorithm.lower().replace("-", "")
        return value, algorithm
    name = ALGORITHM_BY_LENGTH.get(len(value))
    return (value, SPDX_ALGORITHM + name) if name else None


def language_iri(locale: Optional[str]) -> str:
    code = LOCALE_LANGUAGES.get((locale or "fr").split("_")[0].lower(), "FRA")
    return EU_LANGUAGE + code
