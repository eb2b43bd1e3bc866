"""Hostile input never answers HTTP 500, and nothing is stored.

A generated set of requests, sent through HTTP as a script or a browser would: every field of the
portal's scheming schema (dataset fields, repeating subfields, resource fields) × a list of odd
values through ``package_create``, ``package_update``, ``package_patch`` and
``resource_create`` (as a sysadmin with an API token); CKAN's core shapes (``tags``, ``extras``,
``resources``, ``groups``, ids); the search parameters of ``package_search`` and of the
``/dataset/`` page; the RDF routes of ckanext-dcat. Each answer must be below 500, a refused write
must say which field is wrong (HTTP 409, ``success: false``) and leave the dataset as it was (read
back identical, no new dataset).

The generator (``write_cases``, ``search_cases``, ``page_cases``, ``rdf_cases``, ``send``) is
also what measures plain CKAN on the same requests (see the module's README note in the report).
"""
from __future__ import annotations

import dataclasses
import json
from typing import Any, Iterator, Optional

import pytest

from ckan import model
from ckan.tests import factories, helpers

from ckanext.internalportal import settings
from ckanext.internalportal.logic import guards
from tests.factories import create_dataset, well_filled

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")]

LONG = "é" * 200_000   # beyond any text limit, and beyond Solr's 32 766-byte term for strings
HUGE = 10 ** 30        # beyond PostgreSQL's bigint

# odd values where one text (or one id) is expected
TEXT_ODD: dict[str, Any] = {
    "nul": "Titre\x00avec NUL",
    "control": "bip\x07bip",
    "surrogate": "demi\ud800caractère",
    "int": 12345,
    "float": 3.14,
    "bool": True,
    "list": ["a", "b"],
    "dict": {"a": "b"},
    "long": LONG,
}
# odd values where a list of texts is expected (a list of strings is a valid shape there)
LIST_ODD: dict[str, Any] = {
    **{k: v for k, v in TEXT_ODD.items() if k != "list"},
    "list_with_int": ["ok", 5],
    "list_with_nul": ["ok", "a\x00b"],
    "list_of_dicts": [{"a": "b"}],
    "nested_list": [["a"]],
}
# odd values where a list of objects (repeating subfields) is expected
REPEATING_ODD: dict[str, Any] = {
    "text": "texte",
    "nul": "a\x00b",
    "int": 5,
    "bool": False,
    "dict": {"name": "x"},
    "list_of_ints": [5],
    "list_of_texts": ["texte"],
    "list_of_lists": [["a"]],
}
# odd values where a whole number is expected
INT_ODD: dict[str, Any] = {
    "nul": "1\x00",
    "text": "banane",
    "float": 1.5,
    "bool": True,
    "negative": -1,
    "huge": HUGE,
    "list": [1],
    "dict": {"a": 1},
    "long": "9" * 5000,
}
# by the kind of a schema field (logic/guards.py's field_kind): a Markdown description takes
# the same odd values as any text
ODD_BY_KIND = {"text": TEXT_ODD, "long_text": TEXT_ODD, "list": LIST_ODD,
               "repeating": REPEATING_ODD, "int": INT_ODD}


# ------------------------------------------------------------------ requests
@dataclasses.dataclass
class Case:
    label: str
    method: str                        # GET, POST
    path: str
    params: Optional[dict] = None      # query string (GET)
    payload: Any = None                # JSON body (POST)
    raw: Optional[bytes] = None        # raw JSON body (invalid UTF-8)
    write: bool = False                # must be refused (409/400/404) and store nothing
    field: Optional[str] = None        # the top-level key the error must name (HTTP 409)


@dataclasses.dataclass
class Answer:
    case: Case
    status: int
    body: str


def send(app, case: Case, token: Optional[str] = None) -> Answer:
    """One request through the test app; an exception the app lets through counts as a 500."""
    headers = {"Authorization": token} if token and case.write else {}
    try:
        if case.method == "GET":
            res = app.get(case.path, query_string=case.params or {}, headers=headers,
                          status=None)
        elif case.raw is not None:
            res = app.post(case.path, data=case.raw, headers={
                **headers, "Content-Type": "application/json"}, status=None)
        else:
            res = app.post(case.path, json=case.payload, headers=headers, status=None)
        return Answer(case, res.status_code, res.get_data(as_text=True)[:300])
    except Exception as error:  # noqa: BLE001 — what a server would turn into a 500
        model.Session.rollback()
        return Answer(case, 500, f"{type(error).__name__}: {str(error)[:200]}")


def _api(action: str) -> str:
    return f"/api/3/action/{action}"


def schema_fields() -> tuple[list[dict], list[dict]]:
    """The dataset and resource fields of the active scheming schema (presets expanded)."""
    from ckanext.scheming.helpers import scheming_get_dataset_schema
    schema = scheming_get_dataset_schema("dataset")
    assert schema, "the portal's scheming schema is not loaded"
    return schema["dataset_fields"], schema["resource_fields"]


def _odd_values(field: dict) -> Iterator[tuple[str, Any]]:
    yield from ODD_BY_KIND[guards.field_kind(field)].items()


def write_cases(dataset: dict, org_id: str) -> Iterator[Case]:
    """Every schema field × its odd values, through the four write actions."""
    dataset_fields, resource_fields = schema_fields()
    resource = dataset["resources"][0]
    n = 0

    def new_name() -> str:
        nonlocal n
        n += 1
        return f"jeu-hostile-{n}"

    def base_create(**extra: Any) -> dict:
        return {"name": new_name(), "title": "Jeu hostile", "owner_org": org_id,
                "access_level": "internal", "personal_data": "none", **extra}

    def update_with(key: str, value: Any) -> dict:
        return {**dataset, key: value}

    for field in dataset_fields:
        name = field["field_name"]
        for label, value in _odd_values(field):
            tag = f"{name}={label}"
            yield Case(f"package_create {tag}", "POST", _api("package_create"),
                       payload=base_create(**{name: value}), write=True, field=name)
            yield Case(f"package_update {tag}", "POST", _api("package_update"),
                       payload=update_with(name, value), write=True, field=name)
            yield Case(f"package_patch {tag}", "POST", _api("package_patch"),
                       payload={"id": dataset["id"], name: value}, write=True, field=name)
        for sub in field.get("repeating_subfields", []):
            for label, value in _odd_values(sub):
                tag = f"{name}.{sub['field_name']}={label}"
                item = {**(dataset.get(name) or [{}])[0], sub["field_name"]: value}
                yield Case(f"package_create {tag}", "POST", _api("package_create"),
                           payload=base_create(**{name: [item]}), write=True, field=name)
                yield Case(f"package_update {tag}", "POST", _api("package_update"),
                           payload=update_with(name, [item]), write=True, field=name)
                yield Case(f"package_patch {tag}", "POST", _api("package_patch"),
                           payload={"id": dataset["id"], name: [item]}, write=True,
                           field=name)
    for field in resource_fields:
        name = field["field_name"]
        for label, value in _odd_values(field):
            tag = f"resources.{name}={label}"
            item = {**resource, name: value}
            new = {"url": "https://example.org/donnees.csv", "format": "CSV", name: value}
            yield Case(f"package_create {tag}", "POST", _api("package_create"),
                       payload=base_create(resources=[new]), write=True, field="resources")
            yield Case(f"package_update {tag}", "POST", _api("package_update"),
                       payload=update_with("resources", [item]), write=True,
                       field="resources")
            yield Case(f"package_patch {tag}", "POST", _api("package_patch"),
                       payload={"id": dataset["id"], "resources": [item]}, write=True,
                       field="resources")
            yield Case(f"resource_create {tag}", "POST", _api("resource_create"),
                       payload={"package_id": dataset["id"], **new}, write=True, field=name)


# CKAN's own keys and shapes (not in the scheming schema)
CORE_ODD: dict[str, dict[str, Any]] = {
    "resources": {"text": "pas une liste", "dict": {"url": "x"}, "int": 5,
                  "list_of_texts": ["x"], "list_of_ints": [1], "list_of_lists": [["x"]]},
    "tags": {"text": "a,b", "dict": {"name": "x"}, "int": 5, "list_of_texts": ["x"],
             "list_of_ints": [1], "name_dict": [{"name": {"x": 1}}],
             "name_nul": [{"name": "a\x00b"}], "name_list": [{"name": ["x"]}]},
    "extras": {"text": "x", "dict": {"key": "k", "value": "v"}, "int": 5,
               "list_of_texts": ["x"], "key_int": [{"key": 1, "value": "v"}],
               "value_dict": [{"key": "k", "value": {"a": 1}}],
               "value_nul": [{"key": "k", "value": "a\x00b"}],
               "key_nul": [{"key": "a\x00b", "value": "v"}]},
    "groups": {"text": "x", "int": 5, "list_of_ints": [1], "name_dict": [{"name": {"x": 1}}],
               "name_nul": [{"name": "a\x00"}]},
    "private": {"text": "banane", "list": [True], "dict": {"a": 1}},
    "state": {"text": "banane", "int": 5, "list": ["active"], "nul": "act\x00ive"},
    "type": {"int": 5, "list": ["dataset"], "nul": "data\x00set", "dict": {"a": 1}},
    "id": {"int": 5, "list": ["x"], "dict": {"a": 1}, "nul": "a\x00b", "long": LONG},
}


def core_cases(dataset: dict, org_id: str) -> Iterator[Case]:
    for key, values in CORE_ODD.items():
        for label, value in values.items():
            tag = f"{key}={label}"
            if key != "id":
                yield Case(f"package_create {tag}", "POST", _api("package_create"), payload={
                    "name": f"jeu-hostile-{key}-{label}".replace("_", "-"),
                    "title": "Jeu hostile", "owner_org": org_id, "access_level": "internal",
                    key: value}, write=True, field=key)
            yield Case(f"package_update {tag}", "POST", _api("package_update"),
                       payload={**dataset, key: value}, write=True, field=key)
            yield Case(f"package_patch {tag}", "POST", _api("package_patch"),
                       payload={"id": dataset["id"], key: value} if key != "id"
                       else {"id": value, "title": "x"}, write=True, field=key)
    for label, value in TEXT_ODD.items():
        yield Case(f"resource_create package_id={label}", "POST", _api("resource_create"),
                   payload={"package_id": value, "url": "https://example.org/x.csv"},
                   write=True, field="package_id")
        yield Case(f"package_create owner_org={label} (core)", "POST", _api("package_create"),
                   payload={"name": f"jeu-hostile-org-{label}", "title": "x",
                            "owner_org": value}, write=True, field="owner_org")
    for label, value in {"list": [1], "text": "x", "int": 5, "nul": "a\x00"}.items():
        yield Case(f"package_create whole body={label}", "POST", _api("package_create"),
                   payload=value, write=True)
    # invalid UTF-8 in a JSON body
    for name in ("title", "notes"):
        yield Case(f"package_patch {name}=invalid utf-8", "POST", _api("package_patch"),
                   raw=b'{"id": "%s", "%s": "caf\xe9 \xff"}' % (dataset["id"].encode(),
                                                              name.encode()),
                   write=True)


SEARCH_ODD: dict[str, dict[str, Any]] = {
    "q": {"nul": "a\x00b", "bracket": "[[", "colon": "title:", "braces": "{!join from=id to=id}",
          "long": LONG[:20_000], "int": 5, "list": ["a"], "dict": {"a": 1}},
    "fq": {"nul": "a\x00b", "bracket": "title:[[", "paren": "((((", "int": 5, "list": ["a"],
           "dict": {"a": 1}, "local_params": "{!frange l=1}x"},
    "sort": {"nul": "a\x00", "unknown_field": "banane desc", "bad_order": "title_string sideways",
             "int": 5, "list": ["a"], "dict": {"a": 1}, "commas": ",,,"},
    "rows": {"text": "banane", "negative": -1, "huge": HUGE, "float": 1.5, "list": [1],
             "dict": {"a": 1}, "bool": True, "nul": "1\x00"},
    "start": {"text": "banane", "negative": -1, "huge": HUGE, "float": 1.5, "list": [1],
              "dict": {"a": 1}, "nul": "1\x00"},
    "include_private": {"text": "banana", "list": [True], "dict": {"a": 1}, "int": 5},
    "include_drafts": {"text": "banana", "list": [True], "dict": {"a": 1}},
    "include_deleted": {"text": "banana", "list": [True]},
    "facet": {"text": "banana", "list": [True]},
    "facet.field": {"text": "pas-une-liste", "list_of_ints": [1], "dict": {"a": 1},
                    "list_with_nul": ["a\x00"], "int": 5},
    "facet.limit": {"text": "banane", "negative": -5, "huge": HUGE, "list": [1]},
    "facet.mincount": {"text": "banane", "huge": HUGE, "list": [1]},
    "fl": {"nul": "a\x00", "int": 5, "list": [1], "dict": {"a": 1}, "unknown": "banane"},
    "defType": {"text": "banane", "int": 5},
    "use_default_schema": {"text": "banana", "list": [1]},
}


def search_cases() -> Iterator[Case]:
    """package_search through the API: GET (query string) and POST (typed JSON)."""
    for key, values in SEARCH_ODD.items():
        for label, value in values.items():
            tag = f"{key}={label}"
            yield Case(f"package_search POST {tag}", "POST", _api("package_search"),
                       payload={key: value}, field=key)
            if isinstance(value, (str, int, float)):
                yield Case(f"package_search GET {tag}", "GET", _api("package_search"),
                           params={key: str(value)}, field=key)


PAGE_ODD: dict[str, dict[str, str]] = {
    "q": {"nul": "a\x00b", "bracket": "[[", "long": LONG[:20_000], "braces": "{!join}"},
    "sort": {"nul": "a\x00", "unknown": "banane desc", "bad_order": "title_string sideways"},
    "page": {"text": "banane", "negative": "-1", "zero": "0", "huge": str(HUGE),
             "float": "1.5", "nul": "1\x00"},
    "ext_bbox": {"text": "banane"},
    "tags": {"nul": "a\x00"},
    "organization": {"nul": "a\x00", "long": LONG[:20_000]},
    "res_format": {"nul": "a\x00"},
    "license_id": {"nul": "a\x00"},
    "theme": {"nul": "a\x00", "braces": "{!join}"},
}


def page_cases() -> Iterator[Case]:
    """The search page /dataset/ (a browser's query string)."""
    for key, values in PAGE_ODD.items():
        for label, value in values.items():
            yield Case(f"/dataset/ {key}={label}", "GET", "/dataset/", params={key: value})


def rdf_cases(dataset: dict) -> Iterator[Case]:
    """ckanext-dcat's catalogue and dataset routes."""
    for ext in ("xyz", "html", "json", "csv", "ttl%00", "TTL"):
        yield Case(f"/catalog.{ext}", "GET", f"/catalog.{ext}")
        yield Case(f"/dataset/<id>.{ext}", "GET", f"/dataset/{dataset['id']}.{ext}")
    for key, values in {
            "page": {"text": "banane", "negative": "-1", "zero": "0", "huge": str(HUGE),
                     "float": "1.5", "nul": "1\x00"},
            "modified_since": {"text": "banane", "nul": "2024\x00", "huge": "99999-01-01"},
            "q": {"nul": "a\x00", "bracket": "[["},
            "fq": {"nul": "a\x00", "paren": "(((("},
            "profiles": {"unknown": "banane", "empty": ",", "nul": "a\x00"}}.items():
        for label, value in values.items():
            yield Case(f"/catalog.ttl {key}={label}", "GET", "/catalog.ttl",
                       params={key: value})
    for label, value in {"unknown": "banane", "empty": ",", "nul": "a\x00"}.items():
        yield Case(f"/dataset/<id>.ttl profiles={label}", "GET",
                   f"/dataset/{dataset['id']}.ttl", params={"profiles": value})
    yield Case("/dataset/<unknown>.ttl", "GET", "/dataset/aucun-jeu-de-ce-nom.ttl")
    yield Case("/dataset/<nul>.ttl", "GET", "/dataset/a%00b.ttl")


# ------------------------------------------------------------------ checks
def _names_field(answer: Answer) -> bool:
    """A refused write says which field is wrong (CKAN's ValidationError shape)."""
    try:
        body = json.loads(answer.body) if answer.body.startswith("{") else None
    except ValueError:
        body = None
    if body is None:  # truncated body: check the key appears in the error
        return f'"{answer.case.field}"' in answer.body
    error = body.get("error") or {}
    return body.get("success") is False and answer.case.field in error


def problems(app, cases: list[Case], token: str, dataset_id: Optional[str]) -> tuple[
        list[str], int]:
    """Every case sent; what went wrong (5xx, an odd value accepted, a stored change, a refusal
    that does not name the field), and how many answers were 5xx."""
    def snapshot() -> Any:
        if dataset_id is None:
            return None
        return helpers.call_action("package_show", id=dataset_id)

    def count() -> int:
        return model.Session.query(model.Package).count()

    before, datasets = snapshot(), count()
    found, fives = [], 0
    for case in cases:
        answer = send(app, case, token)
        model.Session.remove()
        if answer.status >= 500:
            fives += 1
            found.append(f"{answer.status} {case.label}: {answer.body[:160]}")
            continue
        if not case.write:
            continue
        if answer.status < 400:
            found.append(f"accepted {case.label} ({answer.status})")
        elif answer.status == 409 and case.field and not _names_field(answer):
            found.append(f"409 not naming {case.field}: {case.label}: {answer.body[:160]}")
        after, now = snapshot(), count()
        if after != before:
            found.append(f"stored change {case.label}")
            before = after
        if now != datasets:
            found.append(f"new dataset {case.label}")
            datasets = now
    return found, fives


@pytest.fixture
def portal():
    """One sysadmin token, one organisation, one well-filled public dataset with a resource."""
    sysadmin = factories.SysadminWithToken()
    org = factories.Organization()
    dataset = create_dataset(org, **well_filled(
        access_level="public",
        conforms_to=["https://schema.data.gouv.fr/etalab/schema-irve"]))
    dataset = helpers.call_action("package_show", id=dataset["id"])
    return {"token": sysadmin["token"], "org": org, "dataset": dataset}


def _assert_none(found: list[str], sent: int) -> None:
    assert not found, f"{len(found)} problems in {sent} requests:\n" + "\n".join(found[:80])


# ------------------------------------------------------------------ tests
def test_every_schema_field_with_an_odd_value_is_refused_by_the_write_api(app, portal):
    cases = list(write_cases(portal["dataset"], portal["org"]["id"]))
    found, _ = problems(app, cases, portal["token"], portal["dataset"]["id"])
    _assert_none(found, len(cases))


def test_core_keys_of_the_wrong_shape_are_refused_by_the_write_api(app, portal):
    cases = list(core_cases(portal["dataset"], portal["org"]["id"]))
    found, _ = problems(app, cases, portal["token"], portal["dataset"]["id"])
    _assert_none(found, len(cases))


def test_odd_search_parameters_never_answer_5xx(app, portal):
    cases = list(search_cases()) + list(page_cases())
    found, _ = problems(app, cases, portal["token"], None)
    _assert_none(found, len(cases))


def test_odd_rdf_routes_never_answer_5xx(app, portal):
    cases = list(rdf_cases(portal["dataset"]))
    found, _ = problems(app, cases, portal["token"], None)
    _assert_none(found, len(cases))


def test_the_dataset_still_reads_and_serialises_after_the_hostile_requests(app, portal):
    dataset = portal["dataset"]
    problems(app, list(core_cases(dataset, portal["org"]["id"]))[:40], portal["token"],
             dataset["id"])
    assert app.get(f"/dataset/{dataset['name']}").status_code == 200
    ttl = app.get(f"/dataset/{dataset['id']}.ttl")
    assert ttl.status_code == 200 and dataset["title"] in ttl.get_data(as_text=True)


def test_a_nul_byte_in_the_title_is_a_french_validation_error_naming_it(app, portal):
    res = app.post(_api("package_patch"), json={"id": portal["dataset"]["id"],
                                                "title": "Titre\x00"},
                   headers={"Authorization": portal["token"]}, status=409)
    body = res.get_json()
    assert body["success"] is False
    assert body["error"]["title"] == [
        "Caractère interdit (octet nul, caractère de contrôle ou Unicode invalide) : "
        "supprimez-le."]
    assert helpers.call_action("package_show", id=portal["dataset"]["id"]) == portal["dataset"]


def test_a_list_of_resources_that_is_not_a_list_is_refused_in_french(app, portal):
    res = app.post(_api("package_patch"), json={"id": portal["dataset"]["id"],
                                                "resources": "pas une liste"},
                   headers={"Authorization": portal["token"]}, status=409)
    assert res.get_json()["error"]["resources"] == [
        "Une liste d'objets est attendue, un par élément, avec des champs nommés."]


def test_an_unknown_rdf_extension_is_a_404_listing_the_formats(app, portal):
    res = app.get("/catalog.xyz", status=404)
    assert "Format RDF inconnu : xyz. Formats disponibles : jsonld, n3, rdf, ttl, xml." in (
        res.get_data(as_text=True))


def test_include_private_banana_is_a_validation_error_naming_it(app, portal):
    res = app.get(_api("package_search"), query_string={"include_private": "banana"},
                  status=409)
    assert res.get_json()["error"]["include_private"] == [
        "Vrai ou faux (true ou false) est attendu."]
