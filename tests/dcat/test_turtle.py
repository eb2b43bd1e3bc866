"""dcat/turtle.py writes a fragment's graph as Turtle that any parser reads back as the same
graph (the page's triples are rdflib's, only the writing is ours), whatever its terms hold."""
from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF, XSD

from ckanext.internalportal.dcat import composition, turtle

EX = Namespace("https://data.example.gouv.fr/ns/")


def _written(g: Graph, prefix: str = "dtest") -> str:
    subjects, labels = composition.blank_labels(g, prefix)
    return turtle.write(g, subjects, labels, turtle.Prefixes(g.namespaces()))


def _awkward_graph() -> Graph:
    g = Graph()
    g.bind("dcat", DCAT)
    g.bind("dct", DCTERMS)
    g.bind("ex", EX)
    ds = URIRef("https://data.example.gouv.fr/dataset/effectifs-2024")
    period, contact = BNode(), BNode()
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal('Effectifs « 2024 » : "police" \\ gendarmerie', lang="fr")))
    g.add((ds, DCTERMS.description, Literal("Ligne 1\nLigne 2 avec \"\"\" triples\r\n")))
    g.add((ds, DCTERMS.issued, Literal("2024-01-31T10:00:00", datatype=XSD.dateTime)))
    g.add((ds, EX["nombre"], Literal(42)))
    g.add((ds, EX["taux"], Literal(0.5)))
    g.add((ds, EX["ouvert"], Literal(True)))
    g.add((ds, EX["1-commence-par-un-chiffre"], Literal("x")))         # no prefixed name
    g.add((ds, DCAT.landingPage, URIRef("https://example.gouv.fr/page?a=1&b=(2)#frag")))
    g.add((ds, DCTERMS.temporal, period))
    g.add((period, RDF.type, DCTERMS.PeriodOfTime))
    g.add((period, DCAT.startDate, Literal("2024-01-01", datatype=XSD.date)))
    g.add((ds, DCAT.contactPoint, contact))
    g.add((contact, EX["nested"], BNode()))                            # reached, no triple
    g.add((BNode(), DCTERMS.title, Literal("orpheline")))              # nothing points to it
    g.add((ds, DCAT.keyword, Literal("école", lang="fr")))
    g.add((ds, DCAT.keyword, Literal("élèves", lang="fr")))
    return g


def test_written_turtle_reads_back_as_the_same_graph():
    g = _awkward_graph()
    text = _written(g)
    assert isomorphic(Graph().parse(data=text, format="turtle"), g)
    assert isomorphic(Graph().parse(data=text, format="n3"), g)


def test_written_turtle_is_the_same_text_for_the_same_graph_built_again():
    assert _written(_awkward_graph()) == _written(_awkward_graph())


def test_written_turtle_declares_only_the_prefixes_it_uses():
    g = Graph()
    g.bind("ex", EX)
    g.bind("dcat", DCAT)
    g.add((URIRef("https://example.gouv.fr/d"), RDF.type, DCAT.Dataset))
    text = _written(g)
    assert "@prefix dcat:" in text
    assert "@prefix ex:" not in text
    assert text.count("@prefix") == 1


def test_blank_nodes_get_the_fragment_s_labels():
    text = _written(_awkward_graph(), prefix="dabc")
    labels = {w.rstrip(" ;,.") for w in text.split() if w.startswith("_:")}
    assert labels and all(label.startswith("_:dabcb") for label in labels)


def test_empty_graph_writes_nothing():
    assert _written(Graph()) == ""
