"""A catalogue page written as one text per dataset, after the catalogue's own part.

ckanext-dcat builds one rdflib graph for a whole page (catalogue, 100 datasets, Hydra paging)
and serialises it in one go: nothing of it can be reused for the next reader. Here each
dataset's graph is built and serialised alone (a *fragment*), the catalogue part (its
description, its ``dcat:dataset`` links, the Hydra paging) too, and the page is their
concatenation, in a fixed way per format (``compose``). The same composition serves a page
whether its fragments come from the cache (``cache.py``) or were just built: the bytes are
the same either way.

Two things make a fragment reusable and the composed page one valid graph:

- its blank nodes get labels that depend on the dataset only (``d<hash of its id>b<n>``,
  numbered in the order the profile wrote them), where rdflib draws random ones: two builds of
  the same dataset give the same text, and no two datasets share a label, so a label written
  in one fragment never names a node of another once concatenated;
- Turtle and N3 allow a prefix to be declared again, so the texts are concatenated as they
  are; RDF/XML gets one ``rdf:RDF`` root declaring every fragment's namespaces; JSON-LD one
  array of every fragment's nodes (sorted by ``@id``: rdflib writes them in hash order).

Turtle and N3 parts are written by ``turtle.py`` (one pass, prefixes bound once per thread,
``shared_namespaces``) rather than rdflib's Turtle serializer, whose fixed cost per graph made
a page of 100 fragments built from scratch (an empty cache) twice as slow as ckanext-dcat's
one graph; RDF/XML and JSON-LD parts are rdflib's.

What differs from a graph built in one go: nodes that the profile shares within one graph
are written once per dataset. For URIs (concepts, licences with an address, publishers) that
is the same triple repeated, and a parser merges them; a licence without an address (« Licence
non spécifiée ») is one blank node per dataset instead of one per page.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import warnings
from typing import Any, Callable, Iterable, Optional

import rdflib
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import NamespaceManager

from ckanext.dcat.processors import RDFSerializer
from ckanext.dcat.profiles import DCAT
from ckanext.dcat.utils import dataset_uri, url_to_rdflib_format

from . import turtle

log = logging.getLogger(__name__)

# rdflib names of the formats ckanext-dcat serves (/catalog.ttl, .n3, .rdf, .xml, .jsonld)
COMPOSABLE_FORMATS = ("turtle", "n3", "pretty-xml", "json-ld")
TURTLE_FORMATS = ("turtle", "n3")                # written by turtle.write

_XML_DOCUMENT = re.compile(
    r'\A(?:<\?xml[^>]*\?>\s*)?<rdf:RDF(?P<ns>(?:\s+xmlns(?::[\w.-]+)?="[^"]*")*)\s*'
    r'(?:/>\s*\Z|>(?P<body>.*)</rdf:RDF>\s*\Z)', re.S)
_XML_NAMESPACE = re.compile(r'xmlns(?::([\w.-]+))?="([^"]*)"')


class CompositionError(ValueError):
    """Fragments that cannot be joined as they are (two RDF/XML fragments giving one prefix
    two namespaces)."""


def rdflib_format(url_format: Optional[str]) -> str:
    """ckanext-dcat's mapping of the address's extension (ttl, rdf, xml, jsonld, n3)."""
    return url_to_rdflib_format(url_format or "xml")


def new_graph() -> Graph:
    """The graph ckanext-dcat's serializer builds in (profiles may rely on its type)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return rdflib.ConjunctiveGraph()


def label_prefix(dataset_dict: dict[str, Any]) -> str:
    """A short prefix of the blank nodes of one dataset's fragment (a valid XML NCName)."""
    key = str(dataset_dict.get("id") or dataset_dict.get("name") or "")
    return "d" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def blank_labels(graph: Graph, prefix: str) -> tuple[list, dict[BNode, str]]:
    """The graph's subjects in a fixed order, and its blank nodes' labels ``<prefix>b0``,
    ``<prefix>b1``…: named subjects sorted, then blank nodes in the order they are reached
    from them, each subject's statements in the order they were added, then the blank
    nodes nothing named points to as they come: the same input always gives the same
    labels."""
    labels: dict[BNode, str] = {}
    queue: list = sorted({s for s in graph.subjects(unique=True) if type(s) is not BNode})
    seen = set(queue)
    position = reached = 0
    while position < len(queue):
        subject = queue[position]
        position += 1
        for predicate, obj in graph.predicate_objects(subject):
            reached += 1
            if type(obj) is BNode and obj not in seen:
                seen.add(obj)
                queue.append(obj)
                labels[obj] = f"{prefix}b{len(labels)}"
    if reached != len(graph):
        for s, p, o in graph:
            for node in (s, o):
                if type(node) is BNode and node not in labels:
                    labels[node] = f"{prefix}b{len(labels)}"
                    if node not in seen:
                        seen.add(node)
                        queue.append(node)
    return queue, labels


def relabelled(graph: Graph, prefix: str) -> Graph:
    """A copy of ``graph`` (its prefixes too) whose blank nodes are labelled by
    ``blank_labels``."""
    out = Graph(bind_namespaces="none")
    for name, namespace in graph.namespaces():
        out.bind(name, namespace, override=True, replace=True)
    subjects, labels = blank_labels(graph, prefix)
    named = {node: BNode(label) for node, label in labels.items()}
    for subject in subjects:      # added in that order: rdflib's RDF/XML follows it
        new_subject = named[subject] if type(subject) is BNode else subject
        for predicate, obj in graph.predicate_objects(subject):
            out.add((new_subject, predicate, named[obj] if type(obj) is BNode else obj))
    return out


_prefixes: dict[tuple, turtle.Prefixes] = {}


def write_part(graph: Graph, fmt: str, prefix: str) -> str:
    """One part of a page (a dataset's fragment, the catalogue's part), blank nodes labelled
    ``prefix``…: Turtle and N3 by ``turtle.write``, the other formats by rdflib."""
    if fmt in TURTLE_FORMATS:
        bindings = tuple(sorted((p, str(n)) for p, n in graph.namespaces()))
        if bindings not in _prefixes:
            if len(_prefixes) > 16:
                _prefixes.clear()
            _prefixes[bindings] = turtle.Prefixes(bindings)
        subjects, labels = blank_labels(graph, prefix)
        return turtle.write(graph, subjects, labels, _prefixes[bindings])
    return serialize(relabelled(graph, prefix), fmt)


def serialize(graph: Graph, fmt: str) -> str:
    """One part of a page, in a form ``compose`` can join."""
    text = graph.serialize(format=fmt)
    if fmt == "json-ld":
        nodes = json.loads(text)
        if isinstance(nodes, dict):
            nodes = nodes.get("@graph", [nodes])
        nodes.sort(key=lambda node: (node.get("@id", ""), json.dumps(node, sort_keys=True)))
        text = json.dumps(nodes, indent=2, ensure_ascii=False, sort_keys=True)
    return text


def compose(fmt: str, parts: Iterable[str]) -> str:
    """The page: the catalogue part, then every dataset's fragment, joined for ``fmt``."""
    parts = list(parts)
    if fmt in TURTLE_FORMATS:
        return "".join(parts)
    if fmt == "json-ld":
        inner = [p.strip()[1:-1].strip() for p in parts]
        return "[\n" + ",\n".join(i for i in inner if i) + "\n]\n"
    if fmt == "pretty-xml":
        return _compose_xml(parts)
    raise CompositionError(f"format {fmt!r} cannot be composed")


def _compose_xml(parts: list[str]) -> str:
    namespaces: dict[str, str] = {}
    bodies = []
    for part in parts:
        match = _XML_DOCUMENT.match(part)
        if match is None:
            raise CompositionError("not an RDF/XML document written by rdflib")
        for name, uri in _XML_NAMESPACE.findall(match.group("ns")):
            if namespaces.setdefault(name, uri) != uri:
                raise CompositionError(f"prefix {name!r} names two namespaces")
        body = (match.group("body") or "").strip("\n")
        if body.strip():
            bodies.append(body + "\n")
    declarations = "".join(f'  xmlns{":" + name if name else ""}="{uri}"\n'
                           for name, uri in sorted(namespaces.items()))
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF\n{declarations}>\n'
            + "".join(bodies) + "</rdf:RDF>\n")


# fragments(keys of the page's datasets, build) -> their texts: the cache, or build them all
FragmentSource = Callable[[list[dict[str, Any]], str, Callable[[dict[str, Any]], str]],
                          list[str]]


def build_all(dataset_dicts: list[dict[str, Any]], fmt: str,
              build: Callable[[dict[str, Any]], str]) -> list[str]:
    return [build(d) for d in dataset_dicts]


_local = threading.local()


def shared_namespaces(key: tuple) -> NamespaceManager:
    """This thread's namespace manager for the profiles ``key``: the one of a new graph
    (``new_graph``), which the fragments' graphs then share."""
    managers = _local.__dict__.setdefault("managers", {})
    if key not in managers:
        managers[key] = new_graph().namespace_manager
    return managers[key]


class ComposedRDFSerializer(RDFSerializer):
    """ckanext-dcat's serializer, writing a catalogue page as composed fragments."""

    # datasets' fragments built (not taken from the cache), by every instance of the
    # process: tests and the warm-cache command count them
    built = 0

    def dataset_fragment(self, dataset_dict: dict[str, Any], fmt: str) -> str:
        """One dataset's graph, alone, with stable blank node labels, serialised.

        In Turtle and N3 the graph is built with this thread's namespace manager for the
        profiles (``shared_namespaces``), whose prefixes are bound once, where a new graph
        binds every one again (the profiles bind the same prefixes for every dataset, so
        the bindings once the graph is built are those a new graph would have), and written
        by ``turtle.write``. The other formats are written by rdflib, from a graph of their
        own (rdflib's RDF/XML writer keeps state in the manager)."""
        type(self).built += 1
        self.g = new_graph()
        if fmt in TURTLE_FORMATS:
            self.g.namespace_manager = shared_namespaces(
                tuple(type(p).__name__ for p in self._profiles))
        self.graph_from_dataset(dataset_dict)
        return write_part(self.g, fmt, label_prefix(dataset_dict))

    def catalogue_part(self, catalog_dict, dataset_dicts, fmt: str, pagination_info) -> str:
        """The catalogue, its dcat:dataset links (or sub-catalogues) and the Hydra paging."""
        self.g = new_graph()
        catalog_ref = self.graph_from_catalog(catalog_dict)
        for dataset_dict in dataset_dicts or []:
            dataset_ref = URIRef(dataset_uri(dataset_dict))
            if not self._add_source_catalog(catalog_ref, dataset_dict, dataset_ref):
                self.g.add((catalog_ref, DCAT.dataset, dataset_ref))
        if pagination_info:
            self._add_pagination_triples(pagination_info)
        return write_part(self.g, fmt, "c")

    def serialize_catalog(self, catalog_dict=None, dataset_dicts=None, _format="xml",
                          pagination_info=None, fragments: FragmentSource = build_all):
        fmt = rdflib_format(_format)
        dataset_dicts = list(dataset_dicts or [])
        head = self.catalogue_part(catalog_dict, dataset_dicts, fmt, pagination_info)
        texts = fragments(dataset_dicts, fmt, lambda d: self.dataset_fragment(d, fmt))
        try:
            return compose(fmt, [head, *texts])
        except CompositionError as e:  # rare: join the graphs instead (not reusable)
            log.warning("RDF catalogue page composed from graphs: %s", e)
            g = Graph()
            for text in (head, *texts):
                g.parse(data=text, format=fmt)
            return serialize(g, fmt)
