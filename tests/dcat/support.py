"""Helpers of the RDF tests: the profile's serializer and parser, SHACL validation against the
DCAT-AP 3.0.1 shapes copied in data/ (offline, no inference), the round-trip comparison."""
from __future__ import annotations

import dataclasses
import functools
import json
from pathlib import Path
from typing import Any, Iterable

from pyshacl import validate
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

from ckan.tests import helpers

from ckanext.internalportal.dcat import terms
from ckanext.internalportal.lib.context import site_context  # noqa: F401 (support.site_context)
from tests import factories as builders

PROFILE = "internalportal_dcat_ap_3"
PROFILES_OPTION = "ckanext.dcat.rdf.profiles"
DATA = Path(__file__).parent / "data"
SH = Namespace("http://www.w3.org/ns/shacl#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
EU = builders.EU


# ------------------------------------------------------------------ SHACL
@dataclasses.dataclass(frozen=True)
class Result:
    severity: str      # Violation, Warning
    focus: str
    path: str
    component: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity} {self.path} on {self.focus} ({self.component}): {self.message}"


@functools.cache
def _shapes(name: str) -> Graph:
    return Graph().parse(DATA / name, format="turtle")


def shacl_results(graph: Graph, shapes: str) -> list[Result]:
    _, report, _ = validate(graph, shacl_graph=_shapes(shapes), inference="none",
                            allow_warnings=True)
    out = []
    for node in report.subjects(SH.resultSeverity, None):
        out.append(Result(
            severity=str(report.value(node, SH.resultSeverity)).rsplit("#", 1)[-1],
            focus=str(report.value(node, SH.focusNode)),
            path=str(report.value(node, SH.resultPath)),
            component=str(report.value(node, SH.sourceConstraintComponent)).rsplit("#", 1)[-1],
            message=str(report.value(node, SH.resultMessage))))
    return sorted(out, key=str)


def violations(graph: Graph) -> list[Result]:
    """Results of the mandatory shapes (every one a violation)."""
    return shacl_results(graph, "dcat-ap-SHACL.ttl")


def warnings(graph: Graph) -> list[Result]:
    """Results of the recommended shapes (every one a warning)."""
    return shacl_results(graph, "shapes_recommended.ttl")


# ------------------------------------------------------------------ profile
def serializer():
    from ckanext.dcat.processors import RDFSerializer
    return RDFSerializer(profiles=[PROFILE])


def dataset_graph(pkg: dict[str, Any]) -> Graph:
    """The profile's graph of one dataset (outside a web request: a trusted reader)."""
    s = serializer()
    s.graph_from_dataset(pkg)
    return s.g


def parse(data: str, fmt: str = "ttl") -> list[dict[str, Any]]:
    from ckanext.dcat.processors import RDFParser
    parser = RDFParser(profiles=[PROFILE])
    parser.parse(data, _format=fmt)
    return list(parser.datasets())


def graph(body: str | bytes, fmt: str = "turtle") -> Graph:
    return Graph().parse(data=body, format=fmt)


def dataset_identifiers(g: Graph) -> list[str]:
    """dct:identifier of every dcat:Dataset of a graph (with repeats, to catch duplicates)."""
    return [str(g.value(ds, DCT.identifier)) for ds in g.subjects(RDF.type, DCAT.Dataset)]


def dataset_refs(g: Graph) -> list[URIRef]:
    return list(g.subjects(RDF.type, DCAT.Dataset))


# ------------------------------------------------------------------ datasets
# the suite's builders (tests/factories.py), under the names the dcat tests use
well_filled = builders.well_filled
create_dataset = builders.create_dataset


def ids(pkgs: Iterable[dict[str, Any]]) -> set[str]:
    return {p["id"] for p in pkgs}


# ------------------------------------------------------------------ round trip
# Values the profile writes when a field is empty (README.md): they come back from the RDF.
PROFILE_DEFAULTS = {
    "identifier": lambda pkg: pkg["id"],
    "issued": lambda pkg: pkg["metadata_created"],
    "modified": lambda pkg: pkg["metadata_modified"],
}
RESOURCE_PROFILE_DEFAULTS = {
    "availability": lambda res: f"{EU}/planned-availability/AVAILABLE",
    # a checksum without algorithm: the algorithm its length designates (sha256 for 64 digits)
    "hash_algorithm": lambda res: (terms.checksum(res.get("hash"), None) or (None, None))[1],
}


def _normalised(value: Any) -> Any:
    """Empty is empty; RDF has no order: lists compared as sorted; subfields without their
    empty values."""
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if v not in (None, "", [])}
        return value or None
    if isinstance(value, (list, tuple)):
        items = [_normalised(v) for v in value]
        items = [v for v in items if v is not None]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True)) or None
    if value in (None, ""):
        return None
    return value


def _expected(data: dict[str, Any], name: str, defaults: dict[str, Any]) -> Any:
    value = data.get(name)
    if _normalised(value) is None and name in defaults:
        return defaults[name](data)
    return value


def round_trip_problems(pkg: dict[str, Any]) -> list[str]:
    """Every field of the active schema (read from scheming) that does not come back from
    the profile's RDF with the value package_show gave."""
    schema = helpers.call_action("scheming_dataset_schema_show", type="dataset")
    parsed = parse(dataset_graph(pkg).serialize(format="turtle"))
    assert len(parsed) == 1, parsed
    back = parsed[0]
    problems = []
    for field in schema["dataset_fields"]:
        name = field["field_name"]
        if name == "tag_string":
            want: Any = [t["name"] for t in pkg.get("tags") or []]
            got: Any = [t["name"] for t in back.get("tags") or []]
        else:
            want, got = _expected(pkg, name, PROFILE_DEFAULTS), back.get(name)
        if _normalised(want) != _normalised(got):
            problems.append(f"{pkg['name']}: {name}: {want!r} came back as {got!r}")
    back_resources = {r.get("uri", "").rsplit("/", 1)[-1]: r for r in back["resources"]}
    for res in pkg.get("resources") or []:
        other = back_resources.get(res["id"], {})
        for field in schema["resource_fields"]:
            name = field["field_name"]
            want = _expected(res, name, RESOURCE_PROFILE_DEFAULTS)
            got = other.get(name)
            if _normalised(want) != _normalised(got):
                problems.append(f"{pkg['name']}, resource {res['name']}: {name}: {want!r} "
                                f"came back as {got!r}")
    return problems


def assert_round_trip(pkg: dict[str, Any]) -> None:
    problems = round_trip_problems(pkg)
    assert not problems, "\n".join(problems)
