"""The suite's one rule for empty values, e-mail addresses, JSON lists and media types."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk

from ckanext.internalportal.lib.values import (decoded, email_address, is_email, is_empty,
                                               json_list, media_type)


@pytest.mark.parametrize("value", [None, tk.missing, "", "   ", [], {}, [{"uri": "", "text": None}],
                                   ("", " ")])
def test_empty_values(value):
    assert is_empty(value)


@pytest.mark.parametrize("value", [0, False, "x", [{"uri": "", "text": "France"}], {"a": 1}])
def test_values_that_are_not_empty(value):
    assert not is_empty(value)


@pytest.mark.parametrize("value, address", [
    ("onisr@interieur.gouv.fr", "onisr@interieur.gouv.fr"),
    ("  onisr@interieur.gouv.fr ", "onisr@interieur.gouv.fr"),
    ("mailto:dpd@sante.gouv.fr", "dpd@sante.gouv.fr"),      # pasted from a web page
    ("MAILTO:dpd@sante.gouv.fr", "dpd@sante.gouv.fr"),
])
def test_an_email_address_is_read_bare(value, address):
    assert email_address(value) == address and is_email(value)


@pytest.mark.parametrize("value", ["onisr", "onisr@interieur", "a b@c.fr", "mailto:", "", None,
                                   42, ["a@b.fr"], "http://a@b.fr"])
def test_what_is_not_an_email_address(value):
    assert email_address(value) is None and not is_email(value)


@pytest.mark.parametrize("given, expected", [
    (["a", "b"], ["a", "b"]), (("a",), ["a"]), ('["a", "b"]', ["a", "b"]), (" a ", ["a"]),
    ("", []), ("[not json", ["[not json"]), ('{"a": 1}', ['{"a": 1}']), ("[1]", [1]),
    (3, None), ({"a": 1}, None), (None, None),
])
def test_json_list_of_a_multiple_value(given, expected):
    assert json_list(given) == expected


def test_decoded_reads_json_lists_and_objects_sent_as_text_only():
    assert decoded('["TRAN"]') == ["TRAN"] and decoded('{"a": 1}') == {"a": 1}
    assert decoded("ANNUAL") == "ANNUAL" and decoded("[oops") == "[oops" and decoded(3) == 3


@pytest.mark.parametrize("value, expected", [
    ("text/csv", "text/csv"), ("Text/CSV; charset=utf-8", "text/csv"),
    ("application/vnd.ms-excel", "application/vnd.ms-excel"), ("csv", None), ("", None),
    (None, None), ("text/", None),
])
def test_media_type(value, expected):
    assert media_type(value) == expected
