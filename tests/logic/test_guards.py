"""logic/guards.py: the shapes a request may take (pure, no CKAN app)."""
from __future__ import annotations

import pytest

from ckanext.internalportal.logic import guards

TEXT = {"field_name": "source_application"}
NOTES = {"field_name": "notes", "form_snippet": "markdown.html"}
THEME = {"field_name": "theme", "preset": "internalportal_multiple_select"}
TAGS = {"field_name": "tag_string", "preset": "tag_string_autocomplete"}
SIZE = {"field_name": "size", "validators": "ignore_missing int_validator"}
CONTACT = {"field_name": "contact", "repeating_subfields": [
    {"field_name": "name"}, {"field_name": "email", "preset": "internalportal_email"}]}
DATASET_FIELDS = [TEXT, NOTES, THEME, TAGS, CONTACT]
RESOURCE_FIELDS = [{"field_name": "url"}, {"field_name": "name"}, SIZE]


def message(problem):
    return problem[0] if problem else None


def first_problem(error):
    """The first problem of a field's errors (one dict per item for a list of objects)."""
    while not isinstance(error, tuple):
        error = next(iter(error.values())) if isinstance(error, dict) else next(
            e for e in error if e)
    return error


@pytest.mark.parametrize("value", ["Chorus", "", None, "ligne 1\nligne 2\tfin\r\n",
                                   "é" * guards.MAX_TEXT])
def test_clean_texts_pass(value):
    assert guards.text_problem(value) is None


@pytest.mark.parametrize("value", [12345, 3.14, True, ["a"], {"a": "b"}])
def test_a_number_boolean_list_or_object_is_not_a_text(value):
    assert message(guards.text_problem(value)) == guards.EXPECTED_TEXT


@pytest.mark.parametrize("value", ["a\x00b", "bip\x07", "demi\ud800", "\x1b[31m", "\uffff"])
def test_nul_control_characters_and_lone_surrogates_are_forbidden(value):
    assert message(guards.text_problem(value)) == guards.FORBIDDEN_CHARACTER


def test_a_text_over_the_limit_says_the_limit():
    assert guards.text_problem("x" * (guards.MAX_TEXT + 1)) == (
        guards.TOO_LONG, {"max": guards.MAX_TEXT})
    assert guards.text_problem("x" * (guards.MAX_TEXT + 1), guards.MAX_LONG_TEXT) is None


@pytest.mark.parametrize("value,ok", [
    (0, True), ("42", True), (" 7 ", True), (2.0, True), ("", True), (None, True),
    (guards.MAX_BIGINT, True), (guards.MAX_BIGINT + 1, False), (-1, False), (1.5, False),
    (True, False), ("banane", False), ("1\x00", False), ([1], False), ({"a": 1}, False),
    ("9" * 5000, False)])
def test_whole_numbers_between_zero_and_bigint(value, ok):
    assert (guards.integer_problem(value) is None) is ok


@pytest.mark.parametrize("value,ok", [
    (True, True), (False, True), ("true", True), ("False", True), ("1", True), ("0", True),
    (None, True), ("banana", False), (5, False), ([True], False), ({"a": 1}, False)])
def test_booleans_are_booleans_or_the_words_ckan_reads(value, ok):
    assert (guards.boolean_problem(value) is None) is ok


def test_field_kinds_come_from_the_scheming_field():
    assert [guards.field_kind(f) for f in (TEXT, NOTES, THEME, TAGS, CONTACT, SIZE)] == [
        "text", "long_text", "list", "list", "repeating", "int"]


def test_a_well_shaped_dataset_has_no_errors():
    data = {"title": "Accidents", "notes": "x" * 20_000, "theme": ["http://…/TRAN"],
            "tag_string": "a,b", "contact": [{"name": "ONISR", "email": "a@b.fr"}],
            "source_application": "SIV", "private": False, "state": "active",
            "tags": [{"name": "routes", "vocabulary_id": None}],
            "extras": [{"key": "k", "value": "v"}], "num_resources": 1,
            "organization": {"name": "org", "is_organization": True},
            "resources": [{"url": "https://x/a.csv", "size": 12, "position": 0}]}
    assert guards.dataset_errors(DATASET_FIELDS, RESOURCE_FIELDS, data) == {}


@pytest.mark.parametrize("key,value,expected", [
    ("source_application", ["SIV"], guards.EXPECTED_TEXT),
    ("notes", "a\x00b", guards.FORBIDDEN_CHARACTER),
    ("theme", ["ok", 5], guards.EXPECTED_LIST),
    ("tag_string", 5, guards.EXPECTED_LIST),
    ("contact", "texte", guards.EXPECTED_OBJECTS),
    ("contact", [{"name": {"x": 1}}], guards.EXPECTED_TEXT),
    ("resources", "pas une liste", guards.EXPECTED_OBJECTS),
    ("resources", [{"url": "https://x", "size": 10 ** 30}], guards.EXPECTED_INTEGER),
    ("tags", [{"name": {"x": 1}}], guards.EXPECTED_TEXT),
    ("extras", [{"key": 1, "value": "v"}], guards.EXPECTED_TEXT),
    ("groups", [5], guards.EXPECTED_OBJECTS),
    ("private", "banane", guards.EXPECTED_BOOLEAN),
    ("state", "banane", guards.UNKNOWN_STATE),
    ("id", {"a": 1}, guards.EXPECTED_TEXT),
])
def test_a_value_of_the_wrong_shape_is_an_error_on_its_field(key, value, expected):
    errors = guards.dataset_errors(DATASET_FIELDS, RESOURCE_FIELDS, {"title": "x", key: value})
    assert list(errors) == [key]
    assert first_problem(errors[key])[0] == expected


def test_errors_of_a_list_of_objects_are_one_dict_per_item_as_ckan_gives_them():
    resources = [{"url": "https://x/a.csv"}, {"url": "https://x/b.csv", "size": "grand"}]
    errors = guards.dataset_errors(DATASET_FIELDS, RESOURCE_FIELDS, {"resources": resources})
    assert errors == {"resources": [{}, {"size": [
        (guards.EXPECTED_INTEGER, {"min": 0, "max": guards.MAX_BIGINT})]}]}
    assert guards.messages(errors, str)["resources"][1]["size"] == [
        f"Expected a whole number between 0 and {guards.MAX_BIGINT}."]


def test_keys_no_schema_describes_are_left_to_ckan():
    assert guards.dataset_errors([], [], {"num_tags": 3, "relationships_as_object": [],
                                          "quality_score": 87.5}) == {}


def test_a_resource_write_names_the_wrong_key():
    errors = guards.resource_errors(RESOURCE_FIELDS, {"package_id": ["x"], "url": "a\x00",
                                                      "name": "ok", "size": "12"})
    assert {k: v[0][0] for k, v in errors.items()} == {
        "package_id": guards.EXPECTED_TEXT, "url": guards.FORBIDDEN_CHARACTER}


def test_messages_are_translated_and_tags_take_ckan_s_shape():
    errors = {"title": [(guards.TOO_LONG, {"max": 10})], "tags": [(guards.EXPECTED_TEXT, {})]}
    out = guards.messages(errors, {guards.TOO_LONG: "Trop long : {max} au plus.",
                                   guards.EXPECTED_TEXT: "Texte attendu."}.get)
    assert out == {"title": ["Trop long : 10 au plus."], "tags": [{"name": ["Texte attendu."]}]}


@pytest.mark.parametrize("fmt,ok", [("ttl", True), ("rdf", True), ("jsonld", True),
                                    ("xyz", False), ("TTL", False), ("ttl\x00", False),
                                    ("html", False)])
def test_rdf_formats_are_those_dcat_serves(fmt, ok):
    problem = guards.rdf_format_problem(fmt, ["rdf", "xml", "n3", "ttl", "jsonld"])
    assert (problem is None) is ok
    if problem:
        assert problem[1]["formats"] == "jsonld, n3, rdf, ttl, xml"
        assert "\x00" not in problem[1]["value"]


def test_solr_refusing_the_query_is_the_caller_s_error_not_the_server_s():
    assert guards.is_solr_client_error(
        "SOLR returned an error running query: {...} Error: SolrError('Solr responded with an "
        "error (HTTP 400): [Reason: org.apache.solr.search.SyntaxError: Cannot parse]')")
    assert not guards.is_solr_client_error("Failed to connect to server (HTTP 503)")


def test_python_objects_no_request_can_carry_are_left_to_ckan():
    class Row(tuple):  # CKAN's bulk_update_* passes package_patch a database row as the id
        pass
    assert guards.dataset_errors([], [], {"id": Row(("abc",))}) == {}
    assert guards.text_problem(object()) is None
