"""A small Turtle writer for one catalogue fragment (``composition.py``).

rdflib's Turtle serializer pays, for every graph it writes, a preprocessing pass over all
the triples, a qname computed for every term through the namespace manager, the counting
of references to inline blank nodes, and several sorts; for one dataset's fragment of ~60
triples that cost is most of the fragment's cost, and a page has 100 of them. This writer
does one pass: subjects in the order ``composition.blank_labels`` gives (named subjects
sorted, then blank nodes as they are reached), each with its predicates (``a`` first, then
sorted) and its objects sorted, blank nodes written with their stable labels
(``_:d…b0``), prefixed names only where the local part is a plain name, every term
otherwise written by rdflib itself (``URIRef.n3``, ``Literal._literal_n3``: escapes, long
strings, language tags, datatypes). The output is plain Turtle 1.1 (N3 reads it too), the
same text for the same graph whatever came before, and the same triples as rdflib's.
"""
from __future__ import annotations

import re
from typing import Iterable, Optional

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF

_PREFIX_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
_LOCAL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_SPLIT_AT = "#/:"
_CACHE_LIMIT = 50_000


class Prefixes:
    """The prefixed names of one set of namespace bindings, remembered between fragments."""

    def __init__(self, namespaces: Iterable[tuple[str, URIRef]]):
        self.prefix_of: dict[str, str] = {}
        for prefix, namespace in sorted(namespaces, key=lambda b: (b[0], str(b[1]))):
            if _PREFIX_NAME.match(prefix or ""):
                self.prefix_of.setdefault(str(namespace), prefix)
        self.namespace_of = {p: ns for ns, p in self.prefix_of.items()}
        self._names: dict[str, Optional[tuple[str, str]]] = {}

    def split(self, uri: str) -> Optional[tuple[str, str]]:
        """(prefix, local name) for the longest bound namespace of ``uri``, or None."""
        try:
            return self._names[uri]
        except KeyError:
            pass
        found = None
        for i in range(len(uri) - 1, -1, -1):
            if uri[i] in _SPLIT_AT:
                prefix = self.prefix_of.get(uri[:i + 1])
                if prefix is not None:
                    local = uri[i + 1:]
                    if _LOCAL_NAME.match(local):
                        found = (prefix, local)
                    break
        if len(self._names) > _CACHE_LIMIT:
            self._names.clear()
        self._names[uri] = found
        return found


def write(graph: Graph, subjects: list, labels: dict[BNode, str], prefixes: Prefixes) -> str:
    """``graph`` in Turtle: ``subjects`` in that order, blank nodes named by ``labels``."""
    used: set[str] = set()

    def uri(node: URIRef) -> str:
        parts = prefixes.split(node)
        if parts is None:
            return node.n3()
        used.add(parts[0])
        return f"{parts[0]}:{parts[1]}"

    def datatype(node: URIRef) -> Optional[str]:
        parts = prefixes.split(node)
        if parts is None:
            return None
        used.add(parts[0])
        return f"{parts[0]}:{parts[1]}"

    def term(node) -> str:
        if isinstance(node, BNode):
            return "_:" + labels[node]
        if isinstance(node, Literal):
            return node._literal_n3(use_plain=True, qname_callback=datatype)
        return uri(node)

    blocks = []
    for subject in subjects:
        by_predicate: dict = {}
        for predicate, obj in graph.predicate_objects(subject):
            by_predicate.setdefault(predicate, set()).add(term(obj))
        if not by_predicate:
            continue
        lines = []
        for predicate in sorted(by_predicate, key=lambda p: (p != RDF.type, str(p))):
            verb = "a" if predicate == RDF.type else uri(predicate)
            objects = sorted(by_predicate[predicate])
            lines.append(f"{verb} " + ",\n        ".join(objects))
        blocks.append(term(subject) + " " + " ;\n    ".join(lines) + " .\n")
    if not blocks:
        return ""
    header = "".join(f"@prefix {p}: <{prefixes.namespace_of[p]}> .\n" for p in sorted(used))
    return header + "\n" + "\n".join(blocks) + "\n"
