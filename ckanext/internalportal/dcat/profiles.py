"""``internalportal_dcat_ap_3``: ckanext-dcat's DCAT-AP 3 profile, completed for the portal.

It subclasses ``EuropeanDCATAP3Profile`` (which already carries ckanext-dcat's scheming
support), lets it build its graph, then adds or corrects what the DCAT-AP 3.0.1 SHACL shapes,
data.gouv.fr's harvester and the portal's internal fields need; parsing does the reverse, so
that a dataset comes back from its RDF with the same values. Use it ALONE in
``ckanext.dcat.rdf.profiles`` (listing ``euro_dcat_ap_3`` too would write every blank node
twice). The choices are listed in README.md (« DCAT-AP 3 et data.gouv.fr »); the tables are
in ``terms.py``, the territories' extents in ``spatial.py``.
"""
from __future__ import annotations

import json
from typing import Any, Optional

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

import ckan.plugins.toolkit as tk
from ckanext.dcat.profiles import (DCAT, DCATAP, DCT, FOAF, RDF, RDFS, SKOS, SPDX, VCARD, XSD,
                                   ADMS, CleanedURIRef, EuropeanDCATAP3Profile)
from ckanext.dcat.utils import catalog_uri, resource_uri

from ckanext.internalportal.lib import audience
from ckanext.internalportal.lib.licences import licence_register
from ckanext.internalportal.schemas import vocabularies

from . import spatial, terms
from .terms import DPV, IPNS, PROV

DEFAULT_CATALOG_DESCRIPTION = (
    "Catalogue des jeux de données publics du portail interne des données des ministères, "
    "décrits selon DCAT-AP 3.")
CATALOG_LICENCE = "lov2"   # the licence of the catalogue's own metadata (Etalab 2.0)
CATALOG_SPATIAL = "http://publications.europa.eu/resource/authority/country/FRA"
CATALOG_PUBLISHER_NAME_OPTION = "ckanext.internalportal.dcat.catalog_publisher_name"
CATALOG_PUBLISHER_URI_OPTION = "ckanext.internalportal.dcat.catalog_publisher_uri"
DPO_LABEL = {"fr": "Délégué à la protection des données", "en": "Data protection officer"}
ADMS_UNKNOWN_IPR = URIRef("http://purl.org/adms/licencetype/UnknownIPR")


class InternalPortalDCATAP3Profile(EuropeanDCATAP3Profile):
    """DCAT-AP 3 for the internal data portal (French context, internal fields)."""

    _anonymous: Optional[bool] = None

    @property
    def anonymous(self) -> bool:
        if self._anonymous is None:
            self._anonymous = audience.is_anonymous_reader()
        return self._anonymous

    # ============================================================== dataset -> RDF
    def graph_from_dataset(self, dataset_dict, dataset_ref):
        super().graph_from_dataset(dataset_dict, dataset_ref)
        self._bind_namespaces()
        self._identifiers(dataset_dict, dataset_ref)
        self._dataset_concepts(dataset_ref)
        self._publisher(dataset_dict, dataset_ref)
        self._contact_points(dataset_dict, dataset_ref)
        self._ongoing_periods(dataset_dict, dataset_ref)
        self._locations(dataset_ref)
        self._standards(dataset_ref)
        licence = self._licence(dataset_dict.get("license_id"), dataset_dict)
        if licence is not None:
            self.g.add((dataset_ref, DCT.license, licence))
        for resource_dict in dataset_dict.get("resources") or []:
            self._distribution(resource_dict, dataset_dict)
        self._internal_fields(dataset_dict, dataset_ref)

    def _bind_namespaces(self) -> None:
        for prefix, namespace in terms.NAMESPACES.items():
            self.g.bind(prefix, namespace)

    def _concept(self, node: Node, labels: dict[str, str], fallback: str = "",
                 notation: Optional[str] = None) -> None:
        """Type ``node`` skos:Concept with its labels (DCAT-AP wants a skos:prefLabel);
        once per graph (a catalogue page shares its concepts between datasets)."""
        g = self.g
        if (node, RDF.type, SKOS.Concept) in g:
            return
        g.add((node, RDF.type, SKOS.Concept))
        if not labels and not any(g.objects(node, SKOS.prefLabel)):
            labels = {"": fallback or terms.last_segment(str(node))}
        for lang, text in labels.items():
            g.add((node, SKOS.prefLabel, Literal(text, lang=lang or None)))
        if notation:
            g.add((node, SKOS.notation, Literal(notation)))

    def _identifiers(self, dataset_dict, dataset_ref) -> None:
        """dct:identifier always a literal (the field, else the dataset's id: what
        data.gouv.fr uses to recognise it from one harvest to the next); the name (slug) as an
        adms:identifier typed ipns:datasetName."""
        g = self.g
        g.remove((dataset_ref, DCT.identifier, None))
        identifier = self._get_dataset_value(dataset_dict, "identifier") or dataset_dict.get("id")
        if identifier:
            g.add((dataset_ref, DCT.identifier, Literal(str(identifier))))
        if dataset_dict.get("name"):
            node = BNode()
            g.add((dataset_ref, ADMS.identifier, node))
            g.add((node, RDF.type, ADMS.Identifier))
            g.add((node, SKOS.notation, Literal(dataset_dict["name"], datatype=IPNS.datasetName)))
            if not any(g.objects(dataset_ref, DCAT.landingPage)):  # the page on the portal
                page = CleanedURIRef(_dataset_page(dataset_dict["name"]))
                g.add((dataset_ref, DCAT.landingPage, page))
                g.add((page, RDF.type, FOAF.Document))

    def _dataset_concepts(self, dataset_ref) -> None:
        g = self.g
        for theme in list(g.objects(dataset_ref, DCAT.theme)):
            self._concept(theme, terms.labels("data-theme", str(theme)))
        for predicate, vocabulary in ((DCT.accrualPeriodicity, "frequency"),
                                      (DCT.accessRights, "access-right")):
            for node in g.objects(dataset_ref, predicate):
                if isinstance(node, URIRef) and (node, SKOS.prefLabel, None) not in g:
                    self._add_labels(node, terms.labels(vocabulary, str(node)))

    def _add_labels(self, node: Node, labels: dict[str, str]) -> None:
        for lang, text in labels.items():
            self.g.add((node, SKOS.prefLabel, Literal(text, lang=lang)))

    def _publisher(self, dataset_dict, dataset_ref) -> None:
        """One publisher (the organisation), a national authority, with its e-mail."""
        g = self.g
        publishers = sorted(g.objects(dataset_ref, DCT.publisher), key=str)
        for extra in publishers[1:]:  # DCAT-AP: at most one
            g.remove((dataset_ref, DCT.publisher, extra))
        if not publishers:
            return
        publisher = publishers[0]
        if not any(g.objects(publisher, DCT.type)):
            g.add((publisher, DCT.type, terms.PUBLISHER_TYPE))
            self._concept(terms.PUBLISHER_TYPE, terms.PUBLISHER_TYPE_LABELS)
        for mbox in list(g.objects(publisher, FOAF.mbox)):
            if isinstance(mbox, Literal):  # ckanext-dcat writes it as a literal
                g.remove((publisher, FOAF.mbox, mbox))
                g.add((publisher, FOAF.mbox, URIRef(self._add_mailto(str(mbox)))))
        email = _organization_email(self._org_cache.get(
            (dataset_dict.get("organization") or {}).get("id")))
        if email and not any(g.objects(publisher, FOAF.mbox)):
            g.add((publisher, FOAF.mbox, URIRef(self._add_mailto(email))))

    def _contact_points(self, dataset_dict, dataset_ref) -> None:
        """The schema's contact points (vcard:Kind). CKAN's maintainer/author, which
        ckanext-dcat turns into a vcard:Organization, only when there is none."""
        g = self.g
        contacts = [c for c in dataset_dict.get("contact") or [] if isinstance(c, dict)
                    and any(c.values())]
        for node in list(g.objects(dataset_ref, DCAT.contactPoint)):
            if (node, RDF.type, VCARD.Organization) in g:
                if contacts:
                    g.remove((dataset_ref, DCAT.contactPoint, node))
                    g.remove((node, None, None))
                    continue
            g.add((node, RDF.type, VCARD.Kind))

    def _ongoing_periods(self, dataset_dict, dataset_ref) -> None:
        """A period without an end is an ongoing series: it covers the data up to their last
        update, which is written as its dcat:endDate (DCAT-AP recommends one) and marked
        ipns:ongoing, so that reading the RDF gives the open period back."""
        g = self.g
        last = (self._get_dataset_value(dataset_dict, "modified")
                or dataset_dict.get("metadata_modified"))
        if not last:
            return
        for period in g.objects(dataset_ref, DCT.temporal):
            if any(g.objects(period, DCAT.startDate)) and not any(
                    g.objects(period, DCAT.endDate)):
                self._add_date_triple(period, DCAT.endDate, str(last)[:10])
                g.add((period, IPNS.ongoing, Literal(True)))

    def _locations(self, subject) -> None:
        """dcat:bbox and dcat:centroid of the known territories (data/extents.json)."""
        g = self.g
        for location in g.objects(subject, DCT.spatial):
            extent = spatial.extent(str(location)) if isinstance(location, URIRef) else None
            if extent is None or any(g.objects(location, DCAT.bbox)):
                continue
            self._add_spatial_value_to_graph(location, DCAT.bbox, extent.bbox_wkt)
            self._add_spatial_value_to_graph(location, DCAT.centroid, extent.centroid_wkt)

    def _standards(self, dataset_ref) -> None:
        """dct:conformsTo must be a node: a text that is not an address becomes a labelled
        dct:Standard."""
        g = self.g
        for value in list(g.objects(dataset_ref, DCT.conformsTo)):
            if isinstance(value, Literal):
                g.remove((dataset_ref, DCT.conformsTo, value))
                node = BNode()
                g.add((dataset_ref, DCT.conformsTo, node))
                g.add((node, RDF.type, DCT.Standard))
                g.add((node, RDFS.label, Literal(str(value))))

    def _licence(self, licence_id: Optional[str], dataset_dict) -> Optional[Node]:
        """The licence document: its URL in the portal's licence list (the one data.gouv.fr
        resolves: Etalab 2.0 → lov2), typed dct:LicenseDocument with its ADMS licence types;
        a licence without URL (« Licence non spécifiée ») is a titled blank node."""
        if not licence_id:
            return None
        licences = self._graph_licences()
        if licence_id in licences:
            return licences[licence_id]
        g = self.g
        licence = licence_register().get(licence_id)
        url = getattr(licence, "url", None) or (
            dataset_dict.get("license_url") if licence_id == dataset_dict.get("license_id")
            else None)
        if url and url.startswith(("http://", "https://")):
            node: Node = CleanedURIRef(url)
        else:
            node = BNode()
            title = getattr(licence, "title", None) or dataset_dict.get("license_title") \
                or licence_id
            g.add((node, DCT.title, Literal(str(title))))
        g.add((node, RDF.type, DCT.LicenseDocument))
        names = terms.licence_types(licence_id)
        if "UnknownIPR" not in names:
            g.remove((node, DCT.type, ADMS_UNKNOWN_IPR))  # ckanext-dcat's guess
        if (node, DCT.type, terms.ADMS_LICENCE_TYPE[names[0]]) not in g:  # once per graph
            for name in names:
                kind = terms.ADMS_LICENCE_TYPE[name]
                g.add((node, DCT.type, kind))
                self._concept(kind, terms.LICENCE_TYPE_LABELS[name])
        licences[licence_id] = node
        return node

    def _graph_licences(self) -> dict[str, Node]:
        """The licence nodes already written in this graph (one per licence, shared by the
        datasets of a catalogue page: its blank node included)."""
        licences = getattr(self.g, "_internalportal_licences", None)
        if licences is None:
            licences = {}
            self.g._internalportal_licences = licences
        return licences

    def _distribution(self, resource_dict, dataset_dict) -> None:
        g = self.g
        dist = CleanedURIRef(resource_uri(resource_dict))
        # format: EU file type; media type: IANA
        for predicate in (DCT["format"], DCAT.mediaType):
            g.remove((dist, predicate, None))
        fmt = resource_dict.get("format")
        iri = terms.file_type_iri(fmt)
        if iri:
            g.add((dist, DCT["format"], URIRef(iri)))
            g.add((URIRef(iri), RDF.type, DCT.MediaTypeOrExtent))
        elif fmt:
            node = BNode()
            g.add((dist, DCT["format"], node))
            g.add((node, RDF.type, DCT.MediaTypeOrExtent))
            g.add((node, RDFS.label, Literal(str(fmt))))
        media = terms.media_type_iri(resource_dict.get("mimetype"))
        if media:
            g.add((dist, DCAT.mediaType, URIRef(media)))
            g.add((URIRef(media), RDF.type, DCT.MediaType))
        # licence: the resource's, else the dataset's
        for old in list(g.objects(dist, DCT.license)):
            g.remove((dist, DCT.license, old))
            g.remove((old, DCT.type, ADMS_UNKNOWN_IPR))
        licence = self._licence(resource_dict.get("license") or dataset_dict.get("license_id"),
                                dataset_dict)
        if licence is not None:
            g.add((dist, DCT.license, licence))
        # planned availability (the portal's default when none is given)
        if not any(g.objects(dist, DCATAP.availability)):
            g.add((dist, DCATAP.availability, URIRef(vocabularies.uri(
                "planned-availability", terms.DEFAULT_AVAILABILITY))))
        for availability in g.objects(dist, DCATAP.availability):
            self._concept(availability, terms.labels("planned-availability", str(availability)))
        # a file stored on the portal is downloaded from its URL
        url = resource_dict.get("url")
        if resource_dict.get("url_type") == "upload" and url and \
                url.startswith(("http://", "https://")) and \
                not any(g.objects(dist, DCAT.downloadURL)):
            g.add((dist, DCAT.downloadURL, CleanedURIRef(url)))
        # byte size: xsd:nonNegativeInteger or nothing
        g.remove((dist, DCAT.byteSize, None))
        size = _non_negative_int(resource_dict.get("size"))
        if size is not None:
            g.add((dist, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
        # checksum: DCAT-AP's form (xsd:hexBinary + SPDX algorithm), for signed-in readers
        # (lib/audience.py): data.gouv.fr rejects a dataset whose checksum is xsd:hexBinary
        for old in list(g.objects(dist, SPDX.checksum)):
            g.remove((dist, SPDX.checksum, old))
            g.remove((old, None, None))
        checksum = None if self.anonymous else terms.checksum(
            resource_dict.get("hash"), resource_dict.get("hash_algorithm"))
        if checksum:
            value, algorithm = checksum
            node = BNode()
            g.add((dist, SPDX.checksum, node))
            g.add((node, RDF.type, SPDX.Checksum))
            g.add((node, SPDX.checksumValue, Literal(value, datatype=XSD.hexBinary)))
            g.add((node, SPDX.algorithm, URIRef(algorithm)))
            g.add((URIRef(algorithm), RDF.type, SPDX.ChecksumAlgorithm))

    def _internal_fields(self, dataset_dict, dataset_ref) -> None:
        """The portal's internal fields (README.md lists the properties), those the reader
        gets (lib/audience.py: the schema's signed-in-only fields are left out for anonymous
        readers)."""
        g = self.g
        hidden = audience.hidden_fields(self._schema_fields(), self.anonymous)

        def value(name: str) -> Any:
            return None if name in hidden else dataset_dict.get(name)
        level = value("access_level")
        if level:
            node = terms.access_level_iri(level)
            g.add((dataset_ref, IPNS.accessLevel, node))
            self._concept(node, terms.labels("access-level", level), notation=level)
        personal = terms.PERSONAL_DATA.get(value("personal_data") or "")
        if personal is not None:
            g.add((dataset_ref, DPV.hasData, personal))
            self._concept(personal, terms.labels("personal-data", value("personal_data")))
        if value("legal_basis"):
            node = BNode()
            g.add((dataset_ref, DPV.hasLegalBasis, node))
            g.add((node, RDF.type, DPV.LegalBasis))
            g.add((node, RDFS.label, Literal(value("legal_basis"))))
        if value("dpo_email"):
            node = BNode()
            g.add((dataset_ref, DPV.hasDataProtectionOfficer, node))
            g.add((node, RDF.type, DPV.DataProtectionOfficer))
            g.add((node, RDF.type, VCARD.Kind))
            self._add_texts(node, VCARD.fn, DPO_LABEL)
            g.add((node, VCARD.hasEmail, URIRef(self._add_mailto(value("dpo_email")))))
        if value("source_application"):
            activity, agent = BNode(), BNode()
            g.add((dataset_ref, PROV.wasGeneratedBy, activity))
            g.add((activity, RDF.type, PROV.Activity))
            g.add((activity, PROV.wasAssociatedWith, agent))
            g.add((agent, RDF.type, PROV.SoftwareAgent))
            g.add((agent, RDFS.label, Literal(value("source_application"))))
        if value("data_steward"):
            attribution, agent = BNode(), BNode()
            g.add((dataset_ref, PROV.qualifiedAttribution, attribution))
            g.add((attribution, RDF.type, PROV.Attribution))
            g.add((attribution, DCAT.hadRole, terms.CUSTODIAN_ROLE))
            g.add((terms.CUSTODIAN_ROLE, RDF.type, DCAT.Role))
            self._concept(terms.CUSTODIAN_ROLE, terms.CUSTODIAN_LABELS)
            g.add((attribution, PROV.agent, agent))
            g.add((agent, RDF.type, PROV.Agent))
            g.add((agent, RDFS.label, Literal(value("data_steward"))))

    def _add_texts(self, node: Node, predicate: URIRef, texts: dict[str, str]) -> None:
        for lang, text in texts.items():
            self.g.add((node, predicate, Literal(text, lang=lang)))

    # ============================================================== catalogue -> RDF
    def graph_from_catalog(self, catalog_dict, catalog_ref):
        super().graph_from_catalog(catalog_dict, catalog_ref)
        self._bind_namespaces()
        g = self.g
        if not any(g.objects(catalog_ref, DCT.description)):
            g.add((catalog_ref, DCT.description,
                   Literal(DEFAULT_CATALOG_DESCRIPTION, lang="fr")))
        for homepage in g.objects(catalog_ref, FOAF.homepage):
            g.add((homepage, RDF.type, FOAF.Document))
        for language in list(g.objects(catalog_ref, DCT.language)):
            if isinstance(language, Literal):
                g.remove((catalog_ref, DCT.language, language))
                iri = URIRef(terms.language_iri(str(language)))
                g.add((catalog_ref, DCT.language, iri))
                g.add((iri, RDF.type, DCT.LinguisticSystem))
        if not any(g.objects(catalog_ref, DCT.publisher)):
            self._catalog_publisher(catalog_ref)
        licence = self._licence(CATALOG_LICENCE, {})
        if licence is not None and not any(g.objects(catalog_ref, DCT.license)):
            g.add((catalog_ref, DCT.license, licence))
        issued = self._first_catalog_creation()
        if issued and not any(g.objects(catalog_ref, DCT.issued)):
            self._add_date_triple(catalog_ref, DCT.issued, issued)
        if not any(g.objects(catalog_ref, DCT.spatial)):
            area = URIRef(CATALOG_SPATIAL)
            g.add((catalog_ref, DCT.spatial, area))
            g.add((area, RDF.type, DCT.Location))
            # the label the schema stores for this area, as datasets covering it write it
            g.add((area, SKOS.prefLabel, Literal(vocabularies.label("country", CATALOG_SPATIAL))))
            self._locations(catalog_ref)
        scheme = vocabularies.vocabulary("data-theme")
        taxonomy = URIRef(scheme.scheme)
        g.add((catalog_ref, DCAT.themeTaxonomy, taxonomy))
        g.add((taxonomy, RDF.type, SKOS.ConceptScheme))
        self._add_texts(taxonomy, DCT.title, dict(scheme.title))

    def _catalog_publisher(self, catalog_ref) -> None:
        g = self.g
        name = tk.config.get(CATALOG_PUBLISHER_NAME_OPTION, "") or \
            tk.config.get("ckan.site_title") or "Portail interne des données"
        uri = tk.config.get(CATALOG_PUBLISHER_URI_OPTION, "")
        publisher: Node = CleanedURIRef(uri) if uri else BNode()
        g.add((catalog_ref, DCT.publisher, publisher))
        g.add((publisher, RDF.type, FOAF.Agent))
        g.add((publisher, FOAF.name, Literal(name)))
        g.add((publisher, DCT.type, terms.PUBLISHER_TYPE))
        self._concept(terms.PUBLISHER_TYPE, terms.PUBLISHER_TYPE_LABELS)

    def _first_catalog_creation(self) -> Optional[str]:
        """When the first public dataset was created (the catalogue's dct:issued)."""
        result = tk.get_action("package_search")(
            {"ignore_auth": True}, {"sort": "metadata_created asc", "rows": 1,
                                    "fl": "metadata_created"})
        rows = result.get("results") or []
        return rows[0].get("metadata_created") if rows else None

    # ============================================================== RDF -> dataset
    def parse_dataset(self, dataset_dict, dataset_ref):
        dataset_dict = super().parse_dataset(dataset_dict, dataset_ref)
        self._parse_list_fields(dataset_dict)
        self._parse_identifiers(dataset_dict, dataset_ref)
        self._parse_publisher(dataset_dict, dataset_ref)
        self._parse_spatial(dataset_dict, dataset_ref)
        self._parse_periods(dataset_dict, dataset_ref)
        self._parse_standards(dataset_dict, dataset_ref)
        self._parse_contacts(dataset_dict)
        # the dataset's own licence first (ckanext-dcat takes the first distribution's)
        dataset_dict["license_id"] = self._licence_id(
            self._object(dataset_ref, DCT.license)) or dataset_dict.get("license_id") or ""
        for resource_dict in dataset_dict.get("resources") or []:
            self._parse_distribution(resource_dict, dataset_dict)
        self._parse_internal_fields(dataset_dict, dataset_ref)
        return dataset_dict

    def _schema_fields(self) -> list[dict[str, Any]]:
        return (self._dataset_schema or {}).get("dataset_fields") or []

    def _parse_list_fields(self, dataset_dict) -> None:
        """Multiple-value fields come from ckanext-dcat as JSON text: make them lists, as
        package_show gives them."""
        for field in self._schema_fields():
            value = dataset_dict.get(field["field_name"])
            if isinstance(value, str) and value.startswith("["):
                try:
                    dataset_dict[field["field_name"]] = json.loads(value)
                except ValueError:
                    pass

    def _parse_identifiers(self, dataset_dict, dataset_ref) -> None:
        g = self.g
        for node in g.objects(dataset_ref, ADMS.identifier):
            for notation in g.objects(node, SKOS.notation):
                if isinstance(notation, Literal) and notation.datatype == IPNS.datasetName:
                    dataset_dict["name"] = str(notation)
        # the portal's own page is not a source URL (CKAN's `url`)
        if dataset_dict.get("name") and dataset_dict.get("url") == _dataset_page(
                dataset_dict["name"]):
            dataset_dict.pop("url")
        # the name was ckanext-dcat's only « other identifier »: not an extra to keep
        extras = dataset_dict.get("extras") or []
        if "name" in dataset_dict and len(list(g.objects(dataset_ref, ADMS.identifier))) == 1:
            dataset_dict["extras"] = [e for e in extras if e["key"] != "alternate_identifier"]

    def _parse_publisher(self, dataset_dict, dataset_ref) -> None:
        """The publisher of this portal's own RDF is one of its organisations."""
        prefix = catalog_uri().rstrip("/") + "/organization/"
        for publisher in self.g.objects(dataset_ref, DCT.publisher):
            if isinstance(publisher, URIRef) and str(publisher).startswith(prefix):
                dataset_dict["owner_org"] = str(publisher)[len(prefix):]

    def _parse_spatial(self, dataset_dict, dataset_ref) -> None:
        """Every dct:spatial, as the schema's {uri, text} (ckanext-dcat keeps one)."""
        if not _has_field(self._schema_fields(), "spatial_coverage"):
            return
        areas = []
        for location in self.g.objects(dataset_ref, DCT.spatial):
            area = {}
            if isinstance(location, URIRef):
                area["uri"] = str(location)
            labels = list(self.g.objects(location, SKOS.prefLabel))
            if labels:
                area["text"] = str(_prefer_language(labels, self._default_lang))
            if area:
                areas.append(area)
        if areas:
            dataset_dict["spatial_coverage"] = areas
        extras = dataset_dict.get("extras") or []
        dataset_dict["extras"] = [e for e in extras if not e["key"].startswith("spatial")]

    def _parse_periods(self, dataset_dict, dataset_ref) -> None:
        periods = []
        for period in self.g.objects(dataset_ref, DCT.temporal):
            details = self._temporal_interval_details(period)
            if self._object_value(period, IPNS.ongoing).lower() == "true":
                details.pop("end", None)
            if details:
                periods.append(details)
        if periods and _has_field(self._schema_fields(), "temporal_coverage"):
            dataset_dict["temporal_coverage"] = periods

    def _parse_standards(self, dataset_dict, dataset_ref) -> None:
        values = []
        for standard in self.g.objects(dataset_ref, DCT.conformsTo):
            if isinstance(standard, URIRef):
                values.append(str(standard))
            else:
                label = self._object_value(standard, RDFS.label) or \
                    self._object_value(standard, DCT.title)
                values.append(label or str(standard))
        if values:
            dataset_dict["conforms_to"] = values

    def _parse_contacts(self, dataset_dict) -> None:
        """Contact points with the schema's subfields only, empty ones left out."""
        field = next((f for f in self._schema_fields() if f["field_name"] == "contact"), None)
        if not field or not isinstance(dataset_dict.get("contact"), list):
            return
        names = [s["field_name"] for s in field.get("repeating_subfields") or []]
        dataset_dict["contact"] = [
            {k: c[k] for k in names if c.get(k)} for c in dataset_dict["contact"]]

    def _licence_id(self, node: Optional[Node]) -> str:
        if node is None:
            return ""
        register = licence_register()
        for licence_id, licence in register.items():
            if isinstance(node, URIRef) and licence.url == str(node):
                return licence_id
        title = self._object_value(node, DCT.title)
        for licence_id, licence in register.items():
            if title and licence.title == title:
                return licence_id
        return ""

    def _parse_distribution(self, resource_dict, dataset_dict) -> None:
        g = self.g
        dist = URIRef(resource_dict["distribution_ref"]) \
            if resource_dict.get("uri") else BNode(resource_dict.get("distribution_ref"))
        fmt = self._object(dist, DCT["format"])
        if isinstance(fmt, URIRef):
            resource_dict["format"] = terms.format_from_iri(str(fmt))
        elif isinstance(fmt, BNode) and self._object_value(fmt, RDFS.label):
            resource_dict["format"] = self._object_value(fmt, RDFS.label)
        media = self._object(dist, DCAT.mediaType)
        if isinstance(media, URIRef):
            resource_dict["mimetype"] = terms.media_type_from_iri(str(media))
        licence_id = self._licence_id(self._object(dist, DCT.license))
        if licence_id and licence_id != dataset_dict.get("license_id"):
            resource_dict["license"] = licence_id
        else:  # the dataset's licence applies: the schema leaves the field empty
            resource_dict.pop("license", None)
        for key in ("download_url", "access_url"):
            if resource_dict.get(key) == resource_dict.get("url"):
                resource_dict.pop(key, None)

    def _parse_internal_fields(self, dataset_dict, dataset_ref) -> None:
        g = self.g
        level = self._object(dataset_ref, IPNS.accessLevel)
        if level is not None:
            dataset_dict["access_level"] = terms.access_level_code(str(level)) or \
                self._object_value(level, SKOS.notation)
        personal = self._object(dataset_ref, DPV.hasData)
        if personal in terms.PERSONAL_DATA_BY_IRI:
            dataset_dict["personal_data"] = terms.PERSONAL_DATA_BY_IRI[personal]
        basis = self._object(dataset_ref, DPV.hasLegalBasis)
        if basis is not None:
            dataset_dict["legal_basis"] = self._object_value(basis, RDFS.label)
        dpo = self._object(dataset_ref, DPV.hasDataProtectionOfficer)
        if dpo is not None:
            dataset_dict["dpo_email"] = self._without_mailto(
                self._object_value(dpo, VCARD.hasEmail))
        for activity in g.objects(dataset_ref, PROV.wasGeneratedBy):
            for agent in g.objects(activity, PROV.wasAssociatedWith):
                if (agent, RDF.type, PROV.SoftwareAgent) in g:
                    dataset_dict["source_application"] = self._object_value(agent, RDFS.label)
                    if not _has_field(self._schema_fields(), "provenance_activity"):
                        dataset_dict.pop("provenance_activity", None)
        for attribution in g.objects(dataset_ref, PROV.qualifiedAttribution):
            if (attribution, DCAT.hadRole, terms.CUSTODIAN_ROLE) in g:
                agent = self._object(attribution, PROV.agent)
                if agent is not None:
                    dataset_dict["data_steward"] = self._object_value(agent, RDFS.label)
        # ckanext-dcat also reads the data steward as a qualified attribution: not a field
        # of the portal's schema, so it is left out (and nothing else is lost)
        if not _has_field(self._schema_fields(), "qualified_attribution"):
            others = [a for a in dataset_dict.get("qualified_attribution") or []
                      if a.get("role") != str(terms.CUSTODIAN_ROLE)]
            if others:
                dataset_dict["qualified_attribution"] = others
            else:
                dataset_dict.pop("qualified_attribution", None)


# ------------------------------------------------------------------ helpers


def _dataset_page(name: str) -> str:
    return f"{tk.config.get('ckan.site_url', '').rstrip('/')}/dataset/{name}"


def _organization_email(org_dict: Optional[dict]) -> Optional[str]:
    if not org_dict:
        return None
    if org_dict.get("email"):
        return org_dict["email"]
    for extra in org_dict.get("extras") or []:
        if extra.get("key") == "email" and extra.get("value"):
            return extra["value"]
    return None


def _non_negative_int(value: Any) -> Optional[int]:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def _has_field(fields: list[dict[str, Any]], name: str) -> bool:
    return any(f["field_name"] == name for f in fields)


def _prefer_language(literals: list, lang: str):
    """The literal without language or in ``lang``, else the first."""
    for literal in literals:
        if getattr(literal, "language", None) in (None, lang):
            return literal
    return literals[0]
